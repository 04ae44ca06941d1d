"""Home-safety telemetry, end to end on this machine.

1. The ingest path in-process (validation, store once, latest state, rules) against a bare INSERT of
   the same readings: the price of the pipeline.
2. Over the real Mosquitto (if reachable): readings/s from publish to stored with rules evaluated,
   by ingest worker processes (`longcheng ingest_mqtt`, two on PostgreSQL) in one shared group,
   beside the same broker's rate to subscribers that only insert and to one that only counts
   (bench/mqtt_baseline.py). Readings travel as gateway batches of 100 at QoS 1 (see
   docs/homesafety.md: QoS 1 per reading caps the broker near 5,000 messages/s on two cores).
3. Alarm latency: SOS events at QoS 1 on the events topic while readings stream at half the
   measured rate; from publish to the batch holding the alarm committed (its notifications are
   queued in that transaction), as traced by the workers (`--trace-events`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import note, progress, report, size, sized, target

PREFIX = f"bench-{uuid.uuid4().hex[:8]}/v1"  # a namespace of its own on a shared broker
DEVICES = sized("BENCH_HS_DEVICES", tiny=20, small=400, city=400)
MESSAGES = sized("BENCH_HS_MESSAGES", tiny=1000, small=10_000, city=20_000)
WORKERS = int(os.environ.get("BENCH_HS_WORKERS", "0"))  # 0: two on PostgreSQL, one on SQLite
GATEWAY_BATCH = 100
# The throughput figures are medians of this many runs (the machine is shared and noisy).
ROUNDS = 1 if size() == "tiny" else 3
SOS = sized("BENCH_HS_SOS", tiny=10, small=200, city=200)
WORKER_ARGS = os.environ.get("BENCH_HS_WORKER_ARGS", "").split()
# The MQTT processes' own output (errors included) goes here, not into the figures.
LOG = open(os.environ.get("BENCH_HS_LOG", os.devnull), "a")


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
    # The gateways publishing the batches: accounts whose scope covers every device (a gateway topic
    # names its account, and a device outside its scope is refused).
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.places.models import Place

    roots = list(Place.objects.filter(parent__isnull=True))
    for name in [f"gw-{k}" for k in range(16)] + ["gw-lat"]:
        user, created = User.objects.get_or_create(username=name)
        if created:
            RoleAssignment.objects.create(user=user, role="homesafety_gateway").places.set(roots)
    return serials


class Feed:
    def __init__(self, serials: list[str]) -> None:
        self.serials = serials
        # Each device numbers its own messages one by one (a jump would be a gap, recorded as such).
        self.seqs = dict.fromkeys(serials, int(time.time() * 1000) * 100)

    def body(self, i: int, event: str | None = None, ts_ms: int | None = None) -> dict[str, Any]:
        serial = self.serials[i % len(self.serials)]
        self.seqs[serial] += 1
        body: dict[str, Any] = {"device": serial, "seq": self.seqs[serial],
                                "ts": ts_ms or int(time.time() * 1000),
                                "metrics": {"hr": 70 + i % 9, "temp": 36.5, "lat": 31.72, "lon": 120.06,
                                            "battery": 80, "worn": True}}
        if event:
            body["event"] = event
        return body


def _in_process(feed: Feed) -> None:
    from django.db import transaction

    from longcheng.kernel.telemetry.store import Accepted, insert_new
    from longcheng.modules.homesafety.ingest import Incoming, ingest
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
            insert_new(chunk)
    bare = MESSAGES / (time.perf_counter() - began)
    report("homesafety", "in-process ingest, readings/s (rules on)", ours, bare, "msg/s", "bare INSERT of the same rows",
           higher_is_better=True)


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _publisher() -> Any:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}")
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    return client


def _gateway_payloads(feed: Feed, n: int) -> list[tuple[str, bytes]]:
    """n readings as gateway batches of GATEWAY_BATCH, built before the clock starts: the cost of
    making them is the gateways', not the platform's."""
    out = []
    for start in range(0, n, GATEWAY_BATCH):
        bodies = [feed.body(i) for i in range(start, min(n, start + GATEWAY_BATCH))]
        out.append((f"{PREFIX}/gateways/gw-{start // GATEWAY_BATCH % 16}/telemetry",
                    json.dumps({"messages": bodies}).encode()))
    return out


def _spawn(argv: list[str], **env: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=LOG, text=True,
                            env={**os.environ, **env})
    return proc


def _wait_ready(procs: list[subprocess.Popen[str]], word: str) -> None:
    for proc in procs:
        line = proc.stdout.readline() if proc.stdout else ""
        if word not in line:
            raise RuntimeError(f"an MQTT process did not start: {line!r}")
    time.sleep(1.0)  # the subscriptions settle on the broker


def _stop(procs: list[subprocess.Popen[str]]) -> list[str]:
    outs = []
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        outs.append(out)
    return outs


def _readings() -> int:
    from longcheng.modules.homesafety.models import Reading

    return Reading.objects.count()


def _publish_all(payloads: list[tuple[str, bytes]], *, until_stored: int) -> float:
    """Publish at QoS 1 as fast as the broker takes them; readings/s from the first publish to the
    last reading stored."""
    client = _publisher()
    began = time.perf_counter()
    infos = [client.publish(topic, body, qos=1) for topic, body in payloads]
    for info in infos:
        info.wait_for_publish(timeout=60)
    deadline = time.monotonic() + 300
    while _readings() < until_stored and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.perf_counter() - began
    client.loop_stop()
    client.disconnect()
    return elapsed


def _over_mqtt(feed: Feed) -> None:
    from django.db import connection

    n = MESSAGES * 5
    workers = WORKERS or (2 if connection.vendor == "postgresql" else 1)  # SQLite has one writer
    progress(f"MQTT end to end: {n} readings in gateway batches of {GATEWAY_BATCH} at QoS 1, "
             f"{workers} ingest worker process(es) in one shared group")
    rate = _ours_over_mqtt(feed, n, workers)
    insert_rate = _inserting_baseline(feed, n, workers)
    raw_rate = _counting_baseline(feed, n)
    report("homesafety", "MQTT publish → stored, rules on (readings/s)", rate, insert_rate, "msg/s",
           "minimal subscriber that only inserts", higher_is_better=True)
    report("homesafety", "MQTT publish → stored vs broker alone (readings/s)", rate, raw_rate, "msg/s",
           "subscriber that only counts", higher_is_better=True)
    target("homesafety", "MQTT publish → stored, rules on (readings/s)", rate, 10_000, "msg/s",
           higher_is_better=True)


def _ours_over_mqtt(feed: Feed, n: int, workers: int) -> float:
    """The median rate of our ingest workers over ROUNDS rounds (readings/s), and the latencies."""
    from django.db import connection

    group = uuid.uuid4().hex[:6]
    trace = Path(tempfile.mkdtemp(prefix="trace-")) / "events.txt"  # in the benchmark's workspace (TMPDIR)
    env = {"HOMESAFETY_MQTT_PREFIX": PREFIX, "JOBS_IMMEDIATE": "0"}
    if connection.vendor == "postgresql" and _reachable(6379):
        # The city-scale set-up: notifications queue in Redis (docs/jobs.md), in a queue of the
        # benchmark's own that no consumer reads; the embedded SQLite queue serialises two writers.
        env |= {"JOBS_URL": "redis://127.0.0.1:6379/0", "JOBS_QUEUE": f"bench-{uuid.uuid4().hex[:8]}"}
    ours = [_spawn([sys.executable, "-m", "longcheng", "ingest_mqtt", "--worker", f"bench-{i}", "--group", group,
                    "--trace-events", str(trace), *WORKER_ARGS], **env) for i in range(workers)]
    try:
        _wait_ready(ours, "ingesting")
        rates = []
        for round_ in range(ROUNDS):
            before = _readings()
            elapsed = _publish_all(_gateway_payloads(feed, n), until_stored=before + n)
            stored = _readings() - before
            rates.append(stored / elapsed)
            note(f"round {round_ + 1}: published {n} readings, stored {stored} in {elapsed:.2f} s")
        rate = statistics.median(rates)
        _latency(feed, rate / 2, trace)
    finally:
        _stop(ours)
        if "JOBS_QUEUE" in env:
            _drop_redis_queue(env["JOBS_QUEUE"])
    return rate


def _inserting_baseline(feed: Feed, n: int, workers: int) -> float:
    progress(f"baseline: {workers} subscriber(s) that only insert (no validation, rules or state)")
    base = ["-m", "bench.mqtt_baseline", "--prefix", PREFIX, "--seconds", "600"]
    group = uuid.uuid4().hex[:6]
    inserting = [_spawn([sys.executable, *base, "--mode", "insert", "--group", group, "--name", str(i),
                         "--database", os.environ["DATABASE_URL"]]) for i in range(workers)]
    try:
        _wait_ready(inserting, "ready")
        insert_rates = []
        for _round in range(ROUNDS):
            before = _readings()
            insert_elapsed = _publish_all(_gateway_payloads(feed, n), until_stored=before + n)
            insert_rates.append((_readings() - before) / insert_elapsed)
        insert_rate = statistics.median(insert_rates)
    finally:
        _stop(inserting)
    return insert_rate


def _counting_baseline(feed: Feed, n: int) -> float:
    progress("baseline: the same broker to a subscriber that only counts")
    base = ["-m", "bench.mqtt_baseline", "--prefix", PREFIX, "--seconds", "600"]
    group = uuid.uuid4().hex[:6]
    counting = [_spawn([sys.executable, *base, "--mode", "count", "--group", group, "--name", "0"])]
    client = _publisher()
    try:
        _wait_ready(counting, "ready")
        payloads = _gateway_payloads(feed, n)
        began_ms = time.time() * 1000
        for info in [client.publish(topic, body, qos=1) for topic, body in payloads]:
            info.wait_for_publish(timeout=60)
        time.sleep(1.0)
    finally:
        client.loop_stop()
        client.disconnect()
        messages, readings, _first, last = (int(x) for x in _stop(counting)[0].split()[-4:])
    raw_rate = readings / max(0.001, (last - began_ms) / 1000)
    note(f"broker alone: {messages} MQTT messages, {readings} readings")
    return raw_rate


def _drop_redis_queue(name: str) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    keys = list(client.scan_iter(f"huey*{name.removeprefix('bench-')}*"))
    if keys:
        client.delete(*keys)


def _latency(feed: Feed, rate: float, trace: Path) -> None:
    """SOS events at QoS 1 on the events topic while readings stream in gateway batches at `rate`;
    each SOS timed from its publish (its device time) to the commit of the batch holding it."""
    from longcheng.modules.homesafety.models import Alarm

    progress(f"alarm latency: {SOS} SOS at QoS 1 while readings stream at {rate:.0f}/s")
    client = _publisher()
    alarms_before = Alarm.objects.count()
    step = 0.05
    per_step = max(1, round(rate * step))
    i = 0
    for k in range(SOS * 2):
        began = time.monotonic()
        bodies = [feed.body(i + j) for j in range(per_step)]
        i += per_step
        for start in range(0, len(bodies), GATEWAY_BATCH):
            client.publish(f"{PREFIX}/gateways/gw-lat/telemetry",
                           json.dumps({"messages": bodies[start:start + GATEWAY_BATCH]}), qos=1)
        if k % 2 == 0:
            body = feed.body(k // 2 * 7, event="sos", ts_ms=int(time.time() * 1000))
            client.publish(f"{PREFIX}/devices/{body['device']}/events", json.dumps(body), qos=1)
        time.sleep(max(0.0, step - (time.monotonic() - began)))
    deadline = time.monotonic() + 30
    latencies: list[float] = []
    while time.monotonic() < deadline:
        lines = trace.read_text().split("\n") if trace.exists() else []
        latencies = [float(b) - float(a) for a, b in (line.split() for line in lines if line.strip())]
        if len(latencies) >= SOS:
            break
        time.sleep(0.1)
    client.loop_stop()
    client.disconnect()
    latencies.sort()
    if not latencies:
        raise RuntimeError("no SOS came back: no alarm latency measured")
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    note(f"SOS committed {len(latencies)}/{SOS}, alarms opened {Alarm.objects.count() - alarms_before}; "
         f"publish → alarm committed p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    target("homesafety", "SOS publish → alarm committed, p99 (ms)", p99, 250, "ms")


def run() -> None:
    serials = _world()
    feed = Feed(serials)
    _in_process(feed)
    if _reachable(1883):
        _over_mqtt(feed)
    else:
        note("MQTT figures skipped: no broker at 127.0.0.1:1883")
