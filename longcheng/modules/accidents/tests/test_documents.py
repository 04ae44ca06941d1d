"""The report page's steps at their own URLs (a refused step keeps the typing), the agreement PDF
only once both have signed, and the photos served to the parties, the officer and the insurer only."""

from __future__ import annotations

import io
import zlib
from typing import Any

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.accidents import actions
from longcheng.modules.accidents.models import Party, Photo, Report

from .conftest import details, jpeg


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed(build: Any, people: dict[str, Any]) -> Report:
    report = build(["rear_end"], [])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    for side in ("a", "b"):
        actions.do_sign_agreement(report, acting_user=people[side])
    report.refresh_from_db()
    return report


def test_a_refused_confirmation_keeps_what_the_driver_typed_and_changes_nothing(build: Any,
                                                                                people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    body = {**details(people, "A"), "insurer": people["insurers"]["pingan"].pk, "loss_fen": "12.345"}
    before = list(Party.objects.order_by("pk").values())
    response = _client(people["a"]).post(reverse("accidents:confirm", args=[report.pk]), body)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="苏D12345"' in page and 'value="P-A-001"' in page and 'value="12.345"' in page
    assert 'id="error-loss_fen"' in page
    assert list(Party.objects.order_by("pk").values()) == before


def test_each_step_posts_to_its_own_url_and_a_get_is_refused(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    client = _client(people["a"])
    body = {**details(people, "A"), "insurer": people["insurers"]["pingan"].pk, "loss_fen": "1500"}
    assert client.get(reverse("accidents:confirm", args=[report.pk])).status_code == 405
    assert client.post(reverse("accidents:confirm", args=[report.pk]), body).status_code == 302
    party = Party.objects.get(report=report, side="A")
    assert party.confirmed_at is not None and party.loss_fen == 150_000 and party.plate == "苏D12345"
    assert client.post(reverse("accidents:tick", args=[report.pk]), {"circumstances": ["rear_end"]}).status_code == 302
    party.refresh_from_db()
    assert party.circumstances == ["rear_end"]
    upload = jpeg("step")
    assert client.post(reverse("accidents:photo", args=[report.pk]), {"shot": "front", "photo": upload}).status_code == 302
    assert Photo.objects.filter(report=report, party=party, shot="front").count() == 1


def test_no_agreement_before_both_have_signed(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    actions.do_sign_agreement(report, acting_user=people["a"])
    response = _client(people["a"]).get(reverse("accidents:agreement", args=[report.pk]))
    assert response.status_code == 409
    assert not AuditEntry.objects.filter(action="accidents.agreement.download").exists()


def test_the_agreement_names_both_parties_and_the_liability_and_masks_the_other_drivers_licence(
        build: Any, people: dict[str, Any]) -> None:
    report = _signed(build, people)
    response = _client(people["a"]).get(reverse("accidents:agreement", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    own, other = details(people, "A")["licence_no"], details(people, "B")["licence_no"]
    assert str(report.pk) in text and "苏D12345" in text and own in text
    assert other not in text, "the other driver's licence number is masked on A's copy"
    assert "全部" in text and "无" in text
    assert AuditEntry.objects.filter(action="accidents.agreement.download", actor=people["a"]).count() == 1
    insurer = _client(people["pingan"]).get(
        reverse("accidents:claim_agreement", args=[report.handoffs.get(insurer__code="pingan").pk]))
    assert insurer.status_code == 200


def test_photos_go_to_the_parties_the_officer_and_the_insurer_only(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    shot = actions.do_add_photo(report, shot="front", upload=jpeg("scene"), taken_at=None, lat=None, lon=None,
                                acting_user=people["b"])
    report = _signed_from_paired(report, people)
    handoff = report.handoffs.get(insurer__code="pingan")
    urls = {
        "a": reverse("accidents:photo_file", args=[report.pk, shot.pk]),
        "officer": reverse("accidents:review_photo", args=[report.pk, shot.pk]),
        "pingan": reverse("accidents:claim_photo", args=[handoff.pk, shot.pk]),
    }
    for who, url in urls.items():
        response = _client(people[who]).get(url)
        assert response.status_code == 200, who
        body = response.getvalue()
        assert zlib.crc32(body) == zlib.crc32(b"\xff\xd8\xff\xe0" + b"scene" * 64)
        assert response["X-Content-Type-Options"] == "nosniff"
    assert _client(people["c"]).get(urls["a"]).status_code == 404
    other = report.handoffs.get(insurer__code="renbao")
    assert _client(people["pingan"]).get(reverse("accidents:claim_photo", args=[other.pk, shot.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="accidents.photo.download").count() == 3


def _signed_from_paired(report: Report, people: dict[str, Any]) -> Report:
    for side in ("A", "B"):
        actions.do_confirm_party(report, details(people, side), acting_user=people[side.lower()])
    actions.do_tick_circumstances(report, ["rear_end"], acting_user=people["a"])
    actions.do_tick_circumstances(report, [], acting_user=people["b"])
    actions.do_submit_report(report, acting_user=people["a"])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    for side in ("a", "b"):
        actions.do_sign_agreement(report, acting_user=people[side])
    report.refresh_from_db()
    return report


def test_every_mistake_in_the_confirmation_is_shown_at_once_by_its_field(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    body = {**details(people, "A"), "insurer": people["insurers"]["pingan"].pk,
            "phone": "12345", "licence_no": "abc", "loss_fen": "一千"}
    response = _client(people["a"]).post(reverse("accidents:confirm", args=[report.pk]), body)
    assert response.status_code == 400
    form = response.context["party_form"]
    assert set(form.errors) == {"phone", "licence_no", "loss_fen"}
    assert Party.objects.get(report=report, side="A").confirmed_at is None
