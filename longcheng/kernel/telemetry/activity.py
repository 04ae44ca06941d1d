"""What each gateway account sent last and how much of it was refused, written once per batch by
the ingest path (batch.py) for the gateways' page (gateways.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from .envelope import Incoming, clean, payload_text, sender_of
from .models import DeadLetter, GatewayActivity
from .registry import gateway_scope
from .store import log

PAYLOAD_KEPT = 2000  # characters of the last message kept for the page: enough to read, not a log


@dataclass
class _Tally:
    last: Incoming
    messages: int = 0
    rejected: int = 0


def note_batch(messages: list[Incoming], dead: Iterable[DeadLetter], now: dt.datetime, source: str) -> None:
    """One row per gateway account in the batch, its counts raised in one UPDATE. Never a reason for
    the batch to fail: it runs after the batch is committed, and a failure here is only logged."""
    tallies: dict[str, _Tally] = {}
    for message in messages:
        name = sender_of(message)
        if name:
            tally = tallies.setdefault(name, _Tally(message))
            tally.last, tally.messages = message, tally.messages + 1
    for letter in dead:
        if letter.gateway in tallies:
            tallies[letter.gateway].rejected += 1
    for name, tally in tallies.items():
        # An unknown gateway's name (any string in a topic) gets a dead letter, never a row here.
        if isinstance(tally.last.gateway, str) or tally.last.gateway is None:
            if not gateway_scope(name):
                continue
        try:
            _write(name, tally, now, source)
        except DatabaseError:  # pragma: no cover - the batch is stored; the page is a little behind
            log.exception("gateway activity of %s not recorded", name)


def _write(name: str, tally: _Tally, now: dt.datetime, source: str) -> None:
    message = tally.last
    values = {"last_at": message.received_at or now, "last_source": source[:10],
              "last_topic": clean(message.topic, 200), "last_payload": payload_text(message.payload)[:PAYLOAD_KEPT]}
    if tally.rejected:
        values["last_rejected_at"] = now
    changed = GatewayActivity.objects.filter(account=name).update(
        messages=F("messages") + tally.messages, rejected=F("rejected") + tally.rejected, **values)
    if changed:
        return
    try:
        with transaction.atomic():
            GatewayActivity.objects.create(account=name, messages=tally.messages, rejected=tally.rejected, **values)
    except IntegrityError:
        # Another worker created the row first (two workers share a gateway's stream): add to it.
        GatewayActivity.objects.filter(account=name).update(
            messages=F("messages") + tally.messages, rejected=F("rejected") + tally.rejected, **values)
