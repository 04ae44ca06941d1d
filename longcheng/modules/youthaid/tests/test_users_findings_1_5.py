"""Issue 15, findings 1-5 of the users' test of youth aid (倾溧助): the living-aid limit of a hardship
grade holds across a youth's applications of the year; an observer sees guardians' names masked;
dream rooms have a budget ceiling and a reviewer can return or reject; parents and guardians are
linked on a page; a payment batch says what it left out and why."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError

from .. import actions, rules
from ..models import Application, AppStatus, Youth


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def _apply(liyang: dict[str, Any], youth: Youth, amount_fen: int) -> Application:
    return actions.do_apply(youth, aid_type="living", amount_fen=amount_fen, reason="生活费用难以承担",
                            acting_user=liyang["caseworker"])


# --- finding 1: the hardship grade's amount is the youth's yearly limit across applications -------------------


def test_the_yearly_limit_is_the_grade_amount_for_living_aid_and_the_cap_otherwise(aid_types: dict[str, Any]) -> None:
    living, medical = aid_types["living"], aid_types["medical"]
    assert [rules.yearly_limit(living, g) for g in (1, 2, 3)] == [100_000, 200_000, 300_000]
    assert rules.yearly_limit(medical, 2) == medical.yearly_cap_fen == 2_000_000


@pytest.mark.parametrize(("grade", "first", "second"), [(2, 200_000, 100_000), (1, 100_000, 100_000)])
def test_a_second_living_application_beyond_the_grade_is_refused(
        liyang: dict[str, Any], activate: Callable[..., Any], grade: int, first: int, second: int,
        counts: Callable[[], dict[str, int]], english: Any) -> None:
    youth = activate(hardship_grade=grade)
    _apply(liyang, youth, first)
    before = counts()
    with pytest.raises(KernelError) as refused:
        _apply(liyang, youth, second)
    assert refused.value.field == "requested_fen" and refused.value.code == "yearly_cap"
    assert f"grade {grade}" in str(refused.value) and "at most ¥0.00 more" in str(refused.value)
    assert counts() == before
    assert Application.objects.filter(youth=youth).count() == 1


def test_approving_two_living_applications_beyond_the_grade_is_refused(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, grant: Callable[..., Any],
        english: Any) -> None:
    """Two applications filed while the grade was 3 (3,000 a year); the grade drops to 2 before the
    second is approved: the grade's 2,000 is what is left to grant, not the type's 3,000."""
    youth = activate(hardship_grade=3)
    grant(youth, "living", 150_000)
    second = _apply(liyang, youth, 150_000)
    actions.do_recommend(second, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
    actions.do_update_profile(youth, acting_user=liyang["caseworker"], reason="低保等级复核", hardship_grade=2)
    with pytest.raises(KernelError) as refused:
        actions.do_decide(second, approve=True, reason="", acting_user=liyang["reviewer"])
    assert refused.value.field == "approved_fen" and "at most ¥500.00 more" in str(refused.value)
    second.refresh_from_db()
    assert second.status == AppStatus.RECOMMENDED and second.approved_fen is None
    assert AuditEntry.objects.filter(action="youthaid.decide").count() == 1  # the first grant's only


def test_a_lowered_grade_lowers_what_is_left_on_the_case_page_and_for_the_next_application(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, grant: Callable[..., Any]) -> None:
    youth = activate(hardship_grade=3)
    grant(youth, "living", 200_000)
    actions.do_update_profile(youth, acting_user=liyang["caseworker"], reason="低保等级复核", hardship_grade=1)
    page = text(client_for(liyang["caseworker"]).get(f"/youthaid/cases/{youth.pk}/"))
    row = re.search(r"<tr><td>Living assistance</td>(.*?)</tr>", page)
    assert row is not None
    assert "¥1,000.00" in row.group(1) and "¥3,000.00" not in row.group(1) and "none" in row.group(1)
    with pytest.raises(KernelError):
        _apply(liyang, youth, 100_000)


def test_the_case_page_and_the_apply_step_agree(liyang: dict[str, Any], activate: Callable[..., Any]) -> None:
    """The page said nothing more may be asked while the step took a second application."""
    youth = activate(hardship_grade=2)
    _apply(liyang, youth, 200_000)
    client = client_for(liyang["caseworker"])
    page = text(client.get(f"/youthaid/cases/{youth.pk}/"))
    row = re.search(r"<tr><td>Living assistance</td>(.*?)</tr>", page)
    assert row is not None and "¥2,000.00" in row.group(1) and "none" in row.group(1)
    response = client.post(f"/youthaid/cases/{youth.pk}/apply/", {"aid_type": "living", "amount": "1000",
                                                                  "reason": "生活费用难以承担"})
    assert response.status_code == 400 and "With hardship grade 2" in text(response)
    assert Application.objects.filter(youth=youth).count() == 1


def test_the_review_queue_shows_the_grades_limit_not_the_types_cap(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any) -> None:
    youth = activate(hardship_grade=1)
    app = _apply(liyang, youth, 100_000)
    actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
    page = text(client_for(liyang["reviewer"]).get("/youthaid/review/"))
    assert "/ ¥1,000.00" in page and "/ ¥3,000.00" not in page
