"""The live alarm console under load: STREAMS open event streams on the production web server
(`uvicorn longcheng.asgi:application --workers WORKERS`, started here on a free port) while a feeder
process ingests readings at a steady rate and an SOS every second on a new device.

Printed: SOS raised → its alarm event received on every open console, p50/p99/max (target p99 <
1.5 s), and the p95 of ordinary pages while the streams are open (target < 200 ms), each beside the
same page's p95 measured in the same run with the same ingest and no stream open; also the server's
threads, memory and database connections with the streams open.

On PostgreSQL (BENCH_DATABASE_URL) the consoles hear each alarm by LISTEN/NOTIFY; on SQLite they
poll, and the latency is that of the next `changed` event after the SOS.

BENCH_HSC_STREAMS (200), BENCH_HSC_WORKERS (2), BENCH_HSC_PERSONS (2,000), BENCH_HSC_RATE readings/s
(200), BENCH_HSC_SECONDS of ingest per phase (20), BENCH_HSC_REQUESTS per page per phase (60).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import progress, report

STREAMS = int(os.environ.get("BENCH_HSC_STREAMS", "200"))
WORKERS = int(os.environ.get("BENCH_HSC_WORKERS", "2"))
PERSONS = int(os.environ.get("BENCH_HSC_PERSONS", "2000"))
RATE = int(os.environ.get("BENCH_HSC_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_HSC_SECONDS", "20"))
REQUESTS = int(os.environ.get("BENCH_HSC_REQUESTS", "60"))
SOS_DEVICES = 200


def _build() -> dict[str, Any]:
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from longcheng.kernel import demo
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.people.models import Resident
    from longcheng.kernel.places.models import Place
    from longcheng.modules.homesafety.alarms import raise_alarm
    from longcheng.modules.homesafety.models import Alarm, Device, DeviceState, Enrollee, create_devices
    from longcheng.modules.homesafety.rules import Verdict

    quiet = lambda *a, **k: None  # noqa: E731
    if not Device.objects.filter(serial__startswith="HSC-").exists():
        demo.build_places(log=quiet)
        needed = PERSONS + SOS_DEVICES
        progress(f"{needed} enrolled persons with a wristband each")
        # Residents nobody enrolled yet: other benchmarks of the same run may have enrolled some.
        free = Resident.objects.filter(homesafety__isnull=True)
        if free.count() < needed:
            demo.build_residents(residents=Resident.objects.count() + needed - free.count(), log=quiet)
        now = timezone.now()
        ids = list(free.order_by("pk").values_list("pk", flat=True)[:needed])
        Enrollee.objects.bulk_create([Enrollee(person_id=pk, lives_alone=True) for pk in ids], batch_size=2000)
        enrollees = dict(Enrollee.objects.values_list("person_id", "pk"))
        create_devices([(f"HSC-{i:06d}", "wristband", enrollees[pk], now - dt.timedelta(days=30))
                        for i, pk in enumerate(ids)], batch_size=2000)
        DeviceState.objects.bulk_create([DeviceState(device=d) for d in Device.objects.filter(serial__startswith="HSC-")],
                                        batch_size=2000)
        with transaction.atomic():  # 50 open alarms on the console before the run
            for i, device in enumerate(Device.objects.filter(serial__startswith="HSC-").select_related("enrollee")[:50]):
                raise_alarm(device.enrollee, device, Verdict(["heart_rate", "temperature", "low_battery"][i % 3], True,
                                                             [2, 3, 4][i % 3], {}), now - dt.timedelta(minutes=i))
    user = User.objects.filter(username="bench_console_operator").first()
    if user is None:
        user = User.objects.create_user(username="bench_console_operator", password="bench-console-pw")
        root = Place.objects.filter(parent__isnull=True).order_by("pk").first()
        assignment = RoleAssignment.objects.create(user=user, role="homesafety_operator")
        assignment.places.set([root])
    client = Client()
    client.force_login(user)
    serials = list(Device.objects.filter(serial__startswith="HSC-").order_by("serial").values_list("serial", flat=True))
    alarm = Alarm.objects.filter(is_open=True).order_by("severity", "raised_at").first()
    person = Enrollee.objects.order_by("pk").first()
    assert alarm is not None and person is not None
    pages = [("console live list", "/homesafety/console/list/"), ("alarm page", f"/homesafety/alarms/{alarm.pk}/"),
             ("person page", f"/homesafety/persons/{person.pk}/"), ("sign-in page", "/login/")]
    return {"cookie": client.cookies["sessionid"].value, "readings": serials[:PERSONS],
            "sos": serials[PERSONS:], "pages": pages}


def _clean_up() -> None:
    """What this benchmark enrolled, raised and read goes away (the residents and places stay), so
    that a benchmark after it in the same run finds the residents unenrolled."""
    from longcheng.modules.homesafety.models import Alarm, AlarmEvent, Device, DeviceState, Enrollee, Reading

    devices = Device.objects.filter(serial__startswith="HSC-")
    AlarmEvent.objects.filter(alarm__device__in=devices).delete()
    Alarm.objects.filter(device__in=devices).delete()
    Reading.objects.filter(device__in=devices).delete()
    DeviceState.objects.filter(device__in=devices).delete()
    enrollees = list(devices.values_list("enrollee_id", flat=True))
    devices.delete()
    Enrollee.objects.filter(pk__in=enrollees).delete()


# --- the feeder: its own process, so that its Python work does not slow down the measuring one ----------


def _feed(stop: Any, out: Any, readings: list[str], sos: list[str], rate: int, offset: int) -> None:
    from django.db import connection

    from longcheng.modules.homesafety.ingest import Incoming, ingest
    from longcheng.modules.homesafety.models import Alarm

    connection.close()  # the parent's connection must not be shared
    seq = int(time.time() * 1000) * 1000
    tick, per_tick = 0.1, max(1, rate // 10)
    k, next_sos, n_sos = 0, time.time() + 1.0, offset
    next_tick = time.time()
    while not stop.is_set():
        now_ms = int(time.time() * 1000)
        batch = []
        for _ in range(per_tick):
            seq += 1
            batch.append(Incoming(json.dumps({"device": readings[k % len(readings)], "seq": seq, "ts": now_ms,
                                              "metrics": {"hr": 72, "battery": 80, "worn": True}})))
            k += 1
        ingest(batch, source="mqtt")
        if time.time() >= next_sos and n_sos < len(sos):
            serial = sos[n_sos]
            n_sos += 1
            seq += 1
            began = time.time()
            ingest([Incoming(json.dumps({"device": serial, "seq": seq, "ts": int(began * 1000), "metrics": {},
                                         "event": "sos"}))], source="mqtt")
            pk = Alarm.objects.filter(device__serial=serial, kind="sos", is_open=True).values_list("pk", flat=True).first()
            out.put((pk, began))
            next_sos += 1.0
        next_tick += tick
        time.sleep(max(0.0, next_tick - time.time()))
    out.put(("done", n_sos))


# --- clients --------------------------------------------------------------------------------------------


class SSE:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self.ready = asyncio.Event()

    @classmethod
    async def open(cls, port: int, cookie: str) -> SSE:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /homesafety/console/stream/ HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     f"Cookie: sessionid={cookie}\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"stream: {status!r}")
        while (await reader.readline()).strip():
            pass
        return cls(reader, writer)

    async def read(self) -> None:
        name = ""
        while line := await self.reader.readline():
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                name = text.removeprefix("event: ")
            elif text.startswith("data: ") and name:
                self.events.append((time.time(), name, json.loads(text.removeprefix("data: "))))
                self.ready.set()
                name = ""

    def close(self) -> None:
        self.writer.close()


async def _get(port: int, cookie: str, path: str) -> float:
    began = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # The sign-in page is asked for without the session (signed in, it redirects).
    session = "" if path == "/login/" else f"Cookie: sessionid={cookie}\r\n"
    writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{session}\r\n".encode())
    await writer.drain()
    status = (await reader.readline()).split()[1]
    await reader.read()
    writer.close()
    if status != b"200":
        raise RuntimeError(f"{path}: HTTP {status.decode()}")
    return (time.perf_counter() - began) * 1000


async def _page_p95s(port: int, cookie: str, pages: list[tuple[str, str]]) -> dict[str, float]:
    out = {}
    for label, path in pages:
        await _get(port, cookie, path)  # warm-up
        times = sorted([await _get(port, cookie, path) for _ in range(REQUESTS)])
        out[label] = times[min(len(times) - 1, int(len(times) * 0.95))]
    return out


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def _server_figures(server: subprocess.Popen[bytes]) -> tuple[int, int, int]:
    """Threads and resident memory (MiB) of the uvicorn processes (parent and workers)."""
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    threads = rss = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                threads += int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss += int(line.split()[1]) // 1024
    return threads, rss, len(pids) - 1


def _db_connections() -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        return -1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _consoles(port: int, cookie: str, n: int, ready: Any, stop: Any, out: Any) -> None:
    """The open consoles: their own process, so that reading 200 streams does not slow down the
    process that times the pages. Sends back each stream's (time, event, alarm id)."""

    async def main() -> None:
        opened = list(await asyncio.gather(*(SSE.open(port, cookie) for _ in range(n))))
        readers = [asyncio.create_task(s.read()) for s in opened]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in opened)), timeout=180)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        out.put([[(t, name, data.get("id")) for t, name, data in s.events] for s in opened])
        for s in opened:
            s.close()
        for task in readers:
            task.cancel()

    asyncio.run(main())


async def _phase(port: int, world: dict[str, Any], streams: int, offset: int,
                 server: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Open `streams` consoles, ingest for SECONDS while measuring the pages, then collect."""
    from django.db import connections

    loop = asyncio.get_running_loop()
    connections.close_all()  # none may be shared with the forked processes
    ctx = multiprocessing.get_context("fork")
    consoles = None
    if streams:
        ready, done, events = ctx.Event(), ctx.Event(), ctx.Queue()
        consoles = ctx.Process(target=_consoles, args=(port, world["cookie"], streams, ready, done, events), daemon=True)
        consoles.start()
        if not await loop.run_in_executor(None, ready.wait, 240):
            raise RuntimeError("the consoles did not open")
    stop, out = ctx.Event(), ctx.Queue()
    feeder = ctx.Process(target=_feed, args=(stop, out, world["readings"], world["sos"], RATE, offset), daemon=True)
    feeder.start()
    began = time.monotonic()
    await asyncio.sleep(1.0)
    pages = await _page_p95s(port, world["cookie"], world["pages"])
    figures = _server_figures(server)
    db = await loop.run_in_executor(None, _db_connections)
    while time.monotonic() - began < SECONDS:
        await asyncio.sleep(0.5)
    stop.set()
    sent: dict[int, float] = {}
    n_sos = 0
    while True:
        item = await loop.run_in_executor(None, out.get)
        if item[0] == "done":
            n_sos = item[1]
            break
        if item[0] is not None:
            sent[item[0]] = item[1]
    feeder.join()
    received: list[list[tuple[float, str, Any]]] = []
    if consoles is not None:
        await asyncio.sleep(2.0)  # the last alarm's events still on their way
        done.set()
        received = await loop.run_in_executor(None, events.get)
        consoles.join()
    latencies, missing = _latencies(received, sent)
    return {"pages": pages, "latencies": latencies, "missing": missing, "alarms": len(sent), "n_sos": n_sos,
            "figures": figures, "db": db}


def _latencies(received: list[list[tuple[float, str, Any]]], sent: dict[int, float]) -> tuple[list[float], int]:
    """Each console's delay from an SOS sent to its alarm shown (or to the reload it was told to
    make), and how many it never showed."""
    latencies: list[float] = []
    missing = 0
    for stream in received:
        got: dict[int, float] = {}
        changed = [t for t, name, _ in stream if name == "changed"]
        for t, name, pk in stream:
            if name == "alarm" and pk in sent and pk not in got:
                got[pk] = t
        for pk, t0 in sent.items():
            if pk in got:
                latencies.append(got[pk] - t0)
            else:
                after = [t for t in changed if t >= t0]  # a console told to reload its list
                if after:
                    latencies.append(after[0] - t0)
                else:
                    missing += 1
    return latencies, missing


def run() -> None:
    from django.db import connection, connections

    vendor = connection.vendor
    world = _build()
    connections.close_all()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "DB_CONN_MAX_AGE": "0", "DB_POOL_SIZE": os.environ.get("BENCH_HSC_POOL", "20")}
    uvicorn = Path(sys.executable).with_name("uvicorn")
    server = subprocess.Popen([str(uvicorn), "longcheng.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", str(WORKERS), "--no-access-log", "--lifespan", "off",
                               "--timeout-graceful-shutdown", "3"], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.3)
        time.sleep(2.0)  # every worker up
        progress(f"{vendor}: baseline, no stream open, ingest at {RATE} readings/s and an SOS a second")
        base = asyncio.run(_phase(port, world, 0, 0, server))
        idle_threads, idle_rss, _processes = base["figures"]
        progress(f"{STREAMS} open consoles, the same ingest")
        busy = asyncio.run(_phase(port, world, STREAMS, base["n_sos"], server))
        progress(f"{vendor}: baseline again, no stream open")
        after = asyncio.run(_phase(port, world, 0, base["n_sos"] + busy["n_sos"], server))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        _clean_up()
    lat = busy["latencies"]
    expected = busy["alarms"] * STREAMS
    print(f"           {vendor}, uvicorn --workers {WORKERS}: {STREAMS} consoles, {busy['alarms']} SOS alarms "
          f"→ {len(lat)}/{expected} deliveries ({busy['missing']} missing); "
          f"threads {idle_threads} → {busy['figures'][0]}, RSS {idle_rss} → {busy['figures'][1]} MiB, "
          f"database connections {base['db']} → {busy['db']}")
    if lat:
        print(f"           SOS raised → on every console: p50 {statistics.median(lat) * 1000:.0f} ms, "
              f"p99 {_pct(lat, 0.99) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms")
        report("hsconsole", f"SOS → {STREAMS} consoles p99 (ms)", _pct(lat, 0.99) * 1000, 1500, "ms", "target")
    print("           page p95 (ms) with no stream open, before and after: " + ", ".join(
        f"{label} {base['pages'][label]:.0f} / {after['pages'][label]:.0f}" for label in busy["pages"]))
    for label, p95 in busy["pages"].items():
        baseline = (base["pages"][label] + after["pages"][label]) / 2
        report("hsconsole", f"{label} p95, {STREAMS} streams open (ms)", p95, baseline, "ms",
               "no stream open, mean of before and after")
        if label != "sign-in page":
            report("hsconsole", f"{label} p95, {STREAMS} streams open vs target (ms)", p95, 200, "ms", "target")
