"""The rule keeper edits both tables on their pages: a change is previewed, then saved as a new
version (never an edit in place), audited, and the newest active version is what the next report
uses. Refusals name their field, keep the typing and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.accidents import actions
from longcheng.modules.accidents.models import Answer, Exclusion, LiabilityRule

from .conftest import SCENE, T0, _user, no_to_all


@pytest.fixture
def keeper(city: dict[str, Any]) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(_user("keeper", {"accidents_rules": [city["root"]]}))
    return client


def _door(**over: Any) -> dict[str, Any]:
    return {"situation_zh": "开关车门妨碍其他车辆", "situation_en": "Opened a door into traffic", "outcome": "equal",
            "order": "9", "active": "on", "based_on": "1", **over}


def _rows() -> list[tuple[Any, ...]]:
    return sorted([*Exclusion.objects.values_list("code", "version", "question_zh", "active"),
                   *LiabilityRule.objects.values_list("code", "version", "outcome", "active")])


def test_a_liability_rule_changed_on_the_page_is_previewed_saved_as_version_2_and_used_by_the_next_report(
        keeper: Client, build: Any) -> None:
    edit = reverse("accidents:rule_edit", args=["liability", "door"])
    page = keeper.get(edit).content.decode()
    assert "开关车门妨碍其他车辆" in page and 'value="1"' in page  # the version in force, to be changed
    before = _rows()
    preview = keeper.post(reverse("accidents:rule_preview", args=["liability", "door"]), _door())
    text = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in text and 'id="save"' in text
    assert "同等责任" in text and "全部责任" in text  # the new outcome beside the one in force
    assert _rows() == before  # a preview saves nothing
    # Before the change, both drivers ticking "door" is a dispute (both 全部).
    assert build(["door"], ["door"]).status == "dispute"
    assert keeper.post(edit, _door()).status_code == 302
    rows = LiabilityRule.objects.filter(code="door").order_by("version")
    assert [(r.version, r.outcome) for r in rows] == [(1, "full"), (2, "equal")]  # version 1 kept as it was
    audit = AuditEntry.objects.get(action="accidents.rules.liability")
    assert (audit.before, audit.after) == (
        {"version": 1, "situation_zh": "开关车门妨碍其他车辆", "situation_en": "Opened a door into traffic",
         "outcome": "full", "order": 9, "active": True},
        {"version": 2, "situation_zh": "开关车门妨碍其他车辆", "situation_en": "Opened a door into traffic",
         "outcome": "equal", "order": 9, "active": True})
    report = build(["door"], ["door"])
    assert (report.status, report.proposed_a, report.liability_b) == ("submitted", "equal", "equal")
    assert report.rule_versions == {"door": 2}


def test_an_exclusion_edited_and_one_withdrawn_on_the_page_are_what_the_next_report_asks(
        keeper: Client, city: dict[str, Any], people: dict[str, Any]) -> None:
    injury = {"basis": "mps146", "question_zh": "是否有人受伤（包括轻微擦伤）或死亡？", "question_en": "Anyone hurt?",
              "order": "0", "active": "on", "based_on": "1"}
    url = reverse("accidents:rule_edit", args=["exclusions", "injury"])
    assert keeper.post(reverse("accidents:rule_preview", args=["exclusions", "injury"]), injury).status_code == 200
    assert keeper.post(url, injury).status_code == 302
    withdrawn = {"basis": "local", "question_zh": "现场是否无法拍照取证？", "question_en": "Is it impossible to "
                 "photograph the scene?", "order": "11", "based_on": "1"}  # "active" unticked
    preview = keeper.post(reverse("accidents:rule_preview", args=["exclusions", "no_photo"]), withdrawn)
    assert "不再询问" in preview.content.decode()  # the effect: withdrawn from the next report
    assert keeper.post(reverse("accidents:rule_edit", args=["exclusions", "no_photo"]), withdrawn).status_code == 302
    driver = Client()
    driver.cookies["django_language"] = "zh-hans"
    driver.force_login(people["a"])
    start = driver.get(reverse("accidents:home")).content.decode()
    assert "是否有人受伤（包括轻微擦伤）或死亡？" in start and "现场是否无法拍照取证" not in start
    # No answer about the withdrawn question is needed; the injury answer points at version 2.
    answers = {k: v for k, v in no_to_all().items() if k != "no_photo"}
    report = actions.do_start_report(place=city["a"], lat=SCENE[0], lon=SCENE[1], answers=answers,
                                     third_party_property=False, acting_user=people["a"], now=T0)
    assert report.status == "pairing"
    asked = dict(Answer.objects.filter(report=report).values_list("exclusion__code", "exclusion__version"))
    assert asked["injury"] == 2 and "no_photo" not in asked


def test_a_new_exclusion_added_on_the_page_refuses_the_next_report(keeper: Client, city: dict[str, Any],
                                                                   people: dict[str, Any]) -> None:
    body = {"code": "flooded", "basis": "local", "question_zh": "现场道路是否积水严重？", "question_en": "Is the road "
            "flooded?", "order": "20", "active": "on", "based_on": "0"}
    assert keeper.post(reverse("accidents:rule_new_preview", args=["exclusions"]), body).status_code == 200
    assert keeper.post(reverse("accidents:rule_new", args=["exclusions"]), body).status_code == 302
    assert Exclusion.objects.get(code="flooded").version == 1
    report = actions.do_start_report(place=city["a"], lat=SCENE[0], lon=SCENE[1],
                                     answers={**no_to_all(), "flooded": True}, third_party_property=False,
                                     acting_user=people["a"], now=T0)
    assert report.refused_because is not None and report.refused_because.code == "flooded"
    # The same code again is refused on the field "code": open it to change it.
    again = keeper.post(reverse("accidents:rule_new", args=["exclusions"]), body)
    assert again.status_code == 409 and 'id="error-code"' in again.content.decode()
    assert Exclusion.objects.filter(code="flooded").count() == 1


@pytest.mark.parametrize(("body", "field", "status"), [
    (_door(situation_zh="", situation_en="typed"), "situation_zh", 400),
    (_door(outcome="half", situation_en="typed"), "outcome", 400),
    (_door(order="1000", situation_en="typed"), "order", 400),
    (_door(based_on="0", situation_en="typed"), "code", 409),  # "new" of an existing code
    (_door(based_on="7", situation_en="typed"), "based_on", 409),  # a version saved meanwhile
    (_door(outcome="full"), "situation_zh", 400),  # nothing changed
])
def test_a_refused_change_names_its_field_keeps_the_typing_and_saves_nothing(
        keeper: Client, body: dict[str, Any], field: str, status: int) -> None:
    before, audits = _rows(), AuditEntry.objects.count()
    response = keeper.post(reverse("accidents:rule_edit", args=["liability", "door"]), body)
    assert response.status_code == status
    text = response.content.decode()
    assert f'id="error-{field}"' in text and f'value="{body["situation_en"]}"' in text
    assert _rows() == before and AuditEntry.objects.count() == audits


def test_only_a_city_wide_rule_keeper_changes_the_tables(city: dict[str, Any], people: dict[str, Any]) -> None:
    before = _rows()
    for user in (_user("keeper_wj", {"accidents_rules": [city["wujin"]]}), people["officer"], people["chief"]):
        client = Client()
        client.force_login(user)
        assert client.post(reverse("accidents:rule_edit", args=["liability", "door"]), _door()).status_code in (403, 404)
        assert client.get(reverse("accidents:rules")).status_code == 403
    assert _rows() == before
    assert not AuditEntry.objects.filter(action__startswith="accidents.rules.").exists()


def test_the_tables_page_lists_the_versions_in_force(keeper: Client) -> None:
    page = keeper.get(reverse("accidents:rules")).content.decode()
    assert "追尾前车" in page and "是否有人受伤或死亡？" in page
    assert keeper.get(reverse("accidents:rule_edit", args=["liability", "nosuch"])).status_code == 404
    assert keeper.get(reverse("accidents:rule_edit", args=["other", "door"])).status_code == 404
