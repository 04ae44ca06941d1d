"""Reminders before a deadline and escalation after (each morning): a stage due within `REMIND_DAYS`
reminds the firm's staff (and its consultancy's); a stage past its due day goes to the technical team and
the bureau over the firm's place; an assessment or acceptance past the bureau's own deadline goes to the
bureau; the registration (备案) likewise, before and after its own day. Each person hears of each deadline
once (dedupe keys), however often the sweep runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.jobs.api import crontab, periodic_job
from longcheng.kernel.notify.api import queue_message

from .models import AuditRound, StageRecord
from .stages import FIRST, STAGE_BY_CODE

REMIND_DAYS = 7


def users_over(path: str, roles: list[str]) -> list[Any]:
    """Active users holding one of `roles` with a scope covering the place at `path` (it or an ancestor)."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."]
    user_ids = RoleAssignment.objects.filter(role__in=roles, places__path__in=prefixes).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def party_users(audit: AuditRound) -> list[Any]:
    orgs = [audit.firm_id] + ([audit.consultancy.org_id] if audit.consultancy else [])
    user_ids = RoleAssignment.objects.filter(role="cleanaudit_firm").values("user_id")
    return list(User.objects.filter(pk__in=user_ids, organisation_id__in=orgs, is_active=True).order_by("pk"))


def _send(users: list[Any], audit: AuditRound, key: str, subject: str, body: str) -> int:
    with transaction.atomic():
        for user in users:
            queue_message("inapp", subject=subject, body=body, to_user=user, related=audit,
                          dedupe_key=f"cleanaudit:{key}:{user.pk}")
    return len(users)


def _registrations(day: dt.date) -> int:
    """The registration (备案), its own deadline: due within REMIND_DAYS reminds the firm's side; past its
    day, the technical team and the bureau over the firm's place hear of it. Once each (dedupe keys)."""
    sent = 0
    pending = AuditRound.objects.filter(registered_on=None, status=FIRST, registration_due__isnull=False,
                                        registration_due__lte=day + dt.timedelta(days=REMIND_DAYS)).select_related(
        "firm", "place", "consultancy").order_by("registration_due", "pk")
    for audit in pending.iterator(chunk_size=500):
        assert audit.registration_due is not None  # filtered above
        facts = {"firm": audit.firm.name, "due": audit.registration_due.isoformat()}
        if audit.registration_due < day:
            sent += _send(users_over(audit.place.path, ["cleanaudit_expert", "cleanaudit_bureau"]), audit,
                          f"register-late:{audit.pk}",
                          pgettext("cleanaudit", "Registration overdue: %(firm)s") % facts,
                          pgettext("cleanaudit", "%(firm)s's registration (备案) was due on %(due)s.") % facts)
        else:
            sent += _send(party_users(audit), audit, f"register-remind:{audit.pk}",
                          pgettext("cleanaudit", "Registration due soon") % facts,
                          pgettext("cleanaudit", "%(firm)s's registration (备案) is due on %(due)s.") % facts)
    return sent


def sweep(today: dt.date | None = None) -> int:
    """Queue the day's reminders and escalations; returns how many people were addressed."""
    day = today or timezone.localdate()
    sent = _registrations(day)
    open_stages = (StageRecord.objects.filter(closed_at=None, due_on__isnull=False, due_on__lte=day + dt.timedelta(
        days=REMIND_DAYS)).select_related("round__firm", "round__place", "round__consultancy").order_by("due_on", "pk"))
    for record in open_stages.iterator(chunk_size=500):
        audit, stage = record.round, STAGE_BY_CODE[record.stage].label
        facts = {"firm": audit.firm.name, "stage": stage, "due": record.due_on.isoformat() if record.due_on else ""}
        if record.due_on and record.due_on < day:
            sent += _send(users_over(audit.place.path, ["cleanaudit_expert", "cleanaudit_bureau"]), audit,
                          f"late:{record.pk}", pgettext("cleanaudit", "Overdue: %(firm)s, %(stage)s") % facts,
                          pgettext("cleanaudit", "%(firm)s's stage “%(stage)s” was due on %(due)s.") % facts)
        else:
            sent += _send(party_users(audit), audit, f"remind:{record.pk}",
                          pgettext("cleanaudit", "Due soon: %(stage)s") % facts,
                          pgettext("cleanaudit", "%(firm)s's stage “%(stage)s” is due on %(due)s.") % facts)
    reviews = AuditRound.objects.filter(Q(status__in=("assessment", "assessed")), review_due__lt=day).select_related(
        "firm", "place").order_by("review_due", "pk")
    for audit in reviews.iterator(chunk_size=500):
        facts = {"firm": audit.firm.name, "stage": audit.status_label, "due": audit.review_due.isoformat()
                 if audit.review_due else ""}
        sent += _send(users_over(audit.place.path, ["cleanaudit_bureau"]), audit, f"review:{audit.pk}:{audit.status}",
                      pgettext("cleanaudit", "Overdue: %(firm)s, %(stage)s") % facts,
                      pgettext("cleanaudit", "%(firm)s's stage “%(stage)s” was due on %(due)s.") % facts)
    return sent


@periodic_job(crontab(hour="8", minute="10"))
def remind_and_escalate() -> int:
    return sweep()
