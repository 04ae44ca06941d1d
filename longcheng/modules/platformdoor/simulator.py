"""A line's stations and trains as device messages, with faults: a bag in the gap, a flickering beam,
a stuck door switch. Used by the demo, the bench, `longcheng platformdoor_simulate` and the tests.

Each platform gets a train every `headway` seconds: "arrive", doors open (switches unlocked, loop
open), passengers crossing the gap (short blocks) while boarding, "close" (detection armed), the
switches locked and the loop closed, then "depart". Detectors send at `hz` during a dwell and nothing
between trains. Sequence numbers run on from each device's highest stored one."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils import timezone

from longcheng.kernel.telemetry.batch import ingest
from longcheng.kernel.telemetry.envelope import Incoming
from longcheng.kernel.telemetry.models import DeviceState

from .devices import ARRIVE, CLOSE, DEPART
from .line import serial
from .models import Alarm, AlarmKind, Door, Line, Platform

BAG, FLICKER, STUCK = "bag", "flicker", "stuck_switch"
BOARDING_S, CLOSING_S = 25.0, 10.0


@dataclass(frozen=True)
class Fault:
    kind: str
    door: Door


@dataclass
class Stats:
    dwells: int = 0
    messages: int = 0
    alarms: int = 0
    faults: list[tuple[str, str]] = field(default_factory=list)


class Simulator:
    def __init__(self, *, hz: float = 20.0, seed: int = 20) -> None:
        self.hz, self.random = hz, random.Random(seed)
        self.seqs: dict[str, int] = {}

    def seed_seqs(self, platforms: list[Platform]) -> None:
        """Go on from each device's highest stored sequence number."""
        rows = DeviceState.objects.filter(device__platformdoor__platform__in=platforms).values_list(
            "device__serial", F("max_seq"))
        self.seqs.update({s: int(q or 0) for s, q in rows})

    def msg(self, serial_: str, at: dt.datetime, metrics: dict[str, Any], event: str = "") -> tuple[str, dict[str, Any]]:
        self.seqs[serial_] = self.seqs.get(serial_, 0) + 1
        body: dict[str, Any] = {"device": serial_, "seq": self.seqs[serial_], "ts": int(at.timestamp() * 1000),
                                "metrics": metrics}
        if event:
            body["event"] = event
        return ("events" if event else "telemetry"), body

    def dwell(self, platform: Platform, doors: list[Door], t0: dt.datetime, train: str,
              fault: Fault | None = None) -> list[tuple[str, dict[str, Any]]]:
        """One dwell's messages, in device time."""
        close = BOARDING_S
        depart = close + CLOSING_S + (4.0 if fault is not None and fault.kind == BAG else 0.0)
        out = [(0.0, self.msg(serial(platform, "TRN"), t0, {"train": train}, ARRIVE)),
               (0.1, self.msg(serial(platform, "LOOP"), t0 + _s(0.1), {"closed": False})),
               (close, self.msg(serial(platform, "TRN"), t0 + _s(close), {"train": train}, CLOSE)),
               (close + 0.5, self.msg(serial(platform, "LOOP"), t0 + _s(close + 0.5), {"closed": True})),
               (depart, self.msg(serial(platform, "TRN"), t0 + _s(depart), {"train": train}, DEPART))]
        for door in doors:
            out += self._switch(platform, door, t0, close, fault)
            out += self._detector(platform, door, t0, close, depart, fault)
        out.sort(key=lambda item: item[0])
        return [m for _t, m in out]

    def _switch(self, platform: Platform, door: Door, t0: dt.datetime, close: float,
                fault: Fault | None) -> list[tuple[float, tuple[str, dict[str, Any]]]]:
        name = serial(platform, f"{door.side}{door.number:02d}S")
        out = [(0.2, self.msg(name, t0 + _s(0.2), {"locked": False})),
               (close + 0.3, self.msg(name, t0 + _s(close + 0.3), {"locked": True}))]
        if fault is not None and fault.kind == STUCK and fault.door.pk == door.pk:
            out.append((close + 1.0, self.msg(name, t0 + _s(close + 1.0), {"locked": False})))
        return out

    def _detector(self, platform: Platform, door: Door, t0: dt.datetime, close: float, depart: float,
                  fault: Fault | None) -> list[tuple[float, tuple[str, dict[str, Any]]]]:
        name = serial(platform, f"{door.side}{door.number:02d}D")
        mine = fault if fault is not None and fault.door.pk == door.pk else None
        crossings = [self.random.uniform(1, close - 2) for _ in range(self.random.randint(0, 3))]
        out = []
        step = 1.0 / self.hz
        t = 0.0
        while t <= depart:
            state = _state(t, close, crossings, mine)
            out.append((t, self.msg(name, t0 + _s(t), {"state": state})))
            t = round(t + step, 4)
        return out

    def service(self, platforms: list[Platform], *, start: dt.datetime, trains: int, headway: float = 120.0,
                fault_every: int = 3) -> Iterator[tuple[list[tuple[str, dict[str, Any]]], Fault | None]]:
        """Each train's dwells at every platform, a fault in every `fault_every`-th dwell."""
        doors = {p.pk: list(Door.objects.filter(platform=p).order_by("side", "number")) for p in platforms}
        kinds = (BAG, FLICKER, STUCK)
        n = 0
        for k in range(trains):
            for i, platform in enumerate(platforms):
                n += 1
                fault = (Fault(kinds[(n // fault_every) % 3], self.random.choice(doors[platform.pk]))
                         if n % fault_every == 0 else None)
                t0 = start + dt.timedelta(seconds=k * headway + i * 3)
                yield self.dwell(platform, doors[platform.pk], t0, f"{k + 1:04d}", fault), fault


def _s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def _state(t: float, close: float, crossings: list[float], fault: Fault | None) -> str:
    """A detector's state at t seconds into the dwell."""
    if fault is not None and fault.kind == BAG and close - 1 <= t <= close + 7:
        return "blocked"
    if fault is not None and fault.kind == FLICKER and close + 1 <= t <= close + 2:
        return "blocked" if int(t * 10) % 2 == 0 else "clear"
    if t < close - 1 and any(c <= t <= c + 0.5 for c in crossings):
        return "blocked"
    return "clear"


def incoming(messages: list[tuple[str, dict[str, Any]]], prefix: str = "longcheng/v1") -> list[Incoming]:
    return [Incoming(payload=json.dumps(body).encode(), topic=f"{prefix}/devices/{body['device']}/{kind}")
            for kind, body in messages]


def run_line(line: Line, *, trains: int = 4, hz: float = 2.0, seed: int = 20, batch: int = 500,
             start: dt.datetime | None = None) -> Stats:
    """Simulate `trains` trains along the line through the kernel's ingest (in this process)."""
    platforms = list(Platform.objects.filter(station__line=line).select_related("station__line").order_by("pk"))
    sim = Simulator(hz=hz, seed=seed)
    sim.seed_seqs(platforms)
    start = start or timezone.now() - dt.timedelta(seconds=trains * 120 + 60)
    stats = Stats()
    before = Alarm.objects.filter(platform__station__line=line).count()
    for messages, fault in sim.service(platforms, start=start, trains=trains):
        stats.dwells += 1
        stats.messages += len(messages)
        if fault is not None:
            stats.faults.append((fault.kind, str(fault.door)))
        for i in range(0, len(messages), batch):
            ingest(incoming(messages[i:i + batch]), source="sim")
    stats.alarms = Alarm.objects.filter(platform__station__line=line).count() - before
    return stats


def close_old_alarms(line: Line, keep: int = 3) -> int:
    """For the demo: all but the newest `keep` obstruction alarms closed with a cause (figures to show)."""
    causes = ("bag", "sunlight", "vibration", "dirty_lens", "person", "unknown")
    old = Alarm.objects.filter(platform__station__line=line, is_open=True).order_by("-raised_at")[keep:]
    n = 0
    for i, alarm in enumerate(old):
        cause = causes[i % len(causes)] if alarm.kind == AlarmKind.OBSTRUCTION else ""
        n += Alarm.objects.filter(pk=alarm.pk).update(is_open=False, cause=cause, closed_at=alarm.raised_at
                                                      + dt.timedelta(minutes=2), acknowledged_at=alarm.raised_at
                                                      + dt.timedelta(seconds=20))
    return n


def publish(url: str, prefix: str, messages: list[tuple[str, dict[str, Any]]], *, client_id: str) -> int:
    """Publish the messages to an MQTT broker (QoS 1) as the devices would, waiting for each."""
    import paho.mqtt.client as mqtt  # optional here: only the simulator's MQTT mode needs paho

    from longcheng.kernel.telemetry.mqtt import configure

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    broker = configure(client, url)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        infos = [client.publish(f"{prefix}/devices/{body['device']}/{kind}", json.dumps(body), qos=1)
                 for kind, body in messages]
        for info in infos:
            info.wait_for_publish(timeout=30)
    finally:
        client.loop_stop()
        client.disconnect()
    return len(messages)
