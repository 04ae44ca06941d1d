"""Escalation of overdue milestones (逾期督办): each morning, a milestone of an open case past its deadline
is sent to the lead agency's people over the case's place (the district bureau, or the street's patrols
where the street leads the plan); still not done `REMEDIATION_ESCALATE_DAYS` days after its deadline, to
the campaign office too. Each milestone tells each level once (Milestone.escalation, and dedupe keys
for a sweep that runs twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.jobs.api import crontab, periodic_job
from longcheng.kernel.notify.api import queue_message

from .campaigns import AGENCIES, FINISHED
from .conf import escalate_days
from .models import Milestone
from .tally import rebuild

LEAD, OFFICE = 1, 2


def users_over(path: str, roles: list[str]) -> list[Any]:
    """Active users holding one of `roles` with a scope covering the place at `path` (it or an ancestor)."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."]
    user_ids = RoleAssignment.objects.filter(role__in=roles, places__path__in=prefixes).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _lead_roles(lead_agency: str) -> list[str]:
    # A street leads with its patrols; every bureau acts through the district bureau's role.
    return ["remediation_inspector"] if lead_agency == "street" else ["remediation_bureau"]


def warn_overdue(today: dt.date | None = None) -> int:
    """Tell whoever is due to hear of each overdue milestone; returns how many messages were queued."""
    today = today or timezone.localdate()
    late_for_office = today - dt.timedelta(days=escalate_days())
    due = (Milestone.objects.filter(done_at=None, due_on__lt=today, escalation__lt=OFFICE)
           .exclude(plan__case__status__in=FINISHED)
           .select_related("plan__case__place", "plan__case__firm").order_by("due_on", "pk"))
    sent = 0
    for milestone in due.iterator(chunk_size=500):
        level = OFFICE if milestone.due_on < late_for_office else LEAD
        if level <= milestone.escalation:
            continue
        with transaction.atomic():
            sent += _tell(milestone, level)
            Milestone.objects.filter(pk=milestone.pk).update(escalation=level)
    return sent


def _tell(milestone: Milestone, level: int) -> int:
    plan, case = milestone.plan, milestone.plan.case
    subject = pgettext("remediation", "Overdue: %(title)s (%(firm)s)") % {"title": milestone.title,
                                                                        "firm": case.firm.name}
    body = pgettext("remediation", "The milestone “%(title)s” of %(firm)s's remediation plan was due on %(due)s "
                    "and is not done. Lead agency: %(agency)s; responsible: %(person)s.") % {
        "title": milestone.title, "firm": case.firm.name, "due": milestone.due_on.isoformat(),
        "agency": AGENCIES.get(plan.lead_agency, plan.lead_agency), "person": plan.responsible}
    targets: list[tuple[str, Any]] = []
    if milestone.escalation < LEAD:
        targets += [("lead", u) for u in users_over(case.place.path, _lead_roles(plan.lead_agency))]
    if level >= OFFICE:
        targets += [("office", u) for u in users_over(case.place.path, ["remediation_office"])]
    for tier, user in targets:
        queue_message("inapp", subject=subject, body=body, to_user=user, related=case,
                      dedupe_key=f"rem:ms:{milestone.pk}:{tier}:{user.pk}")
    return len(targets)


@periodic_job(crontab(hour="8", minute="0"))
def warn_overdue_milestones() -> int:
    return warn_overdue()


@periodic_job(crontab(hour="0", minute="20"))
def rebuild_totals_snapshot() -> float:
    """The dashboard's snapshot of the totals rebuilt from the records each night (tally.py); returns the
    seconds it took."""
    return rebuild().seconds
