"""platformdoor's side of the kernel's ingest path (kernel/telemetry, docs/telemetry.md): what a
detector's, door switch's, loop's and train signal's readings mean. The kernel stores every reading
once; this application acts only on a change of state (a detector going from clear to blocked), so a
detector sending 20 times a second between changes costs no query here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from pydantic import ValidationError

from longcheng.kernel.telemetry.envelope import Envelope, Incoming, device_time
from longcheng.kernel.telemetry.models import Device
from longcheng.kernel.telemetry.state import State
from longcheng.kernel.telemetry.store import Accepted, IngestResult

from . import dwells
from .devices import DETECTOR, DEVICE_TYPES, LOOP, SWITCH, TRAIN
from .models import Sensor


def sensor_of(device: Device) -> Sensor | None:
    try:
        return device.platformdoor  # type: ignore[attr-defined,no-any-return,unused-ignore]
    except ObjectDoesNotExist:
        return None


class PlatformDoors:
    """One batch's application of readings to the platform doors (a fresh one per batch)."""

    def __init__(self) -> None:
        self.batch = dwells.Batch()
        self.rows: list[tuple[str, Sensor, State, Accepted]] = []

    def accept(self, message: Incoming, envelope: Envelope, device: Device, now: dt.datetime,
               index: int) -> tuple[Accepted | None, str, str]:
        kind = DEVICE_TYPES[device.kind]
        try:
            metrics = kind.metrics.model_validate(envelope.metrics).model_dump(exclude_none=True)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return None, "invalid_metrics", f"metrics.{where}: {first['msg']}"[:300]
        if envelope.event and envelope.event not in kind.events:
            return None, "unknown_event", f"event {envelope.event!r} is not one of {sorted(kind.events)}"
        try:
            at = device_time(envelope.ts)
        except (ValueError, OverflowError, OSError):
            return None, "invalid_time", "ts must be an ISO 8601 time or epoch milliseconds"
        return Accepted(device, envelope.seq, at, message.received_at or now, metrics, envelope.event or "",
                        index=index), "", ""

    def extra_devices(self) -> dict[int, Device]:
        return {}

    def on_row(self, device: Device, state: State, row: Accepted, in_order: bool, result: IngestResult) -> None:
        """Buffered: a batch hands the devices one after another, and a dwell's decision needs the
        train's, the loop's and the detectors' signals in time order (finish)."""
        sensor = sensor_of(device)
        if sensor is not None and (in_order or row.event):
            self.rows.append((device.kind, sensor, state, row))

    def finish(self, result: IngestResult) -> None:
        """Every signal of the batch in device time: a train's events, and each change of state."""
        self.rows.sort(key=lambda item: (item[3].device_time, item[3].seq))
        for kind, sensor, state, row in self.rows:
            if kind == TRAIN:
                result.raised += self.batch.train(sensor, row.event, row.metrics.get("train", ""), row.device_time)
                continue
            value = _value(kind, row.metrics)
            if value is None or not self._news(kind, sensor, state, value, row):
                continue
            self.batch.latest[sensor.device_id] = value
            result.raised += self.batch.changed(sensor, kind, value, row.device_time)
        self.rows = []

    def _news(self, kind: str, sensor: Sensor, state: State, value: str, row: Accepted) -> bool:
        """Whether the reading changes what the rules know: a new value, or a detector still blocked
        (or faulty) now within a dwell armed after it first said so (a train's events may come first)."""
        armed = self.batch.armed_id(sensor.platform, row.device_time) if kind == DETECTOR and value != "clear" else None
        memory = state.rule_state
        if value == memory.get("s") and (armed is None or armed == memory.get("d")):
            return False
        state.rule_state = {**memory, "s": value, "d": armed}
        return True

    def on_device(self, device: Device, state: State, rows: list[Accepted], now: dt.datetime,
                  result: IngestResult) -> None:
        return None

    def back_online(self, device: Device, state: State, result: IngestResult) -> None:
        return None

    def first_heard(self, device_ids: list[int]) -> None:
        return None


def _value(kind: str, metrics: dict[str, Any]) -> str | None:
    """A reading as the state the rules follow: a detector's state; "locked"/"open"; "closed"/"open"."""
    if kind == DETECTOR:
        return str(metrics["state"])
    if kind == SWITCH:
        return "locked" if metrics["locked"] else "open"
    if kind == LOOP:
        return "closed" if metrics["closed"] else "open"
    return None
