"""The one ingest path for MQTT and HTTP: validate, store once, update the latest state, run rules.

    result = ingest([Incoming(payload=b'{"device": "WB-1", ...}', topic="...")], source="mqtt")

A batch is one transaction. Every message ends in exactly one place: a stored reading, a duplicate
(same device and sequence number: stored once), or a dead letter with its reason. A bad message
never stops the batch, and nothing about it is half-written.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import rules
from .alarms import clear_alarm, raise_alarm
from .conf import conf
from .devices import DEVICE_TYPES
from .models import AlarmKind, DeadLetter, Device, DeviceState, Enrollee, Reading

MAX_PAYLOAD = 16_384

# serial → (loaded at, device with its enrollee). Looking up 400 devices and their persons for each
# batch of 500 readings cost a third of the batch; a device's binding and its person's settings
# change rarely. A change made in this process forgets the cache at once (signals.py); another
# process sees it within HOMESAFETY_DEVICE_CACHE_SECONDS.
_DEVICES: dict[str, tuple[float, Device]] = {}
_DEVICES_MAX = 500_000


def forget_devices(*_args: Any, **_kwargs: Any) -> None:
    """Now, and again when the changing transaction commits (a batch in another thread of this
    process could otherwise cache the old rows in between)."""
    _DEVICES.clear()
    transaction.on_commit(_DEVICES.clear)


def _devices(serials: set[str]) -> dict[str, Device]:
    ttl = conf("HOMESAFETY_DEVICE_CACHE_SECONDS")
    now = time.monotonic()
    found: dict[str, Device] = {}
    missing = []
    for serial in serials:
        hit = _DEVICES.get(serial)
        if hit is not None and now - hit[0] < ttl:
            found[serial] = hit[1]
        else:
            missing.append(serial)
    if missing:
        if len(_DEVICES) > _DEVICES_MAX:
            _DEVICES.clear()
        for device in Device.objects.filter(serial__in=missing).select_related("enrollee"):
            found[device.serial] = device
            if ttl:
                _DEVICES[device.serial] = (now, device)
    return found


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")
    seq: int = Field(ge=0, lt=2**62)
    ts: dt.datetime | int
    metrics: dict[str, Any] = Field(default_factory=dict)
    event: str | None = Field(None, max_length=20)


_UNDECODED: Any = object()


@dataclass
class Incoming:
    payload: bytes | str | dict[str, Any]
    topic: str = ""
    received_at: dt.datetime | None = None
    decoded: Any = _UNDECODED  # the payload's JSON once parsed (ingest parses each message once)
    refused: tuple[str, str] | None = None  # (reason, detail) found before ingest, e.g. an unreadable gateway batch


@dataclass
class Accepted:
    device: Device
    seq: int
    device_time: dt.datetime
    received_at: dt.datetime
    metrics: dict[str, Any]
    event: str


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    raised: int = 0
    cleared: int = 0
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[dict[str, Any]] = field(default_factory=list)  # {index, reason, detail} per rejected message

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected,
                "raised": self.raised, "cleared": self.cleared, "reasons": dict(self.reasons), "errors": self.errors}


def serial_from_topic(topic: str) -> str | None:
    """<prefix>/devices/<serial>/telemetry|events → serial (the prefix is longcheng/v1 by default)."""
    parts = topic.split("/")
    if len(parts) >= 3 and parts[-3] == "devices" and parts[-1] in ("telemetry", "events"):
        return parts[-2]
    return None


def is_gateway_topic(topic: str) -> bool:
    """<prefix>/gateways/<id>/telemetry: a gateway's batch may name any device."""
    parts = topic.split("/")
    return len(parts) >= 3 and parts[-3] == "gateways" and parts[-1] == "telemetry"


def _clean(text: str, limit: int) -> str:
    """PostgreSQL text cannot hold NUL: kept visible as \\x00 (found by the fuzz test)."""
    return text[:limit].replace("\x00", "\\x00")


def _text(payload: bytes | str | dict[str, Any]) -> str:
    if isinstance(payload, dict):
        return _clean(json.dumps(payload, ensure_ascii=False, default=str), MAX_PAYLOAD)
    if isinstance(payload, bytes):
        return _clean(payload[:MAX_PAYLOAD].decode("utf-8", "replace"), MAX_PAYLOAD)
    return _clean(payload, MAX_PAYLOAD)


def _device_time(ts: dt.datetime | int) -> dt.datetime:
    if isinstance(ts, int):
        if not 0 <= ts < 2**43:  # epoch milliseconds, before the year 2248
            raise ValueError("ts out of range")
        return dt.datetime.fromtimestamp(ts / 1000, tz=dt.UTC)
    if ts.tzinfo is None:
        return ts.replace(tzinfo=timezone.get_default_timezone())
    return ts


def _parse(message: Incoming, devices: dict[str, Device], now: dt.datetime) -> tuple[Accepted | None, str, str, str]:
    """(accepted, reason, detail, serial) — reason empty when accepted."""
    raw = message.payload
    if message.refused:
        return None, message.refused[0], message.refused[1], ""
    if isinstance(raw, bytes | str) and len(raw) > MAX_PAYLOAD:
        return None, "too_large", f"{len(raw)} bytes; the limit is {MAX_PAYLOAD}", ""
    data = message.decoded
    if data is _UNDECODED:
        try:
            data = json.loads(raw) if isinstance(raw, bytes | str) else raw
        except (ValueError, UnicodeDecodeError) as exc:
            return None, "malformed_json", str(exc)[:300], ""
    if not isinstance(data, dict):
        return None, "invalid_envelope", "the payload must be a JSON object", ""
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        return None, "invalid_envelope", f"{where}: {first['msg']}"[:300], str(data.get("device", ""))[:40]
    serial = envelope.device
    if message.topic and not is_gateway_topic(message.topic):
        topic_serial = serial_from_topic(message.topic)
        if topic_serial != serial:
            return None, "topic_mismatch", f"topic {message.topic[:120]} does not name device {serial}", serial
    device = devices.get(serial)
    if device is None:
        return None, "unknown_device", "no device with this serial is registered", serial
    if not device.active:
        return None, "retired_device", "this device is retired", serial
    kind = DEVICE_TYPES.get(device.kind)
    if kind is None:
        return None, "unknown_device_type", f"device type {device.kind!r} is not declared", serial
    try:
        metrics = kind.metrics.model_validate(envelope.metrics).model_dump(exclude_none=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, "invalid_metrics", f"metrics.{where}: {first['msg']}"[:300], serial
    if envelope.event and envelope.event not in kind.events:
        return None, "unknown_event", f"event {envelope.event!r} is not one of {sorted(kind.events)}", serial
    try:
        device_time = _device_time(envelope.ts)
    except (ValueError, OverflowError, OSError):
        return None, "invalid_time", "ts must be an ISO 8601 time or epoch milliseconds", serial
    if device_time > now + dt.timedelta(seconds=conf("HOMESAFETY_CLOCK_SKEW_SECONDS")):
        return None, "time_in_future", f"device time {device_time.isoformat()} is ahead of the platform clock", serial
    return Accepted(device, envelope.seq, device_time, message.received_at or now, metrics, envelope.event or ""), "", "", serial


def _insert_new(rows: list[Accepted]) -> set[tuple[int, int]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the (device, seq) pairs that were new. One
    statement per chunk, on SQLite and PostgreSQL alike; a duplicate is skipped by the database,
    so two workers given the same message store it once."""
    if not rows:
        return set()
    if connection.vendor == "postgresql":
        return _insert_new_pg(rows)
    opts = Reading._meta
    names = ["device_id", "seq", "device_time", "received_at", "metrics", "event"]
    fields: list[Any] = [opts.get_field(n.removesuffix("_id") if n == "device_id" else n) for n in names]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    new: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            params: list[Any] = []
            for row in chunk:
                values = [row.device.pk, row.seq, row.device_time, row.received_at, row.metrics, row.event]
                params += [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
                           f"ON CONFLICT (device_id, seq) DO NOTHING RETURNING device_id, seq", params)
            new.update((int(d), int(s)) for d, s in cursor.fetchall())
    return new


def _insert_new_pg(rows: list[Accepted]) -> set[tuple[int, int]]:
    """PostgreSQL: the whole batch as one JSON document turned into rows by jsonb_to_recordset. The
    statement text is the same for any batch, so psycopg prepares it once (3,000 placeholders were
    re-parsed for every batch), and one json.dumps in C replaces per-value adaptation."""
    table = connection.ops.quote_name(Reading._meta.db_table)
    document = json.dumps([{"d": r.device.pk, "s": r.seq, "t": r.device_time.isoformat(),
                            "r": r.received_at.isoformat(), "m": r.metrics, "e": r.event} for r in rows])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (device_id, seq, device_time, received_at, metrics, event) "
            "SELECT d, s, t, r, m, e FROM jsonb_to_recordset(%s::jsonb) "
            "AS x(d bigint, s bigint, t timestamptz, r timestamptz, m jsonb, e text) "
            "ON CONFLICT (device_id, seq) DO NOTHING RETURNING device_id, seq", [document])
        return {(int(d), int(s)) for d, s in cursor.fetchall()}


def _params(kind_defaults: dict[str, Any], enrollee: Enrollee | None) -> dict[str, Any]:
    return {**kind_defaults, **(enrollee.rule_overrides if enrollee else {})}


def ingest(messages: list[Incoming], *, source: str) -> IngestResult:
    result = IngestResult()
    now = timezone.now()
    serials = set()
    for message in messages:
        payload = message.payload
        if isinstance(payload, dict):
            message.decoded = payload
        elif len(payload) <= MAX_PAYLOAD:
            try:
                message.decoded = json.loads(payload)
            except (ValueError, UnicodeDecodeError):
                continue  # reported by _parse below
        if isinstance(message.decoded, dict):
            serials.add(str(message.decoded.get("device", ""))[:40])
    # Only serials a device could have (the envelope's pattern): PostgreSQL refuses NUL even in a query.
    serials = {s for s in serials if s and "\x00" not in s}
    devices = _devices(serials)
    accepted: list[Accepted] = []
    dead: list[DeadLetter] = []
    for index, message in enumerate(messages):
        row, reason, detail, serial = _parse(message, devices, now)
        if row is None:
            result.errors.append({"index": index, "reason": reason, "detail": detail})
            dead.append(DeadLetter(received_at=message.received_at or now, source=source,
                                   topic=_clean(message.topic, 200), device_serial=_clean(serial, 40), reason=reason,
                                   detail=_clean(detail, 300), payload=_text(message.payload)))
            result.reasons[reason] += 1
        else:
            accepted.append(row)
    with transaction.atomic():
        DeadLetter.objects.bulk_create(dead)
        result.rejected = len(dead)
        # The same message twice in one batch: keep the first.
        unique: dict[tuple[int, int], Accepted] = {}
        for row in accepted:
            unique.setdefault((row.device.pk, row.seq), row)
        new = _insert_new(list(unique.values()))
        result.stored = len(new)
        result.duplicates = len(accepted) - len(new)
        fresh = [unique[key] for key in sorted(new, key=lambda k: (unique[k].device_time, k[1]))]
        if fresh:
            _apply(fresh, now, result)
    return result


def _apply(rows: list[Accepted], now: dt.datetime, result: IngestResult) -> None:
    by_device: dict[int, list[Accepted]] = defaultdict(list)
    for row in rows:
        by_device[row.device.pk].append(row)
    # Lock the states in a fixed order (PostgreSQL): a device's readings may reach two workers.
    ids = sorted(by_device)
    states = _load_states(ids)
    if len(states) < len(ids):
        DeviceState.objects.bulk_create([DeviceState(device_id=pk) for pk in ids if pk not in states],
                                        ignore_conflicts=True)
        states = _load_states(ids)
    stale_after = dt.timedelta(seconds=conf("HOMESAFETY_STALE_EVENT_SECONDS"))
    first_heard: list[int] = []
    for pk, device_rows in by_device.items():
        state = states[pk]
        device = device_rows[0].device
        kind = DEVICE_TYPES[device.kind]
        enrollee = device.enrollee
        params = _params(kind.defaults, enrollee)
        was_online = state.online
        for row in device_rows:
            in_order = state.last_device_time is None or row.device_time > state.last_device_time
            if in_order:
                state.last_device_time, state.last_seq = row.device_time, row.seq
                state.metrics = {**state.metrics, **row.metrics}
                if "lat" in row.metrics and "lon" in row.metrics:
                    state.lat, state.lon = row.metrics["lat"], row.metrics["lon"]
            if enrollee is None:
                continue
            event = row.event
            # A late event (queued in a phone for an hour) is kept but raises nothing: by now the
            # situation is over or has been reported some other way; operators see it in the history.
            if event and now - row.device_time > stale_after:
                event = ""
            if not in_order and not event:
                continue
            local = timezone.localtime(row.device_time)
            ctx = rules.Ctx(device_time=row.device_time, metrics=row.metrics, event=event, params=params,
                            state=state.rule_state, in_order=in_order,
                            quiet_hours=rules.in_quiet_hours(local, enrollee.quiet_start, enrollee.quiet_end),
                            home=(enrollee.home_lat, enrollee.home_lon) if enrollee.home_lat is not None
                            and enrollee.home_lon is not None else None,
                            safe_zone=enrollee.safe_zone or {})
            for verdict in rules.evaluate(kind.rules, ctx):
                if verdict.raise_:
                    _alarm, created = raise_alarm(enrollee, device, verdict, row.device_time)
                    result.raised += int(created)
                else:
                    result.cleared += clear_alarm(enrollee, device, verdict.kind, row.device_time)
        if state.last_received_at is None:
            first_heard.append(pk)
        state.last_received_at = max(r.received_at for r in device_rows)
        state.online = True
        if not was_online and enrollee is not None:
            result.cleared += clear_alarm(enrollee, device, AlarmKind.OFFLINE, state.last_received_at)
    _save_states(list(states.values()))
    if first_heard:
        from .actions import first_signal

        first_signal(first_heard)


@dataclass(slots=True)
class _State:
    """A device's state row as the ingester needs it: lighter than a model instance, which cost a
    tenth of a batch to build."""

    pk: int
    last_device_time: dt.datetime | None
    last_received_at: dt.datetime | None
    last_seq: int | None
    metrics: dict[str, Any]
    lat: float | None
    lon: float | None
    rule_state: dict[str, Any]
    online: bool


def _load_states(ids: list[int]) -> dict[int, _State]:
    """The states of these devices, locked in id order on PostgreSQL (FOR UPDATE): a device's
    readings may reach two workers at once."""
    if not ids:
        return {}
    table = connection.ops.quote_name(DeviceState._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT device_id, last_device_time, last_received_at, last_seq, metrics, lat, lon, rule_state, "
                       f"online FROM {table} WHERE device_id IN ({placeholders}) ORDER BY device_id{lock}", ids)
        rows = cursor.fetchall()
    out = {}
    for pk, t, r, q, m, lat, lon, rs, online in rows:
        out[pk] = _State(pk, _utc(t), _utc(r), q, _json(m), lat, lon, _json(rs), bool(online))
    return out


def _utc(value: Any) -> dt.datetime | None:
    """SQLite gives naive UTC datetimes (or text); PostgreSQL aware ones."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


STATE_FIELDS = ["last_device_time", "last_received_at", "last_seq", "metrics", "lat", "lon", "rule_state", "online"]


def _save_states(states: list[_State]) -> None:
    """One prepared UPDATE run for many rows (executemany): Django's bulk_update builds a CASE
    expression per field and row, which cost 90% of a batch's time in the benchmark."""
    if connection.vendor == "postgresql":
        _save_states_pg(states)
        return
    opts = DeviceState._meta
    fields: list[Any] = [opts.get_field(name) for name in STATE_FIELDS]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(opts.db_table)} SET " + ", ".join(f"{quote(f.column)} = %s" for f in fields)
           + f" WHERE {quote(opts.pk.column)} = %s")
    rows = [[f.get_db_prep_save(getattr(state, f.name), connection) for f in fields] + [state.pk] for state in states]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _save_states_pg(states: list[_State]) -> None:
    """PostgreSQL: one UPDATE … FROM jsonb_to_recordset, the same statement text for any batch."""
    table = connection.ops.quote_name(DeviceState._meta.db_table)

    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    document = json.dumps([{"id": s.pk, "t": iso(s.last_device_time), "r": iso(s.last_received_at), "q": s.last_seq,
                            "m": s.metrics, "lat": s.lat, "lon": s.lon, "rs": s.rule_state, "o": s.online}
                           for s in states])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET last_device_time = v.t, last_received_at = v.r, last_seq = v.q, "
            "metrics = v.m, lat = v.lat, lon = v.lon, rule_state = v.rs, online = v.o "
            "FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, t timestamptz, r timestamptz, q bigint, m jsonb, "
            "lat float8, lon float8, rs jsonb, o boolean) WHERE s.device_id = v.id", [document])
