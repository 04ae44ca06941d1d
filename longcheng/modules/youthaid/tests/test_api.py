"""youthaid's API: a reporter's reports, the case registry in scope, aid from application to payment,
and refusals that name the field and change nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.ledger.models import Account, AccountKind, JournalEntry
from longcheng.kernel.people.models import Resident

from .. import actions
from ..models import (
    Application,
    AppStatus,
    Attachment,
    CaseStatus,
    Payment,
    PaymentBatch,
    PayStatus,
    Report,
    Youth,
)

BASE = "/api/v1/youthaid"
BANK_ACCOUNT = "6222020200112233445"


def _token(user: Any) -> Client:
    from longcheng.kernel.access.models import ApiToken

    _t, raw_token = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def world(city: Any, make_user: Any, rid: Any) -> dict[str, Any]:
    """张小溧 (born 2010, 溧城街道): her father died in 2024, her mother has not remarried; the case is
    reported, consented to by her (she is over 14), profiled (hardship grade 2) and screened active."""
    from longcheng.kernel.people.models import Relationship, Resident

    town = city["liyang_town"]
    youth_person = Resident.objects.create(resident_id=rid("320481", "20100315", 21), name="张小溧", gender="F",
                                           birth_date=dt.date(2010, 3, 15), place=town)
    father = Resident.objects.create(resident_id=rid("320481", "19800101", 11), name="张强", gender="M",
                                     birth_date=dt.date(1980, 1, 1), place=town, died_on=dt.date(2024, 5, 1))
    mother = Resident.objects.create(resident_id=rid("320481", "19820101", 22), name="李芳", gender="F",
                                     birth_date=dt.date(1982, 1, 1), place=town)
    Relationship.objects.create(person=youth_person, relative=father, kind="father")
    Relationship.objects.create(person=youth_person, relative=mother, kind="mother", is_guardian=True)
    liyang = city["liyang"]
    users = {
        "reporter": make_user("teacher", {"youthaid_reporter": [liyang]}),
        "reporter2": make_user("village", {"youthaid_reporter": [liyang]}),
        "caseworker": make_user("cw", {"youthaid_caseworker": [liyang]}),
        "reviewer": make_user("rv", {"youthaid_reviewer": [liyang]}),
        "observer": make_user("obs", {"youthaid_observer": [liyang]}),
        "outsider_cw": make_user("cw_a", {"youthaid_caseworker": [city["a"]]}),
    }
    cw = users["caseworker"]
    report = actions.do_report(resident_id=youth_person.resident_id, name="张小溧", channel="school",
                               note="父亲去世后情绪低落", acting_user=users["reporter"])
    youth = report.youth
    actions.do_record_consent(youth, given_by=youth_person, sensitive=False, acting_user=cw)
    actions.do_record_consent(youth, given_by=youth_person, sensitive=True, acting_user=cw)
    actions.do_update_profile(youth, acting_user=cw, reason="入户核实", deceased_parent=father, surviving_parent=mother,
                              surviving_parent_status="not_remarried", hardship_grade=2, bank_name="农业银行",
                              bank_account=BANK_ACCOUNT, health_note="哮喘病史")
    screening = actions.do_screen(youth, acting_user=cw)
    assert screening.outcome == "eligible"
    youth.refresh_from_db()
    assert youth.status == CaseStatus.ACTIVE
    actions.do_donate(1_000_000, donor="溧阳爱心企业", acting_user=users["reviewer"])
    return {"city": city, "youth": youth, "person": youth_person, "father": father, "mother": mother, **users}


# --- reports --------------------------------------------------------------------------------------------


def test_a_report_opens_a_case(world: Any, rid: Any) -> None:
    number = rid("320481", "20120601", 31)
    Resident.objects.create(resident_id=number, name="王小明", gender="M", birth_date=dt.date(2012, 6, 1),
                            place=world["city"]["liyang_town"])
    response = _post(_token(world["reporter"]), "/reports", {
        "resident_id": number, "name": "王小明", "channel": "village", "note": "母亲病故，随祖父母生活"})
    assert response.status_code == 201, response.content
    data = response.json()
    youth = Youth.objects.get(person__resident_id=number)
    assert data == {"id": Report.objects.get(youth=youth).pk, "youth_id": youth.pk, "status": "reported"}
    assert youth.status == CaseStatus.REPORTED and youth.person.place == world["city"]["liyang_town"]
    assert AuditEntry.objects.filter(action="youthaid.report", object_id=str(youth.pk)).exists()


def test_a_report_of_a_number_not_registered_in_the_area_names_the_field_and_writes_nothing(
        world: Any, rid: Any) -> None:
    number = rid("320481", "20120601", 32)
    reports, youths = Report.objects.count(), Youth.objects.count()
    response = _post(_token(world["reporter"]), "/reports", {
        "resident_id": number, "name": "王小明", "channel": "village", "note": "母亲病故，随祖父母生活"})
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["field"]) == ("not_found", "resident_id")
    assert (Report.objects.count(), Youth.objects.count()) == (reports, youths)
    assert not Resident.objects.filter(resident_id=number).exists()


def test_the_same_reporter_cannot_report_the_same_youth_twice(world: Any) -> None:
    before = Report.objects.filter(youth=world["youth"]).count()
    response = _post(_token(world["reporter"]), "/reports", {
        "resident_id": world["person"].resident_id, "name": "张小溧", "channel": "school", "note": "再次报告此事"})
    assert response.status_code in (400, 409)
    body = response.json()
    assert body["code"] == "already_reported" and body["field"] == "resident_id" and body["message"]
    assert Report.objects.filter(youth=world["youth"]).count() == before == 1


def test_a_second_reporter_joins_the_case_and_each_sees_only_their_own(world: Any, rid: Any) -> None:
    joined = _post(_token(world["reporter2"]), "/reports", {
        "resident_id": world["person"].resident_id, "name": "张小溧", "channel": "village", "note": "村里反映情况"})
    assert joined.status_code == 201 and joined.json()["youth_id"] == world["youth"].pk
    other_number = rid("320481", "20110101", 41)
    Resident.objects.create(resident_id=other_number, name="陈小北", gender="M", birth_date=dt.date(2011, 1, 1),
                            place=world["city"]["liyang_town"])
    _post(_token(world["reporter2"]), "/reports", {
        "resident_id": other_number, "name": "陈小北", "channel": "village", "note": "父亲车祸身亡"})

    mine = _token(world["reporter"]).get(BASE + "/reports").json()
    assert [(r["youth_id"], r["name"], r["channel"], r["status"]) for r in mine["items"]] == [
        (world["youth"].pk, "张小溧", "school", "active")]
    theirs = _token(world["reporter2"]).get(BASE + "/reports").json()
    assert {r["name"] for r in theirs["items"]} == {"张小溧", "陈小北"} and len(theirs["items"]) == 2
    assert all(r["created_at"] for r in theirs["items"])


def test_a_reporter_cannot_list_cases_nor_a_case_worker_file_a_report(world: Any) -> None:
    response = _token(world["reporter"]).get(BASE + "/cases")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert _token(world["reporter"]).get(f"{BASE}/cases/{world['youth'].pk}").status_code == 403
    assert _token(world["observer"]).get(BASE + "/reports").status_code == 403


# --- cases ----------------------------------------------------------------------------------------------


def test_the_case_list_is_in_scope_masked_and_filtered(world: Any) -> None:
    client = _token(world["caseworker"])
    data = client.get(BASE + "/cases").json()
    assert data["has_next"] is False and len(data["items"]) == 1
    item = data["items"][0]
    assert item["id"] == world["youth"].pk and item["name"] == "张小溧" and item["status"] == "active"
    assert item["masked_id"] != world["person"].resident_id and item["masked_id"] == world["person"].masked_id
    assert item["place"] == "溧城街道" and item["age"] == world["person"].age() and item["next_visit_due"]
    assert client.get(BASE + "/cases?status=reported").json()["items"] == []
    assert client.get(BASE + "/cases?overdue=true").json()["items"] == []  # first visit not yet due
    assert len(client.get(BASE + "/cases?overdue=false").json()["items"]) == 1
    Youth.objects.filter(pk=world["youth"].pk).update(next_visit_due="2020-01-01")
    assert [c["id"] for c in client.get(BASE + "/cases?overdue=true").json()["items"]] == [world["youth"].pk]
    bad = client.get(BASE + "/cases?status=nonsense")
    assert bad.status_code == 400 and bad.json()["field"] == "status"
    assert _token(world["outsider_cw"]).get(BASE + "/cases").json()["items"] == []


def test_a_case_shows_its_reasons_and_never_health_or_the_bank_account(world: Any) -> None:
    response = _token(world["observer"]).get(f"{BASE}/cases/{world['youth'].pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["screening"]["outcome"] == "eligible"
    assert {r["criterion"] for r in data["screening"]["reasons"]} >= {"parent_died", "not_remarried", "age",
                                                                       "hardship"}
    assert data["bank_account"] == "**** 3445" and data["hardship_grade"] == 2 and data["reports"] == 1
    assert data["consent"] is True and data["applications"] == []
    text = response.content.decode()
    assert BANK_ACCOUNT not in text and "哮喘" not in text and "农业银行" not in text
    assert world["person"].resident_id not in text
    assert "health_note" not in data and "serious_illness" not in data and "bank_name" not in data


def test_a_case_outside_the_scope_is_not_found(world: Any) -> None:
    client = _token(world["outsider_cw"])
    assert client.get(f"{BASE}/cases/{world['youth'].pk}").status_code == 404
    visits = world["youth"].visits.count()
    response = _post(client, f"/cases/{world['youth'].pk}/visits",
                     {"visited_on": "2026-01-05", "situation": "入户走访情况良好", "risk": "low"})
    assert response.status_code == 404 and world["youth"].visits.count() == visits


def test_screen_visit_and_life_event(world: Any) -> None:
    client = _token(world["caseworker"])
    pk = world["youth"].pk
    screened = _post(client, f"/cases/{pk}/screen", {"note": "复核"})
    assert screened.status_code == 200 and screened.json()["outcome"] == "eligible"

    visit = _post(client, f"/cases/{pk}/visits", {"visited_on": "2026-01-05", "situation": "入户走访，学习正常",
                                                 "needs": "冬衣", "risk": "high"})
    assert visit.status_code == 201 and visit.json()["next_due"] == "2026-02-04"
    youth = Youth.objects.get(pk=pk)
    assert youth.risk == "high" and str(youth.next_visit_due) == "2026-02-04" and youth.needs == "冬衣"
    future = _post(client, f"/cases/{pk}/visits", {"visited_on": "2099-01-01", "situation": "未来的走访",
                                                  "risk": "low"})
    assert future.status_code == 400 and future.json()["field"] == "visited_on" and youth.visits.count() == 1
    bad_date = _post(client, f"/cases/{pk}/visits", {"visited_on": "not a date", "situation": "走访", "risk": "low"})
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "visited_on"

    event = _post(client, f"/cases/{pk}/life-events", {"kind": "remarried", "on": "2026-03-01", "note": "母亲再婚"})
    assert event.status_code == 201 and event.json()["screening"]["outcome"] == "not_eligible"
    assert Youth.objects.get(pk=pk).status == CaseStatus.NOT_ELIGIBLE

    observer = _token(world["observer"])
    assert _post(observer, f"/cases/{pk}/screen").status_code == 403
    assert youth.screenings.count() == 3  # intake, the re-check above, the life event


# --- aid ------------------------------------------------------------------------------------------------


def _apply(client: Client, pk: int, amount_fen: int, files: list[Any] | None = None, **extra: Any) -> Any:
    data: dict[str, Any] = {"aid_type": "living", "amount_fen": str(amount_fen), "reason": "家庭困难，申请生活救助",
                            **extra}
    if files:
        data["proof"] = files
    return client.post(f"{BASE}/cases/{pk}/applications", data)


def test_asking_more_than_the_grade_allows_names_requested_fen_and_writes_nothing(world: Any, english: Any) -> None:
    audits = AuditEntry.objects.count()
    response = _apply(_token(world["caseworker"]), world["youth"].pk, 250_000,
                      files=[SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf")])
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "requested_fen" and body["code"] == "invalid_amount"
    assert "¥2,000.00" in body["message"]  # the grade's amount, in either language
    assert not Application.objects.exists() and not Attachment.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_an_amount_that_is_not_a_number_is_a_422_naming_the_field(world: Any) -> None:
    response = _token(world["caseworker"]).post(f"{BASE}/cases/{world['youth'].pk}/applications",
                                                {"aid_type": "living", "amount_fen": "lots", "reason": "家庭困难"})
    assert response.status_code == 422 and response.json()["field"] == "amount_fen"
    assert not Application.objects.exists()


def test_from_application_to_payment_paid_once(world: Any) -> None:
    cw, rv = _token(world["caseworker"]), _token(world["reviewer"])
    fund = actions.youth_fund()
    available = Account.objects.get(fund=fund, kind=AccountKind.FUND)
    commitment = Account.objects.get(fund=fund, kind=AccountKind.COMMITMENT)

    applied = _apply(cw, world["youth"].pk, 200_000,
                     files=[SimpleUploadedFile("证明.pdf", b"%PDF-1.4 proof", content_type="application/pdf")])
    assert applied.status_code == 201, applied.content
    app_id = applied.json()["id"]
    assert applied.json()["status"] == "applied" and applied.json()["attachments"] == 1
    assert Attachment.objects.get(application_id=app_id).name == "证明.pdf"

    recommended = _post(cw, f"/applications/{app_id}/recommendation", {"recommend": True, "note": "情况属实，建议资助"})
    assert recommended.status_code == 200 and recommended.json()["recommended_fen"] == 200_000

    decided = _post(rv, f"/applications/{app_id}/decision", {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert decided.json()["approved_fen"] == 200_000
    available.refresh_from_db()
    commitment.refresh_from_db()
    assert (available.balance_fen, commitment.balance_fen) == (800_000, 200_000)

    batch = _post(rv, "/batches", {"title": "2026年第一批"})
    assert batch.status_code == 201
    b = batch.json()
    assert b["count"] == 1 and b["total_fen"] == 200_000 and b["code"] and b["status"] == "open"

    first = _post(rv, f"/batches/{b['id']}/pay")
    assert first.status_code == 200 and first.json()["status"] == "paid"
    payment = Payment.objects.get(batch_id=b["id"])
    assert payment.status == PayStatus.PAID and payment.entry_id is not None
    assert Application.objects.get(pk=app_id).status == AppStatus.PAID
    entries = JournalEntry.objects.filter(kind="payment").count()
    assert entries == 1
    figures = _token(world["observer"]).get(BASE + "/fund").json()
    assert figures == {"code": fund.code, "available_fen": 800_000, "committed_fen": 0, "paid_fen": 200_000,
                       "paid_to_beneficiaries_fen": 200_000, "paid_to_contractors_fen": 0}

    second = _post(rv, f"/batches/{b['id']}/pay")
    assert second.status_code == 200 and second.json() == first.json()
    assert JournalEntry.objects.filter(kind="payment").count() == 1
    assert _token(world["observer"]).get(BASE + "/fund").json() == figures
    assert Payment.objects.filter(batch_id=b["id"]).count() == 1

    detail = cw.get(f"{BASE}/cases/{world['youth'].pk}").json()
    assert [(a["id"], a["status"], a["approved_fen"]) for a in detail["applications"]] == [(app_id, "paid", 200_000)]


def test_a_case_worker_cannot_decide_and_nothing_changes(world: Any) -> None:
    cw = _token(world["caseworker"])
    app_id = _apply(cw, world["youth"].pk, 200_000).json()["id"]
    _post(cw, f"/applications/{app_id}/recommendation", {"recommend": True, "note": "情况属实，建议资助"})
    before = Application.objects.values().get(pk=app_id)
    entries, audits = JournalEntry.objects.count(), AuditEntry.objects.count()

    response = _post(cw, f"/applications/{app_id}/decision", {"approve": True})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Application.objects.values().get(pk=app_id) == before
    assert before["status"] == AppStatus.RECOMMENDED
    assert (JournalEntry.objects.count(), AuditEntry.objects.count()) == (entries, audits)
    # Nor can they make or pay batches; a reviewer cannot file an application.
    assert _post(cw, "/batches", {"title": "越权批次"}).status_code == 403 and not PaymentBatch.objects.exists()
    assert _apply(_token(world["reviewer"]), world["youth"].pk, 100_000).status_code == 403
    assert Application.objects.count() == 1


def test_a_reviewer_outside_the_scope_does_not_find_the_application(world: Any, make_user: Any) -> None:
    cw = _token(world["caseworker"])
    app_id = _apply(cw, world["youth"].pk, 200_000).json()["id"]
    _post(cw, f"/applications/{app_id}/recommendation", {"recommend": True, "note": "情况属实，建议资助"})
    stranger = make_user("rv_a", {"youthaid_reviewer": [world["city"]["a"]]})
    response = _post(_token(stranger), f"/applications/{app_id}/decision", {"approve": True})
    assert response.status_code == 404
    assert Application.objects.get(pk=app_id).status == AppStatus.RECOMMENDED
    assert _token(stranger).get(BASE + "/fund").status_code == 404


def test_the_fund_needs_the_view_permission(world: Any) -> None:
    assert _token(world["reporter"]).get(BASE + "/fund").status_code == 403
    data = _token(world["reviewer"]).get(BASE + "/fund").json()
    assert data["available_fen"] == 1_000_000 and data["committed_fen"] == 0 and data["paid_fen"] == 0
