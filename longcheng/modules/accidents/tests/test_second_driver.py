"""The second driver answers the eligibility questions for themselves on joining: each party's
own answers are stored with the version of each question they answered, and a "yes" from either
driver refuses quick handling with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.modules.accidents import actions, actions_rules
from longcheng.modules.accidents.models import Answer, Party, Report

from .conftest import SCENE, T0, _user, details, no_to_all


def _start(city: dict[str, Any], people: dict[str, Any]) -> Report:
    return actions.do_start_report(place=city["a"], lat=SCENE[0], lon=SCENE[1], answers=no_to_all(),
                                   third_party_property=False, acting_user=people["a"], now=T0)


def _answers(report: Report, side: str) -> dict[str, tuple[bool, int]]:
    rows = Answer.objects.filter(report=report, party__side=side).values_list("exclusion__code", "yes",
                                                                               "exclusion__version")
    return {code: (yes, version) for code, yes, version in rows}


def test_each_driver_answers_for_themselves_against_the_version_in_force(
        city: dict[str, Any], people: dict[str, Any]) -> None:
    report = _start(city, people)
    # The rule keeper rewords a question between the first driver's start and the second's join.
    keeper = _user("keeper", {"accidents_rules": [city["root"]]})
    actions_rules.do_change_exclusion("injury", {"basis": "mps146", "question_zh": "是否有人受伤（含轻伤）？",
                                                 "question_en": "Anyone hurt?", "order": 0, "active": True},
                                      based_on=1, acting_user=keeper)
    actions.do_join_report(code=report.pairing_code, answers=no_to_all(), acting_user=people["b"])
    a, b = _answers(report, "A"), _answers(report, "B")
    assert a["injury"] == (False, 1) and b["injury"] == (False, 2)
    assert set(a) == set(b) == set(no_to_all()) and not any(yes for yes, _v in [*a.values(), *b.values()])
    assert Report.objects.get(pk=report.pk).status == "pairing"


def test_a_yes_from_the_second_driver_refuses_the_report_with_its_reason(
        city: dict[str, Any], people: dict[str, Any]) -> None:
    report = _start(city, people)
    actions.do_join_report(code=report.pairing_code, answers={**no_to_all(), "drink_drugs": True},
                           acting_user=people["b"])
    report.refresh_from_db()
    assert report.status == "refused" and report.refused_because is not None
    assert report.refused_because.code == "drink_drugs"
    assert _answers(report, "B")["drink_drugs"] == (True, 1) and _answers(report, "A")["drink_drugs"] == (False, 1)
    audit = AuditEntry.objects.get(action="accidents.report.refuse", object_id=str(report.pk))
    assert audit.after == {"party_side": "B", "refused_because": "drink_drugs"}
    # Nothing further: no confirmation, no submission.
    with pytest.raises(KernelError) as step:
        actions.do_confirm_party(report, details(people, "B"), acting_user=people["b"])
    assert step.value.code == "accident_wrong_step"
    assert Party.objects.get(report=report, side="B").confirmed_at is None


def test_an_unanswered_question_refuses_failing_closed(city: dict[str, Any], people: dict[str, Any]) -> None:
    report = _start(city, people)
    answers = {k: v for k, v in no_to_all().items() if k != "crime"}
    actions.do_join_report(code=report.pairing_code, answers=answers, acting_user=people["b"])
    report.refresh_from_db()
    assert report.status == "refused" and report.refused_because is not None
    assert report.refused_because.code == "crime"


def test_the_join_page_asks_the_questions_and_names_an_unanswered_one(
        city: dict[str, Any], people: dict[str, Any]) -> None:
    report = _start(city, people)
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(people["b"])
    page = client.get(reverse("accidents:join") + f"?code={report.pairing_code}").content.decode()
    assert "是否有驾驶人有饮酒" in page and f'value="{report.pairing_code}"' in page
    body = {"code": report.pairing_code, **{f"q_{c}": "no" for c in no_to_all() if c != "injury"}}
    refused = client.post(reverse("accidents:join"), body)
    assert refused.status_code == 400 and 'id="error-q_injury"' in refused.content.decode()
    assert f'value="{report.pairing_code}"' in refused.content.decode()  # the typing kept
    assert not Party.objects.filter(report=report, side="B").exists()
    answered = client.post(reverse("accidents:join"), {**body, "q_injury": "no"})
    assert answered.status_code == 302
    assert len(_answers(report, "B")) == len(no_to_all())
