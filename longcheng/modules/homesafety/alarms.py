"""Verdicts become alarms: one open alarm per person, device and kind, whatever the concurrency.

A repeat raises the open alarm's counter and last-seen time. Two workers raising the same alarm at
the same instant both try the INSERT; the partial unique index lets exactly one win and the other
turns into a repeat. A condition that clears by itself resolves an alarm nobody has acknowledged
yet (outcome "cleared"), except a critical one, which a person must always close; an alarm already
in human hands is only marked "condition cleared".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.jobs.api import enqueue_on_commit
from longcheng.kernel.telemetry.models import Device

from . import (
    jobs,  # a module, not its names: jobs.py imports this one (they call each other)
    rulebook,
)
from .models import Alarm, AlarmEvent, AlarmStatus, Enrollee, Outcome, Severity
from .rules import Verdict


def raise_alarm(enrollee: Enrollee, device: Device, verdict: Verdict, at: dt.datetime) -> tuple[Alarm | None, bool]:
    """Returns (alarm, created). Must run inside a transaction."""
    open_alarm = Alarm.objects.filter(enrollee=enrollee, device=device, kind=verdict.kind, is_open=True)
    if _repeat(open_alarm, at):
        return None, False
    now = timezone.now()
    path = Enrollee.objects.filter(pk=enrollee.pk).values_list("person__place__path", flat=True).first()
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                enrollee=enrollee, device=device, kind=verdict.kind, severity=verdict.severity, detail=verdict.detail,
                first_seen=at, last_seen=at, raised_at=now,
                next_escalation_at=now + dt.timedelta(seconds=first_round_after(path)),
            )
    except IntegrityError:
        # Another worker opened it a moment ago: this occurrence is a repeat of theirs.
        _repeat(open_alarm, at)
        return None, False
    AlarmEvent.objects.create(alarm=alarm, at=now, step="raised")
    _announce(alarm)
    return alarm, True


def _repeat(open_alarm: Any, at: dt.datetime) -> bool:
    return bool(open_alarm.update(count=F("count") + 1, last_seen=Greatest(F("last_seen"), at), cleared_at=None))


def clear_alarm(enrollee: Enrollee, device: Device, kind: str, at: dt.datetime) -> int:
    now = timezone.now()
    cleared = 0
    for alarm in Alarm.objects.filter(enrollee=enrollee, device=device, kind=kind, is_open=True, cleared_at__isnull=True):
        if alarm.status == AlarmStatus.RAISED and alarm.severity != Severity.CRITICAL:
            done = Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.RAISED).update(
                status=AlarmStatus.RESOLVED, is_open=False, resolved_at=now, outcome=Outcome.CLEARED, cleared_at=at,
                next_escalation_at=None)
            step = "auto_resolved"
        else:
            done = Alarm.objects.filter(pk=alarm.pk, is_open=True).update(cleared_at=at)
            step = "cleared"
        if done:
            AlarmEvent.objects.create(alarm=alarm, at=now, step=step, note=_("The condition is over."))
            cleared += 1
    return cleared


def _announce(alarm: Alarm) -> None:
    """Tell the duty operators at once, and the family for critical alarms, after the commit; and
    schedule the first escalation round for the moment the acknowledgement is due."""
    enqueue_on_commit(jobs.notify_alarm, alarm.pk)
    assert alarm.next_escalation_at is not None
    jobs.schedule_escalation(alarm.pk, alarm.next_escalation_at)


def users_over(place: Any, roles: list[str]) -> list[Any]:
    """Active users holding one of `roles` with a scope that covers `place` (the place or an ancestor)."""
    if place is None:
        return []
    prefixes = [place.path[: i + 1] for i, ch in enumerate(place.path) if ch == "."]
    user_ids = RoleAssignment.objects.filter(role__in=roles, places__path__in=prefixes).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("username"))


def first_round_after(path: str | None) -> int:
    """Seconds from raising to the first escalation round where the person lives: the delay of the
    chain's level 1 (the reminder interval for a chain of one level)."""
    levels, _chain = rulebook.chain_for(path)
    return levels[1].after_s if len(levels) > 1 else rulebook.conf("HOMESAFETY_REMIND_SECONDS")


def escalation_targets(alarm: Alarm, level: int, levels: list[rulebook.Level] | None = None) -> list[Any]:
    """Users holding the role of this escalation level whose scope covers the person's place."""
    place = alarm.enrollee.person.place
    if levels is None:
        levels, _chain = rulebook.chain_for(place.path if place else None)
    return users_over(place, [levels[min(level, len(levels) - 1)].role])
