"""Against the real Mosquitto: two ingest workers in one shared-subscription group store every
reading once and raise one alarm; a worker cut off mid-stream gets its unacknowledged messages
again when it comes back. Fails (not skips) under CI when the broker is down."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

from conftest import require_service

from ..models import Alarm, DeadLetter, Reading
from ..mqtt import Ingester, instance_prefix
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


def _worker_process(name: str, group: str) -> subprocess.Popen[str]:
    """A real `longcheng ingest_mqtt` process on the test database, under this run's topic prefix."""
    from django.db import connection

    s = connection.settings_dict
    url = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "HOMESAFETY_MQTT_PREFIX": PREFIX, "JOBS_IMMEDIATE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "longcheng", "ingest_mqtt", "--worker", name, "--group", group,
                             "--batch", "100", "--linger-ms", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    line = proc.stdout.readline() if proc.stdout else ""
    assert "ingesting" in line, f"the worker did not start: {line!r}"
    time.sleep(1.0)  # its subscription settles on the broker
    return proc


@pytest.mark.service
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_sigkill_mid_stream_loses_nothing_and_duplicates_no_alarm(world: Any) -> None:
    """A real worker process, SIGKILLed while a QoS 1 stream of gateway batches and SOS events is
    arriving, then started again under the same name: every reading stored once, one SOS alarm
    holding every repeat."""
    import paho.mqtt.client as mqtt
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second process needs the test database on a server (runs in the PostgreSQL pass)")
    require_service("Mosquitto", "127.0.0.1", 1883)
    group = uuid.uuid4().hex[:8]
    worker = _worker_process("k", group)
    readings = [msg(hr=70 + i % 7) for i in range(3000)]
    sos = [msg(event="sos") for _ in range(6)]
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:6]}")
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()
    restarted = None
    try:
        infos = []
        for k, start in enumerate(range(0, len(readings), 100)):
            infos.append(publisher.publish(f"{PREFIX}/gateways/gw/telemetry",
                                           json.dumps({"messages": readings[start:start + 100]}), qos=1))
            if k % 5 == 0:
                infos.append(publisher.publish(f"{PREFIX}/devices/WB-1/events", json.dumps(sos[k // 5]), qos=1))
            if k == 8:
                # Mid-stream: wait until the worker has stored some, then kill it without warning.
                deadline = time.monotonic() + 20
                while Reading.objects.count() < 200 and time.monotonic() < deadline:
                    time.sleep(0.02)
                stored_at_kill = Reading.objects.count()
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
        for info in infos:
            info.wait_for_publish(timeout=10)
        assert 0 < stored_at_kill < len(readings) + len(sos), "the kill must fall mid-stream"
        restarted = _worker_process("k", group)
        deadline = time.monotonic() + 60
        while Reading.objects.count() < len(readings) + len(sos) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # anything sent twice arrives and is recognised
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        for proc in (worker, restarted):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(20)
        # Leave no persistent session behind on the broker (the worker's client id, clean).
        cleaner = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{instance_prefix(PREFIX)}-{group}-k",
                              clean_session=True)
        cleaner.connect("127.0.0.1", 1883)
        cleaner.disconnect()
    assert Reading.objects.count() == len(readings) + len(sos)
    assert Reading.objects.values("device", "seq").distinct().count() == len(readings) + len(sos)
    alarm = Alarm.objects.get(kind="sos")
    assert alarm.count == len(sos)
    assert not DeadLetter.objects.exists()
