"""The one ingest path for MQTT and HTTP: validate, store once, update the latest state, run rules.

    result = ingest([Incoming(payload=b'{"device": "WB-1", ...}', topic="...")], source="mqtt")

A batch is one transaction. Every message ends in exactly one place: a stored reading, a duplicate
(same device and sequence number: stored once), or a dead letter with its reason. A bad message
never stops the batch, and nothing about it is half-written: the size and the nesting depth are
checked before any parser sees the bytes, every exception of one message becomes its dead letter,
and a batch the database refuses is stored again message by message, so one poison member costs
only itself. Only an unreachable database stops a batch (it is then retried, not acknowledged).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import rules
from .alarms import clear_alarm, raise_alarm
from .conf import conf
from .devices import DEVICE_TYPES
from .models import AlarmKind, DeadLetter, Device, DeviceState, Enrollee, Reading, SeqGap, Severity

log = logging.getLogger("longcheng.homesafety.ingest")
MAX_PAYLOAD = 16_384
# A device message is two levels deep ({"metrics": {…}}), a gateway batch three. Python's json and
# pydantic recurse per level: 7,000 nested brackets in 14 KB raised RecursionError, which wedged an
# events worker (retried forever) and killed a gateway worker on every restart.
MAX_DEPTH = 16
BATCH_MAX_DEPTH = 64  # a gateway batch: one member too deep is refused alone, not the whole batch
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')

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
    _GATEWAYS.clear()
    transaction.on_commit(_DEVICES.clear)
    transaction.on_commit(_GATEWAYS.clear)


def nested_deeper_than(data: bytes, limit: int) -> bool:
    """Whether [ and { nest deeper than `limit` outside strings, found without parsing, each step
    at C speed (a regular expression for the strings cost 20 µs per KB). Escaped backslashes, then
    escaped quotes go first; every quote left delimits a string, so the brackets that count are
    in the even pieces between quotes. A payload that is not JSON may be misjudged here, but then
    the parser refuses it (a RecursionError included) and it is a dead letter all the same."""
    structure = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    brackets = b"".join(structure.split(b'"')[0::2])
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False  # fewer openings than the limit
    # Each pass removes the innermost pairs, one or two levels (at C speed): emptied within
    # limit // 2 passes, the nesting is at most `limit`. A gateway batch of 100 members takes three.
    left = brackets
    for _ in range(limit // 2):
        shorter = left.replace(b"[]", b"").replace(b"{}", b"")
        if not shorter:
            return False
        if len(shorter) == len(left):
            break  # unbalanced: count exactly below
        left = shorter
    depth = 0
    for c in brackets:
        if c == 91 or c == 123:  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _too_deep(value: Any) -> bool:
    """A parsed member's depth, walked without recursion (its batch was parsed within
    BATCH_MAX_DEPTH, so the walk is short)."""
    level = [value]
    for _depth in range(MAX_DEPTH + 1):
        level = [v for item in level if isinstance(item, dict | list)
                 for v in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return True


def decode(raw: bytes | str, max_bytes: int, max_depth: int | None = MAX_DEPTH) -> tuple[Any, tuple[str, str] | None]:
    """(the parsed JSON, None) or (None, (reason, detail)): never raises, whatever the bytes."""
    try:
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
        if len(data) > max_bytes:
            return None, ("too_large", f"{len(data)} bytes; the limit is {max_bytes}")
        if max_depth is not None and nested_deeper_than(data, max_depth):  # None: the caller scanned it
            return None, ("too_deep", f"nested deeper than {max_depth} levels")
        return json.loads(data), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, ("malformed_json", str(exc)[:300])
    except Exception as exc:
        return None, ("malformed_json", f"{type(exc).__name__}: {exc}"[:300])


# gateway name → (loaded at, the place paths of its scope; () for no such gateway)
_GATEWAYS: dict[str, tuple[float, tuple[str, ...]]] = {}


def gateway_scope(name: str) -> tuple[str, ...]:
    """The place paths a gateway account may send for; empty when no active gateway has this name.
    A gateway's MQTT topic names its account (`<prefix>/gateways/<user name>/telemetry`)."""
    from longcheng.kernel.access.models import User
    from longcheng.kernel.access.scope import scope_paths

    ttl = conf("HOMESAFETY_DEVICE_CACHE_SECONDS")
    now = time.monotonic()
    hit = _GATEWAYS.get(name)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    user = User.objects.filter(username=name[:150], is_active=True).first() if "\x00" not in name else None
    paths = scope_paths(user, "homesafety.ingest") if user is not None else ()
    if ttl:
        if len(_GATEWAYS) > 10_000:
            _GATEWAYS.clear()
        _GATEWAYS[name] = (now, paths)
    return paths


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
        # scope_path: the place of the device's person, which a gateway's scope must cover.
        for device in (Device.objects.filter(serial__in=missing).select_related("enrollee")
                       .annotate(scope_path=F("enrollee__person__place__path"))):
            found[device.serial] = device
            if ttl:
                _DEVICES[device.serial] = (now, device)
    return found


class Envelope(BaseModel):
    # Strict: `"seq": "17"` or `"seq": true` is refused, not converted.
    model_config = ConfigDict(extra="forbid", strict=True)
    device: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")
    seq: int = Field(ge=0, lt=2**62)
    ts: int | str = Field(union_mode="left_to_right")  # epoch milliseconds, or ISO 8601 (read by _device_time)
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
    gateway: Any = None  # the gateway account that sent it over HTTP (MQTT: named by the topic)
    shallow: bool = False  # a member of a batch whose depth already shows it within MAX_DEPTH


@dataclass
class Accepted:
    device: Device
    seq: int
    device_time: dt.datetime
    received_at: dt.datetime
    metrics: dict[str, Any]
    event: str
    # Device time minus receive time, when outside the clock window (None: the clock is right).
    clock_offset: float | None = None
    ahead: bool = False  # the device clock is ahead beyond the skew: the message moves no state
    index: int = -1  # in the batch, for a dead letter found after parsing (a seq conflict)
    conflict: bool = False  # its (device, seq) is stored with other content: only its event counts


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
    """<prefix>/gateways/<id>/telemetry: a gateway's batch may name any device in its scope."""
    parts = topic.split("/")
    return len(parts) >= 3 and parts[-3] == "gateways" and parts[-1] == "telemetry"


def gateway_from_topic(topic: str) -> str | None:
    return topic.split("/")[-2] if is_gateway_topic(topic) else None


def _clean(text: str, limit: int) -> str:
    """PostgreSQL text cannot hold NUL: kept visible as \\x00 (found by the fuzz test)."""
    return text[:limit].replace("\x00", "\\x00")


def _text(payload: bytes | str | dict[str, Any]) -> str:
    if isinstance(payload, dict):
        return _clean(json.dumps(payload, ensure_ascii=False, default=str), MAX_PAYLOAD)
    if isinstance(payload, bytes):
        return _clean(payload[:MAX_PAYLOAD].decode("utf-8", "replace"), MAX_PAYLOAD)
    return _clean(payload, MAX_PAYLOAD)


def _device_time(ts: int | str) -> dt.datetime:
    if isinstance(ts, int):
        if not 0 <= ts < 2**43:  # epoch milliseconds, before the year 2248
            raise ValueError("ts out of range")
        return dt.datetime.fromtimestamp(ts / 1000, tz=dt.UTC)
    parsed = parse_datetime(ts[:40])
    if parsed is None:
        raise ValueError("not an ISO 8601 time")
    if parsed.tzinfo is None:
        # UTC, like epoch milliseconds: reading it as Beijing time made a UTC device's SOS 8 h
        # "stale". A device that sends local time without an offset shows as 8 h ahead, and gets
        # its alarm all the same and a clock warning.
        return parsed.replace(tzinfo=dt.UTC)
    return parsed


def _in_scope(device: Device, paths: tuple[str, ...]) -> bool:
    path = getattr(device, "scope_path", None)
    return path is not None and any(path.startswith(p) for p in paths)


def _parse(message: Incoming, devices: dict[str, Device], now: dt.datetime, index: int,
           clock_notes: dict[int, tuple[Device, float]]) -> tuple[Accepted | None, str, str, str]:
    """(accepted, reason, detail, serial) — reason empty when accepted. A device whose clock is out
    of the window is noted in `clock_notes` even when its message is refused."""
    if message.refused:
        return None, message.refused[0], message.refused[1], ""
    data = message.decoded
    if not isinstance(data, dict):
        return None, "invalid_envelope", "the payload must be a JSON object", ""
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        return None, "invalid_envelope", f"{where}: {first['msg']}"[:300], str(data.get("device", ""))[:40]
    serial = envelope.device
    gateway = message.gateway
    if message.topic and gateway is None:
        gateway = gateway_from_topic(message.topic)
        if gateway is None and serial_from_topic(message.topic) != serial:
            return None, "topic_mismatch", f"topic {message.topic[:120]} does not name device {serial}", serial
    paths: tuple[str, ...] | None = None
    if gateway is not None:
        paths = gateway_scope(gateway) if isinstance(gateway, str) else _user_scope(gateway)
        if not paths:
            return None, "unknown_gateway", f"no active gateway account {str(gateway)[:60]!r} may send telemetry", serial
    device = devices.get(serial)
    if device is None:
        return None, "unknown_device", "no device with this serial is registered", serial
    if paths is not None and not _in_scope(device, paths):
        # Nothing stored, no alarm, no sequence number used up: a gateway speaks only for the
        # devices bound to persons within its scope.
        return None, "device_out_of_scope", f"device {serial} is not bound within gateway {str(gateway)[:60]}'s scope", serial
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
    received = message.received_at or now
    offset = (device_time - received).total_seconds()
    ahead = offset > conf("HOMESAFETY_CLOCK_SKEW_SECONDS")
    clock_offset = offset if ahead or -offset > conf("HOMESAFETY_STALE_EVENT_SECONDS") else None
    event = envelope.event or ""
    if clock_offset is not None:
        clock_notes[device.pk] = (device, clock_offset)
    if ahead and event not in kind.urgent:
        # A reading from a clock ahead would hold the latest state hostage until real time caught
        # up with it; an SOS, fall or smoke event is taken all the same (below).
        return None, "time_in_future", f"device time {device_time.isoformat()} is ahead of the platform clock", serial
    return Accepted(device, envelope.seq, device_time, received, metrics, event, clock_offset, ahead, index), "", "", serial


def _user_scope(user: Any) -> tuple[str, ...]:
    from longcheng.kernel.access.scope import scope_paths

    return scope_paths(user, "homesafety.ingest")


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


def ingest(messages: list[Incoming], *, source: str, gateway: Any = None) -> IngestResult:
    """Store a batch. `gateway`: the account that sent it over HTTP, whose scope must cover each
    message's device (over MQTT a gateway topic names the account)."""
    if gateway is not None:
        for message in messages:
            message.gateway = gateway
    try:
        return _ingest(messages, source=source)
    except (OperationalError, InterfaceError):
        raise  # the database is away: the caller retries the batch (MQTT: not acknowledged)
    except Exception:
        if len(messages) == 1:
            return _poison(messages[0], source)
        # One member the database (or a rule) cannot take: store the batch message by message, so
        # it costs only itself. Rare, so the slower path is fine.
        log.exception("a batch of %d failed; storing its messages one by one", len(messages))
        result = IngestResult()
        for index, message in enumerate(messages):
            one = ingest([message], source=source)
            for name in ("stored", "duplicates", "rejected", "raised", "cleared"):
                setattr(result, name, getattr(result, name) + getattr(one, name))
            for reason, n in one.reasons.items():
                result.reasons[reason] += n
            result.errors += [{**error, "index": index} for error in one.errors]
        return result


def _poison(message: Incoming, source: str) -> IngestResult:
    """A message that failed alone: its dead letter, with the exception's name as the detail."""
    import sys

    exc = sys.exc_info()[1]
    detail = f"{type(exc).__name__}: {exc}"[:300]
    log.error("message refused after an exception: %s", detail)
    serial = message.decoded.get("device", "") if isinstance(message.decoded, dict) else ""
    with transaction.atomic():
        DeadLetter.objects.create(received_at=message.received_at or timezone.now(), source=source,
                                  topic=_clean(message.topic, 200), device_serial=_clean(str(serial), 40),
                                  reason="internal_error", detail=_clean(detail, 300), payload=_text(message.payload))
    result = IngestResult(rejected=1, errors=[{"index": 0, "reason": "internal_error", "detail": detail}])
    result.reasons["internal_error"] = 1
    return result


def _ingest(messages: list[Incoming], *, source: str) -> IngestResult:
    result = IngestResult()
    now = timezone.now()
    serials = set()
    for message in messages:
        payload = message.payload
        if message.refused:
            continue
        if isinstance(payload, dict):
            message.decoded = payload
            if not message.shallow and _too_deep(payload):
                # A gateway batch or an HTTP body may nest one member deeper than a message may.
                message.refused = ("too_deep", f"nested deeper than {MAX_DEPTH} levels")
                continue
        elif message.decoded is _UNDECODED:
            message.decoded, message.refused = decode(payload, MAX_PAYLOAD)
        if isinstance(message.decoded, dict):
            serials.add(str(message.decoded.get("device", ""))[:40])
    # Only serials a device could have (the envelope's pattern): PostgreSQL refuses NUL even in a query.
    serials = {s for s in serials if s and "\x00" not in s}
    devices = _devices(serials)
    accepted: list[Accepted] = []
    dead: list[DeadLetter] = []
    clock_notes: dict[int, tuple[Device, float]] = {}

    def refuse(index: int, message: Incoming, reason: str, detail: str, serial: str) -> None:
        result.errors.append({"index": index, "reason": reason, "detail": detail})
        dead.append(DeadLetter(received_at=message.received_at or now, source=source,
                               topic=_clean(message.topic, 200), device_serial=_clean(serial, 40), reason=reason,
                               detail=_clean(detail, 300), payload=_text(message.payload)))
        result.reasons[reason] += 1

    for index, message in enumerate(messages):
        row, reason, detail, serial = _parse(message, devices, now, index, clock_notes)
        if row is None:
            refuse(index, message, reason, detail, serial)
        else:
            accepted.append(row)
    with transaction.atomic():
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
        new = _insert_new(list(unique.values()))
        result.stored = len(new)
        old = [row for key, row in unique.items() if key not in new]
        stored = _stored_content(old)
        stored.update({key: _content(row) for key, row in unique.items() if key in new})
        conflicts = []
        for row in old + repeats:
            if stored.get((row.device.pk, row.seq), _content(row)) == _content(row):
                result.duplicates += 1
            else:
                # Not a repeat but another message under a number already used (a gateway burning
                # numbers, a device reset): kept as a dead letter, and its SOS still rings.
                row.conflict = True
                conflicts.append(row)
                refuse(row.index, messages[row.index], "seq_conflict",
                       f"seq {row.seq} of {row.device.serial} is already stored with other content", row.device.serial)
        DeadLetter.objects.bulk_create(dead)
        result.rejected = len(dead)
        fresh = [unique[key] for key in new] + [row for row in conflicts if row.event]
        fresh.sort(key=lambda r: (r.device_time, r.seq))
        if fresh or clock_notes:
            _apply(fresh, now, result, clock_notes)
    return result


def _content(row: Accepted) -> tuple[Any, ...]:
    return row.device_time, row.event, row.metrics


def _stored_content(rows: list[Accepted]) -> dict[tuple[int, int], tuple[Any, ...]]:
    """What is stored under these (device, seq) pairs: tells a repeat from a conflict. Only read
    when a batch holds repeats (rare outside a redelivery)."""
    if not rows:
        return {}
    keys = {(row.device.pk, row.seq) for row in rows}
    found = Reading.objects.filter(device_id__in={k[0] for k in keys}, seq__in={k[1] for k in keys})
    return {(d, s): (_utc(t), e, _json(m)) for d, s, t, e, m in
            found.values_list("device_id", "seq", "device_time", "event", "metrics") if (d, s) in keys}


def _apply(rows: list[Accepted], now: dt.datetime, result: IngestResult,
           clock_notes: dict[int, tuple[Device, float]]) -> None:
    by_device: dict[int, list[Accepted]] = defaultdict(list)
    for row in rows:
        by_device[row.device.pk].append(row)
    for pk in clock_notes:
        by_device.setdefault(pk, [])
    # Lock the states in a fixed order (PostgreSQL): a device's readings may reach two workers.
    ids = sorted(by_device)
    states = _load_states(ids)
    if len(states) < len(ids):
        DeviceState.objects.bulk_create([DeviceState(device_id=pk) for pk in ids if pk not in states],
                                        ignore_conflicts=True)
        states = _load_states(ids)
    first_heard: list[int] = []
    gaps: list[SeqGap] = []
    late: list[tuple[int, int]] = []
    for pk, device_rows in by_device.items():
        state = states[pk]
        device = device_rows[0].device if device_rows else clock_notes[pk][0]
        kind = DEVICE_TYPES[device.kind]
        enrollee = device.enrollee
        params = _params(kind.defaults, enrollee)
        was_online = state.online
        for row in device_rows:
            in_order = (not row.ahead and not row.conflict
                        and (state.last_device_time is None or row.device_time > state.last_device_time))
            if in_order:
                state.last_device_time, state.last_seq = row.device_time, row.seq
                state.metrics = {**state.metrics, **row.metrics}
                if "lat" in row.metrics and "lon" in row.metrics:
                    state.lat, state.lon = row.metrics["lat"], row.metrics["lon"]
            if enrollee is None:
                continue
            event = row.event
            # An SOS, fall or smoke event rings whatever its time stamp (a slow clock, a phone that
            # queued it for an hour): the alarm carries the offset. A late "removed" or "test" is
            # history by now and raises nothing.
            if event and row.clock_offset is not None and event not in kind.urgent:
                event = ""
            if not in_order and not event:
                continue
            local = timezone.localtime(row.device_time)
            ctx = rules.Ctx(device_time=row.device_time, metrics=row.metrics, event=event,
                            params=params, state=state.rule_state, in_order=in_order,
                            quiet_hours=rules.in_quiet_hours(local, enrollee.quiet_start, enrollee.quiet_end),
                            home=(enrollee.home_lat, enrollee.home_lon) if enrollee.home_lat is not None
                            and enrollee.home_lon is not None else None,
                            safe_zone=enrollee.safe_zone or {})
            for verdict in rules.evaluate(kind.rules, ctx):
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
        _sequence(pk, state, [r.seq for r in device_rows if not r.conflict], now, gaps, late)
        result.raised += _clock(state, device, device_rows, clock_notes.get(pk), now, result)
        if device_rows:
            if state.last_received_at is None:
                first_heard.append(pk)
            state.last_received_at = max(r.received_at for r in device_rows)
            state.online = True
            if not was_online and enrollee is not None:
                result.cleared += clear_alarm(enrollee, device, AlarmKind.OFFLINE, state.last_received_at)
    _save_states(list(states.values()))
    if gaps:
        SeqGap.objects.bulk_create(gaps)
    if late:
        _fill_gaps(late)
    if first_heard:
        from .actions import first_signal

        first_signal(first_heard)


MAX_PENDING_GAPS = 50


def _sequence(pk: int, state: _State, seqs: list[int], now: dt.datetime, gaps: list[SeqGap],
              late: list[tuple[int, int]]) -> None:
    """A number above the highest seen by more than one opens a gap; a number below it may be a
    late arrival filling one. The first message of a device opens none.

    A new gap waits in the state row (`pending_gaps`, [from, to, seen at]) for the grace period:
    two workers sharing a device's stream reorder it all the time, and a table row per reordering
    cost a quarter of the throughput over MQTT. The periodic job turns what is still missing after
    the grace into SeqGap rows and a warning (jobs.warn_gaps)."""
    high = state.max_seq
    pending = state.pending_gaps
    stamp = round(now.timestamp(), 3)
    for seq in sorted(seqs):
        if high is None:
            high = seq
            continue
        if seq > high + 1:
            pending.append([high + 1, seq - 1, stamp])
        elif seq < high:
            for i, (first, last, seen) in enumerate(pending):
                if first <= seq <= last:
                    pending[i:i + 1] = [r for r in ([first, seq - 1, seen], [seq + 1, last, seen]) if r[0] <= r[1]]
                    break
            else:
                late.append((pk, seq))  # in a gap already recorded (or older than the first message)
        high = max(high, seq)
    if len(pending) > MAX_PENDING_GAPS:
        # A device losing messages everywhere: record the oldest now rather than grow the row.
        gaps.extend(SeqGap.from_pending(pk, g) for g in pending[:-MAX_PENDING_GAPS])
        del pending[:-MAX_PENDING_GAPS]
    state.max_seq = high


def _fill_gaps(late: list[tuple[int, int]]) -> None:
    """Late arrivals lower their gap's count of missing numbers (each new (device, seq) counts once:
    only stored messages come here)."""
    seqs = [seq for _pk, seq in late]
    found = SeqGap.objects.filter(device_id__in={pk for pk, _seq in late}, missing__gt=0,
                                  first_seq__lte=max(seqs), last_seq__gte=min(seqs))
    by_device: dict[int, list[SeqGap]] = defaultdict(list)
    for gap in found:
        by_device[gap.device_id].append(gap)
    changed: dict[int, SeqGap] = {}
    for pk, seq in late:
        for gap in by_device.get(pk, ()):
            if gap.first_seq <= seq <= gap.last_seq and gap.missing > 0:
                gap.missing -= 1
                changed[gap.pk] = gap
                break
    if changed:
        SeqGap.objects.bulk_update(list(changed.values()), ["missing"])


def _clock(state: _State, device: Device, rows: list[Accepted], note: tuple[Device, float] | None,
           now: dt.datetime, result: IngestResult) -> int:
    """The device's clock warning: raised while its latest message (by seq) is outside the window,
    cleared by the first one inside it. Returns 1 when a new warning was raised."""
    own = [r for r in rows if not r.conflict]
    latest = max(own, key=lambda r: r.seq) if own else None
    offset = latest.clock_offset if latest is not None else (note[1] if note else None)
    enrollee = device.enrollee
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
    max_seq: int | None
    clock_offset_s: float | None
    pending_gaps: list[list[Any]]


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
                       f"online, max_seq, clock_offset_s, pending_gaps FROM {table} WHERE device_id IN ({placeholders}) "
                       f"ORDER BY device_id{lock}", ids)
        rows = cursor.fetchall()
    out = {}
    for pk, t, r, q, m, lat, lon, rs, online, high, clock, gaps in rows:
        pending = json.loads(gaps) if isinstance(gaps, str | bytes) else gaps
        out[pk] = _State(pk, _utc(t), _utc(r), q, _json(m), lat, lon, _json(rs), bool(online), high, clock,
                         pending if isinstance(pending, list) else [])
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


STATE_FIELDS = ["last_device_time", "last_received_at", "last_seq", "metrics", "lat", "lon", "rule_state", "online",
                "max_seq", "clock_offset_s", "pending_gaps"]


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
                            "m": s.metrics, "lat": s.lat, "lon": s.lon, "rs": s.rule_state, "o": s.online,
                            "h": s.max_seq, "c": s.clock_offset_s, "g": s.pending_gaps}
                           for s in states])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET last_device_time = v.t, last_received_at = v.r, last_seq = v.q, "
            "metrics = v.m, lat = v.lat, lon = v.lon, rule_state = v.rs, online = v.o, max_seq = v.h, "
            "clock_offset_s = v.c, pending_gaps = v.g FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, t timestamptz, "
            "r timestamptz, q bigint, m jsonb, lat float8, lon float8, rs jsonb, o boolean, h bigint, c float8, g jsonb) "
            "WHERE s.device_id = v.id", [document])
