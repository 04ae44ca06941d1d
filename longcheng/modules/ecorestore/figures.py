"""The dashboard panel's figures and charts, scoped to the viewer (the procuratorate's places)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import pgettext

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.registry import Chart, Figure

from .models import (
    Case,
    Delivery,
    MoneyKind,
    Obligation,
    ObligationState,
    Receipt,
    Shift,
    ShiftState,
    Source,
    Spend,
    SpendPurpose,
    Stage,
    WorkKind,
)
from .spec import VIEW


def panel_figures(user: Any) -> list[Figure]:
    cases = restrict(Case.objects.all(), user, VIEW)
    obligations = restrict(Obligation.objects.all(), user, VIEW)
    states = dict(obligations.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    totals = obligations.aggregate(hours=Sum("hours_credited"), offset=Sum("amount_offset_fen"),
                                   reverted=Sum("reverted_fen"))
    url = reverse("ecorestore:cases")
    return [
        Figure(pgettext("ecorestore", "Damage cases"), cases.count(), url=url),
        Figure(pgettext("ecorestore", "Obligations completed"), states.get(ObligationState.COMPLETE, 0)),
        Figure(pgettext("ecorestore", "Obligations breached"), states.get(ObligationState.BREACHED, 0)),
        Figure(pgettext("ecorestore", "Labour hours credited"), totals["hours"] or 0, pgettext("ecorestore", "hours")),
        Figure(pgettext("ecorestore", "Amount converted to labour"), format_fen(totals["offset"] or 0)),
        Figure(pgettext("ecorestore", "Reverted to money on breach"), format_fen(totals["reverted"] or 0)),
        *restoration_figures(user),
    ]


def restoration_figures(user: Any) -> list[Figure]:
    """What was restored in kind and the park's money, in the viewer's places: trees planted, fish
    released (units delivered), shifts missed, money received into and spent from the bases' funds."""
    delivered = dict(restrict(Delivery.objects.all(), user, VIEW).values_list("work__kind")
                     .annotate(n=Sum("quantity")).values_list("work__kind", "n"))
    missed = restrict(Shift.objects.filter(state=ShiftState.MISSED), user, VIEW).count()
    received = restrict(Receipt.objects.filter(reversal__isnull=True), user, VIEW).aggregate(s=Sum("amount_fen"))["s"] or 0
    spent = restrict(Spend.objects.filter(reversal__isnull=True), user, VIEW).aggregate(s=Sum("amount_fen"))["s"] or 0
    return [
        Figure(pgettext("ecorestore", "Trees planted"), delivered.get(WorkKind.TREES, 0), pgettext("ecorestore", "trees")),
        Figure(pgettext("ecorestore", "Fish released"), delivered.get(WorkKind.FISH, 0), pgettext("ecorestore", "fish")),
        Figure(pgettext("ecorestore", "Shifts missed"), missed),
        Figure(pgettext("ecorestore", "Money received"), format_fen(received)),
        Figure(pgettext("ecorestore", "Money spent"), format_fen(spent)),
    ]


def panel_charts(user: Any) -> list[Chart]:
    cases = restrict(Case.objects.all(), user, VIEW)
    by_stage = dict(cases.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    by_source = dict(cases.values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    return [
        Chart(pgettext("ecorestore", "Cases by stage"), "bar", [str(s.label) for s in Stage],
              {pgettext("ecorestore", "Cases"): [float(by_stage.get(s.value, 0)) for s in Stage]}),
        Chart(pgettext("ecorestore", "Cases by source"), "bar", [str(s.label) for s in Source],
              {pgettext("ecorestore", "Cases"): [float(by_source.get(s.value, 0)) for s in Source]}),
        _money_chart(user),
    ]


def _money_chart(user: Any) -> Chart:
    received = dict(restrict(Receipt.objects.filter(reversal__isnull=True), user, VIEW).values_list("kind").annotate(s=Sum("amount_fen"))
                    .values_list("kind", "s"))
    spent = dict(restrict(Spend.objects.filter(reversal__isnull=True), user, VIEW).values_list("purpose").annotate(s=Sum("amount_fen"))
                 .values_list("purpose", "s"))
    labels = [str(k.label) for k in MoneyKind] + [str(p.label) for p in SpendPurpose]
    ins = [received.get(k.value, 0) / 100 for k in MoneyKind] + [0.0] * len(SpendPurpose)
    outs = [0.0] * len(MoneyKind) + [spent.get(p.value, 0) / 100 for p in SpendPurpose]
    return Chart(pgettext("ecorestore", "The park's money (yuan)"), "bar", labels,
                 {pgettext("ecorestore", "Money received"): ins, pgettext("ecorestore", "Money spent"): outs})
