"""The pages: a case received and converted through the forms, the phone check-in refused outside the
zone with its reason and accepted inside, and the API's calculator and refusals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from longcheng.kernel.access.models import ApiToken
from longcheng.modules.ecorestore.models import Case, Obligation, Shift

from .support import INSIDE, OUTSIDE, make_base, make_rates, staff


@pytest.fixture
def prosecutor(city: dict[str, Any]) -> Any:
    make_rates()
    return staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _receive(client: Client, city: dict[str, Any], **change: str) -> Any:
    return client.post("/ecorestore/open/", {
        "number": "JK-2024-021", "title": "非法捕捞", "source": "court", "source_organ": "常州经开区人民法院",
        "legal_basis": "规定", "place": city["a"].pk, "party_name": "王某", "party_kind": "person",
        "opened_on": "2024-06-10", "decided_on": "2024-07-01", "head_service_loss": "2,000", **change})


def test_a_case_received_and_converted_through_the_forms(city: dict[str, Any], prosecutor: Any) -> None:
    client = _client(prosecutor)
    refused = _receive(client, city, head_service_loss="abc")
    assert refused.status_code == 400 and not Case.objects.exists()
    assert _receive(client, city).status_code == 302
    case = Case.objects.get()
    assert (case.stage, case.damage_fen) == ("lawsuit", 200_000)
    page = client.get(f"/ecorestore/cases/{case.pk}/?quote=200").content.decode()
    assert "9" in page and "198.00" in page  # 200 yuan: 9 hours at 22 yuan, 198 yuan offset
    client.post(f"/ecorestore/cases/{case.pk}/advance/", {"stage": "restoration", "on": "2024-07-02"})
    no_consent = client.post(f"/ecorestore/cases/{case.pk}/convert/", {
        "amount": "200", "hardship": "低保户证明", "due_on": "2024-12-31"})
    assert no_consent.status_code == 400 and not Obligation.objects.exists()
    client.post(f"/ecorestore/cases/{case.pk}/convert/", {
        "amount": "200", "consent": "on", "hardship": "低保户证明", "due_on": "2024-12-31"})
    assert list(Obligation.objects.values_list("hours_owed", "amount_offset_fen")) == [(9, 19_800)]


def test_the_phone_check_in_refuses_outside_the_zone_and_accepts_inside(city: dict[str, Any], prosecutor: Any) -> None:
    zones = make_base(city)
    supervisor = staff("supervisor", {"ecorestore_supervisor": [zones["labour"].place]})
    client = _client(prosecutor)
    _receive(client, city)
    case = Case.objects.get()
    client.post(f"/ecorestore/cases/{case.pk}/advance/", {"stage": "restoration", "on": "2024-07-02"})
    client.post(f"/ecorestore/cases/{case.pk}/convert/", {
        "amount": "200", "consent": "on", "hardship": "低保户证明", "due_on": "2024-12-31"})
    start = timezone.localtime().replace(second=0, microsecond=0)
    booked = client.post(f"/ecorestore/cases/{case.pk}/book/", {
        "obligation": Obligation.objects.get().pk, "zone": zones["labour"].pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "hours": "4"})
    assert booked.status_code == 302
    shift = Shift.objects.get()
    phone = _client(supervisor)
    url = f"/ecorestore/shifts/{shift.pk}/"
    assert "check-in-form" in phone.get(url).content.decode()
    outside = phone.post(url + "check-in/", {"lat": OUTSIDE[0], "lon": OUTSIDE[1]})
    assert outside.status_code == 400 and 'id="error-location"' in outside.content.decode()
    assert Shift.objects.get().state == "booked" and Shift.objects.get().checked_in_at is None
    assert phone.post(url + "check-in/", {"lat": INSIDE[0], "lon": INSIDE[1]}).status_code == 302
    assert Shift.objects.get().state == "checked_in"


def test_the_api_calculator_and_a_refusal_shape(city: dict[str, Any], prosecutor: Any) -> None:
    _t, raw = ApiToken.issue(prosecutor, "test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"number": "JK-2024-031", "title": "滥伐林木", "source": "court", "source_organ": "常州经开区人民法院",
            "legal_basis": "规定", "place": city["a"].code, "party_name": "赵某", "party_kind": "person",
            "opened_on": "2024-06-10", "decided_on": "2025-10-08", "heads": {"service_loss": 100_000}}
    bad = api.post("/api/v1/ecorestore/cases", json.dumps({**body, "heads": {"service_loss": -1}}),
                   content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "heads" and not Case.objects.exists()
    made = api.post("/api/v1/ecorestore/cases", json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["money_owed_fen"] == 100_000
    quote = api.get(f"/api/v1/ecorestore/cases/{made.json()['id']}/quote?amount_fen=10000").json()
    assert quote == {"amount_fen": 10_000, "rate_from": str(dt.date(2025, 10, 1)), "fen_per_hour": 2450,
                     "hours": 4, "amount_offset_fen": 9_800, "remainder_fen": 200}
