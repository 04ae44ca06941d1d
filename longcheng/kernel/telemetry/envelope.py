"""The device envelope: size and depth limits checked before any parser sees the bytes, the strict
envelope schema, the MQTT topic names, and the cleaning of text a dead letter keeps. Nothing here
knows a device type, a rule or an alarm."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime
from pydantic import BaseModel, ConfigDict, Field

MAX_PAYLOAD = 16_384
# A device message is two levels deep ({"metrics": {…}}), a gateway batch three. Python's json and
# pydantic recurse per level: 7,000 nested brackets in 14 KB raised RecursionError, which wedged an
# events worker (retried forever) and killed a gateway worker on every restart.
MAX_DEPTH = 16
BATCH_MAX_DEPTH = 64  # a gateway batch: one member too deep is refused alone, not the whole batch
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


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


def too_deep(value: Any) -> bool:
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



class Envelope(BaseModel):
    # Strict: `"seq": "17"` or `"seq": true` is refused, not converted.
    model_config = ConfigDict(extra="forbid", strict=True)
    device: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")
    seq: int = Field(ge=0, lt=2**62)
    ts: int | str = Field(union_mode="left_to_right")  # epoch milliseconds, or ISO 8601 (read by device_time)
    metrics: dict[str, Any] = Field(default_factory=dict)
    event: str | None = Field(None, max_length=20)


UNDECODED: Any = object()


@dataclass
class Incoming:
    payload: bytes | str | dict[str, Any]
    topic: str = ""
    received_at: dt.datetime | None = None
    decoded: Any = UNDECODED  # the payload's JSON once parsed (ingest parses each message once)
    refused: tuple[str, str] | None = None  # (reason, detail) found before ingest, e.g. an unreadable gateway batch
    gateway: Any = None  # the gateway account that sent it over HTTP (MQTT: named by the topic)
    shallow: bool = False  # a member of a batch whose depth already shows it within MAX_DEPTH



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


def clean(text: str, limit: int) -> str:
    """PostgreSQL text cannot hold NUL: kept visible as \\x00 (found by the fuzz test)."""
    return text[:limit].replace("\x00", "\\x00")


def payload_text(payload: bytes | str | dict[str, Any]) -> str:
    if isinstance(payload, dict):
        return clean(json.dumps(payload, ensure_ascii=False, default=str), MAX_PAYLOAD)
    if isinstance(payload, bytes):
        return clean(payload[:MAX_PAYLOAD].decode("utf-8", "replace"), MAX_PAYLOAD)
    return clean(payload, MAX_PAYLOAD)


def device_time(ts: int | str) -> dt.datetime:
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


def sender_of(message: Incoming) -> str:
    """The gateway account a message came through: over HTTP the token's account, over MQTT the one
    its gateway topic names; "" for a device's own topic."""
    gateway = message.gateway
    if gateway is not None:
        return clean(gateway if isinstance(gateway, str) else getattr(gateway, "username", ""), 150)
    return clean(gateway_from_topic(message.topic or "") or "", 150)
