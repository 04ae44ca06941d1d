"""Background work: escalating alarms nobody acknowledged, ending expired bypasses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.jobs.api import crontab, job, periodic_job
from longcheng.kernel.notify.api import queue_message

from .models import Alarm, Bypass

CONTROLLER = "platformdoor_controller"


def controllers_over(path: str) -> list[Any]:
    """Active line controllers whose scope covers the place at `path` (it or an ancestor)."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."]
    ids = RoleAssignment.objects.filter(role=CONTROLLER, places__path__in=prefixes).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("username"))


def escalate(alarm_id: int, now: dt.datetime | None = None) -> bool:
    """The alarm goes to the line controller: still open, not acknowledged, its time come. Once."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Alarm.objects.filter(pk=alarm_id, is_open=True, acknowledged_at__isnull=True,
                                       escalated_at__isnull=True, escalate_at__lte=now).update(escalated_at=now)
        if not claimed:
            return False
        alarm = Alarm.objects.select_related("station__place", "platform", "door").get(pk=alarm_id)
        subject = pgettext("platformdoor", "Not acknowledged: %(alarm)s at %(where)s") % {
            "alarm": alarm.get_kind_display(), "where": alarm.where}
        for user in controllers_over(alarm.station.place.path):
            queue_message("inapp", subject=subject, body=subject, to_user=user, related=alarm,
                          dedupe_key=f"pd:{alarm.pk}:escalate:{user.pk}")
    return True


@job(retries=3, retry_delay=2)
def escalate_alarm(alarm_id: int) -> bool:
    return escalate(alarm_id)


def escalate_due(now: dt.datetime | None = None) -> int:
    """Every alarm whose time has come: the safety net for a scheduled job that was lost."""
    now = now or timezone.now()
    due = Alarm.objects.filter(is_open=True, acknowledged_at__isnull=True, escalated_at__isnull=True,
                               escalate_at__lte=now).values_list("pk", flat=True)
    return sum(escalate(pk, now) for pk in list(due))


@periodic_job(crontab(minute="*"))
def escalate_due_alarms() -> int:
    return escalate_due()


def end_expired(now: dt.datetime | None = None) -> int:
    """Bypasses past their expiry end themselves (their end is their expiry, not when this ran)."""
    now = now or timezone.now()
    ended = 0
    for bypass in Bypass.objects.filter(ended_at__isnull=True, expires_at__lte=now):
        ended += Bypass.objects.filter(pk=bypass.pk, ended_at__isnull=True).update(ended_at=bypass.expires_at)
    return ended


@periodic_job(crontab(minute="*"))
def end_expired_bypasses() -> int:
    return end_expired()
