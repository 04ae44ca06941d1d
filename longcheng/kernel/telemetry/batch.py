"""One batch of device messages, from bytes to stored readings and updated states. What a reading
means (its device type's metrics, its rules, its alarms) is asked of the `Application` of the module
that declares the device's type (plug.py), built afresh for each batch; this file knows only
envelopes, devices, sequence numbers and dead letters.

A batch is one transaction. Every message ends in exactly one place: a stored reading, a duplicate
(same device and sequence number: stored once), or a dead letter with its reason. A bad message
never stops the batch, and nothing about it is half-written: the size and the nesting depth are
checked before any parser sees the bytes, every exception of one message becomes its dead letter,
and a batch the database refuses is stored again message by message, so one poison member costs
only itself. Only an unreachable database stops a batch (it is then retried, not acknowledged).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from pydantic import ValidationError

from .activity import note_batch
from .envelope import (
    MAX_DEPTH,
    MAX_PAYLOAD,
    UNDECODED,
    Envelope,
    Incoming,
    clean,
    decode,
    gateway_from_topic,
    payload_text,
    sender_of,
    serial_from_topic,
    too_deep,
)
from .models import DeadLetter, Device, DeviceState, SeqGap
from .plug import declared_types, telemetry_of
from .registry import Scopes, devices_by_serial, gateway_scope, in_scope, user_scope
from .sequence import fill_gaps, sequence
from .state import State, load_states, save_states
from .store import Accepted, IngestResult, content, insert_new, log, poison, stored_content

Refuse = Callable[[int, Incoming, str, str, str], None]


class Application(Protocol):
    """What the module that declares a device type does with its devices' messages (home safety:
    its ingest.py). `ModuleSpec.telemetry.application()` makes a fresh one for each batch."""

    def accept(self, message: Incoming, envelope: Envelope, device: Device, now: dt.datetime,
               index: int) -> tuple[Accepted | None, str, str]:
        """The message of a known, active device in scope: (accepted, "", "") or (None, reason, detail)."""

    def extra_devices(self) -> dict[int, Device]:
        """Devices whose state must be visited even without a stored reading (a clock to warn of)."""

    def on_row(self, device: Device, state: State, row: Accepted, in_order: bool, result: IngestResult) -> None:
        """A new reading, after the latest state took it (when in order)."""

    def on_device(self, device: Device, state: State, rows: list[Accepted], now: dt.datetime,
                  result: IngestResult) -> None:
        """After a device's readings and its sequence numbers."""

    def back_online(self, device: Device, state: State, result: IngestResult) -> None:
        """A device that was offline sent again."""

    def first_heard(self, device_ids: list[int]) -> None:
        """Devices heard for the first time, once the states are saved."""

    # Optional: `finish(result)`, after every device of the batch, before the states are saved (an
    # application that must see several devices' readings in time order buffers them in on_row).


class Dispatch:
    """The applications of one batch, one per module with devices, each made when one of its devices
    first comes up and asked only about its own devices."""

    def __init__(self) -> None:
        self.types = declared_types()
        self.apps: dict[str, Application] = {}
        self.module_of: dict[int, str] = {}

    def app(self, device: Device) -> Application:
        module = self.types[device.kind]  # check_envelope refused the undeclared types
        self.module_of[device.pk] = module
        if module not in self.apps:
            telemetry = telemetry_of(module)
            assert telemetry is not None
            self.apps[module] = telemetry.application()
        return self.apps[module]

    def accept(self, message: Incoming, envelope: Envelope, device: Device, now: dt.datetime,
               index: int) -> tuple[Accepted | None, str, str]:
        return self.app(device).accept(message, envelope, device, now, index)

    def extra_devices(self) -> dict[int, Device]:
        extra: dict[int, Device] = {}
        for module, app in self.apps.items():
            for pk, device in app.extra_devices().items():
                self.module_of[pk] = module
                extra[pk] = device
        return extra

    def on_row(self, device: Device, state: State, row: Accepted, in_order: bool, result: IngestResult) -> None:
        self.app(device).on_row(device, state, row, in_order, result)

    def on_device(self, device: Device, state: State, rows: list[Accepted], now: dt.datetime,
                  result: IngestResult) -> None:
        self.app(device).on_device(device, state, rows, now, result)

    def back_online(self, device: Device, state: State, result: IngestResult) -> None:
        self.app(device).back_online(device, state, result)

    def finish(self, result: IngestResult) -> None:
        for app in self.apps.values():
            finish = getattr(app, "finish", None)
            if finish is not None:
                finish(result)

    def first_heard(self, device_ids: list[int]) -> None:
        for module, app in self.apps.items():
            mine = [pk for pk in device_ids if self.module_of.get(pk) == module]
            if mine:
                app.first_heard(mine)


def ingest(messages: list[Incoming], *, source: str, application: Callable[[], Application] = Dispatch,
           gateway: Any = None) -> IngestResult:
    """Store a batch. `gateway`: the account that sent it over HTTP, whose scope must cover each
    message's device (over MQTT a gateway topic names the account). `application`: by default each
    device's module's (Dispatch); a module may pass its own for its devices alone."""
    if gateway is not None:
        for message in messages:
            message.gateway = gateway
    try:
        return _ingest(messages, source=source, app=application())
    except (OperationalError, InterfaceError):
        raise  # the database is away: the caller retries the batch (MQTT: not acknowledged)
    except Exception:
        if len(messages) == 1:
            return poison(messages[0], source)
        # One member the database (or a rule) cannot take: store the batch message by message, so
        # it costs only itself. Rare, so the slower path is fine.
        log.exception("a batch of %d failed; storing its messages one by one", len(messages))
        result = IngestResult()
        for index, message in enumerate(messages):
            one = ingest([message], source=source, application=application)
            for name in ("stored", "duplicates", "rejected", "raised", "cleared"):
                setattr(result, name, getattr(result, name) + getattr(one, name))
            for reason, n in one.reasons.items():
                result.reasons[reason] += n
            result.errors += [{**error, "index": index} for error in one.errors]
        return result


def _serials(messages: list[Incoming]) -> set[str]:
    """Each message's JSON parsed once (or its refusal noted), and the serials the batch names."""
    serials = set()
    for message in messages:
        payload = message.payload
        if message.refused:
            continue
        if isinstance(payload, dict):
            message.decoded = payload
            if not message.shallow and too_deep(payload):
                # A gateway batch or an HTTP body may nest one member deeper than a message may.
                message.refused = ("too_deep", f"nested deeper than {MAX_DEPTH} levels")
                continue
        elif message.decoded is UNDECODED:
            message.decoded, message.refused = decode(payload, MAX_PAYLOAD)
        if isinstance(message.decoded, dict):
            serials.add(str(message.decoded.get("device", ""))[:40])
    # Only serials a device could have (the envelope's pattern): PostgreSQL refuses NUL even in a query.
    return {s for s in serials if s and "\x00" not in s}


def _ingest(messages: list[Incoming], *, source: str, app: Application) -> IngestResult:
    result = IngestResult()
    now = timezone.now()
    devices = devices_by_serial(_serials(messages))
    accepted: list[Accepted] = []
    dead: list[DeadLetter] = []

    def refuse(index: int, message: Incoming, reason: str, detail: str, serial: str) -> None:
        result.errors.append({"index": index, "reason": reason, "detail": detail})
        dead.append(DeadLetter(received_at=message.received_at or now, source=source,
                               topic=clean(message.topic, 200), device_serial=clean(serial, 40),
                               gateway=sender_of(message), reason=reason,
                               detail=clean(detail, 300), payload=payload_text(message.payload)))
        result.reasons[reason] += 1

    types = declared_types()
    for index, message in enumerate(messages):
        envelope, device, reason, detail, serial = check_envelope(message, devices, types)
        row = None
        if envelope is not None and device is not None:
            row, reason, detail = app.accept(message, envelope, device, now, index)
        if row is None:
            refuse(index, message, reason, detail, serial)
        else:
            accepted.append(row)
    with transaction.atomic():
        fresh = _store(accepted, messages, result, refuse)
        DeadLetter.objects.bulk_create(dead)
        result.rejected = len(dead)
        if fresh or app.extra_devices():
            apply(fresh, now, result, app)
    note_batch(messages, dead, now, source)
    return result


def check_envelope(message: Incoming, devices: dict[str, Device],
                   types: dict[str, str]) -> tuple[Envelope | None, Device | None, str, str, str]:
    """(envelope, device, "", "", serial) for a well-formed message of a known, active device of a
    declared type its sender may speak for; else (None, None, reason, detail, serial)."""
    if message.refused:
        return None, None, message.refused[0], message.refused[1], ""
    data = message.decoded
    if not isinstance(data, dict):
        return None, None, "invalid_envelope", "the payload must be a JSON object", ""
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        return None, None, "invalid_envelope", f"{where}: {first['msg']}"[:300], str(data.get("device", ""))[:40]
    serial = envelope.device
    gateway = message.gateway
    if message.topic and gateway is None:
        gateway = gateway_from_topic(message.topic)
        if gateway is None and serial_from_topic(message.topic) != serial:
            return None, None, "topic_mismatch", f"topic {message.topic[:120]} does not name device {serial}", serial
    scopes: Scopes | None = None
    if gateway is not None:
        scopes = gateway_scope(gateway) if isinstance(gateway, str) else user_scope(gateway)
        if not scopes:
            return (None, None, "unknown_gateway",
                    f"no active gateway account {str(gateway)[:60]!r} may send telemetry", serial)
    device = devices.get(serial)
    if device is None:
        return None, None, "unknown_device", "no device with this serial is registered", serial
    declared = device.kind in types
    if scopes is not None and declared and not in_scope(device, scopes, types):
        # Nothing stored, no alarm, no sequence number used up: a gateway speaks only for the
        # devices bound to persons within its scope.
        return (None, None, "device_out_of_scope",
                f"device {serial} is not bound within gateway {str(gateway)[:60]}'s scope", serial)
    if not device.active:
        return None, None, "retired_device", "this device is retired", serial
    if not declared:
        return None, None, "unknown_device_type", f"device type {device.kind!r} is not declared", serial
    return envelope, device, "", "", serial


def _store(accepted: list[Accepted], messages: list[Incoming], result: IngestResult, refuse: Refuse) -> list[Accepted]:
    """Insert what is new; count repeats; refuse conflicts. Returns the rows to apply, in device time."""
    # The same (device, seq) twice in one batch: keep the first; a second with other content
    # is a conflict, as against a stored one (below).
    unique: dict[tuple[int, int], Accepted] = {}
    repeats: list[Accepted] = []
    for row in accepted:
        key = (row.device.pk, row.seq)
        if key in unique:
            repeats.append(row)
        else:
            unique[key] = row
    new = insert_new(list(unique.values()))
    result.stored = len(new)
    old = [row for key, row in unique.items() if key not in new]
    stored = stored_content(old)
    stored.update({key: content(row) for key, row in unique.items() if key in new})
    conflicts = []
    for row in old + repeats:
        if stored.get((row.device.pk, row.seq), content(row)) == content(row):
            result.duplicates += 1
        else:
            # Not a repeat but another message under a number already used (a gateway burning
            # numbers, a device reset): kept as a dead letter, and its SOS still rings.
            row.conflict = True
            conflicts.append(row)
            refuse(row.index, messages[row.index], "seq_conflict",
                   f"seq {row.seq} of {row.device.serial} is already stored with other content", row.device.serial)
    fresh = [unique[key] for key in new] + [row for row in conflicts if row.event]
    fresh.sort(key=lambda r: (r.device_time, r.seq))
    return fresh


def apply(rows: list[Accepted], now: dt.datetime, result: IngestResult, app: Application) -> None:
    by_device: dict[int, list[Accepted]] = defaultdict(list)
    for row in rows:
        by_device[row.device.pk].append(row)
    extra = app.extra_devices()
    for pk in extra:
        by_device.setdefault(pk, [])
    # Lock the states in a fixed order (PostgreSQL): a device's readings may reach two workers.
    ids = sorted(by_device)
    states = load_states(ids)
    if len(states) < len(ids):
        DeviceState.objects.bulk_create([DeviceState(device_id=pk) for pk in ids if pk not in states],
                                        ignore_conflicts=True)
        states = load_states(ids)
    first_heard: list[int] = []
    gaps: list[SeqGap] = []
    late: list[tuple[int, int]] = []
    for pk, device_rows in by_device.items():
        device = device_rows[0].device if device_rows else extra[pk]
        was_online = states[pk].online
        _apply_device(device, states[pk], device_rows, result, app)
        sequence(pk, states[pk], [r.seq for r in device_rows if not r.conflict], now, gaps, late)
        app.on_device(device, states[pk], device_rows, now, result)
        if device_rows:
            state = states[pk]
            if state.last_received_at is None:
                first_heard.append(pk)
            state.last_received_at = max(r.received_at for r in device_rows)
            state.online = True
            if not was_online:
                app.back_online(device, state, result)
    finish = getattr(app, "finish", None)
    if finish is not None:
        finish(result)
    save_states(list(states.values()))
    if gaps:
        SeqGap.objects.bulk_create(gaps)
    if late:
        fill_gaps(late)
    if first_heard:
        app.first_heard(first_heard)


def _apply_device(device: Device, state: State, rows: list[Accepted], result: IngestResult, app: Application) -> None:
    """The latest state takes each reading newer than what it holds; the application sees them all."""
    for row in rows:
        in_order = (not row.ahead and not row.conflict
                    and (state.last_device_time is None or row.device_time > state.last_device_time))
        if in_order:
            state.last_device_time, state.last_seq = row.device_time, row.seq
            state.metrics = {**state.metrics, **row.metrics}
            if "lat" in row.metrics and "lon" in row.metrics:
                state.lat, state.lon = row.metrics["lat"], row.metrics["lon"]
        app.on_row(device, state, row, in_order, result)
