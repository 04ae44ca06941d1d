"""Storing a batch once: the accepted messages and the batch's tally, the (device, seq) insert that
skips what is already stored, telling a repeat from a conflict, and the dead letter of a message
that failed alone."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .envelope import Incoming, clean, payload_text, sender_of
from .models import DeadLetter, Device, Reading

log = logging.getLogger("longcheng.telemetry.ingest")


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

def insert_new(rows: list[Accepted]) -> set[tuple[int, int]]:
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


def poison(message: Incoming, source: str) -> IngestResult:
    """A message that failed alone: its dead letter, with the exception's name as the detail."""
    exc = sys.exc_info()[1]
    detail = f"{type(exc).__name__}: {exc}"[:300]
    log.error("message refused after an exception: %s", detail)
    serial = message.decoded.get("device", "") if isinstance(message.decoded, dict) else ""
    with transaction.atomic():
        DeadLetter.objects.create(received_at=message.received_at or timezone.now(), source=source,
                                  topic=clean(message.topic, 200), device_serial=clean(str(serial), 40),
                                  gateway=sender_of(message), reason="internal_error", detail=clean(detail, 300), payload=payload_text(message.payload))
    result = IngestResult(rejected=1, errors=[{"index": 0, "reason": "internal_error", "detail": detail}])
    result.reasons["internal_error"] = 1
    return result


def content(row: Accepted) -> tuple[Any, ...]:
    return row.device_time, row.event, row.metrics


def stored_content(rows: list[Accepted]) -> dict[tuple[int, int], tuple[Any, ...]]:
    """What is stored under these (device, seq) pairs: tells a repeat from a conflict. Only read
    when a batch holds repeats (rare outside a redelivery)."""
    if not rows:
        return {}
    keys = {(row.device.pk, row.seq) for row in rows}
    found = Reading.objects.filter(device_id__in={k[0] for k in keys}, seq__in={k[1] for k in keys})
    return {(d, s): (utc(t), e, json_dict(m)) for d, s, t, e, m in
            found.values_list("device_id", "seq", "device_time", "event", "metrics") if (d, s) in keys}


def utc(value: Any) -> dt.datetime | None:
    """SQLite gives naive UTC datetimes (or text); PostgreSQL aware ones."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}
