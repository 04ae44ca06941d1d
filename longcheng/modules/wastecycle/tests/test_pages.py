"""wastecycle's pages and API: a refusal shows the page again naming the field, with what was typed,
and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from longcheng.modules.wastecycle.models import Attendance, Ticket, Weighing

from .support import make_school, make_station


@pytest.fixture
def world(city: dict[str, Any], make_user: Any) -> dict[str, Any]:
    school = make_school(city["a"])
    station = make_station(city["yaoguan"])
    teacher = make_user("teacher", {"wastecycle_teacher": [city["a"]]})
    operator = make_user("operator", {"wastecycle_operator": [city["yaoguan"]]})
    return {"school": school, "station": station, "teacher": teacher, "operator": operator}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_a_teacher_weighs_a_class_and_a_refusal_names_the_field(world: dict[str, Any]) -> None:
    client = _client(world["teacher"])
    klass = world["school"]["classes"][0]
    url = f"/wastecycle/classes/{klass.pk}/weigh/"
    refused = client.post(url, {"day": "2026-11-02", "meal": "lunch", "diners": "38", "grams": "999999"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="error-weigh-grams"' in text and "剩饭重量" in text and 'value="38"' in text
    assert Weighing.objects.count() == 0 and Attendance.objects.count() == 0
    done = client.post(url, {"day": "2026-11-02", "meal": "lunch", "diners": "38", "grams": "1900"})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "50.0" in page  # 1900 g / 38 diners
    other = client.post(url, {"day": "2026-11-02", "meal": "lunch", "diners": "38", "grams": "2000"})
    assert other.status_code == 409 and 'id="error-weigh-grams"' in other.content.decode()
    assert list(Weighing.objects.values_list("grams", flat=True)) == [1900]
    school = client.get("/wastecycle/").content.decode()
    assert "<svg" in school and klass.name in school and "未排名" in school


def test_the_operator_writes_a_ticket_and_sees_the_month(world: dict[str, Any]) -> None:
    client = _client(world["operator"])
    station = world["station"]
    body = {"ticket_key": "WB-9", "vehicle": "苏D9", "source_name": "菜场", "stream": "market", "gross_kg": "8000",
            "gross_at": "2026-11-02T08:00", "tare_kg": "9000", "tare_at": "2026-11-02T08:20"}
    refused = client.post(f"/wastecycle/stations/{station.pk}/tickets/", body)
    assert refused.status_code == 400 and 'id="error-ticket-tare_kg"' in refused.content.decode()
    assert Ticket.objects.count() == 0
    assert client.post(f"/wastecycle/stations/{station.pk}/tickets/", {**body, "tare_kg": "6000"}).status_code == 302
    month = client.get(f"/wastecycle/stations/{station.pk}/month/?month=2026-11").content.decode()
    assert 'class="sankey"' in month and "2,000 kg" in month
    assert client.get(f"/wastecycle/stations/{station.pk}/").status_code == 200


def test_the_scale_and_the_weighbridge_post_over_the_api(world: dict[str, Any]) -> None:
    klass = world["school"]["classes"][1]
    scale = _client(world["teacher"])
    body = {"klass": klass.pk, "day": "2026-11-02", "meal": "lunch", "grams": 1000, "diners": 30}
    first = scale.post("/api/v1/wastecycle/weighings", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["grams_per_diner"] == "33.3"
    assert scale.post("/api/v1/wastecycle/weighings", body, content_type="application/json").json()["id"] == \
        first.json()["id"]
    clash = scale.post("/api/v1/wastecycle/weighings", {**body, "grams": 1001}, content_type="application/json")
    assert clash.status_code == 409 and clash.json()["field"] == "klass"
    bridge = _client(world["operator"])
    url = f"/api/v1/wastecycle/stations/{world['station'].pk}/tickets"
    ticket = {"key": "WB-1", "vehicle": "苏D1", "source_name": "上书房社区", "stream": "kitchen", "gross_kg": "9000",
              "tare_kg": "6000", "gross_at": "2026-11-02T08:00:00+08:00", "tare_at": "2026-11-02T08:30:00+08:00"}
    made = bridge.post(url, ticket)
    assert made.status_code == 201 and made.json()["net_kg"] == 3000
    assert bridge.post(url, ticket).status_code == 200
    reused = bridge.post(url, {**ticket, "gross_kg": "9100"})
    assert reused.status_code == 409 and reused.json()["field"] == "key"
    reversal = bridge.post(f"/api/v1/wastecycle/tickets/{made.json()['id']}/reverse", {"reason": "重复过磅"},
                           content_type="application/json")
    assert reversal.status_code == 201 and reversal.json()["net_kg"] == -3000
    balance = bridge.get(f"/api/v1/wastecycle/stations/{world['station'].pk}/balance?month=2026-11").json()
    assert balance["inflow"]["kitchen"] == 0 and balance["closes"]
    assert scale.post(url, ticket).status_code == 403
    assert Ticket.objects.count() == 2
