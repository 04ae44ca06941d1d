"""Milestones: marked done by the bureau (or the street's patrol where the street leads), once; overdue
ones reach the lead agency's people, and the campaign office once a week late — each told once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import Conflict, NotFound
from longcheng.kernel.notify.models import Message
from longcheng.modules.remediation import actions, jobs
from longcheng.modules.remediation.models import Milestone

from .conftest import inspect


def _planned(world: dict[str, Any], lead: str = "ecology", late_days: int = 0) -> Milestone:
    case = inspect(world).case
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    actions.do_set_plan(case.pk, remedy="upgrade", lead_agency=lead, responsible="张主任", acting_user=world["bureau"],
                        milestones=[actions.MilestoneIn("提标改造", working_days=5)])
    milestone = Milestone.objects.get(plan__case=case)
    if late_days:
        milestone.due_on = timezone.localdate() - dt.timedelta(days=late_days)
        milestone.save(update_fields=["due_on"])
    return milestone


def test_the_bureau_marks_a_milestone_done_once_and_others_cannot(world: dict[str, Any]) -> None:
    milestone = _planned(world)
    for stranger in ("patrol", "patrol_liyang", "office", "firm_user"):
        with pytest.raises(NotFound):
            actions.do_complete_milestone(milestone.pk, acting_user=world[stranger])
    milestone.refresh_from_db()
    assert milestone.done_at is None and not AuditEntry.objects.filter(action="remediation.milestone.done").exists()
    actions.do_complete_milestone(milestone.pk, acting_user=world["bureau"])
    milestone.refresh_from_db()
    assert milestone.done_at is not None and milestone.done_by == world["bureau"]
    with pytest.raises(Conflict):
        actions.do_complete_milestone(milestone.pk, acting_user=world["bureau"])
    assert AuditEntry.objects.filter(action="remediation.milestone.done").count() == 1


def test_a_street_led_milestone_is_ticked_by_the_streets_patrol_on_the_page(world: dict[str, Any]) -> None:
    milestone = _planned(world, lead="street", late_days=2)
    client = Client()
    client.force_login(world["patrol"])
    page = client.get(f"/remediation/cases/{milestone.plan.case_id}/").content.decode()
    assert f"/remediation/milestones/{milestone.pk}/done/" in page
    done = client.post(f"/remediation/milestones/{milestone.pk}/done/", {})
    assert done.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_at is not None


def test_overdue_milestones_escalate_to_the_lead_then_the_office_once_each(world: dict[str, Any]) -> None:
    milestone = _planned(world)
    assert jobs.warn_overdue() == 0  # not due yet
    Milestone.objects.filter(pk=milestone.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    # The district bureau's people over the case's place (office2 also holds the bureau role city-wide).
    assert jobs.warn_overdue() == 2
    assert sorted(Message.objects.values_list("recipient_user__username", flat=True)) == ["bureau", "office2"]
    assert all("提标改造" in subject for subject in Message.objects.values_list("subject", flat=True))
    assert jobs.warn_overdue() == 0  # told once
    # A week late: the campaign office (office and office2 hold it city-wide) hears too; the bureau not again.
    assert jobs.warn_overdue(timezone.localdate() + dt.timedelta(days=7)) == 2
    assert sorted(Message.objects.values_list("recipient_user__username", flat=True)) == ["bureau", "office", "office2", "office2"]
    assert jobs.warn_overdue(timezone.localdate() + dt.timedelta(days=30)) == 0
    milestone.refresh_from_db()
    assert milestone.escalation == jobs.OFFICE


def test_a_done_milestone_or_a_finished_case_is_not_escalated(world: dict[str, Any]) -> None:
    milestone = _planned(world, late_days=3)
    actions.do_complete_milestone(milestone.pk, acting_user=world["bureau"])
    assert jobs.warn_overdue() == 0 and not Message.objects.exists()
