"""The review, fund, rules and volunteers pages' steps (forms.py), each on its own POST-only url: a
bad value shows the page again with a message naming the field and the rule, the user's typing kept
and nothing written (every row a step may touch compared); a good one makes the change; the pages
themselves take GETs only.

The conftest's world: 王小溧's case, active (`active_case`), a fund of ¥500,000 (`funded`); the case
worker and the federation's reviewer."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.ledger.models import JournalEntry, Posting

from .. import actions
from ..models import AidType, Application, AppStatus, VettingStatus, Volunteer, Youth

TABLES: tuple[Any, ...] = (Application, AidType, Volunteer, JournalEntry, Posting, AuditEntry)

Setup = Callable[[dict[str, Any], Youth], dict[str, Any]]
Form = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


def state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a step may write, values and all."""
    return {table.__name__: list(table.objects.order_by("pk").values()) for table in TABLES}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _recommended(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    proof = SimpleUploadedFile("bill.pdf", b"%PDF-1.4 bill", content_type="application/pdf")
    app = actions.do_apply(youth, aid_type="medical", amount_fen=500_000, reason="医药费用难以承担",
                           attachments=[proof], acting_user=liyang["caseworker"])
    actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
    return {"application": app.pk}


def _volunteer(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    volunteer = actions.do_register_volunteer(name="周慧", phone="13912345678", place=liyang["town"],
                                              acting_user=liyang["caseworker"])
    return {"volunteer": volunteer.pk}


def _nothing(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    return {}


RULES = {"code": "living", "min": "1000", "max": "3500", "cap": "3500", "grade_1": "1000", "grade_2": "2500",
         "grade_3": "3500", "active": "on", "reason": "理事会决定"}

# (url, who, what first, the form, the message, what of the typing the page shows again)
BAD: list[tuple[str, str, Setup, Form, str, list[str]]] = [
    ("review/decide", "reviewer", _recommended,
     lambda w, x: {"application": x["application"], "decision": "approve", "amount": "12.345", "reason": "部分同意"},
     "Approved amount: An amount has at most two decimal places (whole fen).",
     ['value="12.345"', 'value="部分同意"']),
    ("review/decide", "reviewer", _recommended,
     lambda w, x: {"application": x["application"], "decision": "maybe", "amount": "4000", "reason": "再议"},
     "Decision: Choose approve or reject.", ['value="4000"', 'value="再议"']),
    ("fund/donate", "reviewer", _nothing, lambda w, x: {"donor": "张先生", "amount": "12.345"},
     "Amount (yuan): An amount has at most two decimal places (whole fen).", ['value="张先生"', 'value="12.345"']),
    ("rules/edit", "reviewer", _nothing, lambda w, x: {**RULES, "cap": "3000"},
     "Yearly cap (yuan): The yearly cap cannot be below the largest amount.", ['value="3000"', 'value="3500"', 'value="理事会决定"']),
    ("rules/edit", "reviewer", _nothing, lambda w, x: {**RULES, "grade_2": ""},
     "Grade 2 (yuan): Required for an aid given by hardship grade.", ['value="3500"', 'value="理事会决定"']),
    ("rules/edit", "reviewer", _nothing, lambda w, x: {**RULES, "max": "十元"},
     "Largest amount (yuan): An amount is a number of yuan such as 1234.56.", ['value="十元"', 'value="理事会决定"']),
    ("volunteers/register", "caseworker", _nothing,
     lambda w, x: {"name": "周慧", "phone": "1391234", "place": w["town"].pk, "occupation": "教师"},
     "Phone: A phone number is an 11-digit mobile number starting with 1, or a landline with its area code.",
     ['value="周慧"', 'value="1391234"', 'value="教师"']),
    ("volunteers/vet", "caseworker", _volunteer,
     lambda w, x: {"volunteer": x["volunteer"], "status": "vetted", "note": "好"},
     "Note: At least 2 characters.", ['value="好"']),
]


@pytest.mark.parametrize(("url", "who", "setup", "form", "message", "kept"), BAD,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(BAD)])
def test_a_bad_value_shows_the_page_again_naming_the_field_and_changes_nothing(
        liyang: dict[str, Any], active_case: Youth, funded: Any, url: str, who: str, setup: Setup, form: Form,
        message: str, kept: list[str]) -> None:
    data = form(liyang, setup(liyang, active_case))
    before = state()
    response = client_for(liyang[who]).post(f"/youthaid/{url}/", data)
    page = text(response)
    assert response.status_code in (400, 409), page[:2000]
    assert message in page
    for typed in kept:
        assert typed in page, typed
    assert state() == before


def _decided(liyang: dict[str, Any], x: dict[str, Any]) -> bool:
    return Application.objects.filter(pk=x["application"], status=AppStatus.APPROVED, approved_fen=400_000).exists()


def _donated(liyang: dict[str, Any], x: dict[str, Any]) -> bool:
    return JournalEntry.objects.filter(idempotency_key="youthaid:donate:t-1").exists()


def _rules_saved(liyang: dict[str, Any], x: dict[str, Any]) -> bool:
    living = AidType.objects.get(code="living")
    return living.max_fen == 350_000 and living.grade_amounts == {"1": 100_000, "2": 250_000, "3": 350_000}


# (url, who, what first, the form, what the change is)
GOOD: list[tuple[str, str, Setup, Form, Callable[[dict[str, Any], dict[str, Any]], bool]]] = [
    ("review/decide", "reviewer", _recommended,
     lambda w, x: {"application": x["application"], "decision": "approve", "amount": "4,000", "reason": "部分同意"},
     _decided),
    ("fund/donate", "reviewer", _nothing, lambda w, x: {"donor": "张先生", "amount": "1,000.50", "token": "t-1"},
     _donated),
    ("rules/edit", "reviewer", _nothing, lambda w, x: RULES, _rules_saved),
    ("volunteers/register", "caseworker", _nothing,
     lambda w, x: {"name": "王芳", "phone": "13912345670", "place": w["town"].pk, "occupation": "教师"},
     lambda w, x: Volunteer.objects.filter(name="王芳", status=VettingStatus.APPLIED, place=w["town"]).exists()),
    ("volunteers/vet", "caseworker", _volunteer,
     lambda w, x: {"volunteer": x["volunteer"], "status": "vetted", "note": "无犯罪记录"},
     lambda w, x: Volunteer.objects.filter(pk=x["volunteer"], status=VettingStatus.VETTED).exists()),
]


@pytest.mark.parametrize(("url", "who", "setup", "form", "changed"), GOOD, ids=[row[0] for row in GOOD])
def test_a_good_step_makes_the_change(liyang: dict[str, Any], active_case: Youth, funded: Any, url: str, who: str,
                                      setup: Setup, form: Form,
                                      changed: Callable[[dict[str, Any], dict[str, Any]], bool]) -> None:
    extra = setup(liyang, active_case)
    assert not changed(liyang, extra)
    client = client_for(liyang[who])
    assert client.get(f"/youthaid/{url}/").status_code == 405  # the step takes POSTs only
    page = url.split("/")[0]
    response = client.post(f"/youthaid/{url}/", form(liyang, extra), follow=True)
    assert response.redirect_chain[-1][0] == f"/youthaid/{page}/"
    assert changed(liyang, extra)


@pytest.mark.parametrize("page", ["review", "fund", "rules", "volunteers"])
def test_the_pages_take_gets_only(liyang: dict[str, Any], funded: Any, page: str) -> None:
    client = client_for(liyang["reviewer"])
    before = state()
    assert client.post(f"/youthaid/{page}/", {"step": "donate", "donor": "X", "amount": "10"}).status_code == 405
    assert state() == before
