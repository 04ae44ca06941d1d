"""The registry's pages through the Django test client: reporting (own reports only), a case worker's
consent, profile, screening, visit, reveal and applications, and what others may not see or do.

A small Liyang world: 林小雨 (16) and 林小川 (12), whose father died in 2024; their mother is their
guardian. Reporters and case workers of 溧阳市, and a case worker of 上书房社区 (outside)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Consent, Relationship, Resident

from ..models import AidType, Application, Attachment, CaseStatus, Report, Screening, Visit, Youth
from .conftest import BANK_ACCOUNT


@pytest.fixture
def world(city: dict[str, Any], make_user: Any, rid: Any) -> dict[str, Any]:
    town = city["liyang_town"]
    father = Resident.objects.create(resident_id=rid(region="320481", birth="19800101", seq=11), name="林建国",
                                     gender="M", birth_date="1980-01-01", place=town, died_on=dt.date(2024, 5, 1))
    mother = Resident.objects.create(resident_id=rid(region="320481", birth="19820202", seq=22), name="王芳",
                                     gender="F", birth_date="1982-02-02", place=town)
    teen = Resident.objects.create(resident_id=rid(region="320481", birth="20100301", seq=32), name="林小雨",
                                   gender="F", birth_date="2010-03-01", place=town)
    child = Resident.objects.create(resident_id=rid(region="320481", birth="20140601", seq=41), name="林小川",
                                    gender="M", birth_date="2014-06-01", place=town)
    for kid in (teen, child):
        Relationship.objects.create(person=kid, relative=father, kind="father")
        Relationship.objects.create(person=kid, relative=mother, kind="mother", is_guardian=True)
    liyang = [city["liyang"]]
    return {
        "city": city, "father": father, "mother": mother, "teen": teen, "child": child,
        "reporter": make_user("reporter", {"youthaid_reporter": liyang}),
        "reporter2": make_user("reporter2", {"youthaid_reporter": liyang}),
        "worker": make_user("worker", {"youthaid_caseworker": liyang}),
        "reviewer": make_user("reviewer", {"youthaid_reviewer": liyang}),
        "observer": make_user("observer", {"youthaid_observer": liyang}),
        "outside": make_user("outside", {"youthaid_caseworker": [city["a"]]}),
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def report_form(person: Resident, **extra: Any) -> dict[str, Any]:
    return {"resident_id": person.resident_id, "name": person.name, "channel": "school",
            "note": "Her father died last year; she often misses school.", **extra}


def case_url(youth: Youth) -> str:
    return f"/youthaid/cases/{youth.pk}/"


def step_url(youth: Youth, step: str) -> str:
    """Each step of a case has its own url (youthaid:case_<step>)."""
    return f"/youthaid/cases/{youth.pk}/{step.replace('_', '-')}/"


def post_step(client: Client, youth: Youth, step: str, **data: Any) -> Any:
    return client.post(step_url(youth, step), data, follow=True)


def body(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def active(world: dict[str, Any]) -> Youth:
    """林小雨's case, consented, profiled and screened eligible through the page."""
    client = client_for(world["reporter"])
    client.post("/youthaid/report/", report_form(world["teen"]))
    youth = Youth.objects.get(person=world["teen"])
    worker = client_for(world["worker"])
    post_step(worker, youth, "consent", given_by=world["teen"].pk)
    post_step(worker, youth, "profile", reason="home visit", risk="medium",
              deceased_parent=world["father"].resident_id, surviving_parent=world["mother"].resident_id,
              surviving_parent_status="not_remarried", stage="senior", school="溧阳中学", grade="高一",
              household_size="3", monthly_income_fen="3000", hardship_grade="1", needs="tuition")
    post_step(worker, youth, "screen")
    youth.refresh_from_db()
    assert youth.status == CaseStatus.ACTIVE
    return youth


# --- reporting ----------------------------------------------------------------------------------------------


def test_a_reporter_files_a_report_on_the_page_and_sees_it_in_their_list(world: dict[str, Any]) -> None:
    client = client_for(world["reporter"])
    response = client.post("/youthaid/report/", report_form(world["teen"]))
    assert response.status_code == 302
    youth = Youth.objects.get(person=world["teen"])
    assert youth.status == CaseStatus.REPORTED
    report = Report.objects.get(youth=youth)
    assert report.reporter == world["reporter"] and report.channel == "school"
    page = body(client.get("/youthaid/report/"))
    assert "林小雨" in page and "Reported, awaiting screening" in page


def test_a_youth_not_yet_registered_is_refused_with_the_not_in_your_area_answer(world: dict[str, Any],
                                                                                rid: Any) -> None:
    client = client_for(world["reporter"])
    number = rid(region="320481", birth="20120909", seq=51)
    data = {"resident_id": number, "name": "赵小明", "channel": "community", "note": "Mother died in spring."}
    response = client.post("/youthaid/report/", data)
    assert response.status_code == 404 and "No youth with this ID number is registered in your area" in body(response)
    assert not Resident.objects.filter(resident_id=number).exists()
    assert "Mother died in spring." in body(response)  # the entered values are kept


def test_the_same_reporter_reporting_again_is_refused_and_nothing_is_written(world: dict[str, Any]) -> None:
    client = client_for(world["reporter"])
    client.post("/youthaid/report/", report_form(world["teen"]))
    audits = AuditEntry.objects.count()
    response = client.post("/youthaid/report/", report_form(world["teen"], note="Seen again at school today."))
    assert response.status_code == 400
    page = body(response)
    assert "You have already reported this youth" in page
    assert "Seen again at school today." in page  # the entered values are kept
    assert Report.objects.filter(youth__person=world["teen"]).count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_bad_id_number_is_named_next_to_the_field(world: dict[str, Any]) -> None:
    client = client_for(world["reporter"])
    response = client.post("/youthaid/report/", report_form(world["teen"], resident_id="32048120100301"))
    assert response.status_code == 400 and "18 characters" in body(response)
    assert not Youth.objects.exists() and not Report.objects.exists()


def test_a_reporter_sees_only_their_own_reports(world: dict[str, Any]) -> None:
    client_for(world["reporter"]).post("/youthaid/report/", report_form(world["teen"]))
    client_for(world["reporter2"]).post("/youthaid/report/", report_form(world["child"], channel="village"))
    assert Report.objects.count() == 2
    mine = body(client_for(world["reporter"]).get("/youthaid/report/"))
    assert "林小雨" in mine and "林小川" not in mine
    theirs = body(client_for(world["reporter2"]).get("/youthaid/report/"))
    assert "林小川" in theirs and "林小雨" not in theirs


def test_a_reporter_cannot_open_a_case_or_the_list(world: dict[str, Any]) -> None:
    client = client_for(world["reporter"])
    client.post("/youthaid/report/", report_form(world["teen"]))
    youth = Youth.objects.get(person=world["teen"])
    assert client.get(case_url(youth)).status_code == 403
    assert client.get("/youthaid/").status_code == 403
    response = client.post(step_url(youth, "screen"), {})
    assert response.status_code == 403
    assert not Screening.objects.exists()


# --- the case worker on a case ---------------------------------------------------------------------------------


def test_a_case_worker_records_consent_profile_screening_and_a_visit(world: dict[str, Any], active: Youth) -> None:
    youth = active
    assert Consent.objects.filter(subject=world["teen"], given_by=world["teen"], purpose="youthaid").exists()
    assert youth.deceased_parent == world["father"] and youth.parent_died_on == dt.date(2024, 5, 1)
    assert youth.monthly_income_fen == 300_000 and youth.hardship_grade == 1
    screening = Screening.objects.get(youth=youth)
    assert screening.outcome == "eligible" and all(r["met"] is True for r in screening.reasons)
    update = AuditEntry.objects.get(action="youthaid.update", object_id=str(youth.pk))
    assert update.reason == "home visit" and update.actor == world["worker"]
    worker = client_for(world["worker"])
    visited = dt.date.today() - dt.timedelta(days=1)
    response = post_step(worker, youth, "visit", visited_on=visited.isoformat(), situation="Doing well at school.",
                         needs="books", risk="high")
    assert "Saved." in body(response)
    visit = Visit.objects.get(youth=youth)
    youth.refresh_from_db()
    assert visit.by == world["worker"] and youth.risk == "high"
    assert youth.next_visit_due == visited + dt.timedelta(days=30)
    page = body(worker.get(case_url(youth)))
    # The history in words (issue 15, finding 13): the actions' labels, not their codes.
    for text in ("Doing well at school.", "Visit recorded", "Screening recorded", "A parent died on 2024-05-01."):
        assert text in page
    assert "youthaid.visit" not in page and "youthaid.screen" not in page
    assert world["teen"].resident_id not in page and world["father"].resident_id not in page


def test_the_case_list_shows_counts_filters_and_overdue_visits(world: dict[str, Any], active: Youth) -> None:
    Youth.objects.filter(pk=active.pk).update(next_visit_due=dt.date.today() - dt.timedelta(days=3))
    client_for(world["reporter2"]).post("/youthaid/report/", report_form(world["child"]))
    worker = client_for(world["worker"])
    page = body(worker.get("/youthaid/"))
    assert "林小雨" in page and "林小川" in page and "overdue" in page
    assert world["teen"].masked_id in page and world["teen"].resident_id not in page
    overdue = body(worker.get("/youthaid/?overdue=1"))
    assert "林小雨" in overdue and "林小川" not in overdue
    reported = body(worker.get("/youthaid/?status=reported"))
    assert "林小川" in reported and "林小雨" not in reported
    assert "林小雨" not in body(worker.get("/youthaid/?q=小川"))
    assert "林小雨" not in body(client_for(world["outside"]).get("/youthaid/"))


def test_the_outreach_list_shows_the_registrys_reason(world: dict[str, Any]) -> None:
    from django.db import transaction

    from ..actions import on_person_died

    mother = world["mother"]
    Resident.objects.filter(pk=mother.pk).update(died_on=dt.date(2026, 10, 1))
    mother.refresh_from_db()
    with transaction.atomic():
        on_person_died(person=mother)
    page = body(client_for(world["worker"]).get("/youthaid/?status=outreach"))
    assert "林小雨" in page and "(resident registry)" in page


def test_under_14_consent_must_come_from_the_guardian(world: dict[str, Any]) -> None:
    client_for(world["reporter"]).post("/youthaid/report/", report_form(world["child"]))
    youth = Youth.objects.get(person=world["child"])
    worker = client_for(world["worker"])
    assert "Under 14: guardian consent required (PIPL art. 31)." in body(worker.get(case_url(youth)))
    response = post_step(worker, youth, "consent", given_by=world["child"].pk)
    assert "recorded guardian (PIPL art. 31)" in body(response)
    assert not Consent.objects.exists()
    response = post_step(worker, youth, "consent", given_by=world["father"].pk)  # dead: not offered
    assert "Choose who gives the consent." in body(response) and not Consent.objects.exists()
    post_step(worker, youth, "consent", given_by=world["mother"].pk, sensitive="on")
    consent = Consent.objects.get(subject=world["child"])
    assert consent.given_by == world["mother"] and consent.sensitive


def test_a_profile_change_without_a_reason_changes_nothing(world: dict[str, Any], active: Youth) -> None:
    worker = client_for(world["worker"])
    response = post_step(worker, active, "profile", reason="", risk="high", hardship_grade="2")
    assert "Reason for the change: At least 2 characters." in body(response)
    active.refresh_from_db()
    assert active.risk == "medium" and active.hardship_grade == 1
    response = post_step(worker, active, "profile", reason="correction", household_size="99")
    assert "Between 1 and 20." in body(response)
    active.refresh_from_db()
    assert active.household_size == 3


def test_a_case_worker_outside_the_scope_sees_nothing_and_changes_nothing(world: dict[str, Any],
                                                                          active: Youth) -> None:
    outside = client_for(world["outside"])
    assert outside.get(case_url(active)).status_code == 404
    audits, screenings = AuditEntry.objects.count(), Screening.objects.count()
    assert outside.post(step_url(active, "screen"), {}).status_code == 404
    assert outside.post(step_url(active, "visit"), {"visited_on": dt.date.today().isoformat(),
                                           "situation": "Pretending to visit.", "risk": "low"}).status_code == 404
    assert outside.post(step_url(active, "profile"), {"reason": "x y", "risk": "low"}).status_code == 404
    active.refresh_from_db()
    assert active.risk == "medium" and not Visit.objects.exists()
    assert AuditEntry.objects.count() == audits and Screening.objects.count() == screenings


def test_revealing_the_bank_account_is_audited_and_shown_once(world: dict[str, Any], active: Youth) -> None:
    worker = client_for(world["worker"])
    response = post_step(worker, active, "sensitive", reason="bank card", bank_name="农业银行",
                         bank_account=BANK_ACCOUNT)
    assert "their own consent (PIPL art. 29)" in body(response)
    active.refresh_from_db()
    assert active.bank_account == ""
    post_step(worker, active, "consent", given_by=world["teen"].pk, sensitive="on")
    post_step(worker, active, "sensitive", reason="bank card", bank_name="农业银行", bank_account=BANK_ACCOUNT)
    active.refresh_from_db()
    assert active.bank_account == BANK_ACCOUNT
    page = body(worker.get(case_url(active)))
    assert BANK_ACCOUNT not in page and "**** 3445" in page
    response = worker.post(step_url(active, "reveal"), {"fields": ["bank"], "reason": "paying the grant"})
    assert response.status_code == 200 and BANK_ACCOUNT in body(response)
    read = AuditEntry.objects.get(action="reveal", object_id=str(active.pk))
    assert read.is_read and read.actor == world["worker"] and read.reason == "paying the grant"
    assert read.after == {"fields": ["bank"]}
    assert BANK_ACCOUNT not in body(worker.get(case_url(active)))


def test_an_observer_cannot_reveal_and_no_read_is_recorded(world: dict[str, Any], active: Youth) -> None:
    observer = client_for(world["observer"])
    page = body(observer.get(case_url(active)))
    assert '/reveal/"' not in page and '/profile/"' not in page
    response = post_step(observer, active, "reveal", fields=["bank"], reason="curious about it")
    assert "You do not have permission" in body(response)
    assert not AuditEntry.objects.filter(is_read=True).exists()


# --- aid applications -----------------------------------------------------------------------------------------


def test_living_assistance_and_education_are_applied_for_with_proof(world: dict[str, Any], active: Youth) -> None:
    worker = client_for(world["worker"])
    proof = SimpleUploadedFile("household.pdf", b"%PDF-1.4 household", content_type="application/pdf")
    response = post_step(worker, active, "apply", aid_type="living", year="2026", amount="1000",
                         reason="Mother's income fell.", proof=proof)
    assert "Saved." in body(response)
    living = Application.objects.get(youth=active, aid_type__code="living")
    assert living.requested_fen == 100_000 and living.status == "applied" and living.created_by == world["worker"]
    attachment = Attachment.objects.get(application=living)
    assert attachment.name == "household.pdf"
    download = worker.get(f"/youthaid/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download.getvalue() == b"%PDF-1.4 household"
    assert "attachment" in download["Content-Disposition"]
    assert client_for(world["outside"]).get(f"/youthaid/attachments/{attachment.pk}/").status_code == 404

    # Admitted to university: the life event sets the stage, and the education grant opens.
    today = dt.date.today().isoformat()
    post_step(worker, active, "life_event", kind="admitted", on=today, note="溧阳 → 南京大学")
    active.refresh_from_db()
    assert active.stage == "university" and active.status == CaseStatus.ACTIVE
    letter = SimpleUploadedFile("admission.jpg", b"\xff\xd8\xff\xe0letter", content_type="image/jpeg")
    post_step(worker, active, "apply", aid_type="education", year="2026", amount="6000", reason="Admitted to NJU.",
              proof=letter)
    education = Application.objects.get(youth=active, aid_type__code="education")
    assert education.requested_fen == 600_000 and education.attachments.count() == 1

    response = post_step(worker, active, "recommend", application=living.pk, recommend="yes", amount="",
                         note="Checked at the home visit.")
    living.refresh_from_db()
    assert living.status == "recommended" and living.recommended_fen == 100_000
    page = body(response)
    assert "¥1,000.00" in page and "¥6,000.00" in page and "household.pdf" in page


def test_a_bad_amount_is_refused_naming_the_rule_and_nothing_is_written(world: dict[str, Any],
                                                                        active: Youth) -> None:
    worker = client_for(world["worker"])
    audits = AuditEntry.objects.count()
    response = post_step(worker, active, "apply", aid_type="living", year="2026", amount="2500",
                         reason="Mother's income fell.")
    assert "Hardship grade 1 entitles to at most ¥1,000.00 of Living assistance; ¥2,500.00 was asked." \
        in body(response)
    response = post_step(worker, active, "apply", aid_type="living", year="2026", amount="一千",
                         reason="Mother's income fell.")
    assert "An amount is a number of yuan such as 1234.56." in body(response)
    response = post_step(worker, active, "apply", aid_type="education", year="2026", amount="6000",
                         reason="Not at university yet.",
                         proof=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf"))
    assert "record the admission first" in body(response)
    assert not Application.objects.exists() and not Attachment.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_a_medical_proof_needs_the_health_role_and_each_opening_is_audited(world: dict[str, Any],
                                                                           active: Youth) -> None:
    from django.core.files.base import ContentFile

    application = Application.objects.create(youth=active, aid_type=AidType.objects.get(code="medical"), year=2026,
                                             requested_fen=500_000, reason="Hospital stay.")
    bill = Attachment(application=application, name="bill.pdf", size=4)
    bill.file.save("bill.pdf", ContentFile(b"%PDF-1.4 bill"), save=True)
    url = f"/youthaid/attachments/{bill.pk}/"
    assert client_for(world["observer"]).get(url).status_code == 403
    assert not AuditEntry.objects.filter(is_read=True).exists()
    response = client_for(world["worker"]).get(url)
    assert response.status_code == 200 and response.getvalue() == b"%PDF-1.4 bill"
    read = AuditEntry.objects.get(is_read=True, action="reveal")
    assert read.actor == world["worker"] and read.reason == "opened proof bill.pdf"
    assert read.after == {"fields": ["attachment"]} and read.object_id == str(active.pk)


# --- screening appeal, hope parent, dream room --------------------------------------------------------------


def test_a_not_eligible_case_is_appealed_and_rescreened(world: dict[str, Any], active: Youth) -> None:
    worker = client_for(world["worker"])
    post_step(worker, active, "profile", reason="mother remarried", surviving_parent_status="remarried")
    response = post_step(worker, active, "screen")
    active.refresh_from_db()
    assert active.status == CaseStatus.NOT_ELIGIBLE
    assert "The surviving parent has remarried" in body(response) and '/appeal/"' in body(response)
    response = post_step(worker, active, "appeal", note="ab")
    assert "At least 4 characters" in body(response)
    active.refresh_from_db()
    assert active.status == CaseStatus.NOT_ELIGIBLE and active.appeal_note == ""
    post_step(worker, active, "appeal", note="The marriage was annulled in October.")
    active.refresh_from_db()
    assert active.status == CaseStatus.APPEALED
    post_step(worker, active, "profile", reason="annulled", surviving_parent_status="not_remarried")
    post_step(worker, active, "screen")
    latest = Screening.objects.filter(youth=active).first()
    assert latest is not None and latest.trigger == "appeal" and latest.outcome == "eligible"


def test_a_hope_parent_is_paired_contacted_and_unpaired_on_the_page(world: dict[str, Any], active: Youth) -> None:
    from ..models import Contact, Pairing, Volunteer

    volunteer = Volunteer.objects.create(name="周老师", phone="13900001111", place=world["city"]["liyang_town"],
                                         status="vetted")
    unvetted = Volunteer.objects.create(name="吴某", phone="13900002222", place=world["city"]["liyang_town"])
    worker = client_for(world["worker"])
    page = body(worker.get(case_url(active)))
    assert "周老师" in page and "吴某" not in page
    response = post_step(worker, active, "pair", volunteer=unvetted.pk)
    assert "Only a vetted volunteer" in body(response) and not Pairing.objects.exists()
    post_step(worker, active, "pair", volunteer=volunteer.pk)
    pairing = Pairing.objects.get(youth=active)
    assert pairing.volunteer == volunteer and pairing.ended_on is None
    post_step(worker, active, "contact", on=dt.date.today().isoformat(), kind="call", note="Talked about exams.")
    assert Contact.objects.get(pairing=pairing).note == "Talked about exams."
    post_step(worker, active, "unpair", reason="moved away")
    pairing.refresh_from_db()
    assert pairing.ended_on == dt.date.today()
    assert AuditEntry.objects.get(action="youthaid.unpair").reason == "moved away"


def test_a_dream_room_is_proposed_and_cancelled_on_the_page(world: dict[str, Any], active: Youth) -> None:
    from ..models import RoomProject

    worker = client_for(world["worker"])
    response = post_step(worker, active, "room", budget="0", contractor="溧阳装饰", before_note="Damp, no desk.")
    assert "An amount must be more than zero." in body(response) and not RoomProject.objects.exists()
    post_step(worker, active, "room", budget="5,000", contractor="溧阳装饰", before_note="Damp, no desk.")
    room = RoomProject.objects.get(youth=active)
    assert room.budget_fen == 500_000 and room.status == "proposed"
    assert 'value="approved"' in body(client_for(world["reviewer"]).get(case_url(active)))
    assert 'value="approved"' not in body(worker.get(case_url(active)))
    post_step(worker, active, "room_advance", room=room.pk, to="cancelled")
    room.refresh_from_db()
    assert room.status == "cancelled"


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.mark.parametrize("name, content", [("proof.html", POLYGLOT), ("proof.txt", b"any text"),
                                           ("proof.exe", b"MZ\x90\x00")])
def test_a_proof_that_is_not_a_scan_is_refused_and_nothing_is_written(world: dict[str, Any], active: Youth,
                                                                      name: str, content: bytes) -> None:
    audits = AuditEntry.objects.count()
    response = post_step(client_for(world["worker"]), active, "apply", aid_type="living", year="2026",
                         amount="1000", reason="Mother's income fell.",
                         proof=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert "checked by its content" in body(response)
    assert not Application.objects.exists() and not Attachment.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_every_proof_download_is_audited_and_sent_as_a_safe_attachment(world: dict[str, Any], active: Youth) -> None:
    worker = client_for(world["worker"])
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    post_step(worker, active, "apply", aid_type="living", year="2026", amount="1000", reason="Mother's income fell.",
              proof=SimpleUploadedFile("household.html", png, content_type="text/html"))
    attachment = Attachment.objects.get()
    response = worker.get(f"/youthaid/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    read = AuditEntry.objects.get(action="youthaid.download")
    assert read.is_read and read.actor == world["worker"] and read.object_id == str(attachment.pk)
    assert read.after == {"name": "household.html", "application": attachment.application_id, "youth": active.pk}
