"""Breach detection at the due date (违约自动认定): each morning, an obligation still open after the
day it was due — hours of labour short, or trees, fish or area not delivered — is breached: the
unperformed part reverts to money exactly as a prosecutor's breach does (the booked shifts become
missed), and the procuratorate over the case's place is told in-app. Once only: a breached obligation
is no longer open, and each message carries a dedupe key."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.jobs.api import crontab, periodic_job
from longcheng.kernel.notify.api import queue_message

from . import actions, actions_restore
from .models import Case, Obligation, ObligationState, Shift, ShiftState, Work

PROSECUTOR = "ecorestore_prosecutor"


def prosecutors_over(path: str) -> list[Any]:
    """Active holders of the prosecutor's role at the case's place or above it."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."] + [path]
    user_ids = RoleAssignment.objects.filter(role=PROSECUTOR, places__path__in=prefixes).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _tell(case: Case, key: str, what: str, due_on: dt.date) -> int:
    subject = pgettext("ecorestore", "Breach: %(number)s") % {"number": case.number}
    body = pgettext("ecorestore", "The obligation “%(what)s” of case %(number)s was due on %(due)s and is not "
                    "performed: it is recorded as breached and its unperformed part reverts to money.") % {
        "what": what, "number": case.number, "due": due_on.isoformat()}
    users = prosecutors_over(case.place.path)
    for user in users:
        queue_message("inapp", subject=subject, body=body, to_user=user, related=case,
                      dedupe_key=f"ecorestore:breach:{key}:{user.pk}")
    return len(users)


def _breach_labour(obligation: Obligation, reason: str) -> int:
    with transaction.atomic():
        obligation = Obligation.objects.select_for_update().select_related("case__place").get(pk=obligation.pk)
        if obligation.state != ObligationState.OPEN:
            return 0
        actions.breach_labour(obligation, reason=reason, acting_user=None)
        what = pgettext("ecorestore", "%(hours)s hours of labour") % {"hours": obligation.hours_owed}
        return _tell(obligation.case, f"o{obligation.pk}", what, obligation.due_on)


def _breach_work(work: Work, reason: str) -> int:
    with transaction.atomic():
        work = Work.objects.select_for_update().select_related("case__place").get(pk=work.pk)
        if work.state != ObligationState.OPEN:
            return 0
        actions_restore.breach_work(work, reason=reason, acting_user=None)
        what = f"{work.get_kind_display()} × {work.quantity_owed}"
        return _tell(work.case, f"w{work.pk}", what, work.due_on)


def detect_breaches(today: dt.date | None = None) -> int:
    """Breach every obligation still open after its due date; returns how many messages were queued."""
    today = today or timezone.localdate()
    reason = pgettext("ecorestore", "Not performed by the due date (detected automatically).")
    sent = 0
    for obligation in Obligation.objects.filter(state=ObligationState.OPEN, due_on__lt=today).order_by("pk"):
        sent += _breach_labour(obligation, reason)
    for work in Work.objects.filter(state=ObligationState.OPEN, due_on__lt=today).order_by("pk"):
        sent += _breach_work(work, reason)
    return sent


def _miss(shift: Shift) -> int:
    with transaction.atomic():
        if not Shift.objects.filter(pk=shift.pk, state=ShiftState.BOOKED).update(state=ShiftState.MISSED):
            return 0  # checked in (or breached) since it was read
        case = shift.obligation.case
        record(None, "ecorestore.shift.missed", shift, after={
            "case": case.number, "starts_at": shift.starts_at.isoformat(), "zone": shift.zone.name})
        subject = pgettext("ecorestore", "Missed shift: %(number)s") % {"number": case.number}
        body = pgettext("ecorestore", "The shift of %(start)s at %(zone)s for case %(number)s was booked and never "
                        "checked in. It is recorded as missed; whether it is a breach is yours to decide.") % {
            "start": timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M"), "zone": shift.zone.name,
            "number": case.number}
        for user in prosecutors_over(case.place.path):
            queue_message("inapp", subject=subject, body=body, to_user=user, related=case,
                          dedupe_key=f"ecorestore:missed:{shift.pk}:{user.pk}")
    return 1


def mark_missed_shifts(now: dt.datetime | None = None) -> int:
    """A shift booked and never checked in by its end (check-in closes then) becomes missed, audited
    without an acting user, and the prosecutors over the case are told. Not a breach by itself: the
    prosecutor decides. Returns how many shifts were marked."""
    now = now or timezone.now()
    late = (Shift.objects.filter(state=ShiftState.BOOKED, ends_at__lt=now)
            .select_related("zone", "obligation__case__place").order_by("pk"))
    return sum(_miss(shift) for shift in late)


@periodic_job(crontab(hour="6", minute="30"))
def ecorestore_detect_breaches() -> int:
    return mark_missed_shifts() + detect_breaches()
