"""Against the real Mosquitto: two ingest workers in one shared-subscription group store every
reading once and raise one alarm; a worker cut off mid-stream gets its unacknowledged messages
again when it comes back. Fails (not skips) under CI when the broker is down."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from conftest import require_service

from ..models import Alarm, DeadLetter, Reading
from ..mqtt import Ingester
from .conftest import msg

URL = "mqtt://127.0.0.1:1883"


# Each run publishes under its own prefix, so nothing else on the broker can cross its stream.
PREFIX = f"test-{uuid.uuid4().hex[:8]}/v1"


def _publish(bodies: list[dict[str, Any]], topic_kind: str = "telemetry") -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:6]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        infos = [client.publish(f"{PREFIX}/devices/{b['device']}/{topic_kind}", json.dumps(b), qos=1) for b in bodies]
        for info in infos:
            info.wait_for_publish(timeout=10)
    finally:
        client.loop_stop()
        client.disconnect()


def _ingester(group: str, name: str, *, clean: bool = True) -> Ingester:
    ingester = Ingester(URL, client_id=f"test-{group}-{name}", group=group, batch=50, linger=0.02, clean_start=clean,
                        prefix=PREFIX)
    ingester.start()
    assert ingester.connected.wait(10), "no connection to Mosquitto"
    return ingester


def _drain(workers: list[Ingester], until: Any, timeout: float = 20.0) -> None:
    """Drain in this thread (the database is used from one thread; the broker still splits the
    stream between the two sessions)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        for w in workers:
            w.drain_once()


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_stream_without_duplicates_or_loss(world: Any) -> None:
    require_service("Mosquitto", "127.0.0.1", 1883)
    group = uuid.uuid4().hex[:8]
    a, b = _ingester(group, "a"), _ingester(group, "b")
    try:
        time.sleep(0.3)  # let both subscriptions settle
        bodies = [msg(hr=70 + i % 5) for i in range(200)]
        sos = [msg(event="sos") for _ in range(10)]
        _publish(bodies + bodies[:20])  # twenty of them published twice
        _publish(sos, "events")
        _drain([a, b], lambda: Reading.objects.count() >= 210 and a.inbox.empty() and b.inbox.empty())
        _drain([a, b], lambda: False, timeout=0.5)  # anything late
    finally:
        a.stop()
        b.stop()
    assert Reading.objects.count() == 210
    assert a.stats.received > 0 and b.stats.received > 0, "the broker should split the stream"
    assert a.stats.received + b.stats.received == 230
    assert Alarm.objects.filter(kind="sos").count() == 1 and Alarm.objects.get(kind="sos").count == 10
    assert not DeadLetter.objects.exists()


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_a_worker_cut_off_before_acknowledging_gets_the_messages_again(world: Any) -> None:
    require_service("Mosquitto", "127.0.0.1", 1883)
    group = uuid.uuid4().hex[:8]
    first = _ingester(group, "w", clean=False)
    bodies = [msg(hr=80) for _ in range(30)]
    _publish(bodies)
    # The broker sends up to its in-flight window (Mosquitto's default: 20) and then waits for acks.
    deadline = time.monotonic() + 10
    while first.inbox.qsize() < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.inbox.qsize() >= 20
    # Killed: the socket drops with nothing stored and nothing acknowledged.
    first.client.loop_stop()
    sock = first.client.socket()
    if sock is not None:
        sock.close()
    time.sleep(0.5)
    again = _ingester(group, "w", clean=False)
    try:
        _drain([again], lambda: Reading.objects.count() >= 30)
    finally:
        again.stop()
        # Leave no persistent session behind on the broker.
        _ingester(group, "w", clean=True).stop()
    assert Reading.objects.count() == 30
