"""Overdue reports go to the duty chief: a report waiting for the officer past the 15-minute target
(rules.REVIEW_TARGET) is told, once, to every duty chief whose scope covers its place."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import RoleAssignment, User, in_force_q
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.audit.actions import record
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.places.models import PATH_SEPARATOR

from . import rules
from .models import Report
from .spec import CHIEF_ROLE, REVIEW

log = logging.getLogger("longcheng.accidents")
WAITING = (Report.Status.SUBMITTED, Report.Status.DISPUTE)


def duty_chiefs(place: Any) -> list[User]:
    """Active users holding the duty chief's role (in force) on the place or one of its ancestors,
    and who can open the report's review page (the kernel's scope check)."""
    prefixes = [place.path[: i + 1] for i, ch in enumerate(place.path) if ch == PATH_SEPARATOR]
    holders = RoleAssignment.objects.filter(in_force_q(), role=CHIEF_ROLE, places__path__in=prefixes)
    users = User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by("username")
    return [user for user in users if place_in_scope(user, REVIEW, place.path)]


def escalate(report_id: int, now: datetime) -> bool:
    """Tell the duty chiefs of the report's place; False when there was nothing to do (decided or
    escalated meanwhile, not overdue, or no chief in scope: then it is tried again next minute)."""
    report = Report.objects.select_related("place").filter(pk=report_id, status__in=WAITING,
                                                           escalated_at__isnull=True).first()
    if report is None or report.submitted_at is None or not rules.overdue(report.submitted_at, now):
        return False
    chiefs = duty_chiefs(report.place)
    if not chiefs:
        log.warning("accidents: report %s is overdue and no duty chief covers %s", report.pk, report.place.path)
        return False
    with transaction.atomic():
        # Claim it: of two runs (a retry, two consumers), only one writes and sends.
        if not Report.objects.filter(pk=report.pk, status__in=WAITING, escalated_at__isnull=True
                                     ).update(escalated_at=now):
            return False
        minutes = rules.review_minutes(report.submitted_at, now)
        subject = pgettext("accidents", "Accident report %(pk)s overdue: %(minutes)s minutes waiting") % {
            "pk": report.pk, "minutes": minutes}
        body = pgettext("accidents", "Report %(pk)s at %(place)s (%(status)s) was submitted at %(time)s and is "
                        "still waiting for the officer. Review it: %(url)s") % {
            "pk": report.pk, "place": report.place.name, "status": report.get_status_display(),
            "time": timezone.localtime(report.submitted_at).strftime("%H:%M"),
            "url": reverse("accidents:review", args=[report.pk])}
        for user in chiefs:
            queue_message("inapp", subject=subject, body=body, to_user=user, related=report,
                          dedupe_key=f"accidents:{report.pk}:escalate:{user.pk}")
        record(None, "accidents.report.escalate", report, before={"escalated_at": None},
               after={"escalated_at": now.isoformat(), "minutes": minutes, "chiefs": [u.pk for u in chiefs]})
    return True


def escalate_overdue(now: datetime | None = None) -> int:
    """Every waiting report past the target and not escalated yet; returns how many were escalated."""
    now = now or timezone.now()
    due = Report.objects.filter(status__in=WAITING, escalated_at__isnull=True,
                                submitted_at__lt=now - rules.REVIEW_TARGET).order_by("submitted_at", "pk")
    return sum(escalate(pk, now) for pk in due.values_list("pk", flat=True))
