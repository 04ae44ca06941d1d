"""Issue 13 and 11.7: any payload is survived, no alarm is lost to a device clock, a sequence gap is
seen, payload types are strict, and a gateway speaks only for the devices in its scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from ..ingest import Incoming, ingest
from ..models import Alarm, AlarmKind, DeadLetter, Device, DeviceState, Reading, SeqGap
from ..mqtt import expand
from .conftest import msg, raw

DEEP = b"[" * 7000 + b"]" * 7000  # 14 KB: under the size limit, far over any parser's nesting limit
EVENTS = "longcheng/v1/devices/WB-1/events"
GATEWAY = "longcheng/v1/gateways/gw/telemetry"


def _sos(**kwargs: Any) -> Incoming:
    return Incoming(raw(event="sos", **kwargs), topic=EVENTS)


# --- 13.2: one message neither wedges nor kills the worker -------------------------------------------------


def test_a_deeply_nested_event_is_a_dead_letter_and_the_sos_after_it_an_alarm(world: Any) -> None:
    result = ingest([Incoming(DEEP, topic=EVENTS), _sos()], source="mqtt")
    assert result.reasons == {"too_deep": 1} and result.raised == 1
    letter = DeadLetter.objects.get()
    assert letter.reason == "too_deep" and letter.topic == EVENTS and letter.payload.startswith("[[[")
    assert Alarm.objects.get().kind == AlarmKind.SOS


@pytest.mark.parametrize("payload", [DEEP, b'{"messages": [' + DEEP + b"]}",
                                     b'{"messages": [{"device": "WB-1", "metrics": ' + DEEP + b"}]}"])
def test_a_deeply_nested_gateway_batch_is_one_dead_letter_not_a_crash(world: Any, payload: bytes) -> None:
    incoming = expand(GATEWAY, payload)
    result = ingest([*incoming, *expand(GATEWAY, json.dumps({"messages": [msg(event="sos")]}).encode())],
                    source="mqtt")
    assert result.reasons == {"too_deep": 1} and result.raised == 1 and result.stored == 1


def test_a_batch_member_nested_too_deep_is_refused_alone(world: Any) -> None:
    members = [msg(hr=70), {"device": "WB-1", "seq": 1, "ts": 1, "metrics": {"a": json.loads("[" * 40 + "]" * 40)}},
               msg(hr=71)]
    result = ingest(expand(GATEWAY, json.dumps({"messages": members}).encode()), source="mqtt")
    assert result.stored == 2 and result.rejected == 1


@pytest.mark.parametrize(("payload", "reason"), [
    (b'{"device": "WB-1", "seq": 1, "ts": 1, "metrics": {"hr": NaN}}', "invalid_metrics"),
    (b'{"device": "WB-1", "seq": 1, "ts": 1, "metrics": {"temp": Infinity}}', "invalid_metrics"),
    (b'{"device": "WB-1", "seq": ' + b"9" * 5000 + b', "ts": 1}', "malformed_json"),
    (b'"' + b"\\" * 3000 + b'"', "invalid_envelope"),
])
def test_payloads_that_break_parsers_or_the_database_are_dead_letters(world: Any, payload: bytes, reason: str) -> None:
    result = ingest([Incoming(payload), _sos()], source="mqtt")
    assert result.reasons == {reason: 1} and result.raised == 1


# --- 13.3: the device clock never costs an alarm ----------------------------------------------------------


def test_an_iso_time_without_offset_is_utc(world: Any) -> None:
    naive = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)
    body = {"device": "WB-1", "seq": 77, "ts": naive.isoformat(), "event": "sos", "metrics": {}}
    result = ingest([Incoming(json.dumps(body), topic=EVENTS)], source="mqtt")
    assert result.raised == 1
    reading = Reading.objects.get(seq=77)
    assert abs((reading.device_time - timezone.now()).total_seconds()) < 60
    assert not Alarm.objects.filter(kind=AlarmKind.CLOCK_OFF).exists()


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=-11), dt.timedelta(hours=-8), dt.timedelta(minutes=6),
                                    dt.timedelta(hours=8)])
def test_an_sos_from_a_device_with_a_wrong_clock_raises_its_alarm_and_a_clock_warning(world: Any,
                                                                                   offset: dt.timedelta) -> None:
    result = ingest([_sos(ts=timezone.now() + offset)], source="mqtt")
    assert result.raised >= 1
    sos = Alarm.objects.get(kind=AlarmKind.SOS)
    assert abs(sos.detail["clock_offset_s"] - offset.total_seconds()) < 60
    clock = Alarm.objects.get(kind=AlarmKind.CLOCK_OFF)
    assert clock.device_id == world["band"].pk and abs(clock.detail["offset_s"] - offset.total_seconds()) < 60
    assert not DeadLetter.objects.filter(reason="time_in_future").exists()
    state = DeviceState.objects.get(device=world["band"])
    assert state.clock_offset_s is not None and abs(state.clock_offset_s - offset.total_seconds()) < 60


def test_the_clock_warning_clears_when_the_clock_is_right_again(world: Any) -> None:
    ingest([Incoming(raw(ts=timezone.now() - dt.timedelta(hours=8), hr=70))], source="mqtt")
    clock = Alarm.objects.get(kind=AlarmKind.CLOCK_OFF)
    ingest([Incoming(raw(hr=71))], source="mqtt")
    clock.refresh_from_db()
    assert not clock.is_open


def test_a_reading_from_a_clock_far_ahead_is_kept_as_a_dead_letter_and_warns(world: Any) -> None:
    result = ingest([Incoming(raw(ts=timezone.now() + dt.timedelta(days=2), hr=70))], source="mqtt")
    assert result.reasons == {"time_in_future": 1}
    assert Alarm.objects.filter(kind=AlarmKind.CLOCK_OFF, device=world["band"]).exists()


def test_the_example_of_the_docs_raises_an_alarm(world: Any) -> None:
    """The envelope shown in docs/homesafety.md (device time of November 2025), as it is."""
    body = dict(_docs_example())
    Device.objects.create(serial=body["device"], kind="wristband", enrollee=world["enrollee"])
    result = ingest([Incoming(json.dumps(body), topic=f"longcheng/v1/devices/{body['device']}/events")], source="mqtt")
    assert result.raised >= 1 and Alarm.objects.filter(kind=AlarmKind.SOS).exists()


def _docs_example() -> dict[str, Any]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[4] / "docs" / "homesafety.md").read_text(encoding="utf-8")
    block = text.split("Every device message has one envelope:", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    return dict(json.loads(block))


# --- 13.8: strict types --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "reason"), [
    (msg(hr=True), "invalid_metrics"),
    (msg(hr="72"), "invalid_metrics"),
    (msg(battery=80.0), "invalid_metrics"),
    (msg(worn=1), "invalid_metrics"),
    (msg(temp=False), "invalid_metrics"),
    ({"device": "WB-1", "seq": "17", "ts": 1}, "invalid_envelope"),
    ({"device": "WB-1", "seq": True, "ts": 1}, "invalid_envelope"),
    ({"device": "WB-1", "seq": 18, "ts": True}, "invalid_envelope"),
    ({"device": "WB-1", "seq": 19, "ts": 1.5e12}, "invalid_envelope"),
    ({"device": "WB-1", "seq": 20, "ts": "now"}, "invalid_time"),
])
def test_booleans_are_not_numbers_and_numbers_are_not_strings(world: Any, body: dict[str, Any], reason: str) -> None:
    result = ingest([Incoming(json.dumps(body))], source="mqtt")
    assert result.reasons == {reason: 1}
    assert not Reading.objects.exists() and not Alarm.objects.exists()


def test_a_whole_temperature_is_still_a_temperature(world: Any) -> None:
    assert ingest([Incoming(raw(temp=36, hr=72))], source="mqtt").stored == 1


# --- 11.7: a gateway speaks only for the devices in its scope ----------------------------------------------


@pytest.fixture
def stranger(world: Any, rid: Any) -> Device:
    """A device of a person in 剑湖社区, outside a gateway scoped to 上书房社区."""
    from longcheng.kernel.people.models import Resident

    from ..models import Enrollee

    person = Resident.objects.create(resident_id=rid(birth="19400101", seq=6), name="赵大爷", gender="M",
                                     birth_date="1940-01-01", place=world["city"]["b"], address="剑湖路2号")
    return Device.objects.create(serial="WB-9", kind="wristband", enrollee=Enrollee.objects.create(person=person))


@pytest.fixture
def gw_a(world: Any, make_user: Any) -> Any:
    return make_user("gw-a", {"homesafety_gateway": [world["city"]["a"]]})


def test_a_gateway_cannot_raise_an_alarm_for_a_device_outside_its_scope(world: Any, stranger: Device, gw_a: Any) -> None:
    Device.objects.create(serial="WB-LOOSE", kind="wristband")  # bound to nobody: in nobody's scope
    batch = {"messages": [msg(device="WB-9", event="sos"), msg(device="WB-LOOSE", hr=70), msg(event="sos")]}
    result = ingest(expand("longcheng/v1/gateways/gw-a/telemetry", json.dumps(batch).encode()), source="mqtt")
    assert result.reasons == {"device_out_of_scope": 2} and result.stored == 1
    assert [a.device.serial for a in Alarm.objects.all()] == ["WB-1"]
    assert not Reading.objects.filter(device__serial__in=["WB-9", "WB-LOOSE"]).exists()
    assert set(DeadLetter.objects.values_list("device_serial", flat=True)) == {"WB-9", "WB-LOOSE"}


def test_an_unknown_gateway_is_refused(world: Any) -> None:
    batch = {"messages": [msg(event="sos")]}
    result = ingest(expand("longcheng/v1/gateways/nobody/telemetry", json.dumps(batch).encode()), source="mqtt")
    assert result.reasons == {"unknown_gateway": 1} and not Reading.objects.exists() and not Alarm.objects.exists()


def test_the_http_gateway_is_held_to_its_scope_too(world: Any, stranger: Device, gw_a: Any) -> None:
    from django.test import Client

    from longcheng.kernel.access.models import ApiToken

    _t, token = ApiToken.issue(gw_a, "test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/homesafety/telemetry", json.dumps({"messages": [msg(device="WB-9", event="sos"), msg(hr=70)]}),
        content_type="application/json")
    assert response.status_code == 200
    assert response.json()["errors"] == [{"index": 0, "reason": "device_out_of_scope",
                                          "detail": response.json()["errors"][0]["detail"]}]
    assert not Alarm.objects.exists() and Reading.objects.get().device_id == world["band"].pk


def test_a_burned_sequence_number_does_not_silence_the_real_sos(world: Any, stranger: Device, gw_a: Any) -> None:
    """Another community's gateway cannot burn WB-9's numbers; WB-1's own gateway writing seq 501
    first does not make the device's real SOS with seq 501 a duplicate."""
    burn = {"messages": [msg(device="WB-9", seq=s, hr=70) for s in range(500, 510)]}
    ingest(expand("longcheng/v1/gateways/gw-a/telemetry", json.dumps(burn).encode()), source="mqtt")
    assert not Reading.objects.filter(device=stranger).exists()
    ingest([Incoming(raw(device="WB-9", seq=501, event="sos"), topic="longcheng/v1/devices/WB-9/events")],
           source="mqtt")
    assert Alarm.objects.filter(device=stranger, kind=AlarmKind.SOS).exists()

    burned = json.dumps({"messages": [msg(seq=501, hr=70)]}).encode()
    ingest(expand(GATEWAY, burned), source="mqtt")
    result = ingest([Incoming(raw(seq=501, event="sos"), topic=EVENTS)], source="mqtt")
    assert result.raised == 1 and Alarm.objects.filter(device=world["band"], kind=AlarmKind.SOS).exists()
    letter = DeadLetter.objects.get(device_serial="WB-1")
    assert letter.reason == "seq_conflict" and '"sos"' in letter.payload
    # A true repeat of a stored message is still only a duplicate.
    again = ingest(expand(GATEWAY, burned), source="mqtt")
    assert again.duplicates == 1 and again.rejected == 0


# --- 13.4: a gap in the sequence is seen ---------------------------------------------------------------------


def _pending(device: Device) -> list[tuple[int, int]]:
    return [(g[0], g[1]) for g in DeviceState.objects.get(device=device).pending_gaps]


def test_a_gap_in_the_sequence_is_recorded_and_filled_by_late_arrivals(world: Any) -> None:
    ingest([Incoming(raw(seq=s, hr=70)) for s in (100, 101, 105, 106, 110)], source="mqtt")
    assert _pending(world["band"]) == [(102, 104), (107, 109)]
    ingest([Incoming(raw(seq=103, hr=70)), Incoming(raw(seq=108, hr=70)), Incoming(raw(seq=109, hr=70))],
           source="mqtt")
    assert _pending(world["band"]) == [(102, 102), (104, 104), (107, 107)]
    assert DeviceState.objects.get(device=world["band"]).max_seq == 110
    # After the grace the rest is recorded, and a straggler still lowers what is missing.
    from ..jobs import warn_gaps

    warn_gaps(timezone.now() + dt.timedelta(minutes=5))
    assert _pending(world["band"]) == []
    ingest([Incoming(raw(seq=104, hr=70))], source="mqtt")
    found = SeqGap.objects.filter(device=world["band"]).order_by("first_seq")
    assert [(g.first_seq, g.last_seq, g.count, g.missing) for g in found] == [(102, 102, 1, 1), (104, 104, 1, 0),
                                                                             (107, 107, 1, 1)]


def test_a_gap_still_open_after_the_grace_is_a_console_warning(world: Any) -> None:
    from ..jobs import warn_gaps

    ingest([Incoming(raw(seq=s, hr=70)) for s in (200, 204)], source="mqtt")
    assert warn_gaps(timezone.now()) == 0  # a reordered stream fills most gaps within seconds
    assert warn_gaps(timezone.now() + dt.timedelta(minutes=5)) == 1
    alarm = Alarm.objects.get(kind=AlarmKind.MESSAGES_MISSING)
    assert alarm.device_id == world["band"].pk and alarm.detail["missing"] == 3
    gap = SeqGap.objects.get(device=world["band"])
    assert (gap.first_seq, gap.last_seq, gap.missing) == (201, 203, 3) and gap.warned_at is not None
    assert warn_gaps(timezone.now() + dt.timedelta(minutes=6)) == 0


def test_the_device_page_shows_gaps_and_the_clock(world: Any, client: Any) -> None:
    ingest([Incoming(raw(seq=s, hr=70, ts=timezone.now() - dt.timedelta(hours=3))) for s in (300, 310)],
           source="mqtt")
    client.force_login(world["operator"])
    page = client.get(f"/homesafety/devices/{world['band'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "301" in text and "309" in text and "WB-1" in text
    assert "时钟偏差：比平台时钟差 -180.0 分钟" in text  # the device clock, 3 h behind
    client.force_login(world["other_op"])
    assert client.get(f"/homesafety/devices/{world['band'].pk}/").status_code == 404


def test_the_operations_figures_count_missing_messages(world: Any) -> None:
    from ..jobs import warn_gaps
    from ..views import panel_figures

    ingest([Incoming(raw(seq=s, hr=70)) for s in (400, 405)], source="mqtt")
    warn_gaps(timezone.now() + dt.timedelta(minutes=5))
    from django.utils.translation import gettext

    label = gettext("Messages missing, 24 h")
    assert {str(f.label): f.value for f in panel_figures(world["operator"])}[label] == 4
    assert {str(f.label): f.value for f in panel_figures(world["other_op"])}[label] == 0


# --- a member only the database refuses ------------------------------------------------------------------


class _ProbeMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    note: str | None = None  # a free text: PostgreSQL's jsonb refuses the NUL character in it


def _probe_type() -> str:
    """A device type with a text reading, declared through the same call a new type uses."""
    from ..devices import DEVICE_TYPES, DeviceType, register_device_type

    if "test_probe" not in DEVICE_TYPES:
        register_device_type(DeviceType(code="test_probe", label="probe", metrics=_ProbeMetrics, heartbeat_seconds=60,
                                        events=frozenset({"sos"}), urgent=frozenset({"sos"}), rules=("sos",)))
    return "test_probe"


@pytest.mark.postgres
def test_a_member_the_database_refuses_costs_only_itself(world: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores the NUL character; the PostgreSQL pass runs this")
    Device.objects.create(serial="PR-1", kind=_probe_type(), enrollee=world["enrollee"])
    poison = json.dumps({"device": "PR-1", "seq": 1, "ts": timezone.now().isoformat(), "metrics": {"note": "a\u0000b"}})
    batch = [Incoming(raw(hr=70)), Incoming(poison), _sos()]
    result = ingest(batch, source="mqtt")
    assert result.stored == 2 and result.raised == 1 and result.reasons == {"internal_error": 1}
    assert result.errors[0]["index"] == 1
    letter = DeadLetter.objects.get()
    assert letter.reason == "internal_error" and letter.device_serial == "PR-1" and "note" in letter.payload
    assert not Reading.objects.filter(device__serial="PR-1").exists()


def test_a_deeply_nested_http_batch_is_refused_not_a_server_error(world: Any) -> None:
    from django.test import Client

    from longcheng.kernel.access.models import ApiToken

    _t, token = ApiToken.issue(world["gateway"], "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
    for body in (b'{"messages": [' + DEEP + b"]}", b'{"messages": [{"device": "WB-1", "metrics": ' + DEEP + b"}]}"):
        response = client.post("/api/v1/homesafety/telemetry", body, content_type="application/json")
        assert 400 <= response.status_code < 500 or response.json()["reasons"] == {"too_deep": 1}
    assert not Reading.objects.exists()
