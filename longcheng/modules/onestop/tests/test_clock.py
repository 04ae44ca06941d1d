"""Working-day clocks in 2026: weekends, the National Day holiday (1-7 October) and its make-up
working Saturday (10 October); pauses; due-soon and overdue flags; escalation once per task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from longcheng.kernel.workdays.api import is_working_day

from .. import actions, clock
from ..models import Task
from .conftest import MONDAY, at, tasks_of


def test_the_2026_calendar_this_file_relies_on(db: Any) -> None:
    assert not is_working_day(dt.date(2026, 10, 1)) and not is_working_day(dt.date(2026, 10, 7))
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday, worked (补班)
    assert not is_working_day(dt.date(2026, 10, 11)) and not is_working_day(dt.date(2026, 10, 17))
    assert is_working_day(dt.date(2026, 9, 30)) and is_working_day(dt.date(2026, 10, 8))


def test_due_times_across_a_weekend_a_holiday_and_a_make_up_day(db: Any) -> None:
    # Friday 16:00 + 1.5: Monday morning, Monday afternoon, Tuesday morning.
    assert clock.due(at(dt.date(2026, 10, 16), 16), Decimal("1.5")) == at(dt.date(2026, 10, 20), 12)
    # Wednesday 30 September 14:00 + 0.5: the afternoon already began; then seven days of holiday.
    assert clock.due(at(dt.date(2026, 9, 30), 14), Decimal("0.5")) == at(dt.date(2026, 10, 8), 12)
    # Friday 9 October 10:00 + 1: Friday afternoon and the make-up Saturday morning.
    assert clock.due(at(dt.date(2026, 10, 9), 10), Decimal("1")) == at(dt.date(2026, 10, 10), 12)
    # ... and Sunday 11 October is rest again: + 1.5 reaches Monday morning.
    assert clock.due(at(dt.date(2026, 10, 9), 10), Decimal("1.5")) == at(dt.date(2026, 10, 10), 17, 30)
    assert clock.due(at(dt.date(2026, 10, 9), 10), Decimal("2")) == at(dt.date(2026, 10, 12), 12)
    # Paused time moves the due time by as much.
    assert clock.due(MONDAY, Decimal("0.5"), Decimal("1")) == at(MONDAY + dt.timedelta(days=1), 12)


def test_paused_time_counts_whole_sessions(db: Any) -> None:
    monday_10 = at(MONDAY, 10)
    assert clock.paused_between(monday_10, at(MONDAY, 11)) == 0
    assert clock.paused_between(monday_10, at(MONDAY, 14)) == Decimal("0.5")  # the morning is lost
    assert clock.paused_between(monday_10, at(dt.date(2026, 10, 13), 10)) == Decimal("1")
    # Over the holiday only the working sessions count: Wed 30 Sep afternoon to Thu 8 Oct 12:00.
    assert clock.paused_between(at(dt.date(2026, 9, 30), 15), at(dt.date(2026, 10, 8), 12)) == Decimal("1")


def test_elapsed_due_soon_and_overdue(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    c = world["clock"]
    case = submitted()  # Monday 09:00
    tax = tasks_of(case)["tax"]  # 1 working day: due Monday 17:30
    assert tax.due_at == at(MONDAY, 17, 30) and case.due_at == at(dt.date(2026, 10, 13), 12)
    c.set(at(MONDAY, 12, 30))
    assert clock.elapsed_working_days(tax) == Decimal("0.5")
    assert not clock.due_soon(tax) and not clock.overdue(tax)
    c.set(at(MONDAY, 14))
    assert clock.due_soon(tax) and not clock.overdue(tax)
    c.set(at(MONDAY, 18))
    assert clock.overdue(tax) and not clock.due_soon(tax)
    assert clock.elapsed_working_days(tax) == Decimal("1")
    assert not clock.overdue(case) and clock.elapsed_working_days(case) == Decimal("1")
    # Across the weekend: Friday evening the case has run 5 working days.
    c.set(at(dt.date(2026, 10, 16), 18))
    assert clock.overdue(case) and clock.elapsed_working_days(case) == Decimal("5")


def test_a_paused_clock_is_neither_due_soon_nor_overdue(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    c = world["clock"]
    case = submitted()
    c.set(at(MONDAY, 10))
    actions.do_ask_correction(tasks_of(case)["file_out"], "请补充股东会决议", acting_user=world["clerk"]["market_regulation"])
    c.set(at(dt.date(2026, 10, 14), 10))  # Wednesday: well past the original due times
    task = tasks_of(case)["file_out"]
    case.refresh_from_db()
    assert clock.is_paused(task) and clock.is_paused(case)
    assert not clock.overdue(task) and not clock.overdue(case) and not clock.due_soon(task)
    # Monday 09:00-10:00 is not a whole session; from Monday 09:00 (the session's start) all is paused.
    assert clock.elapsed_working_days(task) == 0


def test_escalation_notifies_the_head_in_scope_once(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    from longcheng.kernel.audit.models import AuditEntry
    from longcheng.kernel.notify.models import Message

    c = world["clock"]
    case = submitted()  # file_out (武进区) and move_in (溧阳市) are due Monday 12:00
    c.set(at(MONDAY, 11))
    assert clock.escalate_overdue() == 0
    c.set(at(MONDAY, 14))
    assert clock.escalate_overdue() == 2
    head_wujin, head_liyang = world["head_wujin"], world["head_liyang"]
    to_wujin = Message.objects.filter(recipient_user=head_wujin)
    to_liyang = Message.objects.filter(recipient_user=head_liyang)
    assert to_wujin.count() == 1 and to_liyang.count() == 1
    tasks = tasks_of(case)
    assert to_wujin.get().related_id == str(tasks["file_out"].pk)
    assert to_liyang.get().related_id == str(tasks["move_in"].pk)
    assert tasks["file_out"].escalated_at == at(MONDAY, 14) and tasks["tax"].escalated_at is None
    assert AuditEntry.objects.filter(action="onestop.escalate").count() == 2
    # Again, later: the same tasks are not escalated twice; tax (due 17:30) now is, once.
    c.set(at(MONDAY, 18))
    assert clock.escalate_overdue() == 3  # tax, social security, housing fund
    assert clock.escalate_overdue() == 0
    assert Message.objects.filter(recipient_user=head_wujin).count() == 4
    assert Message.objects.filter(recipient_user=head_liyang).count() == 1
    assert Task.objects.filter(case=case, escalated_at__isnull=False).count() == 5


def test_the_periodic_job_runs_the_escalation(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    from longcheng.kernel.notify.models import Message

    from ..jobs import onestop_escalate_overdue

    submitted()
    world["clock"].set(at(MONDAY, 14))
    onestop_escalate_overdue()
    assert Message.objects.filter(recipient_user=world["head_wujin"]).count() == 1
