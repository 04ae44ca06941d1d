"""Time limits in Chinese working days (half-day precision, the kernel's workdays calendar).

- A task's due time = add_working_days(opened_at, limit + paused), a case's likewise from
  submitted_at with the service's whole limit. "paused" is the working time spent waiting for the
  applicant's corrections, counted in whole half-day sessions: a session is paused when it ends
  after the request and at or before the answer (so the session in which the correction was asked
  counts as paused once it is over).
- While paused (a task in correction; a case with any task in correction) the clock stands still:
  never due soon or overdue.
- due_soon: less than 0.5 working day left; overdue: past the due time.
- escalate_overdue() (a periodic job, see jobs.py) notifies the heads (role onestop_head) whose scope
  holds an overdue task's place, once per task.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import RoleAssignment
from longcheng.kernel.audit.actions import record
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.workdays.api import (
    SHANGHAI,
    CalendarDataMissing,
    add_working_days,
    first_missing_year,
    is_working_day,
    sessions_of_day,
)
from longcheng.kernel.workdays.api import working_days_between as _between

from .catalogue import DEPARTMENTS, service
from .models import Case, CaseStatus, Pause, Task, TaskStatus

HALF = Decimal("0.5")


def now() -> dt.datetime:
    """The current time; tests replace it (monkeypatch) to walk through the calendar."""
    return timezone.now()


def session_floor(moment: dt.datetime) -> dt.datetime:
    """The start of the working session `moment` falls in, or `moment` itself outside sessions."""
    local = moment.astimezone(SHANGHAI) if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    if is_working_day(local.date()):
        for begin, end in sessions_of_day():
            start = dt.datetime.combine(local.date(), begin, tzinfo=SHANGHAI)
            if start <= local < dt.datetime.combine(local.date(), end, tzinfo=SHANGHAI):
                return start
    return local


def paused_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    return _between(session_floor(start), end)


def due(start: dt.datetime, limit: Decimal, paused: Decimal = Decimal(0)) -> dt.datetime | None:
    """The due moment; None when it would fall in a year whose holiday schedule is not loaded yet
    (the case goes ahead, shown as "deadline unknown": deadline_unknown())."""
    try:
        return add_working_days(start, Decimal(limit) + Decimal(paused))
    except CalendarDataMissing:
        return None


def deadline_unknown(obj: Task | Case) -> str | None:
    """For a running clock with no due time (it ran into a year without a calendar): what the pages
    show instead of the deadline, naming the year to load. None: the deadline is known."""
    start = _start(obj)
    running = obj.status == (TaskStatus.OPEN if isinstance(obj, Task) else CaseStatus.SUBMITTED)
    if not running or start is None or obj.due_at is not None:
        return None
    year = first_missing_year(start.astimezone(SHANGHAI).date())
    return _("deadline unknown: calendar for %(year)s not loaded") % {"year": year}


def _start(obj: Task | Case) -> dt.datetime | None:
    return obj.opened_at if isinstance(obj, Task) else obj.submitted_at


def _end(obj: Task | Case) -> dt.datetime | None:
    return obj.done_at if isinstance(obj, Task) else obj.completed_at


def _open_pause(obj: Task | Case) -> Pause | None:
    if isinstance(obj, Task):
        return Pause.objects.filter(task=obj, ended_at__isnull=True).first()
    return Pause.objects.filter(case=obj, task__isnull=True, ended_at__isnull=True).first()


def is_paused(obj: Task | Case) -> bool:
    return _open_pause(obj) is not None


def elapsed_working_days(obj: Task | Case, at: dt.datetime | None = None) -> Decimal:
    """Working days the task (or case) has run, excluding the time its clock stood still."""
    start = _start(obj)
    if start is None:
        return Decimal(0)
    at = _end(obj) or at or now()
    paused = Decimal(obj.paused_days)
    current = _open_pause(obj)
    if current is not None:
        paused += paused_between(current.started_at, at)
    return max(Decimal(0), _between(start, at) - paused)


def paused_working_days(obj: Task | Case, at: dt.datetime | None = None) -> Decimal:
    """The working time the clock has stood still, a pause still running counted up to `at`
    (the stored paused_days hold only the pauses already answered)."""
    paused = Decimal(obj.paused_days)
    current = _open_pause(obj)
    if current is not None:
        paused += paused_between(current.started_at, _end(obj) or at or now())
    return paused


def remaining_working_days(obj: Task | Case, at: dt.datetime | None = None) -> Decimal | None:
    """Working days left until the due time (negative: overdue by). While the clock stands still
    the remainder is frozen at what it was when the pause began: a paused case is never shown as
    overdue, however long the applicant takes."""
    if obj.due_at is None:
        return None
    at = at or now()
    current = _open_pause(obj)
    if current is not None:
        at = min(at, current.started_at)
    try:
        if at <= obj.due_at:
            return _between(at, obj.due_at)
        return -_between(obj.due_at, at)
    except CalendarDataMissing:  # "now" in a year without a calendar
        return None


def _running(obj: Task | Case) -> bool:
    if isinstance(obj, Task):
        return obj.status == TaskStatus.OPEN
    return obj.status == CaseStatus.SUBMITTED and not is_paused(obj)


def overdue(obj: Task | Case, at: dt.datetime | None = None, *, running: bool | None = None) -> bool:
    """`running`: whether the clock runs, when the caller already knows (saves the pause query)."""
    if running is None:
        running = _running(obj)
    return running and obj.due_at is not None and (at or now()) > obj.due_at


def due_soon(obj: Task | Case, at: dt.datetime | None = None, *, running: bool | None = None) -> bool:
    at = at or now()
    if running is None:
        running = _running(obj)
    if not running or obj.due_at is None or at > obj.due_at:
        return False
    try:
        return _between(at, obj.due_at) < HALF
    except CalendarDataMissing:
        return False


def escalate_overdue(at: dt.datetime | None = None) -> int:
    """Notify the heads of every overdue open task not escalated yet; returns the tasks escalated."""
    at = at or now()
    heads: list[tuple[Any, str]] = [
        (assignment.user, path)
        for assignment in RoleAssignment.objects.filter(role="onestop_head", user__is_active=True)
        .select_related("user").prefetch_related("places")
        for path in (p.path for p in assignment.places.all())
    ]
    count = 0
    overdue_tasks = (Task.objects.filter(status=TaskStatus.OPEN, due_at__lt=at, escalated_at__isnull=True)
                     .select_related("case__enterprise", "place").order_by("due_at"))
    for task in overdue_tasks:
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN, escalated_at__isnull=True
                                       ).update(escalated_at=at):
                continue  # escalated or finished meanwhile
            spec = service(task.case.service)
            label = spec.task(task.code).label
            recipients = {user.pk: user for user, path in heads if task.place.path.startswith(path)}
            for user in recipients.values():
                queue_message(
                    "inapp", to_user=user, related=task, dedupe_key=f"onestop-escalate-{task.pk}-{user.pk}",
                    subject=_("Overdue one-stop task: %(task)s") % {"task": label},
                    body=_("%(enterprise)s: %(task)s (%(department)s) was due %(due)s and is not done.") % {
                        "enterprise": task.case.enterprise.name, "task": label,
                        "department": DEPARTMENTS[task.department].label,
                        "due": timezone.localtime(task.due_at, SHANGHAI).strftime("%Y-%m-%d %H:%M")},
                )
            record(None, "onestop.escalate", task, after={"heads": sorted(recipients)})
            count += 1
    return count
