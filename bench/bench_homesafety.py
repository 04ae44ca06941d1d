"""Home-safety telemetry, end to end on this machine.

1. The ingest path in-process (validation, store once, latest state, rules) against a bare INSERT of
   the same readings: the price of the pipeline.
2. Over the real Mosquitto (if reachable): readings/s from publish to stored with rules evaluated,
   beside the same broker's raw rate to a subscriber that only counts, and to a subscriber that
   only inserts. Periodic readings at QoS 0 (see docs/homesafety.md).
3. Alarm latency: SOS events at QoS 1 published while readings stream at half the measured rate;
   from publish to the batch holding the alarm committed (notifications queued on that commit).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import threading
import time
import uuid
from typing import Any

from bench.common import progress, report

PREFIX = f"bench-{uuid.uuid4().hex[:8]}/v1"  # a namespace of its own on a shared broker
DEVICES = int(os.environ.get("BENCH_HS_DEVICES", "400"))
MESSAGES = int(os.environ.get("BENCH_HS_MESSAGES", "20000"))


def _world() -> list[str]:
    import datetime as dt

    from django.utils import timezone

    from longcheng.kernel import demo
    from longcheng.kernel.people.models import Resident
    from longcheng.modules.homesafety.models import Device, DeviceState, Enrollee

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_staff(log=quiet)
    if Resident.objects.count() < DEVICES:
        demo.build_residents(residents=DEVICES + 100, log=quiet)
    serials = []
    now = timezone.now()
    for person in Resident.objects.order_by("pk")[:DEVICES]:
        enrollee, _ = Enrollee.objects.get_or_create(person=person, defaults={
            "home_lat": 31.72, "home_lon": 120.06, "safe_zone": {"kind": "circle", "radius_m": 500}})
        device, created = Device.objects.get_or_create(serial=f"B-{person.pk}", defaults={
            "kind": "wristband", "enrollee": enrollee, "installed_at": now - dt.timedelta(days=1)})
        if created:
            DeviceState.objects.create(device=device)
        serials.append(device.serial)
    return serials


class Feed:
    def __init__(self, serials: list[str]) -> None:
        self.serials = serials
        self.seq = int(time.time() * 1000) * 100

    def body(self, i: int, event: str | None = None, ts_ms: int | None = None) -> dict[str, Any]:
        self.seq += 1
        body: dict[str, Any] = {"device": self.serials[i % len(self.serials)], "seq": self.seq,
                                "ts": ts_ms or int(time.time() * 1000),
                                "metrics": {"hr": 70 + i % 9, "temp": 36.5, "lat": 31.72, "lon": 120.06,
                                            "battery": 80, "worn": True}}
        if event:
            body["event"] = event
        return body


def _in_process(feed: Feed) -> None:
    from django.db import transaction

    from longcheng.modules.homesafety.ingest import Accepted, Incoming, _insert_new, ingest
    from longcheng.modules.homesafety.models import Device

    progress(f"in-process ingest: {MESSAGES} readings in batches of 500")
    batches = [[feed.body(i) for i in range(start, start + 500)] for start in range(0, MESSAGES, 500)]
    began = time.perf_counter()
    for batch in batches:
        ingest([Incoming(payload=json.dumps(b).encode()) for b in batch], source="bench")
    ours = MESSAGES / (time.perf_counter() - began)

    devices = {d.serial: d for d in Device.objects.all()}
    from django.utils import timezone

    rows = [[Accepted(devices[b["device"]], b["seq"], timezone.now(), timezone.now(), b["metrics"], "")
             for b in (feed.body(i) for i in range(start, start + 500))] for start in range(0, MESSAGES, 500)]
    began = time.perf_counter()
    for chunk in rows:
        with transaction.atomic():
            _insert_new(chunk)
    bare = MESSAGES / (time.perf_counter() - began)
    report("homesafety", "in-process ingest, readings/s (rules on)", ours, bare, "msg/s", "bare INSERT of the same rows",
           higher_is_better=True)


def _broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


def _publisher() -> Any:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}")
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    return client


def _stream(ingester: Any, feed: Feed, n: int, *, done: Any) -> float:
    """Publish n readings at QoS 0 as fast as the client can, return readings/s to `done()`."""
    ingester.start()
    ingester.connected.wait(10)
    time.sleep(0.3)
    stopper = threading.Event()
    worker = threading.Thread(target=lambda: [ingester.drain_once() for _ in iter(lambda: stopper.is_set(), True)],
                              daemon=True)
    worker.start()
    client = _publisher()
    began = time.perf_counter()
    for i in range(n):
        body = feed.body(i)
        client.publish(f"{PREFIX}/devices/{body['device']}/telemetry", json.dumps(body), qos=0)
    deadline = time.monotonic() + 120
    while not done() and time.monotonic() < deadline:
        time.sleep(0.02)
    elapsed = time.perf_counter() - began
    stopper.set()
    worker.join(5)
    client.loop_stop()
    client.disconnect()
    ingester.stop()
    return n / elapsed


def _over_mqtt(feed: Feed) -> None:
    from django.db import transaction
    from django.utils import timezone

    from longcheng.modules.homesafety.ingest import Accepted, _insert_new
    from longcheng.modules.homesafety.models import Device, Reading
    from longcheng.modules.homesafety.mqtt import Ingester

    n = MESSAGES
    progress(f"MQTT end to end: {n} readings at QoS 0, one ingest worker")
    before = Reading.objects.count()
    ours = Ingester("mqtt://127.0.0.1:1883", client_id=f"bench-{uuid.uuid4().hex[:6]}", group=uuid.uuid4().hex[:6],
                    clean_start=True, prefix=PREFIX)
    rate = _stream(ours, feed, n, done=lambda: ours.stats.received >= n)
    stored = Reading.objects.count() - before

    progress("baseline: the same broker to a subscriber that only counts")
    counting = Ingester("mqtt://127.0.0.1:1883", client_id=f"bench-{uuid.uuid4().hex[:6]}", group=uuid.uuid4().hex[:6],
                        clean_start=True, prefix=PREFIX)
    counting.store = lambda messages: _Empty()
    raw_rate = _stream(counting, feed, n, done=lambda: counting.stats.received >= n)

    progress("baseline: the same broker to a subscriber that only inserts")
    devices = {d.serial: d for d in Device.objects.all()}

    def bare(messages: list[Any]) -> Any:
        rows = []
        for m in messages:
            b = json.loads(m.payload)
            rows.append(Accepted(devices[b["device"]], b["seq"], timezone.now(), timezone.now(), b["metrics"], ""))
        with transaction.atomic():
            _insert_new(rows)
        return _Empty()

    inserting = Ingester("mqtt://127.0.0.1:1883", client_id=f"bench-{uuid.uuid4().hex[:6]}", group=uuid.uuid4().hex[:6],
                         clean_start=True, prefix=PREFIX)
    inserting.store = bare
    insert_rate = _stream(inserting, feed, n, done=lambda: inserting.stats.received >= n)
    lost = n - ours.stats.received
    print(f"           published {n}, received {ours.stats.received}, stored {stored} (lost at QoS 0: {lost})")
    report("homesafety", "MQTT publish → stored, rules on (readings/s)", rate, insert_rate, "msg/s",
           "minimal subscriber that only inserts", higher_is_better=True)
    report("homesafety", "MQTT publish → stored vs broker alone (readings/s)", rate, raw_rate, "msg/s",
           "subscriber that only counts", higher_is_better=True)
    _latency(feed, rate / 2)


class _Empty:
    stored = duplicates = rejected = raised = 0


def _latency(feed: Feed, rate: float) -> None:
    from longcheng.modules.homesafety.models import Alarm
    from longcheng.modules.homesafety.mqtt import Ingester

    progress(f"alarm latency: 200 SOS at QoS 1 while readings stream at {rate:.0f}/s")
    latencies: list[float] = []

    def on_batch(messages: list[Any], _result: Any) -> None:
        committed = time.time()
        for m in messages:
            ts = json.loads(m.payload).get("ts") if m.topic.endswith("/events") else None
            if isinstance(ts, int):
                latencies.append((committed - ts / 1000) * 1000)

    ingester = Ingester("mqtt://127.0.0.1:1883", client_id=f"bench-{uuid.uuid4().hex[:6]}", group=uuid.uuid4().hex[:6],
                        clean_start=True, prefix=PREFIX)
    ingester.on_batch = on_batch
    ingester.start()
    ingester.connected.wait(10)
    stopper = threading.Event()
    worker = threading.Thread(target=lambda: [ingester.drain_once() for _ in iter(lambda: stopper.is_set(), True)],
                              daemon=True)
    worker.start()
    client = _publisher()
    alarms_before = Alarm.objects.count()
    step, i = 0.01, 0
    per_step = max(1, round(rate * step))
    for k in range(200 * 5):
        began = time.monotonic()
        for _ in range(per_step):
            body = feed.body(i)
            client.publish(f"{PREFIX}/devices/{body['device']}/telemetry", json.dumps(body), qos=0)
            i += 1
        if k % 5 == 0:
            body = feed.body(k // 5 * 7, event="sos", ts_ms=int(time.time() * 1000))
            client.publish(f"{PREFIX}/devices/{body['device']}/events", json.dumps(body), qos=1)
        time.sleep(max(0.0, step - (time.monotonic() - began)))
    deadline = time.monotonic() + 30
    while len(latencies) < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    stopper.set()
    worker.join(5)
    client.loop_stop()
    client.disconnect()
    ingester.stop()
    latencies.sort()
    if not latencies:
        print("           no SOS came back")
        return
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"           SOS received {len(latencies)}/200, alarms opened {Alarm.objects.count() - alarms_before}")
    report("homesafety", "SOS publish → alarm committed, p50 (ms)", p50, 250, "ms", "target p99")
    report("homesafety", "SOS publish → alarm committed, p99 (ms)", p99, 250, "ms", "target p99")


def run() -> None:
    serials = _world()
    feed = Feed(serials)
    _in_process(feed)
    if _broker_up():
        _over_mqtt(feed)
    else:
        print("           MQTT figures skipped: no broker at 127.0.0.1:1883")
