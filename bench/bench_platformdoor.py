"""Platform-door supervision through the kernel's telemetry, in this process.

1. A line's dwells at `BENCH_PD_HZ` messages per detector per second, with faults (a bag in the gap, a
   flickering beam, a stuck door switch), stored in batches of 500 as an ingest worker takes them:
   readings per second through the ingest path (envelope, store once, latest state, dwells, decisions,
   alarms) beside a bare INSERT of the same readings into the same table (the raw database rate).
2. Detector change → alarm committed: for each batch that raised an alarm, from the batch's start to
   its commit (the change is in the batch, its alarm in the same transaction), p99; beside the bare
   INSERT of those batches; against the issue's 200 ms.
3. The controller's board: p95 of the page beside its three queries alone (not rendered); target 200 ms.
The issue's scale (30 stations, 2 platforms each, 30 doors per side, 20 Hz) is BENCH_SIZE=city.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bench.common import note, progress, report, sized, target

STATIONS = sized("BENCH_PD_STATIONS", tiny=1, small=6, city=30)
DOORS = sized("BENCH_PD_DOORS", tiny=4, small=30, city=30)
TRAINS = sized("BENCH_PD_TRAINS", tiny=2, small=2, city=2)
HZ = sized("BENCH_PD_HZ", tiny=4, small=20, city=20)
REQUESTS = sized("BENCH_PD_REQUESTS", tiny=5, small=30, city=40)
BATCH = 500


def _world() -> Any:
    from longcheng.kernel import demo
    from longcheng.kernel.access.models import User
    from longcheng.kernel.places.models import Place
    from longcheng.modules.platformdoor.line import Layout, build_line

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_staff(log=quiet)
    root = Place.objects.filter(parent__isnull=True).order_by("pk").first()
    assert root is not None
    sliding, emergency = (DOORS - 3, 3) if DOORS > 3 else (DOORS, 0)
    line = build_line("B1", "基准线", [root], Layout(stations=STATIONS, platforms=2, sliding=sliding,
                                                     emergency=emergency))
    return line, User.objects.get(username="platformdoor_controller")


def _bare(rows: list[tuple[int, int, Any, Any, str, str]]) -> float:
    """The same readings by a plain INSERT (no envelope, no state, no rules), in one transaction."""
    from django.db import connection, transaction

    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO homesafety_reading (device_id, seq, device_time, received_at, metrics, event) "
                           "VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return time.perf_counter() - began


def _stream(line: Any) -> tuple[list[list[Any]], float, list[float], int]:
    """All dwells through ingest in batches: (the batches, total seconds, alarm batches' seconds, stored)."""
    from django.utils import timezone

    from longcheng.kernel.telemetry.batch import ingest
    from longcheng.modules.platformdoor import simulator
    from longcheng.modules.platformdoor.models import Platform

    platforms = list(Platform.objects.filter(station__line=line).select_related("station__line").order_by("pk"))
    sim = simulator.Simulator(hz=HZ, seed=7)
    start = timezone.now() - dt.timedelta(hours=1)
    batches, alarm_times, total, stored = [], [], 0.0, 0
    for messages, _fault in sim.service(platforms, start=start, trains=TRAINS, fault_every=2):
        for i in range(0, len(messages), BATCH):
            batch = simulator.incoming(messages[i:i + BATCH])
            began = time.perf_counter()
            result = ingest(batch, source="bench")
            spent = time.perf_counter() - began
            total += spent
            stored += result.stored
            batches.append(messages[i:i + BATCH])
            if result.raised:
                alarm_times.append(spent)
    return batches, total, alarm_times, stored


def _bare_rows(batches: list[list[Any]], offset: int) -> list[list[tuple[int, int, Any, Any, str, str]]]:
    import json

    from django.utils import timezone

    from longcheng.kernel.telemetry.models import Device

    ids = dict(Device.objects.values_list("serial", "pk"))
    now = timezone.now()
    return [[(ids[b["device"]], b["seq"] + offset, dt.datetime.fromtimestamp(b["ts"] / 1000, tz=dt.UTC), now,
              json.dumps(b["metrics"]), b.get("event", "")) for _k, b in batch] for batch in batches]


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def _board(user: Any) -> tuple[float, float]:
    from django.test import Client
    from django.urls import reverse

    from longcheng.modules.platformdoor.views.board import board_context

    client = Client()
    client.force_login(user)
    first = client.get(reverse("platformdoor:board"))
    if first.status_code != 200:
        raise RuntimeError(f"the board answered HTTP {first.status_code} {first.get('Location', '')}")
    pages, queries = [], []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        client.get(reverse("platformdoor:board"))
        pages.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        context = board_context(user)
        list(context["bypasses"])
        queries.append((time.perf_counter() - began) * 1000)
    return _p(pages, 0.95), _p(queries, 0.95)


def run() -> None:
    from longcheng.modules.platformdoor.models import Alarm, Dwell

    line, user = _world()
    progress(f"{STATIONS} stations × 2 platforms × {DOORS} doors, {TRAINS} trains, {HZ} Hz per detector")
    batches, ours, alarm_times, stored = _stream(line)
    note(f"{stored:,} readings stored, {Dwell.objects.count()} dwells, {Alarm.objects.count()} alarms, "
         f"{len(alarm_times)} batches raised an alarm")
    rows = _bare_rows(batches, offset=10**12)
    bare_times = [_bare(batch_rows) for batch_rows in rows]
    report("platformdoor", "readings stored per second, ingest with rules", stored / ours,
           sum(len(r) for r in rows) / sum(bare_times), "msg/s", "bare INSERT of the same readings",
           higher_is_better=True)
    p99 = _p(alarm_times, 0.99) * 1000
    report("platformdoor", "detector change → alarm committed, p99 (batch of 500)", p99,
           _p(bare_times, 0.99) * 1000, "ms", "bare INSERT of a batch, p99")
    target("platformdoor", "detector change → alarm committed, p99", p99, 200, "ms")
    progress("the controller's board")
    page, queries = _board(user)
    report("platformdoor", "controller's board, p95", page, queries, "ms", "its three queries alone")
    target("platformdoor", "controller's board, p95", page, 200, "ms")
