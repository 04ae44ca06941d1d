"""Working-day arithmetic in the Chinese official calendar, with half-day precision.

The contract:

- A working day has two sessions within office hours: morning (WORKDAY_MORNING, default 09:00-12:00)
  and afternoon (WORKDAY_AFTERNOON, default 13:30-17:30).
- Which days are working days: a year entered by an administrator (HolidayYear with its
  DayOverrides) is computed from that table alone: Monday to Friday work unless a `holiday`
  override, Saturday and Sunday rest unless a `workday` override (补班). Otherwise the
  chinese_calendar package, for the years it covers. Otherwise CalendarDataMissing, naming the
  year and how to add it: never a silent weekends-only guess.
- add_working_days(start, d): d is a non-negative multiple of 0.5. The starting period is not counted
  (Civil Code art. 201): the session in which `start` falls is not counted; counting begins with the
  first session that starts at or after `start`. The due moment is the end of the (2d)-th counted
  session. d = 0 gives `start`. Monday 16:00 + 1.5 → Wednesday 12:00.
- working_days_between(start, end): the sessions that start at or after `start` and end at or before
  `end`, times 0.5. working_days_between(s, add_working_days(s, d)) == d.
- Naive datetimes are taken as Asia/Shanghai; results are aware, in Asia/Shanghai.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError

from .actions import do_set_year_schedule as do_set_year_schedule  # re-exported
from .actions import invalidate_year as invalidate_year  # re-exported
from .models import DayKind, DayOverride, HolidayYear

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALF = Decimal("0.5")
# A guard against a runaway loop on absurd input: 1,000 working days is about four years.
MAX_DURATION = Decimal(1000)


class CalendarDataMissing(KernelError):
    status = 422
    default_code = ErrorCode.CALENDAR_DATA_MISSING


def _parse_hours(name: str) -> tuple[dt.time, dt.time]:
    value = getattr(settings, name)
    try:
        start_s, end_s = value.split("-")
        start, end = dt.time.fromisoformat(start_s.strip()), dt.time.fromisoformat(end_s.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r}: expected HH:MM-HH:MM") from exc
    if start >= end:
        raise ImproperlyConfigured(f"{name}={value!r}: the session must end after it starts")
    return start, end


def sessions_of_day() -> list[tuple[dt.time, dt.time]]:
    morning, afternoon = _parse_hours("WORKDAY_MORNING"), _parse_hours("WORKDAY_AFTERNOON")
    if morning[1] > afternoon[0]:
        raise ImproperlyConfigured("WORKDAY_MORNING must end before WORKDAY_AFTERNOON starts")
    return [morning, afternoon]


# --- which days are working days --------------------------------------------------------------------


@lru_cache(maxsize=64)
def _table_year(year: int) -> dict[dt.date, tuple[bool, str]] | None:
    """The administrator's table for a year, or None when the year has none. Cached; cleared by
    invalidate_year() when a schedule is saved."""
    entry = HolidayYear.objects.filter(year=year).first()
    if entry is None:
        return None
    return {d.date: (d.kind == DayKind.WORKDAY, d.name) for d in DayOverride.objects.filter(year=entry)}


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def missing(year: int) -> CalendarDataMissing:
    return CalendarDataMissing(
        _("No holiday schedule for %(year)s: add the State Council's schedule with "
          "`longcheng workdays load %(year)s FILE.csv` or on the Working days page.") % {"year": year},
        field="start",
    )


# Several web and job processes each hold these caches; a schedule saved in one process reaches the
# others within this many seconds.
CACHE_SECONDS = 60.0
_cache_born = time.monotonic()


def _expire_caches() -> None:
    global _cache_born
    now = time.monotonic()
    if now - _cache_born > CACHE_SECONDS:
        _table_year.cache_clear()
        _describe_cached.cache_clear()
        _cache_born = now


def _describe(day: dt.date) -> tuple[bool, str, str]:
    _expire_caches()
    return _describe_cached(day)


@lru_cache(maxsize=4096)
def _describe_cached(day: dt.date) -> tuple[bool, str, str]:
    table = _table_year(day.year)
    if table is not None:
        if day in table:
            working, name = table[day]
            return working, name, "table"
        return day.weekday() < 5, "", "table"
    if not _package_covers(day.year):
        raise missing(day.year)
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    working = chinese_calendar.is_workday(day)
    label = ""
    if name:
        label = _holiday_name(str(name))
    return working, label if (on_holiday or working and day.weekday() >= 5) else "", "chinese_calendar"


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(english: str) -> str:
    return _HOLIDAY_NAMES.get(english, english)


def is_working_day(day: dt.date) -> bool:
    return _describe(day)[0]


def next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def describe_day(day: dt.date) -> dict[str, object]:
    working, name, source = _describe(day)
    return {"date": day, "working": working, "name": name or None, "source": source}


def month_days(year: int, month: int) -> list[dict[str, object]]:
    day = dt.date(year, month, 1)
    out = []
    while day.month == month:
        out.append(describe_day(day))
        day += dt.timedelta(days=1)
    return out


# --- arithmetic -------------------------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def parse_duration(value: object, *, field: str = "duration") -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise KernelError(_("A duration is a number of working days, such as 1.5."),
                          code=ErrorCode.INVALID_DURATION, field=field) from None
    if not amount.is_finite() or amount < 0 or amount % HALF != 0:
        raise KernelError(_("A duration must be a non-negative multiple of 0.5 working days."),
                          code=ErrorCode.INVALID_DURATION, field=field)
    if amount > MAX_DURATION:
        raise KernelError(_("A duration of more than 1,000 working days is not supported."),
                          code=ErrorCode.INVALID_DURATION, field=field)
    return amount


def _sessions_from(start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working sessions that start at or after `start`, in order."""
    hours = sessions_of_day()
    day = start.date()
    while True:
        if is_working_day(day):
            for begin, end in hours:
                session_start = dt.datetime.combine(day, begin, tzinfo=SHANGHAI)
                if session_start >= start:
                    yield session_start, dt.datetime.combine(day, end, tzinfo=SHANGHAI)
        day += dt.timedelta(days=1)


def add_working_days(start: dt.datetime, duration: object) -> dt.datetime:
    amount = parse_duration(duration)
    begin = _aware(start)
    halves = int(amount / HALF)
    if halves == 0:
        return begin
    for index, (_session_start, session_end) in enumerate(_sessions_from(begin), start=1):
        if index == halves:
            return session_end
    raise AssertionError("unreachable: the session generator is infinite")


def working_days_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    begin, finish = _aware(start), _aware(end)
    if finish <= begin:
        return Decimal(0)
    halves = 0
    for _session_start, session_end in _sessions_from(begin):
        if session_end > finish:
            break
        halves += 1
    return (HALF * halves).normalize() if halves else Decimal(0)


# --- schedules as CSV -------------------------------------------------------------------------------


def parse_schedule_csv(text: str) -> list[tuple[dt.date, str, str]]:
    """Lines of `date,kind,name` (a header line is allowed). Errors name the line."""
    days: list[tuple[dt.date, str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() == "date":
            continue
        if len(row) < 2:
            raise KernelError(_("Line %(n)d: expected date,kind,name.") % {"n": number}, field="csv")
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except ValueError:
            raise KernelError(_("Line %(n)d: %(v)s is not a date (YYYY-MM-DD).") % {"n": number, "v": row[0]},
                              code=ErrorCode.INVALID_DATE, field="csv") from None
        kind = row[1].strip().lower()
        if kind not in DayKind.values:
            raise KernelError(_("Line %(n)d: the kind must be holiday or workday.") % {"n": number}, field="csv")
        days.append((day, kind, (row[2] if len(row) > 2 else "").strip()))
    if not days:
        raise KernelError(_("The schedule has no days."), code=ErrorCode.REQUIRED, field="csv")
    return days


# --- how far the calendar reaches ---------------------------------------------------------------------

# The working-days page and the administrators' dashboard warn this many days before the last
# loaded year ends.
WARN_DAYS = 60


def has_year(year: int) -> bool:
    """Whether the calendar knows `year`: an administrator's table, or the chinese_calendar package."""
    return _table_year(year) is not None or _package_covers(year)


def last_loaded_year(today: dt.date) -> int | None:
    """The last year of the unbroken run of known years from `today`'s; None when `today`'s own
    year is unknown."""
    if not has_year(today.year):
        return None
    year = today.year
    while year < today.year + 10 and has_year(year + 1):
        year += 1
    return year


def first_missing_year(day: dt.date) -> int:
    """The first year from `day`'s on that the calendar does not know."""
    year = day.year
    while has_year(year) and year < day.year + 10:
        year += 1
    return year


def local_today() -> dt.date:
    """Today in China (tests replace it)."""
    return dt.datetime.now(SHANGHAI).date()


def calendar_warning(today: dt.date | None = None) -> str | None:
    """What to tell the administrators when the calendar runs out within WARN_DAYS: the next
    year's schedule has to be loaded before time limits run into it. None: nothing to do yet."""
    if today is None:
        today = local_today()
    last = last_loaded_year(today)
    if last is None:
        return str(missing(today.year).message)
    end = dt.date(last, 12, 31)
    left = (end - today).days
    if left >= WARN_DAYS:
        return None
    return _("The working-day calendar ends on %(end)s, in %(days)s days: the holiday schedule for %(next)s is "
             "not loaded. Time limits that run into %(next)s cannot be computed; load the State Council's "
             "schedule for %(next)s on the Working days page.") % {
        "end": end.isoformat(), "days": left, "next": last + 1}
