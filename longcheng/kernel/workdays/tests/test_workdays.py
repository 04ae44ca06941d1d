"""Working days in the Chinese calendar: holidays, make-up days, half days, missing years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.workdays import api as wd
from longcheng.kernel.workdays.models import DayOverride, HolidayYear

# The rule names are checked in English; Chinese is the default and has its own tests.
pytestmark = pytest.mark.usefixtures("english")

SH = wd.SHANGHAI


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def fresh_cache():
    wd.invalidate_year()
    yield
    wd.invalidate_year()


def test_monday_16_00_plus_one_and_a_half_is_wednesday_noon(db):
    assert wd.add_working_days(at("2026-11-23T16:00"), "1.5") == at("2026-11-25T12:00")


def test_a_start_at_nine_counts_that_morning(db):
    assert wd.add_working_days(at("2026-11-23T09:00"), 0.5) == at("2026-11-23T12:00")
    assert wd.add_working_days(at("2026-11-23T09:01"), 0.5) == at("2026-11-23T17:30")


def test_national_day_2026_and_the_make_up_saturday(db):
    assert not wd.is_working_day(dt.date(2026, 10, 1))
    assert not wd.is_working_day(dt.date(2026, 10, 7))
    assert wd.is_working_day(dt.date(2026, 10, 10))  # Saturday worked (补班)
    assert wd.is_working_day(dt.date(2026, 9, 20))  # Sunday worked
    assert wd.add_working_days(at("2026-09-30T16:00"), "1.5") == at("2026-10-09T12:00")
    assert wd.working_days_between(at("2026-09-30T16:00"), at("2026-10-12T12:00")) == Decimal("3.5")


def test_spring_festival_2026(db):
    # 15-23 February off, with Saturdays 14 and 28 February worked.
    assert [wd.is_working_day(dt.date(2026, 2, d)) for d in (13, 14, 16, 23, 24, 28)] == [
        True, True, False, False, True, True]
    assert wd.describe_day(dt.date(2026, 2, 17))["name"] == "春节"


def test_the_wujin_information_change_limit_of_one_and_a_half_days(db):
    # Submitted Friday afternoon: Monday morning and afternoon, Tuesday morning.
    assert wd.add_working_days(at("2026-11-20T15:00"), "1.5") == at("2026-11-24T12:00")


@pytest.mark.parametrize("bad", ["1.25", "-1", "abc", "NaN", "2000"])
def test_bad_durations_name_the_field(db, bad):
    with pytest.raises(KernelError) as info:
        wd.add_working_days(at("2026-11-23T09:00"), bad)
    assert info.value.field == "duration" and info.value.code == "invalid_duration"


def test_a_year_without_data_is_an_error_naming_it(db):
    with pytest.raises(wd.CalendarDataMissing) as info:
        wd.add_working_days(at("2026-12-30T09:00"), 5)
    assert "2027" in str(info.value.message) and "workdays load 2027" in str(info.value.message)


SCHEDULE_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,workday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
"""


def test_an_entered_year_is_used_and_audited(db, make_user, city):
    clerk = make_user("clerk", {"calendar_admin": [city["root"]]})
    wd.do_set_year_schedule(2027, wd.parse_schedule_csv(SCHEDULE_2027), source="测试通知", acting_user=clerk)
    assert not wd.is_working_day(dt.date(2027, 1, 1))
    assert wd.is_working_day(dt.date(2027, 2, 6))  # a Saturday worked
    assert not wd.is_working_day(dt.date(2027, 2, 8))
    assert wd.add_working_days(at("2026-12-31T16:00"), 1) == at("2027-01-04T17:30")
    assert AuditEntry.objects.filter(action="workdays.set_year", actor=clerk).count() == 1


def test_someone_without_the_role_changes_nothing(db, worker_a):
    with pytest.raises(PermissionDenied):
        wd.do_set_year_schedule(2027, wd.parse_schedule_csv(SCHEDULE_2027), source="x", acting_user=worker_a)
    assert not HolidayYear.objects.exists() and not DayOverride.objects.exists()


@pytest.mark.parametrize(
    ("text", "needle"),
    [("2027-01-01,holiday\nnot-a-date,holiday", "Line 2"), ("2027-01-01,vacation", "Line 1"), ("", "no days")],
)
def test_bad_csv_names_the_line(text, needle):
    with pytest.raises(KernelError) as info:
        wd.parse_schedule_csv(text)
    assert needle in str(info.value.message)


def test_a_day_outside_the_year_or_on_the_wrong_weekday_writes_nothing(db, admin):
    with pytest.raises(KernelError) as info:
        wd.do_set_year_schedule(2027, [(dt.date(2028, 1, 3), "holiday", "")], source="x", acting_user=admin)
    assert info.value.field == "days[0].date"
    with pytest.raises(KernelError) as info:
        wd.do_set_year_schedule(2027, [(dt.date(2027, 1, 4), "workday", "")], source="x", acting_user=admin)
    assert info.value.field == "days[0].kind"
    assert not HolidayYear.objects.exists()


def test_command_line(db, tmp_path):
    out = StringIO()
    call_command("workdays", "due", "2026-11-23T16:00", "1.5", stdout=out)
    assert out.getvalue().strip() == "2026-11-25T12:00:00+08:00"
    out = StringIO()
    call_command("workdays", "between", "2026-11-23T16:00", "2026-11-25T12:00", stdout=out)
    assert out.getvalue().strip() == "1.5"
    with pytest.raises(CommandError, match="2027"):
        call_command("workdays", "due", "2026-12-31T09:00", "3")
    with pytest.raises(CommandError, match="START"):
        call_command("workdays", "due", "yesterday", "3")
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    call_command("workdays", "load", "2027", str(path), stdout=StringIO())
    out = StringIO()
    call_command("workdays", "show", "2027", stdout=out)
    assert "2027-02-06,workday" in out.getvalue()


starts = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 10, 31))
durations = st.integers(min_value=0, max_value=60).map(lambda n: Decimal(n) / 2)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(start=starts, days=durations)
def test_between_inverts_due(db, start, days):
    due = wd.add_working_days(start, days)
    assert wd.working_days_between(start, due) == days


@FAST
@given(start=starts, days=durations)
def test_due_is_monotonic_and_ends_a_session_on_a_working_day(db, start, days):
    due = wd.add_working_days(start, days)
    later = wd.add_working_days(start, days + Decimal("0.5"))
    assert later > due
    assert wd.is_working_day(later.date())
    assert later.timetz().replace(tzinfo=None) in {end for _begin, end in wd.sessions_of_day()}


@FAST
@given(start=starts, a=st.integers(0, 20 * 24 * 60), b=st.integers(0, 20 * 24 * 60))
def test_between_is_monotonic_in_the_end(db, start, a, b):
    s = start.replace(tzinfo=SH)
    first, second = sorted((a, b))
    assert wd.working_days_between(s, s + dt.timedelta(minutes=first)) <= wd.working_days_between(
        s, s + dt.timedelta(minutes=second))
