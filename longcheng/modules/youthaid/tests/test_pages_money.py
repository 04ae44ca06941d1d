"""The money pages through the Django test client: the federation's review (approve reduced, reject,
refusals), payment batches (pay twice, bank return, re-issue), the fund (donations, statement that
reconciles), the aid rules, hope parents, dream rooms, the reports and the dashboard panel.

A small Liyang world: 陈思远 (19), a university student with a serious illness, under monitoring;
a fund of ¥50,000 given by a donor; a medical re-aid application of ¥5,000 filed and recommended by
the case worker."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import AccountKind, JournalEntry
from longcheng.kernel.people.models import Resident

from .. import actions
from ..models import (
    AidType,
    Application,
    AppStatus,
    BatchStatus,
    Payment,
    PaymentBatch,
    PayStatus,
    RoomProject,
    RoomStatus,
    VettingStatus,
    Volunteer,
    Youth,
)
from .conftest import BANK_ACCOUNT


@pytest.fixture
def world(city: dict[str, Any], make_user: Any, rid: Any) -> dict[str, Any]:
    town = city["liyang_town"]
    person = Resident.objects.create(resident_id=rid(region="320481", birth="20070315", seq=51), name="陈思远",
                                     gender="M", birth_date="2007-03-15", place=town)
    youth = Youth.objects.create(person=person, status="active", hardship_grade=2, stage="university",
                                 university_admitted_year=2026, serious_illness=True, bank_account=BANK_ACCOUNT)
    liyang = [city["liyang"]]
    worker = make_user("worker", {"youthaid_caseworker": liyang})
    reviewer = make_user("reviewer", {"youthaid_reviewer": liyang})
    observer = make_user("observer", {"youthaid_observer": liyang})
    actions.do_donate(5_000_000, donor="溧阳市某企业", acting_user=reviewer)
    proof = SimpleUploadedFile("bill.pdf", b"%PDF-1.4 hospital bill", content_type="application/pdf")
    app = actions.do_apply(youth, aid_type="medical", amount_fen=500_000, reason="Chemotherapy bills this spring",
                           attachments=[proof], acting_user=worker)
    actions.do_recommend(app.pk, recommend=True, note="Bills checked with the hospital", acting_user=worker)
    return {"city": city, "youth": youth, "app": app, "worker": worker, "reviewer": reviewer, "observer": observer}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def body(response: Any) -> str:
    return str(response.content.decode())


def balances() -> tuple[int, int]:
    fund = actions.youth_fund()
    return ledger.fund_account(fund).balance_fen, ledger.fund_account(fund, AccountKind.COMMITMENT).balance_fen


def decide(client: Client, app: Application, **data: Any) -> Any:
    return client.post("/youthaid/review/decide/", {"application": app.pk, **data}, follow=True)


def approved_and_batched(world: dict[str, Any]) -> PaymentBatch:
    actions.do_decide(world["app"].pk, approve=True, reason="", acting_user=world["reviewer"])
    return actions.do_create_batch(title="Spring aid", acting_user=world["reviewer"])


# --- review -----------------------------------------------------------------------------------------------------


def test_review_queue_shows_the_application_and_the_fund(world: dict[str, Any]) -> None:
    page = body(client_for(world["reviewer"]).get("/youthaid/review/"))
    assert "陈思远" in page and f"/youthaid/cases/{world['youth'].pk}/" in page
    assert "Bills checked with the hospital" in page
    assert "¥5,000.00" in page  # asked and recommended
    assert "¥50,000.00" in page  # available in the fund
    attachment = world["app"].attachments.get()
    assert f"/youthaid/attachments/{attachment.pk}/" in page


def test_reviewer_approves_a_reduced_amount_with_reason(world: dict[str, Any]) -> None:
    response = decide(client_for(world["reviewer"]), world["app"], decision="approve", amount="4000",
                      reason="Part is covered by the medical insurance")
    app = Application.objects.get(pk=world["app"].pk)
    assert app.status == AppStatus.APPROVED and app.approved_fen == 400_000
    assert app.decision_reason == "Part is covered by the medical insurance"
    assert balances() == (5_000_000 - 400_000, 400_000)
    assert JournalEntry.objects.filter(idempotency_key=f"youthaid:commit:{app.pk}").count() == 1
    assert "Approved ¥4,000.00" in body(response)


def test_reducing_without_a_reason_is_refused_and_changes_nothing(world: dict[str, Any]) -> None:
    entries = JournalEntry.objects.count()
    response = decide(client_for(world["reviewer"]), world["app"], decision="approve", amount="4000", reason="")
    assert "Reason: At least 4 characters." in body(response)
    app = Application.objects.get(pk=world["app"].pk)
    assert app.status == AppStatus.RECOMMENDED and app.approved_fen is None
    assert JournalEntry.objects.count() == entries
    assert balances() == (5_000_000, 0)


def test_an_amount_above_the_recommendation_or_in_fractions_of_a_fen_is_refused(world: dict[str, Any]) -> None:
    client = client_for(world["reviewer"])
    response = decide(client, world["app"], decision="approve", amount="6000", reason="More")
    assert "cannot exceed the recommendation" in body(response)
    response = decide(client, world["app"], decision="approve", amount="4000.001", reason="Fraction")
    assert "two decimal places" in body(response)
    assert Application.objects.get(pk=world["app"].pk).status == AppStatus.RECOMMENDED
    assert balances() == (5_000_000, 0)


def test_reviewer_rejects_with_a_reason(world: dict[str, Any]) -> None:
    client = client_for(world["reviewer"])
    response = decide(client, world["app"], decision="reject", reason="")
    assert "Reason: At least 4 characters." in body(response)
    assert Application.objects.get(pk=world["app"].pk).status == AppStatus.RECOMMENDED
    decide(client, world["app"], decision="reject", reason="The insurance pays these bills in full")
    app = Application.objects.get(pk=world["app"].pk)
    assert app.status == AppStatus.REJECTED and app.approved_fen is None
    assert balances() == (5_000_000, 0)
    page = body(client.get("/youthaid/review/"))
    assert "No application awaits review." in page
    assert "The insurance pays these bills in full" in page  # recently decided


def test_a_case_worker_cannot_decide(world: dict[str, Any]) -> None:
    entries = JournalEntry.objects.count()
    response = client_for(world["worker"]).post("/youthaid/review/decide/", {
        "application": world["app"].pk, "decision": "approve", "amount": ""})
    assert response.status_code == 403
    app = Application.objects.get(pk=world["app"].pk)
    assert app.status == AppStatus.RECOMMENDED and app.decided_by is None
    assert JournalEntry.objects.count() == entries
    assert balances() == (5_000_000, 0)


# --- payment batches ----------------------------------------------------------------------------------------


def test_making_a_batch_goes_to_its_page(world: dict[str, Any]) -> None:
    actions.do_decide(world["app"].pk, approve=True, reason="", acting_user=world["reviewer"])
    client = client_for(world["reviewer"])
    page = body(client.get("/youthaid/batches/"))
    assert "1 approved application waits for payment, ¥5,000.00." in page
    response = client.post("/youthaid/batches/create/", {"title": "Spring aid"}, follow=True)
    batch = PaymentBatch.objects.get()
    assert response.redirect_chain[-1][0] == f"/youthaid/batches/{batch.pk}/"
    assert batch.count == 1 and batch.total_fen == 500_000 and batch.status == BatchStatus.OPEN
    page = body(response)
    assert "**** 3445" in page and BANK_ACCOUNT not in page
    assert 'id="pay-button"' in page and 'data-once="pay-button"' in page  # double clicks stopped (web/longcheng.js)
    # Nothing left to batch: a second batch is refused with the rule.
    response = client.post("/youthaid/batches/create/", {"title": "Again"}, follow=True)
    assert "No approved application is waiting for payment." in body(response)
    assert PaymentBatch.objects.count() == 1


def test_paying_a_batch_twice_pays_once(world: dict[str, Any]) -> None:
    batch = approved_and_batched(world)
    client = client_for(world["reviewer"])
    url = f"/youthaid/batches/{batch.pk}/"
    first = client.post(url + "pay/", {}, follow=True)
    assert "sent to the bank" in body(first)
    after_first = balances()
    assert after_first == (5_000_000 - 500_000, 0)
    second = client.post(url + "pay/", {}, follow=True)
    assert "nothing was paid twice" in body(second)
    assert balances() == after_first
    payment = Payment.objects.get()
    assert payment.status == PayStatus.PAID and payment.entry is not None
    assert JournalEntry.objects.filter(idempotency_key=f"youthaid:pay:{payment.pk}").count() == 1
    assert JournalEntry.objects.filter(kind="payment").count() == 1
    assert Application.objects.get(pk=world["app"].pk).status == AppStatus.PAID
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.PAID
    assert 'id="pay-button"' not in body(second)


def test_bank_return_then_reissue(world: dict[str, Any]) -> None:
    batch = approved_and_batched(world)
    actions.do_pay_batch(batch.pk, acting_user=world["reviewer"])
    payment = Payment.objects.get()
    client = client_for(world["reviewer"])
    url = f"/youthaid/batches/{batch.pk}/"
    response = client.post(url + "return/", {"payment": payment.pk, "reason": ""}, follow=True)
    assert "Bank's reason: At least 2 characters." in html.unescape(body(response))
    assert Payment.objects.get(pk=payment.pk).status == PayStatus.PAID
    client.post(url + "return/", {"payment": payment.pk, "reason": "Account closed"}, follow=True)
    payment.refresh_from_db()
    assert payment.status == PayStatus.RETURNED and payment.return_reason == "Account closed"
    assert balances() == (5_000_000 - 500_000, 500_000)  # back in the commitment
    assert Application.objects.get(pk=world["app"].pk).status == AppStatus.APPROVED
    response = client.post(url + "reissue/", {"payment": payment.pk}, follow=True)
    payment.refresh_from_db()
    new = payment.reissued_as
    assert payment.status == PayStatus.REISSUED and new is not None
    assert new.batch_id != batch.pk and new.status == PayStatus.PENDING and new.amount_fen == 500_000
    assert response.redirect_chain[-1][0] == f"/youthaid/batches/{new.batch_id}/"
    page = body(client.get(url))
    assert "Account closed" in page and f"/youthaid/batches/{new.batch_id}/" in page
    # Paying the re-issue takes the money from the commitment again, once.
    client.post(f"/youthaid/batches/{new.batch_id}/pay/", {})
    assert balances() == (5_000_000 - 500_000, 0)
    assert actions.paid_total() == 500_000


def test_a_batch_exports_to_xlsx_with_masked_accounts(world: dict[str, Any]) -> None:
    batch = approved_and_batched(world)
    response = client_for(world["reviewer"]).get(f"/youthaid/batches/{batch.pk}/?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "**** 3445" in cells and BANK_ACCOUNT not in cells


def test_a_batch_out_of_scope_is_not_found(world: dict[str, Any], make_user: Any) -> None:
    batch = approved_and_batched(world)
    other = make_user("other_payer", {"youthaid_reviewer": [world["city"]["a"]]})
    client = client_for(other)
    assert client.get(f"/youthaid/batches/{batch.pk}/").status_code == 404
    assert client.post(f"/youthaid/batches/{batch.pk}/pay/", {}).status_code == 404
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.OPEN


# --- the fund -----------------------------------------------------------------------------------------------------


def test_a_donation_with_fractions_of_a_fen_is_refused(world: dict[str, Any]) -> None:
    entries = JournalEntry.objects.count()
    client = client_for(world["reviewer"])
    response = client.post("/youthaid/fund/donate/", {"donor": "张先生", "amount": "12.345"}, follow=True)
    assert "An amount has at most two decimal places (whole fen)." in body(response)
    assert JournalEntry.objects.count() == entries
    assert balances() == (5_000_000, 0)


def test_a_donation_is_recorded_once_even_if_sent_twice(world: dict[str, Any]) -> None:
    client = client_for(world["reviewer"])
    form = {"donor": "张先生", "amount": "1,000.50", "token": "abc123"}
    response = client.post("/youthaid/fund/donate/", form, follow=True)
    assert "Donation of ¥1,000.50 recorded." in body(response)
    client.post("/youthaid/fund/donate/", form, follow=True)
    assert balances() == (5_000_000 + 100_050, 0)


def test_an_observer_sees_the_fund_but_cannot_donate(world: dict[str, Any]) -> None:
    client = client_for(world["observer"])
    page = body(client.get("/youthaid/fund/"))
    assert "¥50,000.00" in page and '/youthaid/fund/donate/' not in page
    response = client.post("/youthaid/fund/donate/", {"donor": "X", "amount": "10"})
    assert response.status_code == 403  # the page again with the refusal
    assert balances() == (5_000_000, 0)


def test_the_fund_statement_reconciles(world: dict[str, Any]) -> None:
    batch = approved_and_batched(world)
    actions.do_pay_batch(batch.pk, acting_user=world["reviewer"])
    client = client_for(world["reviewer"])
    page = body(client.get("/youthaid/fund/"))
    assert "closing = opening + in − out" in page
    # Available money this year: ¥50,000 in, ¥5,000 committed out, closing ¥45,000.
    assert "¥45,000.00 = ¥0.00 + ¥50,000.00 − ¥5,000.00" in page
    assert "does not reconcile" not in page and "reconciles" in page
    assert "Donation from 溧阳市某企业" in page  # a posting
    assert "¥5,000.00" in page  # paid out to beneficiaries
    year = world["app"].year
    assert (f"/funds/{actions.youth_fund().code}/statement.xlsx?start={year}-01-01&amp;end=" in page)
    # A period that ends before today still reconciles with today's balance.
    page = body(client.get("/youthaid/fund/?start=2020-01-01&end=2020-12-31"))
    assert "No postings in this period." in page and "does not reconcile" not in page
    assert "¥45,000.00 = ¥0.00 + ¥45,000.00" in page
    response = client.get("/youthaid/fund/?start=2026-12-01&end=2026-01-01")
    assert response.status_code == 400


# --- aid rules, hope parents, dream rooms --------------------------------------------------------------------------


def test_the_aid_rules_can_be_changed_with_a_reason(world: dict[str, Any]) -> None:
    client = client_for(world["reviewer"])
    page = body(client.get("/youthaid/rules/"))
    assert "Living assistance" in page and "¥3,000.00" in page
    form = {"code": "living", "min": "1000", "max": "3500", "cap": "3500", "grade_1": "1000",
            "grade_2": "2500", "grade_3": "3500", "active": "on", "reason": "Board decision 2026-11"}
    client.post("/youthaid/rules/edit/", form, follow=True)
    living = AidType.objects.get(code="living")
    assert living.max_fen == 350_000 and living.grade_amounts == {"1": 100_000, "2": 250_000, "3": 350_000}
    response = client.post("/youthaid/rules/edit/", {**form, "cap": "3000"}, follow=True)
    assert "The yearly cap cannot be below the largest amount." in body(response)
    assert AidType.objects.get(code="living").yearly_cap_fen == 350_000
    observer = client_for(world["observer"])
    assert '/youthaid/rules/edit/' not in body(observer.get("/youthaid/rules/"))
    observer.post("/youthaid/rules/edit/", {**form, "max": "3600", "cap": "3600", "grade_3": "3600"})
    assert AidType.objects.get(code="living").max_fen == 350_000


def test_hope_parents_are_registered_and_vetted(world: dict[str, Any]) -> None:
    client = client_for(world["worker"])
    town = world["city"]["liyang_town"]
    client.post("/youthaid/volunteers/register/", {"name": "周慧", "phone": "13912345678",
                                          "place": town.pk, "occupation": "Teacher"}, follow=True)
    volunteer = Volunteer.objects.get()
    assert volunteer.status == VettingStatus.APPLIED and volunteer.place == town
    page = body(client.get("/youthaid/volunteers/"))
    assert "周慧" in page and "139****5678" in page and "13912345678" not in page
    response = client.post("/youthaid/volunteers/vet/", {"volunteer": volunteer.pk, "status": "vetted",
                                                     "note": ""}, follow=True)
    assert "Note: At least 2 characters." in body(response)
    assert Volunteer.objects.get().status == VettingStatus.APPLIED
    client.post("/youthaid/volunteers/vet/", {"volunteer": volunteer.pk, "status": "vetted",
                                          "note": "Interviewed, references checked"})
    assert Volunteer.objects.get().status == VettingStatus.VETTED
    actions.do_pair(volunteer.pk, world["youth"].pk, acting_user=world["worker"])
    page = body(client.get("/youthaid/volunteers/"))
    assert f"/youthaid/cases/{world['youth'].pk}/" in page
    # A place outside the case worker's scope is refused.
    response = client.post("/youthaid/volunteers/register/", {"name": "王五", "phone": "13912345679",
                                                     "place": world["city"]["a"].pk}, follow=True)
    assert "outside your scope" in body(response)
    assert Volunteer.objects.count() == 1


def test_the_federation_approves_and_signs_off_a_dream_room(world: dict[str, Any]) -> None:
    room = actions.do_propose_room(world["youth"].pk, budget_fen=800_000, contractor="溧阳装修队",
                                   before_note="Damp walls, no desk", acting_user=world["worker"])
    worker_page = body(client_for(world["worker"]).get("/youthaid/rooms/"))
    assert "溧阳装修队" in worker_page and '/rooms/advance/"' not in worker_page
    client = client_for(world["reviewer"])
    client.post("/youthaid/rooms/advance/", {"room": room.pk, "to": "approved"})
    assert RoomProject.objects.get(pk=room.pk).status == RoomStatus.APPROVED
    assert balances() == (5_000_000 - 800_000, 800_000)
    actions.do_advance_room(room.pk, to="in_progress", acting_user=world["worker"])
    response = client.post("/youthaid/rooms/advance/", {"room": room.pk, "to": "done", "spent": "9000",
                                                      "after_note": "Walls dry, desk and bed"}, follow=True)
    assert "What was spent lies between" in body(response)
    assert RoomProject.objects.get(pk=room.pk).status == RoomStatus.IN_PROGRESS
    client.post("/youthaid/rooms/advance/", {"room": room.pk, "to": "done", "spent": "7500",
                                             "after_note": "Walls dry, desk and bed"})
    done = RoomProject.objects.get(pk=room.pk)
    assert done.status == RoomStatus.DONE and done.spent_fen == 750_000
    assert balances() == (5_000_000 - 750_000, 0)
    page = body(client.get("/youthaid/rooms/"))
    assert "¥7,500.00" in page and "Walls dry, desk and bed" in page


# --- figures and dashboard -------------------------------------------------------------------------------------------


def test_the_reports_page_has_tables_and_charts(world: dict[str, Any]) -> None:
    batch = approved_and_batched(world)
    actions.do_pay_batch(batch.pk, acting_user=world["reviewer"])
    client = client_for(world["observer"])
    page = body(client.get("/youthaid/figures/"))
    assert "<svg" in page
    assert "溧城街道" in page and "Medical re-aid" in page and "¥5,000.00" in page
    town_row = re.search(r"<tr><td>溧城街道</td>(.*?)</tr>", page)
    assert town_row is not None
    assert re.findall(r'class="num">([^<]*)<', town_row.group(1)) == ["1", "1", "1", "¥5,000.00"]
    year = world["app"].year
    assert client.get(f"/youthaid/figures/?year={year}").status_code == 200
    page = body(client.get("/youthaid/figures/?year=2001"))  # not a year on record: all years
    assert "¥5,000.00" in page


def test_the_dashboard_shows_the_youth_aid_panel(world: dict[str, Any], make_user: Any, english: Any) -> None:
    batch = approved_and_batched(world)
    actions.do_pay_batch(batch.pk, acting_user=world["reviewer"])
    page = body(client_for(world["reviewer"]).get("/"))
    assert "Qinglizhu youth aid" in page
    for label in ("Youths registered", "Under monitoring", "Youths aided", "Aid paid", "Available in the fund",
                  "Overdue follow-ups"):
        assert label in page
    assert "¥45,000.00" in page and "¥5,000.00" in page
    assert "/youthaid/fund/" in page and "<svg" in page
    from ..views import panel_figures

    mine = {str(f.label): f.value for f in panel_figures(world["worker"])}
    assert mine["Youths registered"] == 1 and mine["Youths aided"] == 1 and mine["Aid paid"] == "¥5,000.00"
    elsewhere = make_user("elsewhere", {"youthaid_observer": [world["city"]["a"]]})
    theirs = {str(f.label): f.value for f in panel_figures(elsewhere)}
    assert theirs["Youths registered"] == 0 and theirs["Aid paid"] == "¥0.00"
    assert theirs["Available in the fund"] == "¥45,000.00"  # one fund for the city


def test_every_page_renders_in_the_default_language_and_refuses_the_wrong_role(world: dict[str, Any]) -> None:
    batch = approved_and_batched(world)
    reviewer, observer = Client(), Client()
    reviewer.force_login(world["reviewer"])
    observer.force_login(world["observer"])
    pages = ["/youthaid/review/", "/youthaid/batches/", f"/youthaid/batches/{batch.pk}/", "/youthaid/fund/",
             "/youthaid/rules/", "/youthaid/volunteers/", "/youthaid/rooms/", "/youthaid/figures/", "/"]
    for url in pages:
        assert reviewer.get(url).status_code == 200, url
    for url in pages[3:]:
        assert observer.get(url).status_code == 200, url
    for url in pages[:3]:
        assert observer.get(url).status_code == 403, url
