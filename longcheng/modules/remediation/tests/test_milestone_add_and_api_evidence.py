"""A milestone added to a plan later (page and API), audited and refused on a finished case; evidence
uploaded through the API (multipart) by the same action and upload checks as the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.remediation import actions
from longcheng.modules.remediation.models import Case, Evidence, Milestone

from .conftest import inspect, photo, to_accepted


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(user)
    return client


def _planned(world: dict[str, Any]) -> Case:
    case = inspect(world).case
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    actions.do_set_plan(case.pk, remedy="upgrade", lead_agency="ecology", responsible="张主任",
                        acting_user=world["bureau"], milestones=[actions.MilestoneIn("提标改造", working_days=5)])
    return case


def test_the_bureau_adds_a_milestone_on_the_case_page(world: dict[str, Any]) -> None:
    case = _planned(world)
    bureau = _client(world["bureau"])
    url = reverse("remediation:milestone_add", args=[case.pk])
    due = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    assert bureau.post(url, {"title": "排污许可申领", "due_on": due}).status_code == 302
    assert list(Milestone.objects.filter(plan__case=case).values_list("title", flat=True).order_by("pk")) == [
        "提标改造", "排污许可申领"]
    entry = AuditEntry.objects.get(action="remediation.milestone.add")
    assert entry.actor == world["bureau"] and (entry.after or {})["due_on"] == due
    past = bureau.post(url, {"title": "补录节点", "due_on": "2020-01-01"})
    text = past.content.decode()
    assert past.status_code == 400 and 'id="error-due_on"' in text and "补录节点" in text
    assert Milestone.objects.filter(plan__case=case).count() == 2


def test_denied_or_finished_adds_change_nothing(world: dict[str, Any]) -> None:
    case = _planned(world)
    url = reverse("remediation:milestone_add", args=[case.pk])
    body = {"title": "越权节点", "working_days": "3"}
    assert _client(world["patrol"]).post(url, body).status_code == 403
    assert _client(world["office"]).post(url, body).status_code == 403
    assert Milestone.objects.filter(plan__case=case).count() == 1
    closed = to_accepted(world, 1)
    actions.do_close_case(closed.pk, acting_user=world["office"])
    before = list(Milestone.objects.filter(plan__case=closed).values_list("title", "due_on"))
    refused = _client(world["bureau"]).post(reverse("remediation:milestone_add", args=[closed.pk]), body)
    assert refused.status_code == 409 and 'id="error-status"' in refused.content.decode()
    api = _client(world["bureau"]).post(f"/api/v1/remediation/cases/{closed.pk}/milestones",
                                        {"title": "越权节点", "working_days": 3}, content_type="application/json")
    assert api.status_code == 409 and api.json()["field"] == "status"
    assert list(Milestone.objects.filter(plan__case=closed).values_list("title", "due_on")) == before
    assert not AuditEntry.objects.filter(action="remediation.milestone.add").exists()


def test_the_api_adds_a_milestone_in_working_days(world: dict[str, Any]) -> None:
    case = _planned(world)
    answer = _client(world["bureau"]).post(f"/api/v1/remediation/cases/{case.pk}/milestones",
                                           {"title": "验收监测", "working_days": 10}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    added = Milestone.objects.get(pk=answer.json()["id"])
    assert added.title == "验收监测" and added.due_on > timezone.localdate() + dt.timedelta(days=10)


def test_evidence_through_the_api(world: dict[str, Any]) -> None:
    case = inspect(world).case
    url = f"/api/v1/remediation/cases/{case.pk}/evidence"
    firm = _client(world["firm_user"])
    answer = firm.post(url, {"kind": "site_photo", "file": photo("现场.jpg")})
    assert answer.status_code == 201, answer.content
    assert answer.json()["kind"] == "site_photo" and answer.json()["name"] == "现场.jpg"
    assert AuditEntry.objects.filter(action="remediation.evidence.add").count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"MZ not an image", content_type="image/jpeg")
    bad = firm.post(url, {"kind": "site_photo", "file": fake})
    assert bad.status_code == 400 and bad.json()["field"] == "file"
    no_kind = firm.post(url, {"kind": "", "file": photo()})
    assert no_kind.status_code == 400 and no_kind.json()["field"] == "kind"
    stranger = _client(world["patrol_liyang"]).post(url, {"kind": "site_photo", "file": photo()})
    assert stranger.status_code == 404
    office = _client(world["office"]).post(url, {"kind": "site_photo", "file": photo()})
    assert office.status_code == 403
    assert list(Evidence.objects.values_list("name", flat=True)) == ["现场.jpg"]
    assert AuditEntry.objects.filter(action="remediation.evidence.add").count() == 1
