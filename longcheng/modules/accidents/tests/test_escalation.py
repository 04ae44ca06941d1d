"""Overdue reports escalate to the duty chief: once, to the chiefs of the report's place only,
audited, shown on the queue and review pages; the periodic job is known to the real queue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message
from longcheng.modules.accidents import actions, escalation
from longcheng.modules.accidents.models import Report
from longcheng.modules.accidents.spec import SPEC

from .conftest import T0, _user

SUBMITTED = T0 + timedelta(minutes=4)  # when conftest's build() submits


@pytest.fixture
def chiefs(city: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    """The city's chief (conftest's people["chief"]), one for 武进区 (where the reports are) and one
    for 溧阳市; plus a 武进 chief whose duty has ended and an officer, neither of whom is told."""
    ended = _user("chief_ended", {"accidents_chief": [city["wujin"]]})
    ended.role_assignments.update(ends_at=T0 - timedelta(days=1))
    return {"city": people["chief"], "wujin": _user("chief_wj", {"accidents_chief": [city["wujin"]]}),
            "liyang": _user("chief_ly", {"accidents_chief": [city["liyang"]]}), "ended": ended}


def _told(report: Report) -> list[str]:
    return sorted(Message.objects.filter(related_id=str(report.pk), dedupe_key__startswith="accidents:",
                                          recipient_user__isnull=False)
                  .values_list("recipient_user__username", flat=True))


def test_a_report_16_minutes_old_is_escalated_once_to_the_chiefs_of_its_place(
        build: Any, chiefs: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    now = SUBMITTED + timedelta(minutes=16)
    assert escalation.escalate_overdue(now=now) == 1
    report.refresh_from_db()
    assert report.escalated_at == now
    assert _told(report) == ["chief", "chief_wj"]  # not 溧阳's chief, not the ended duty, not the officer
    message = Message.objects.get(recipient_user=chiefs["wujin"], related_id=str(report.pk))
    assert reverse("accidents:review", args=[report.pk]) in message.body
    audit = AuditEntry.objects.get(action="accidents.report.escalate", object_id=str(report.pk))
    assert audit.after is not None
    assert audit.after["chiefs"] == sorted([chiefs["city"].pk, chiefs["wujin"].pk])
    # A second run (the next minute, or a retry) sends nothing and writes nothing.
    assert escalation.escalate_overdue(now=now + timedelta(minutes=1)) == 0
    report.refresh_from_db()
    assert report.escalated_at == now
    assert Message.objects.filter(related_id=str(report.pk)).count() == 2
    assert AuditEntry.objects.filter(action="accidents.report.escalate").count() == 1


def test_a_report_within_the_target_is_not_escalated(build: Any, chiefs: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    assert escalation.escalate_overdue(now=SUBMITTED + timedelta(minutes=10)) == 0
    assert escalation.escalate_overdue(now=SUBMITTED + timedelta(minutes=15)) == 0  # the target itself
    report.refresh_from_db()
    assert report.escalated_at is None
    assert _told(report) == []


def test_a_decided_report_is_not_escalated(build: Any, people: dict[str, Any], chiefs: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"],
                                now=SUBMITTED + timedelta(minutes=12))
    assert escalation.escalate_overdue(now=SUBMITTED + timedelta(minutes=30)) == 0
    report.refresh_from_db()
    assert (report.status, report.escalated_at) == ("decided", None)
    assert _told(report) == []
    assert not AuditEntry.objects.filter(action="accidents.report.escalate").exists()


def test_a_dispute_is_escalated_too(build: Any, chiefs: dict[str, Any]) -> None:
    report = build(["rear_end"], ["rear_end"])
    assert report.status == "dispute"
    assert escalation.escalate_overdue(now=SUBMITTED + timedelta(minutes=16)) == 1
    assert _told(report) == ["chief", "chief_wj"]


def test_with_no_chief_in_scope_it_waits_for_one(build: Any, city: dict[str, Any], people: dict[str, Any]) -> None:
    """Nobody told is not escalated: the report stays unmarked and a chief appointed later is told."""
    people["chief"].role_assignments.all().delete()
    report = build(["rear_end"], [])
    now = SUBMITTED + timedelta(minutes=16)
    assert escalation.escalate_overdue(now=now) == 0
    report.refresh_from_db()
    assert report.escalated_at is None
    _user("chief_later", {"accidents_chief": [city["wujin"]]})
    assert escalation.escalate_overdue(now=now + timedelta(minutes=1)) == 1
    assert _told(report) == ["chief_later"]


def test_the_queue_and_review_pages_show_the_escalation(build: Any, people: dict[str, Any],
                                                        chiefs: dict[str, Any]) -> None:
    waiting, escalated = build(["rear_end"], []), build(["rear_end"], [])
    Report.objects.filter(pk=waiting.pk).update(submitted_at=SUBMITTED + timedelta(days=400))  # still young
    escalation.escalate_overdue(now=SUBMITTED + timedelta(minutes=16))
    client = Client()
    client.force_login(people["officer"])
    queue = client.get(reverse("accidents:queue")).content.decode()
    assert queue.count('class="tag warn escalated"') == 1
    assert "08:50" in queue  # escalated at 08:50 Shanghai time
    review = client.get(reverse("accidents:review", args=[escalated.pk])).content.decode()
    assert 'id="escalated"' in review and "2026-11-02 08:50" in review
    assert 'id="escalated"' not in client.get(reverse("accidents:review", args=[waiting.pk])).content.decode()
    # The link in the chief's message opens the review page for them, and for nobody outside the place.
    for user, status in ((chiefs["wujin"], 200), (chiefs["liyang"], 404)):
        client.force_login(user)
        assert client.get(reverse("accidents:review", args=[escalated.pk])).status_code == status


def test_the_job_is_declared_and_registered_with_the_real_queue() -> None:
    """Like the kernel's check (kernel/jobs/tests): a fresh process, as `run_huey` starts, knows the job."""
    assert SPEC.jobs == "longcheng.modules.accidents.jobs"
    code = ("import django, json; django.setup(); from longcheng.kernel.jobs.api import registered_jobs; "
            "print(json.dumps(sorted(registered_jobs())))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "longcheng.settings"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    known = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "longcheng.modules.accidents.jobs.accidents_escalate_overdue" in known
