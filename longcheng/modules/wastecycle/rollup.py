"""Each school's day of plate waste (`SchoolDay`), kept with its weighings.

Every action that writes a weighing, its grams or its diners calls `refresh_school_day` in its own
transaction: the day's row is locked, then summed again from the school's weighings of that day (about
sixty rows), so two teachers of one school weighing at once cannot lose each other's meal (the second
waits for the lock and sums after the first has committed). `rebuild` sums every day of a span at once,
for data written in bulk (the demo, the bench, the migration that brought the table in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum

from .models import SchoolClass, SchoolDay, Weighing

_SUMS: dict[str, Any] = {
    "g": Sum("grams", filter=Q(diners__isnull=False)), "d": Sum("diners"),
    "m": Count("pk", filter=Q(diners__isnull=False)), "u": Count("pk", filter=Q(diners__isnull=True)),
}


def refresh_school_day(klass: SchoolClass, day: dt.date) -> SchoolDay:
    """The school's row for `day`, summed again from its weighings; call inside the action's transaction."""
    if not SchoolDay.objects.filter(school_id=klass.school_id, day=day).exists():
        try:
            with transaction.atomic():
                SchoolDay.objects.create(school_id=klass.school_id, place_id=klass.place_id, day=day)
        except IntegrityError:
            pass  # another teacher's weighing made it first; it is locked and summed below
    row = SchoolDay.objects.select_for_update().get(school_id=klass.school_id, day=day)
    # The school's classes as a list of ids: the weighings are then found through their (class, day, meal)
    # index, not by reading the whole city's day and joining each to its class.
    classes = SchoolClass.objects.filter(school_id=klass.school_id).values("pk")
    sums = Weighing.objects.filter(klass__in=classes, day=day).aggregate(**_SUMS)
    row.grams, row.diners, row.meals, row.unattended = sums["g"] or 0, sums["d"] or 0, sums["m"], sums["u"]
    row.save(update_fields=["grams", "diners", "meals", "unattended"])
    return row


def rebuild(start: dt.date, end: dt.date) -> int:
    """Every school's days in [start, end] summed again from the weighings; returns the rows written."""
    sums = (Weighing.objects.filter(day__gte=start, day__lte=end)
            .values("klass__school_id", "day").annotate(**_SUMS).order_by())
    places = dict(SchoolClass.objects.order_by("school_id", "pk").values_list("school_id", "place_id"))
    rows = [SchoolDay(school_id=s["klass__school_id"], place_id=places[s["klass__school_id"]], day=s["day"],
                      grams=s["g"] or 0, diners=s["d"] or 0, meals=s["m"], unattended=s["u"]) for s in sums]
    with transaction.atomic():
        SchoolDay.objects.filter(day__gte=start, day__lte=end).delete()
        SchoolDay.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
