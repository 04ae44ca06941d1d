"""The ingest path: store once, keep bad messages with their reason, never a stale alarm."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..ingest import Incoming, ingest
from ..models import Alarm, AlarmKind, DeadLetter, DeviceState, Reading, Severity
from .conftest import msg, raw


def test_a_reading_is_stored_and_becomes_the_latest_state(world: Any) -> None:
    result = ingest([Incoming(raw(hr=72, battery=80, lat=31.7246, lon=120.0683))], source="mqtt")
    assert (result.stored, result.rejected, result.raised) == (1, 0, 0)
    state = DeviceState.objects.get(device=world["band"])
    assert state.metrics["hr"] == 72 and state.online and state.lat == 31.7246
    reading = Reading.objects.get(device=world["band"])
    assert reading.received_at >= reading.device_time - dt.timedelta(seconds=1)


def test_the_same_reading_twice_is_stored_once(world: Any) -> None:
    body = msg(seq=7, hr=70)
    first = ingest([Incoming(json.dumps(body))], source="mqtt")
    again = ingest([Incoming(json.dumps(body)), Incoming(json.dumps(body))], source="mqtt")
    assert first.stored == 1 and again.stored == 0 and again.duplicates == 2
    assert Reading.objects.filter(device=world["band"], seq=7).count() == 1


BAD_MESSAGES = [
    (b"\xff\xfe not json", "malformed_json"),
    (b"[1, 2]", "invalid_envelope"),
    (json.dumps({"device": "WB-1", "ts": "2026-01-01T00:00:00+08:00"}).encode(), "invalid_envelope"),
    (json.dumps({"device": "WB-1", "seq": "x", "ts": 1}).encode(), "invalid_envelope"),
    (json.dumps(msg(device="NOPE-9", hr=70)).encode(), "unknown_device"),
    (json.dumps(msg(hr="fast")).encode(), "invalid_metrics"),
    (json.dumps(msg(hr=10**9)).encode(), "invalid_metrics"),
    (json.dumps(msg(colour="red")).encode(), "invalid_metrics"),
    (json.dumps(msg(event="dance")).encode(), "unknown_event"),
    (json.dumps(msg(ts=timezone.now() + dt.timedelta(days=2), hr=70)).encode(), "time_in_future"),
    (b"{" * 20_000, "too_large"),
    (b"\x00\x01 binary", "malformed_json"),  # PostgreSQL text cannot hold NUL: kept escaped
    (json.dumps({"device": "WB\u0000", "seq": 1, "ts": 1}).encode(), "invalid_envelope"),
]


# Ids by position: some payloads carry the clock, and parallel workers must collect the same names.
@pytest.mark.parametrize(("payload", "reason"), BAD_MESSAGES,
                         ids=[f"{n}-{reason}" for n, (_payload, reason) in enumerate(BAD_MESSAGES)])
def test_a_bad_message_is_kept_with_its_reason_and_the_batch_goes_on(world: Any, payload: bytes, reason: str) -> None:
    result = ingest([Incoming(payload), Incoming(raw(hr=71))], source="mqtt")
    assert result.stored == 1 and result.rejected == 1 and result.reasons == {reason: 1}
    letter = DeadLetter.objects.get()
    assert letter.reason == reason and letter.payload
    assert result.errors[0]["index"] == 0


def test_a_topic_must_name_the_device_of_the_payload(world: Any) -> None:
    result = ingest([Incoming(raw(hr=70), topic="longcheng/v1/devices/WB-2/telemetry")], source="mqtt")
    assert result.reasons == {"topic_mismatch": 1} and not Reading.objects.exists()


def test_nothing_is_announced_before_the_commit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from longcheng.kernel.notify.models import Message

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ingest([Incoming(raw(event="sos"))], source="mqtt")
    assert callbacks and not Message.objects.exists()


def test_an_sos_raises_one_critical_alarm_and_repeats_only_count(world: Any) -> None:
    first = ingest([Incoming(raw(event="sos"))], source="mqtt")
    ingest([Incoming(raw(event="sos")), Incoming(raw(event="sos"))], source="mqtt")
    alarm = Alarm.objects.get()
    assert first.raised == 1
    assert alarm.kind == AlarmKind.SOS and alarm.severity == Severity.CRITICAL and alarm.count == 3
    assert alarm.enrollee == world["enrollee"]


def test_an_sos_tells_the_operator_and_texts_the_family(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from longcheng.kernel.notify.models import Message

    with django_capture_on_commit_callbacks(execute=True):
        ingest([Incoming(raw(event="sos"))], source="mqtt")
    assert Message.objects.exists()
    sent = {(m.channel, m.recipient_user.username if m.recipient_user else m.address) for m in Message.objects.all()}
    assert ("inapp", "op") in sent  # the duty operator in scope
    assert ("sms", "13900139000") in sent  # the daughter, her recorded family contact
    assert ("inapp", "family") in sent  # and her family account
    assert ("inapp", "other_op") not in sent  # the operator of another community is not told


def test_an_out_of_order_reading_is_stored_but_changes_no_state(world: Any) -> None:
    now = timezone.now()
    ingest([Incoming(raw(ts=now, hr=70))], source="mqtt")
    ingest([Incoming(raw(ts=now - dt.timedelta(minutes=5), hr=150)) for _ in range(5)], source="mqtt")
    state = DeviceState.objects.get(device=world["band"])
    assert state.metrics["hr"] == 70
    assert Reading.objects.filter(device=world["band"]).count() == 6
    assert not Alarm.objects.exists()


def test_a_late_sos_still_raises_its_alarm_but_a_late_removal_raises_nothing(world: Any) -> None:
    """Issue 13.3: an SOS is never dropped for its time stamp (a slow clock looks the same as a
    message queued for two hours); the alarm carries the offset."""
    late = timezone.now() - dt.timedelta(hours=2)
    result = ingest([Incoming(raw(ts=late, event="sos")), Incoming(raw(ts=late, event="removed"))], source="mqtt")
    assert result.stored == 2
    assert set(Alarm.objects.values_list("kind", flat=True)) == {AlarmKind.SOS, AlarmKind.CLOCK_OFF}
    assert abs(Alarm.objects.get(kind=AlarmKind.SOS).detail["clock_offset_s"] + 7200) < 60


def test_heart_rate_alarm_clears_itself_if_nobody_acknowledged_it(world: Any) -> None:
    now = timezone.now() - dt.timedelta(minutes=10)
    ingest([Incoming(raw(ts=now + dt.timedelta(seconds=i), hr=140)) for i in range(3)], source="mqtt")
    alarm = Alarm.objects.get(kind=AlarmKind.HEART_RATE)
    assert alarm.is_open
    ingest([Incoming(raw(ts=now + dt.timedelta(seconds=10 + i), hr=80)) for i in range(3)], source="mqtt")
    alarm.refresh_from_db()
    assert not alarm.is_open and alarm.outcome == "cleared" and alarm.events.filter(step="auto_resolved").exists()


def test_a_critical_alarm_is_never_closed_by_the_device(world: Any) -> None:
    ingest([Incoming(raw(device="SM-1", smoke=True))], source="mqtt")
    ingest([Incoming(raw(device="SM-1", smoke=False))], source="mqtt")
    alarm = Alarm.objects.get(kind=AlarmKind.SMOKE)
    assert alarm.is_open and alarm.cleared_at is not None


def test_rule_state_survives_a_restart(world: Any) -> None:
    """Two bad readings, then (as after a restart: nothing in memory) the third raises."""
    now = timezone.now() - dt.timedelta(minutes=5)
    ingest([Incoming(raw(ts=now + dt.timedelta(seconds=i), hr=140)) for i in range(2)], source="mqtt")
    assert DeviceState.objects.get(device=world["band"]).rule_state["hr_bad"] == 2
    ingest([Incoming(raw(ts=now + dt.timedelta(seconds=3), hr=140))], source="mqtt")
    assert Alarm.objects.filter(kind=AlarmKind.HEART_RATE).count() == 1


def test_offline_is_raised_once_and_cleared_when_the_device_speaks(world: Any) -> None:
    from ..jobs import mark_offline

    ingest([Incoming(raw(hr=70))], source="mqtt")
    later = timezone.now() + dt.timedelta(hours=1)
    assert mark_offline(later) == 1
    assert mark_offline(later) == 0
    alarm = Alarm.objects.get(kind=AlarmKind.OFFLINE)
    ingest([Incoming(raw(hr=71))], source="mqtt")
    alarm.refresh_from_db()
    assert not alarm.is_open and DeviceState.objects.get(device=world["band"]).online


def test_unknown_devices_are_kept_for_operators(world: Any) -> None:
    ingest([Incoming(raw(device="WB-NEW", hr=70))], source="http")
    letter = DeadLetter.objects.get()
    assert letter.reason == "unknown_device" and letter.device_serial == "WB-NEW" and letter.source == "http"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_raising_the_same_alarm_at_once_open_one(world: Any) -> None:
    """Real concurrency on PostgreSQL: eight threads, each with its own connection, send an SOS
    (different sequence numbers) at the same instant."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (runs in the PostgreSQL pass)")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            ingest([Incoming(raw(seq=5000 + i, event="sos"))], source="mqtt")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    alarm = Alarm.objects.get(kind=AlarmKind.SOS)
    assert alarm.count == 8


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_envelopes = st.fixed_dictionaries({"device": st.sampled_from(["WB-1", "SM-1", "X", ""]), "seq": st.integers(),
                                    "ts": st.integers() | st.text(max_size=30)},
                                   optional={"metrics": st.dictionaries(st.sampled_from(["hr", "temp", "lat", "battery",
                                                                                         "smoke", "worn", "x"]), _json),
                                             "event": _json})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=200) | _envelopes.map(lambda d: json.dumps(d).encode()) | _json.map(
    lambda v: json.dumps(v).encode()), min_size=1, max_size=8))
def test_fuzzed_payloads_never_stop_the_ingester(world: Any, payloads: list[bytes]) -> None:
    result = ingest([Incoming(p) for p in payloads], source="mqtt")
    # Every message is accounted for: stored, a duplicate, or kept with its reason.
    assert result.stored + result.duplicates + result.rejected == len(payloads)
