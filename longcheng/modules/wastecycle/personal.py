"""What the transfer station holds about a resident (the kernel's access report) and how long it keeps
it (the kernel's retention job); both registered in spec.py.

A soil collector is a resident when a farmer collects for themselves (`Collector.person`); a village's
gardens are no one's and are not listed. The hand-out ledger traces which soil lot went to whom (an
organic fertiliser's lot must be traceable if a test is later found wrong), so a deletion request does
not remove it before its period ends; after it the collector's name and resident link are forgotten
and the collections stay as figures (how much, when, from which lot)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DataSection, RecordClass

from .models import Collector, Handout

YEAR = 365
ANONYMISED = "—"


def collectors_of(person: Any) -> QuerySet[Collector]:
    return Collector.objects.filter(person=person)


def personal_data(person: Any) -> list[DataSection]:
    collectors = list(collectors_of(person).select_related("station", "village").order_by("pk"))
    if not collectors:
        return []
    rows = [[c.station.name, c.name, c.village.name] for c in collectors]
    handouts = [[h.collector.station.name, h.on, h.kg, h.lot.code]
                for h in Handout.objects.filter(collector__in=collectors)
                .select_related("collector__station", "lot").order_by("on", "pk")]
    return [
        DataSection(pgettext_lazy("wastecycle", "Soil collectors"), [
            pgettext_lazy("wastecycle", "station"), pgettext_lazy("wastecycle", "name"),
            pgettext_lazy("wastecycle", "village")], rows),
        DataSection(pgettext_lazy("wastecycle", "Soil collected"), [
            pgettext_lazy("wastecycle", "station"), pgettext_lazy("wastecycle", "collected on"),
            pgettext_lazy("wastecycle", "kg"), pgettext_lazy("wastecycle", "soil lot")], handouts),
    ]


def _idle_collectors(cutoff: dt.datetime) -> QuerySet[Collector]:
    """Collectors still named whose last collection (or, never having collected, none) is older than the cutoff."""
    named = Collector.objects.exclude(name__startswith=ANONYMISED).annotate(last=Max("handouts__on"))
    return named.filter(Q(last__lt=cutoff.date()) | Q(last__isnull=True, person__isnull=False))


def _forget_collectors(collectors: QuerySet[Collector]) -> int:
    # The name is unique per station: the anonymised one keeps the row's id.
    rows = list(collectors.values_list("pk", flat=True))
    for pk in rows:
        Collector.objects.filter(pk=pk).update(name=f"{ANONYMISED}{pk}", person=None)
    return len(rows)


RETENTION = [
    # Traceability of a fertiliser lot to whoever took it (the lot's test may be challenged); 3 years
    # after the last collection (民法典 art. 188's general limitation period): a placeholder until the
    # town states its own period.
    RecordClass("wastecycle.collectors", pgettext_lazy("wastecycle", "Soil collectors and their collections"),
                pgettext_lazy("wastecycle", "A collector's name and resident link are forgotten 3 years after their "
                                            "last collection (placeholder); the collections stay as figures."),
                days=3 * YEAR, action="anonymise", expired=_idle_collectors, anonymise=_forget_collectors,
                of_person=collectors_of),
]
