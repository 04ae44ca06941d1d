"""Home safety in its production layout, as real processes (issue 13, "Done when"):

    longcheng serve --no-jobs            the web
    longcheng run_huey                   the job consumer, on Redis
    longcheng ingest_mqtt --worker …     two ingest workers in one shared-subscription group
    mosquitto -c deploy/mosquitto/longcheng.conf   with its password file and ACL (adapted: temp dir, free ports)

on a scratch PostgreSQL database of its own. A gateway account publishes with mosquitto_pub; one
worker is SIGKILLed mid-stream and started again. Every reading is stored once, every SOS is an
alarm, the family is notified, the alarm escalates 60 ± 5 s after it was raised, and no process
exits but the killed one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import IN_CI, require_service

from .broker import free_port, start_project_broker
from .test_jobs_consumer import flush_queue

ROOT = Path(__file__).resolve().parents[4]
PG = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
ELDERS = 5
BATCHES, PER_BATCH = 40, 100  # 4,000 readings in gateway batches of 100, at QoS 1
SOS_AT = {2: 1, 3: 1, 30: 2, 33: 3}  # batch number → elder whose SOS it carries (elder 1 presses twice)

# Runs in a process of its own on the scratch database: the small world the stream is about.
WORLD = """
import django; django.setup()
from conftest import make_resident_id
from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.people.models import Relationship, Resident
from longcheng.kernel.places.models import Level, Place
from longcheng.modules.homesafety.models import Device, DeviceState, Enrollee

def place(code, name, level, parent):
    p = Place(code=code, name=name, level=level, parent=parent)
    p.path = p.compute_path(); p.depth = parent.depth + 1 if parent else 0; p.save(); return p

def user(name, role, where, **extra):
    u = User.objects.create_user(username=name, password="pw-" + name, **extra)
    a = RoleAssignment.objects.create(user=u, role=role); a.places.set([where]); return u

root = place("320400", "常州市", Level.CITY, None)
district = place("320412", "武进区", Level.DISTRICT, root)
town = place("320412104", "遥观镇", Level.STREET, district)
community = place("320412104001", "上书房社区", Level.COMMUNITY, town)
user("op", "homesafety_operator", town, phone="13800000001")
user("head", "homesafety_community_head", community, phone="13800000002")
# The gateway's platform account: the devices it publishes for must be bound within its scope.
user("gw-1", "homesafety_gateway", community)
for i in range(1, %(elders)d + 1):
    elder = Resident.objects.create(resident_id=make_resident_id(birth="19460101", seq=i), name=f"老人{i}",
                                    gender="F", birth_date="1946-01-01", place=community, address=f"上书房路{i}号")
    child = Resident.objects.create(resident_id=make_resident_id(birth="19750101", seq=i), name=f"子女{i}",
                                    gender="F", birth_date="1975-01-01", phone=f"1390013900{i}", place=community)
    Relationship.objects.create(person=elder, relative=child, kind="child", is_family_contact=True)
    User.objects.create_user(username=f"family{i}", password="pw", resident=child)
    enrollee = Enrollee.objects.create(person=elder, lives_alone=True, home_lat=31.7246, home_lon=120.0683)
    DeviceState.objects.create(device=Device.objects.create(serial=f"WB-{i:07d}", kind="wristband", enrollee=enrollee))
print("world ready")
"""


def _sql(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def _stream(t0_ms: int) -> list[str]:
    """The gateway's batches, one JSON line each (mosquitto_pub -l sends a line per message)."""
    lines, seq = [], {i: 0 for i in range(1, ELDERS + 1)}
    for b in range(BATCHES):
        members = []
        for k in range(PER_BATCH):
            i = 1 + (b * PER_BATCH + k) % ELDERS
            seq[i] += 1
            members.append({"device": f"WB-{i:07d}", "seq": seq[i], "ts": t0_ms + b * 10 + k % 10,
                            "metrics": {"hr": 70 + k % 9, "battery": 80, "worn": True}})
        if b in SOS_AT:
            i = SOS_AT[b]
            seq[i] += 1
            members.append({"device": f"WB-{i:07d}", "seq": seq[i], "ts": t0_ms + b * 10, "metrics": {}, "event": "sos"})
        lines.append(json.dumps({"messages": members}))
    return lines


@pytest.mark.service
@pytest.mark.postgres
def test_the_production_layout_loses_nothing_and_tells_the_family_and_escalates_on_time(tmp_path: Path) -> None:
    if not IN_CI and not os.environ.get("LONGCHENG_LAYOUT_TEST"):
        pytest.skip("the production-layout test (about 2 minutes of real processes) runs under CI")
    from urllib.parse import urlparse

    pg = urlparse(PG)
    require_service("PostgreSQL", pg.hostname or "127.0.0.1", pg.port or 5432)
    require_service("Redis", "127.0.0.1", 6379)
    if shutil.which("mosquitto_pub") is None:
        pytest.fail("mosquitto_pub is not installed (the mosquitto-clients package)")
    began = time.monotonic()
    run = uuid.uuid4().hex[:8]
    database = f"hs_layout_{run}"
    server = PG.rsplit("/", 1)[0]
    db_url = f"{server}/{database}"
    _sql(f"{server}/postgres", f'CREATE DATABASE "{database}"')
    queue, redis_url = f"layout-{run}", "redis://127.0.0.1:6379/15"
    broker = start_project_broker(tmp_path / "broker", f"layout-{run}/v1",
                                  {"longcheng-ingest": f"ingest-{run}", "gw-1": f"gw-{run}"})
    env = {**os.environ, "DATABASE_URL": db_url, "JOBS_URL": redis_url, "JOBS_QUEUE": queue, "JOBS_IMMEDIATE": "0",
           "MQTT_URL": broker.url("longcheng-ingest"), "HOMESAFETY_MQTT_PREFIX": broker.prefix,
           "LONGCHENG_VAR_DIR": str(tmp_path / "var"), "PYTHONDONTWRITEBYTECODE": "1"}
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (logs / f"{name}.log").open("ab")
        procs[name] = subprocess.Popen([sys.executable, "-m", "longcheng", *args], stdout=log,
                                       stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        return procs[name]

    def log_of(name: str) -> str:
        return (logs / f"{name}.log").read_text(errors="replace")

    try:
        subprocess.run([sys.executable, "-m", "longcheng", "migrate", "--noinput"], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=120)
        subprocess.run([sys.executable, "-c", WORLD % {"elders": ELDERS}], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=60)
        port = free_port()
        start("web", "serve", "--no-jobs", "--port", str(port))
        start("huey", "run_huey", "-w", "4", "-k", "thread")
        for n in (1, 2):
            start(f"ingest-{n}", "ingest_mqtt", "--worker", f"ingest-{n}", "--batch", "100", "--linger-ms", "20")
        for n in (1, 2):
            _wait(lambda n=n: "ingesting from" in log_of(f"ingest-{n}"), 60, f"ingest-{n} connected")
        _wait(lambda: _http_ok(f"http://127.0.0.1:{port}/"), 60, "the web answers")
        time.sleep(1.0)  # both shared subscriptions settle on the broker
        lines = _stream(int(time.time() * 1000))
        topic = f"{broker.prefix}/gateways/gw-1/telemetry"
        pub = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-u", "gw-1", "-P", broker.accounts["gw-1"],
               "-i", f"gw-1-{run}", "-q", "1", "-t", topic, "-l"]
        first = subprocess.run(pub, input="\n".join(lines[:25]) + "\n", text=True, capture_output=True, timeout=60)
        assert first.returncode == 0, first.stderr
        total = BATCHES * PER_BATCH + len(SOS_AT)
        # Mid-stream: some stored, not all; then the second half goes out while ingest-1 is dead.
        _wait(lambda: _sql(db_url, "SELECT count(*) FROM homesafety_reading")[0][0] >= 600, 60, "readings arriving")
        procs["ingest-1"].send_signal(signal.SIGKILL)
        procs["ingest-1"].wait(10)
        stored_at_kill = _sql(db_url, "SELECT count(*) FROM homesafety_reading")[0][0]
        second = subprocess.run(pub, input="\n".join(lines[25:]) + "\n", text=True, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr
        time.sleep(1.0)
        start("ingest-1", "ingest_mqtt", "--worker", "ingest-1", "--batch", "100", "--linger-ms", "20")
        _wait(lambda: _sql(db_url, "SELECT count(*) FROM homesafety_reading")[0][0] >= total, 60, "every reading stored")
        assert stored_at_kill < total, "the kill must fall mid-stream"
        alarms = _sql(db_url, "SELECT id, count, raised_at FROM homesafety_alarm WHERE kind = 'sos' ORDER BY id")
        assert len(alarms) == len(set(SOS_AT.values()))
        # The family: an SMS to each elder's child, delivered by the consumer.
        _wait(lambda: _sql(db_url, "SELECT count(*) FROM notify_message WHERE channel = 'sms' AND status = 'sent' "
                                   "AND dedupe_key LIKE 'hs:%%:sms:%%'")[0][0] == len(alarms), 30, "family told")
        # The first round at its due time: 60 s after raising, for each alarm.
        last_raised = max(a[2] for a in alarms)
        _wait(lambda: _sql(db_url, "SELECT count(DISTINCT alarm_id) FROM homesafety_alarmevent "
                                   "WHERE step = 'escalated'")[0][0] == len(alarms),
              75 - (time.time() - last_raised.timestamp()), "every alarm escalated")
        time.sleep(2.0)  # anything redelivered late is seen
        exits = {name: p.poll() for name, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        broker.stop()
        flush_queue(redis_url, queue)
    try:
        readings = _sql(db_url, "SELECT count(*), count(DISTINCT (device_id, seq)) FROM homesafety_reading")[0]
        assert readings == (total, total)
        alarms = _sql(db_url, "SELECT a.id, d.serial, a.count, a.raised_at FROM homesafety_alarm a "
                              "JOIN homesafety_device d ON d.id = a.device_id WHERE a.kind = 'sos' ORDER BY d.serial")
        expected = {f"WB-{i:07d}": list(SOS_AT.values()).count(i) for i in set(SOS_AT.values())}
        assert {serial: count for _id, serial, count, _at in alarms} == expected  # every SOS, each alarm once
        delivered = _sql(db_url, "SELECT m.related_id, m.channel, m.status, m.address FROM notify_message m "
                                 "WHERE m.dedupe_key LIKE 'hs:%%:sms:%%' OR m.dedupe_key LIKE 'hs:%%:family:%%'")
        for alarm_id, *_rest in alarms:
            mine = [d for d in delivered if d[0] == str(alarm_id)]
            assert {(c, s) for _r, c, s, _a in mine} == {("sms", "sent"), ("inapp", "sent")}, mine
        delays = [(at - raised).total_seconds() for (raised, at) in _sql(
            db_url, "SELECT a.raised_at, min(e.at) FROM homesafety_alarm a JOIN homesafety_alarmevent e "
                    "ON e.alarm_id = a.id AND e.step = 'escalated' WHERE a.kind = 'sos' GROUP BY a.id, a.raised_at")]
        print(f"\nlayout: escalation after {', '.join(f'{d:.1f}' for d in delays)} s; "
              f"{stored_at_kill} of {total} stored at the kill; run time {time.monotonic() - began:.0f} s")
        assert delays and all(55 <= d <= 65 for d in delays), delays
        assert exits == {"web": None, "huey": None, "ingest-1": None, "ingest-2": None}, exits
        for name in ("ingest-2", "huey"):
            assert procs[name].returncode == 0, log_of(name)[-2000:]
        assert "Traceback" not in log_of("ingest-2") + log_of("huey"), log_of("huey")[-3000:]
        assert not _sql(db_url, "SELECT count(*) FROM homesafety_deadletter")[0][0]
    finally:
        _sql(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status < 500)
    except Exception:
        return False
