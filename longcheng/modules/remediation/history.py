"""A case's stage history as validity ranges: each StatusChange holds from `at` until the next change (by
at, then pk) took over, so "the stage of every case on date D" is one range condition per row,
at <= D AND (until IS NULL OR until > D), instead of the last change per case by a correlated subquery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from .models import Case, StatusChange


def record_change(case: Case, dst: str, at: dt.datetime, *, by: Any = None, src: str = "",
                  note: str = "") -> StatusChange:
    """Write one change and keep the ranges whole: the change before it (by at, then pk) now holds until `at`,
    and the new one holds until the next change after it, if it was written late (empty if it is the last).
    Call it with the case locked (select_for_update) where two writers could meet."""
    change = StatusChange.objects.create(case=case, src=src, dst=dst, at=at, by=by, note=note)
    rest = StatusChange.objects.filter(case=case).exclude(pk=change.pk)
    after = rest.filter(at__gt=at).order_by("at", "pk").values_list("at", flat=True).first()
    before = rest.filter(at__lte=at).order_by("-at", "-pk").values_list("pk", flat=True).first()
    if before is not None:
        StatusChange.objects.filter(pk=before).update(until=at)
    if after is not None:
        change.until = after
        StatusChange.objects.filter(pk=change.pk).update(until=after)
    return change


def chain(changes: Iterable[StatusChange]) -> list[StatusChange]:
    """Fill `until` on unsaved changes before a bulk_create (demo, bench): each case's changes in the order
    given, which must be the order of `at`."""
    ordered = list(changes)
    last: dict[int, StatusChange] = {}
    for change in ordered:
        previous = last.get(change.case_id)
        if previous is not None:
            previous.until = change.at
        change.until = None
        last[change.case_id] = change
    return ordered


def valid_at(moment: dt.datetime, prefix: str = "") -> Q:
    """The condition that a change (reached through `prefix`, e.g. "changes__") holds at `moment`."""
    return Q(**{f"{prefix}at__lte": moment}) & (Q(**{f"{prefix}until": None}) | Q(**{f"{prefix}until__gt": moment}))
