"""Each one-stop page form, one URL per step: a bad value shows the page again with what was typed
and a message naming the field and the rule, and changes nothing (every row of the module's tables,
the audit trail and the messages compared by value); a good one makes its change. The API's upload
refuses in the kernel's error shape, naming the part."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message

from .. import actions
from ..models import Case, CaseStatus, Correction, Document, EnterpriseStanding, Pause, Task, TaskStatus
from .conftest import RELOCATION_DATA, tasks_of

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TABLES = (Case, Task, Correction, Pause, Document, EnterpriseStanding, AuditEntry, Message)


def state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a step may write, by value."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in TABLES}


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page_of(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def applicant(world: dict[str, Any]) -> Client:
    return client_for(world["applicant"])


@pytest.fixture
def draft(world: dict[str, Any]) -> Case:
    return actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])


# --- the applicant's forms ----------------------------------------------------------------------------


def test_start_refuses_a_bad_amount_and_keeps_the_typing_then_starts(world: dict[str, Any], applicant: Client) -> None:
    before = state()
    typed = {"reason": "dissolution", "liquidation_date": "2026-10-01", "remaining_assets": "12,3.4.5"}
    r = applicant.post("/onestop/start/deregistration/", typed)
    page = page_of(r)
    assert r.status_code == 400 and 'id="error-remaining_assets"' in page
    assert "Remaining assets" in page[page.index('id="error-remaining_assets"'):][:200]
    assert 'value="12,3.4.5"' in page and 'value="2026-10-01"' in page
    assert state() == before
    r = applicant.post("/onestop/start/deregistration/", {**typed, "remaining_assets": "1,000.50"})
    case = Case.objects.get(service="deregistration")
    assert r.status_code == 302 and case.data["remaining_assets"] == 100_050


@pytest.mark.parametrize("step", ["save", "check", "submit"])
def test_a_draft_step_refuses_a_bad_date_keeps_the_typing_and_writes_nothing(
        world: dict[str, Any], applicant: Client, draft: Case, step: str) -> None:
    before = state()
    r = applicant.post(f"/onestop/applications/{draft.pk}/{step}/",
                       {**RELOCATION_DATA, "moving_date": "2026-13-45", "reason": "新的理由"})
    page = page_of(r)
    assert r.status_code == 400, step
    assert 'id="error-moving_date"' in page and "Moving date: Give a date as YYYY-MM-DD." in page
    assert 'value="2026-13-45"' in page and 'value="新的理由"' in page
    assert state() == before


def test_the_draft_steps_save_check_and_submit(world: dict[str, Any], applicant: Client, draft: Case) -> None:
    r = applicant.post(f"/onestop/applications/{draft.pk}/save/", {**RELOCATION_DATA, "reason": "靠近港口"})
    draft.refresh_from_db()
    assert r.status_code == 302 and draft.data["reason"] == "靠近港口"
    r = applicant.post(f"/onestop/applications/{draft.pk}/check/", {**RELOCATION_DATA, "reason": "只检查"})
    assert r.status_code == 200 and 'id="checks-passed"' in page_of(r) and 'value="只检查"' in page_of(r)
    draft.refresh_from_db()  # a check saves the draft (issue 15, finding 16): nothing typed is lost
    assert draft.data["reason"] == "只检查" and draft.status == CaseStatus.DRAFT
    r = applicant.post(f"/onestop/applications/{draft.pk}/submit/", RELOCATION_DATA)
    draft.refresh_from_db()
    assert r.status_code == 302 and draft.status == CaseStatus.SUBMITTED and draft.data == RELOCATION_DATA
    # Submitted: the draft's steps are refused (shown on the case page), nothing changes.
    before = state()
    r = applicant.post(f"/onestop/applications/{draft.pk}/save/", {**RELOCATION_DATA, "reason": "再改"})
    assert r.status_code == 409 and "Only a draft can be changed." in page_of(r)
    assert state() == before
    # The old single address takes no POST any more.
    assert applicant.post(f"/onestop/applications/{draft.pk}/", {"step": "withdraw"}).status_code == 405
    assert state() == before


def test_an_answer_too_long_is_shown_again_then_a_good_one_is_sent(
        world: dict[str, Any], applicant: Client, submitted: Callable[..., Any]) -> None:
    case = submitted()
    correction = actions.do_ask_correction(tasks_of(case)["move_in"], "请补充租赁合同", acting_user=world["mr_liyang"])
    before = state()
    long = "已" * 2001
    r = applicant.post(f"/onestop/corrections/{correction.pk}/answer/", {"answer": long})
    page = page_of(r)
    assert r.status_code == 400 and "Your answer: Ensure this value has at most 2000 characters" in page
    assert f">{long}</textarea>" in page
    assert state() == before
    r = applicant.post(f"/onestop/corrections/{correction.pk}/answer/", {"answer": "已上传"})
    correction.refresh_from_db()
    assert r.status_code == 302 and correction.answer == "已上传" and correction.answered_at is not None


def test_the_refusal_is_in_chinese_by_default(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    correction = actions.do_ask_correction(tasks_of(case)["move_in"], "请补充租赁合同", acting_user=world["mr_liyang"])
    before = state()
    r = client_for(world["applicant"], "zh-hans").post(f"/onestop/corrections/{correction.pk}/answer/", {"answer": ""})
    assert r.status_code == 400 and "您的答复：此项必填。" in page_of(r)
    assert state() == before


def test_attach_without_a_file_or_a_kind_is_refused_then_a_scan_is_added(
        world: dict[str, Any], applicant: Client, submitted: Callable[..., Any]) -> None:
    case = submitted()
    before = state()
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/", {"code": "premises"})
    assert r.status_code == 400 and "File: Choose a file." in page_of(r)
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert r.status_code == 400 and "Document: This field is required." in page_of(r)
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/",
                       {"code": "passport", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert r.status_code == 400 and "Document: Choose one of the documents this service asks for." in page_of(r)
    assert state() == before
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/",
                       {"code": "premises", "file": SimpleUploadedFile("lease.pdf", PDF)})
    assert r.status_code == 302 and Document.objects.get(case=case).code == "premises"


def test_withdraw_once_then_refused(world: dict[str, Any], applicant: Client, draft: Case) -> None:
    r = applicant.post(f"/onestop/applications/{draft.pk}/withdraw/", {})
    draft.refresh_from_db()
    assert r.status_code == 302 and draft.status == CaseStatus.WITHDRAWN
    before = state()
    r = applicant.post(f"/onestop/applications/{draft.pk}/withdraw/", {})
    assert r.status_code == 409 and "cannot be withdrawn" in page_of(r)
    assert state() == before


# --- the departments' forms ---------------------------------------------------------------------------


def test_accept_without_the_declared_result_reopens_the_form_with_the_note(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    actions.do_accept(tasks["file_out"], {}, acting_user=world["clerk"]["market_regulation"])
    actions.do_accept(tasks["move_in"], {}, acting_user=world["mr_liyang"])
    change = tasks["change_registration"]
    liyang = client_for(world["mr_liyang"])
    before = state()
    r = liyang.post(f"/onestop/tasks/{change.pk}/accept/?office=market_regulation",
                    {"note": "已核对", "result_registration_authority": " "})
    page = page_of(r)
    assert r.status_code == 400 and "Registration authority: This field is required." in page
    # Shown at the step's address: the page's own links and forms still lead to the queue, as filtered.
    assert f'action="/onestop/tasks/{change.pk}/accept/?office=market_regulation"' in page
    assert 'action="/onestop/queue/"' in page and 'data-url="/onestop/queue/?office=market_regulation"' in page
    row = page[page.index(f'id="queue-task-{change.pk}"'):]
    assert "<details open><summary>Accept" in row and f'id="note-{change.pk}" value="已核对"' in row
    assert state() == before
    r = liyang.post(f"/onestop/tasks/{change.pk}/accept/", {"note": "已核对",
                                                              "result_registration_authority": "溧阳市市场监督管理局"})
    change.refresh_from_db()
    assert r.status_code == 302 and change.status == TaskStatus.DONE
    assert change.result == {"registration_authority": "溧阳市市场监督管理局", "note": "已核对"}


def test_a_correction_request_too_long_is_kept_then_a_good_one_is_asked(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    task = tasks_of(submitted())["move_in"]
    liyang = client_for(world["mr_liyang"])
    before = state()
    long = "补" * 2001
    r = liyang.post(f"/onestop/tasks/{task.pk}/correct/", {"request": long})
    page = page_of(r)
    assert r.status_code == 400 and "What needs correcting: Ensure this value has at most 2000 characters" in page
    assert f">{long}</textarea>" in page and "<details open><summary>Ask for a correction" in page
    assert state() == before
    r = liyang.post(f"/onestop/tasks/{task.pk}/correct/", {"request": "请补充租赁合同", "next": "/onestop/queue/?page=1"})
    assert r.status_code == 302 and r["Location"] == "/onestop/queue/?page=1"
    assert Correction.objects.get(task=task).request == "请补充租赁合同"


def test_a_rejection_without_a_reason_is_refused_then_one_with_it_rejects(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    task = tasks_of(case)["tax"]
    tax = client_for(world["clerk"]["tax"])
    before = state()
    r = tax.post(f"/onestop/tasks/{task.pk}/reject/", {"reason": "  ", "next": "//evil.example/"})
    assert r.status_code == 400 and "Reason: This field is required." in page_of(r)
    assert state() == before
    r = tax.post(f"/onestop/tasks/{task.pk}/reject/", {"reason": "税务登记信息不符", "next": "//evil.example/"})
    case.refresh_from_db()
    assert r.status_code == 302 and r["Location"] == "/onestop/queue/"  # never off the site
    assert case.status == CaseStatus.REJECTED and case.reject_reason == "税务登记信息不符"


def test_standing_refuses_a_bad_amount_keeps_it_then_records(world: dict[str, Any]) -> None:
    firm = world["firm"]
    tax = client_for(world["clerk"]["tax"])
    actions.do_set_standing(firm, tax_arrears_fen=500, acting_user=world["clerk"]["tax"])
    before = state()
    r = tax.post(f"/onestop/standing/?uscc={firm.uscc}", {"tax_arrears_fen": "abc"})
    page = page_of(r)
    assert r.status_code == 400 and "Tax owed (yuan): " in page
    assert 'id="input-tax_arrears_fen" value="abc"' in page and "¥5.00" in page  # typed kept, fact unchanged
    assert state() == before
    # No enterprise found: nothing to record, the page says why.
    r = tax.post("/onestop/standing/?uscc=91320412MA1MATRIX0", {"tax_arrears_fen": "1"})
    assert r.status_code == 400 and 'id="standing-error"' in page_of(r)
    assert state() == before
    r = tax.post(f"/onestop/standing/?uscc={firm.uscc}", {"tax_arrears_fen": "20"})
    assert r.status_code == 302 and EnterpriseStanding.objects.get(enterprise=firm).tax_arrears_fen == 2000


# --- the API's upload ---------------------------------------------------------------------------------


def test_the_api_upload_names_the_missing_part_in_the_kernel_error_shape(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    client = client_for(world["applicant"])
    url = f"/api/v1/onestop/cases/{case.pk}/documents"
    before = state()
    r = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert r.status_code == 400 and r.json()["field"] == "code" and r.json()["code"] == "required"
    assert set(r.json()) == {"code", "message", "field"}
    r = client.post(url, {"code": "premises"})
    assert r.status_code == 400 and r.json()["field"] == "file" and "Choose a file." in r.json()["message"]
    assert state() == before
    r = client.post(url, {"code": "premises", "file": SimpleUploadedFile("lease.pdf", PDF)})
    assert r.status_code == 201 and r.json()["code"] == "premises"
    assert Document.objects.filter(case=case, code="premises").count() == 1
