"""Home safety's side of the ingest path for MQTT and HTTP: what a device type's readings mean.

    result = ingest([Incoming(payload=b'{"device": "WB-1", ...}', topic="...")], source="mqtt")

The plumbing any device service shares (envelope limits, dead letters, (device, seq) idempotency,
sequence gaps, the latest state row) is the kernel's telemetry (kernel/telemetry, docs/telemetry.md),
which asks this `Application` about home safety's device types (spec.py: `Telemetry`). This file
supplies what is home safety's own: the device types' metrics and events, the clock window,
the rules and the alarms they raise or clear, and the first signal that completes an installation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from pydantic import ValidationError

from longcheng.kernel.telemetry import batch
from longcheng.kernel.telemetry.envelope import Envelope, Incoming, device_time
from longcheng.kernel.telemetry.models import Device
from longcheng.kernel.telemetry.registry import forget_devices
from longcheng.kernel.telemetry.state import State
from longcheng.kernel.telemetry.store import Accepted, IngestResult

from . import rulebook, rules
from .actions import first_signal
from .alarms import clear_alarm, raise_alarm
from .conf import conf
from .devices import DEVICE_TYPES
from .models import AlarmKind, Enrollee, Severity, home_device

__all__ = ["Incoming", "IngestResult", "forget_devices", "ingest"]


def ingest(messages: list[Incoming], *, source: str, gateway: Any = None) -> IngestResult:
    """Store a batch (kernel/telemetry/batch.py; each device's module applies its readings).
    `gateway`: the account that sent it over HTTP, whose scope must cover each message's device
    (over MQTT a gateway topic names the account)."""
    return batch.ingest(messages, source=source, gateway=gateway)


def _enrollee(device: Device) -> Enrollee | None:
    """The person the device is bound to (its binding is loaded with it by the kernel's cache)."""
    home = home_device(device)
    return home.enrollee if home is not None else None


class HomeSafety:
    """One batch's application of readings to home safety (a fresh one per batch)."""

    def __init__(self) -> None:
        # device id → (device, clock offset): a device whose clock is out of the window, noted even
        # when its message is refused.
        self.clock_notes: dict[int, tuple[Device, float]] = {}
        # device id → (parameters, rule codes): the type's defaults, the places' rules, the person's own.
        self._judges: dict[int, tuple[dict[str, Any], tuple[str, ...]]] = {}
        # The rules as the programme manager last saved them (one query: have they changed?).
        self._book = rulebook.current()

    def accept(self, message: Incoming, envelope: Envelope, device: Device, now: dt.datetime,
               index: int) -> tuple[Accepted | None, str, str]:
        kind = DEVICE_TYPES.get(device.kind)
        if kind is None:
            return None, "unknown_device_type", f"device type {device.kind!r} is not declared"
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
        received = message.received_at or now
        offset = (at - received).total_seconds()
        ahead = offset > conf("HOMESAFETY_CLOCK_SKEW_SECONDS")
        clock_offset = offset if ahead or -offset > conf("HOMESAFETY_STALE_EVENT_SECONDS") else None
        event = envelope.event or ""
        if clock_offset is not None:
            self.clock_notes[device.pk] = (device, clock_offset)
        if ahead and event not in kind.urgent:
            # A reading from a clock ahead would hold the latest state hostage until real time caught
            # up with it; an SOS, fall or smoke event is taken all the same (below).
            return None, "time_in_future", f"device time {at.isoformat()} is ahead of the platform clock"
        return Accepted(device, envelope.seq, at, received, metrics, event, clock_offset, ahead, index), "", ""

    def extra_devices(self) -> dict[int, Device]:
        return {pk: device for pk, (device, _offset) in self.clock_notes.items()}

    def on_row(self, device: Device, state: State, row: Accepted, in_order: bool, result: IngestResult) -> None:
        enrollee = _enrollee(device)
        if enrollee is None:
            return
        kind = DEVICE_TYPES[device.kind]
        event = row.event
        # An SOS, fall or smoke event rings whatever its time stamp (a slow clock, a phone that
        # queued it for an hour): the alarm carries the offset. A late "removed" or "test" is
        # history by now and raises nothing.
        if event and row.clock_offset is not None and event not in kind.urgent:
            event = ""
        if not in_order and not event:
            return
        judge = self._judges.get(device.pk)
        if judge is None:
            judge = self._judges[device.pk] = rulebook.judged_by(
                self._book, device.kind, getattr(device, "scope_path", None), enrollee)
        params, rule_codes = judge
        local = timezone.localtime(row.device_time)
        ctx = rules.Ctx(device_time=row.device_time, metrics=row.metrics, event=event,
                        params=params, state=state.rule_state, in_order=in_order,
                        quiet_hours=rules.in_quiet_hours(local, enrollee.quiet_start, enrollee.quiet_end),
                        home=(enrollee.home_lat, enrollee.home_lon) if enrollee.home_lat is not None
                        and enrollee.home_lon is not None else None,
                        safe_zone=enrollee.safe_zone or {})
        for verdict in rules.evaluate(rule_codes, ctx):
            if verdict.raise_:
                if row.clock_offset is not None:
                    verdict = rules.Verdict(verdict.kind, True, verdict.severity,
                                            {**verdict.detail, "clock_offset_s": round(row.clock_offset)})
                # A device clock far off cannot place the alarm in time: the platform's clock does.
                at = row.device_time if row.clock_offset is None else row.received_at
                _alarm, created = raise_alarm(enrollee, device, verdict, at)
                result.raised += int(created)
            else:
                result.cleared += clear_alarm(enrollee, device, verdict.kind, row.device_time)

    def on_device(self, device: Device, state: State, rows: list[Accepted], now: dt.datetime,
                  result: IngestResult) -> None:
        result.raised += _clock(state, device, rows, self.clock_notes.get(device.pk), now, result)

    def back_online(self, device: Device, state: State, result: IngestResult) -> None:
        enrollee = _enrollee(device)
        if enrollee is not None and state.last_received_at is not None:
            result.cleared += clear_alarm(enrollee, device, AlarmKind.OFFLINE, state.last_received_at)

    def first_heard(self, device_ids: list[int]) -> None:
        first_signal(device_ids)


def _clock(state: State, device: Device, rows: list[Accepted], note: tuple[Device, float] | None,
           now: dt.datetime, result: IngestResult) -> int:
    """The device's clock warning: raised while its latest message (by seq) is outside the window,
    cleared by the first one inside it. Returns 1 when a new warning was raised."""
    own = [r for r in rows if not r.conflict]
    latest = max(own, key=lambda r: r.seq) if own else None
    offset = latest.clock_offset if latest is not None else (note[1] if note else None)
    enrollee = _enrollee(device)
    if offset is not None:
        state.clock_offset_s = offset
        if enrollee is not None:
            verdict = rules.Verdict(AlarmKind.CLOCK_OFF, True, Severity.WARNING, {"offset_s": round(offset)})
            return int(raise_alarm(enrollee, device, verdict, now)[1])
    elif state.clock_offset_s is not None and latest is not None:
        state.clock_offset_s = None
        if enrollee is not None:
            result.cleared += clear_alarm(enrollee, device, AlarmKind.CLOCK_OFF, now)
    return 0


