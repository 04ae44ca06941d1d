"""The pages: close with a cause (refused without one, nothing changed), a bypass asked for and
approved by another person, the detector and tests pages, the timeline drawn and exported, the demo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ..models import Alarm, Bypass, Detector, FunctionalTest

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bag(line: Any, send: Any) -> Alarm:
    send(line["p"], [(0, "train", "arrive"), (30, "train", "close"), (31, "A02", "blocked"), (36, "A02", "clear"),
                     (40, "train", "depart")])
    return Alarm.objects.get()


def test_an_obstruction_is_closed_only_with_its_cause(line: Any, send: Any) -> None:
    alarm = _bag(line, send)
    staff = _client(line["staff"])
    url = reverse("platformdoor:alarm_close", args=[alarm.pk])
    refused = staff.post(url, {"cause": "", "note": "无"})
    assert refused.status_code == 400 and "原因" in refused.content.decode()
    assert Alarm.objects.get().is_open is True
    assert staff.post(url, {"cause": "sunlight", "note": "西晒"}).status_code == 302
    closed = Alarm.objects.get()
    assert (closed.is_open, closed.cause, closed.closed_by, closed.is_false) == (False, "sunlight", line["staff"], True)


def test_the_alarm_page_draws_the_timeline_and_exports_it(line: Any, send: Any) -> None:
    alarm = _bag(line, send)
    page = _client(line["staff"]).get(reverse("platformdoor:alarm", args=[alarm.pk])).content.decode()
    assert "<svg" in page and "间隙遮挡" in page
    response = _client(line["controller"]).get(reverse("platformdoor:alarm_export", args=[alarm.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, seconds = rows[1], {row[1]: row for row in rows[2:]}
    blocked = header.index("间隙遮挡")
    assert (seconds[-2][blocked], seconds[0][blocked], seconds[4][blocked], seconds[5][blocked]) == (None, 1, 1, 0)  # nothing heard before the block
    assert len(rows) == 2 + 91


def test_a_bypass_asked_on_the_page_and_approved_by_the_controller(line: Any) -> None:
    detector = Detector.objects.get(door__platform=line["p"], door__number=1)
    staff = _client(line["staff"])
    assert staff.get(reverse("platformdoor:bypass_new")).status_code == 200
    response = staff.post(reverse("platformdoor:bypass_new"),
                          {"target": f"detector:{detector.pk}", "reason": "镜头维修", "hours": 2})
    assert response.status_code == 302
    bypass = Bypass.objects.get()
    assert _client(line["staff2"]).post(reverse("platformdoor:bypass_approve", args=[bypass.pk])).status_code == 403
    assert Bypass.objects.get().approved_by is None
    _client(line["controller"]).post(reverse("platformdoor:bypass_approve", args=[bypass.pk]))
    assert Bypass.objects.get().approved_by == line["controller"]
    assert "镜头维修" in _client(line["controller"]).get(reverse("platformdoor:board")).content.decode()


def test_detectors_and_functional_tests_pages(line: Any) -> None:
    maintenance = _client(line["maintenance"])
    assert "1号线1号站" in maintenance.get(reverse("platformdoor:detectors")).content.decode()
    overdue = FunctionalTest.objects.filter(due_on__lt=timezone.localdate()).order_by("due_on").first()
    assert overdue is not None
    page = maintenance.get(reverse("platformdoor:tests")).content.decode()
    assert str(overdue.detector) in page
    maintenance.post(reverse("platformdoor:test_record", args=[overdue.pk]), {"result": "passed"})
    done = FunctionalTest.objects.get(pk=overdue.pk)
    assert done.result == "passed" and done.done_by == line["maintenance"]
    assert FunctionalTest.objects.filter(detector=overdue.detector, done_at__isnull=True).count() == 1
    detector_page = maintenance.get(reverse("platformdoor:detector", args=[overdue.detector_id])).content.decode()
    assert "<svg" in detector_page


def test_the_demo_builds_a_small_line_once(city: Any) -> None:
    from .. import demo

    demo.build(log=lambda *a: None)
    demo.build(log=lambda *a: None)
    assert Alarm.objects.filter(is_open=True).count() >= 1
    assert Alarm.objects.exclude(cause="").exists()
    call_command("platformdoor_simulate", "--line", "D1", "--trains", "1", "--hz", "1", stdout=io.StringIO())
