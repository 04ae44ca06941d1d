"""The sketch: drawn by either driver before submission (squares A1–E5, headings), refused by its
field otherwise with nothing changed, shown to both drivers, the officer and the insurer, and
printed on the agreement."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.modules.accidents import actions, sketch
from longcheng.modules.accidents.models import Report

from .conftest import details

REAR_END = {"layout": "straight", "a_cell": "C4", "a_heading": "N", "b_cell": "C3", "b_heading": "N"}


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(user)
    return client


@pytest.mark.parametrize(("data", "field"), [
    ({}, "layout"),
    ({"layout": "roundabout"}, "layout"),
    ({"layout": "straight", "a": {"cell": "F9", "heading": "N"}}, "a_cell"),
    ({"layout": "straight", "a": {"cell": "C4", "heading": "up"}}, "a_heading"),
    ({"layout": "straight", "a": {"cell": "C4", "heading": "N"}, "b": {"cell": "C4", "heading": "S"}}, "b_cell"),
])
def test_a_sketch_is_refused_by_its_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(KernelError) as refused:
        sketch.clean(data)
    assert refused.value.field == field


def test_the_drawing_places_each_vehicle_on_its_square() -> None:
    picture = sketch.drawing({"layout": "crossroads", "a": {"cell": "A1", "heading": "E"},
                              "b": {"cell": "E5", "heading": "W"}})
    assert picture is not None
    cars = [s for s in picture.shapes if s.kind == "rect" and s.fill in ("a", "b")]
    assert [(c.fill, c.points) for c in cars] == [("a", ((6.0, 12.0), (34.0, 28.0))),
                                                  ("b", ((166.0, 172.0), (194.0, 188.0)))]
    assert sketch.drawing({"layout": "nowhere"}) is None


def test_a_driver_draws_it_on_the_page_and_the_other_sees_it(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    response = _client(people["a"]).post(reverse("accidents:sketch", args=[report.pk]), REAR_END)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.sketch == {"layout": "straight", "a": {"cell": "C4", "heading": "N"},
                             "b": {"cell": "C3", "heading": "N"}}
    entry = AuditEntry.objects.get(action="accidents.report.sketch")
    assert entry.after is not None and entry.after["sketch"] == "南北向直路；A 在 C4，朝北（上）；B 在 C3，朝北（上）"
    page = _client(people["b"]).get(reverse("accidents:report", args=[report.pk])).content.decode()
    assert '<svg class="drawing"' in page and "南北向直路" in page


def test_a_refused_sketch_changes_nothing_and_keeps_the_typing(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    actions.do_draw_sketch(report, {"layout": "straight", "a": {"cell": "C4", "heading": "N"},
                                    "b": {"cell": "C3", "heading": "N"}}, acting_user=people["a"])
    response = _client(people["b"]).post(reverse("accidents:sketch", args=[report.pk]),
                                         {**REAR_END, "layout": "t_junction", "b_cell": "C4"})
    assert response.status_code == 400
    assert 'id="error-b_cell"' in response.content.decode()
    report.refresh_from_db()
    assert report.sketch["layout"] == "straight" and report.sketch["b"]["cell"] == "C3"
    assert AuditEntry.objects.filter(action="accidents.report.sketch").count() == 1


def test_no_sketch_after_submission_and_none_by_an_outsider(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    assert report.status == Report.Status.SUBMITTED
    with pytest.raises(KernelError):
        actions.do_draw_sketch(report, {"layout": "straight", "a": {"cell": "C4", "heading": "N"},
                                        "b": {"cell": "C3", "heading": "N"}}, acting_user=people["a"])
    paired = build(["rear_end"], [], until="paired")
    assert _client(people["c"]).post(reverse("accidents:sketch", args=[paired.pk]), REAR_END).status_code == 404
    paired.refresh_from_db()
    assert paired.sketch == {} and not AuditEntry.objects.filter(action="accidents.report.sketch").exists()


def test_the_agreement_prints_the_sketch(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    actions.do_draw_sketch(report, {"layout": "straight", "a": {"cell": "C4", "heading": "N"},
                                    "b": {"cell": "C3", "heading": "N"}}, acting_user=people["b"])
    for side in ("a", "b"):
        actions.do_confirm_party(report, details(people, side.upper()), acting_user=people[side])
    actions.do_tick_circumstances(report, ["rear_end"], acting_user=people["a"])
    actions.do_tick_circumstances(report, [], acting_user=people["b"])
    actions.do_submit_report(report, acting_user=people["a"])
    review = _client(people["officer"]).get(reverse("accidents:review", args=[report.pk])).content.decode()
    assert '<svg class="drawing"' in review
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    for side in ("a", "b"):
        actions.do_sign_agreement(report, acting_user=people[side])
    pdf = _client(people["a"]).get(reverse("accidents:agreement", args=[report.pk])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "A 在 C4" in text and "B 在 C3" in text
