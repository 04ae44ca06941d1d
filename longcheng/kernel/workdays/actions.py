from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError

from .models import DayKind, DayOverride, HolidayYear

FIRST_YEAR = 2004


def invalidate_year(year: int | None = None) -> None:
    from . import api  # cycle: workdays.api re-exports this module's actions

    api._table_year.cache_clear()
    api._describe_cached.cache_clear()


def do_set_year_schedule(
    year: int, days: list[tuple[dt.date, str, str]], *, source: str, acting_user: User | None,
    published_on: dt.date | None = None, check_permission: bool = True,
) -> HolidayYear:
    """Replace a year's schedule with `days` (each a weekday off or a weekend day worked)."""
    if check_permission:
        require_perm(acting_user, "workdays.manage")
    if not isinstance(year, int) or year < FIRST_YEAR or year > 2100:
        raise KernelError(_("The year must be between 2004 and 2100."), field="year")
    if not (source or "").strip():
        raise KernelError(_("Name the source (the State Council notice)."), code=ErrorCode.REQUIRED, field="source")
    seen: set[dt.date] = set()
    for index, (day, kind, _name) in enumerate(days):
        field = f"days[{index}]"
        if day.year != year:
            raise KernelError(_("%(d)s is not in %(y)s.") % {"d": day, "y": year}, code=ErrorCode.INVALID_DATE,
                              field=f"{field}.date")
        if day in seen:
            raise KernelError(_("%(d)s appears twice.") % {"d": day}, field=f"{field}.date")
        seen.add(day)
        if kind not in DayKind.values:
            raise KernelError(_("The kind must be holiday or workday."), field=f"{field}.kind")
        if kind == DayKind.HOLIDAY and day.weekday() >= 5:
            raise KernelError(_("%(d)s is a weekend day already; list only weekdays off.") % {"d": day},
                              field=f"{field}.kind")
        if kind == DayKind.WORKDAY and day.weekday() < 5:
            raise KernelError(_("%(d)s is a weekday; a make-up working day falls on a weekend.") % {"d": day},
                              field=f"{field}.kind")
    with transaction.atomic():
        entry, created = HolidayYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": source.strip(), "published_on": published_on})
        before = {"days": [(str(d.date), d.kind) for d in entry.days.all()]} if not created else None
        entry.source, entry.published_on = source.strip(), published_on
        entry.entered_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        entry.save()
        entry.days.all().delete()
        DayOverride.objects.bulk_create(
            [DayOverride(year=entry, date=d, kind=k, name=n[:50]) for d, k, n in sorted(days)]
        )
        record(acting_user, "workdays.set_year", entry, before=before,
               after={"days": [(str(d), k) for d, k, _n in sorted(days)], "source": source.strip()})
        transaction.on_commit(invalidate_year)
    invalidate_year()
    return entry
