"""MQTT ingest: one or more workers share one subscription group on the broker.

Topics (QoS in brackets; see docs/homesafety.md):
    longcheng/v1/devices/<serial>/telemetry   periodic readings                 [0]
    longcheng/v1/devices/<serial>/events      SOS, fall, smoke…                 [1]
    longcheng/v1/gateways/<id>/telemetry      a gateway's batch {"messages": […]} [1]

Workers subscribe to `$share/<group>/longcheng/v1/devices/+/+` and `…/gateways/+/telemetry`, so the
broker gives each message to one worker of the group. Each named worker has a persistent session (client id
`<instance>-<group>-<worker>`, clean_session off)
and acknowledges a QoS 1 message only after the batch that holds it is committed: a worker killed
mid-batch gets the unacknowledged messages again when it reconnects, and the (device, seq) key
stores them once. Readings are batched (up to `batch` readings or `linger` seconds) so that one
transaction carries hundreds of readings; an event (SOS, fall, smoke) ends the wait at once, so
an emergency never lingers behind routine readings.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from longcheng.kernel.telemetry.envelope import (
    BATCH_MAX_DEPTH,
    MAX_DEPTH,
    MAX_PAYLOAD,
    Incoming,
    decode,
    is_gateway_topic,
    nested_deeper_than,
)

# The broker's URL is read once, by the kernel's worker code, for every module's MQTT clients.
from longcheng.kernel.telemetry.mqtt import configure, parse_broker

from .conf import conf
from .ingest import ingest

log = logging.getLogger("longcheng.homesafety.mqtt")
MAX_GATEWAY_PAYLOAD = 1_048_576  # a gateway batch of up to 1,000 messages


def topics(prefix: str) -> list[str]:
    return [f"{prefix}/devices/+/+", f"{prefix}/gateways/+/telemetry"]


def expand(topic: str, payload: bytes) -> list[Incoming]:
    """One MQTT message → the device messages it carries: itself, or a gateway batch's members.
    A batch that cannot be read becomes one message that ingest rejects with the reason. Never
    raises: a payload that broke this killed the worker on every restart (issue 13.2)."""
    if not is_gateway_topic(topic):
        return [Incoming(payload=payload, topic=topic)]
    kept = payload[:MAX_PAYLOAD]  # what a dead letter keeps of a refused batch
    try:
        # Within two levels more than a message may have, no member can be too deep: not walked again.
        shallow = len(payload) <= MAX_GATEWAY_PAYLOAD and not nested_deeper_than(payload, MAX_DEPTH + 2)
        data, refused = decode(payload, MAX_GATEWAY_PAYLOAD, None if shallow else BATCH_MAX_DEPTH)
        if refused is not None:
            return [Incoming(payload=kept, topic=topic, refused=refused)]
        members = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(members, list) or not 1 <= len(members) <= 1000:
            return [Incoming(payload=kept, topic=topic,
                             refused=("invalid_batch", 'a gateway batch is {"messages": [1 to 1,000 device messages]}'))]
        # A member that is not an object keeps its text for the dead letter (the batch's depth was
        # checked, so dumping it cannot recurse too deep).
        return [Incoming(payload=m, topic=topic, shallow=shallow) if isinstance(m, dict) else
                Incoming(payload=json.dumps(m), topic=topic, decoded=m) for m in members]
    except Exception as exc:
        return [Incoming(payload=kept, topic=topic, refused=("invalid_batch", f"{type(exc).__name__}: {exc}"[:300]))]


def is_event(topic: str) -> bool:
    return topic.endswith("/events")


def broker(url: str) -> tuple[str, int]:
    b = parse_broker(url)
    return b.host, b.port


def instance_prefix(topic_prefix: str | None = None) -> str:
    """What tells this instance's MQTT clients from another's on the same broker: its topic prefix
    (two instances on one broker must have different ones, or they share the stream)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", topic_prefix or conf("HOMESAFETY_MQTT_PREFIX")).strip("-")


def client_id(role: str, topic_prefix: str | None = None) -> str:
    """A client id no other process has: instance, role, host and process id. The broker drops the
    older of two connections with one id, so two processes sharing one fight for ever."""
    return f"{instance_prefix(topic_prefix)}-{role}-{socket.gethostname()}-{os.getpid()}"


@dataclass
class Stats:
    messages: int = 0  # MQTT messages
    received: int = 0  # device messages (a gateway batch carries many)
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    raised: int = 0
    batches: int = 0


class Ingester:
    def __init__(self, url: str, *, client_id: str, group: str = "ingest", batch: int = 500, linger: float = 0.05,
                 clean_start: bool = False, prefix: str | None = None) -> None:
        self.prefix = prefix or conf("HOMESAFETY_MQTT_PREFIX")
        self.group, self.batch, self.linger = group, batch, linger
        # Events (SOS, fall, smoke) before readings: an emergency never queues behind routine data.
        self.inbox: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._arrival = itertools.count()
        self.stats = Stats()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.refused: str | None = None  # the broker's reason, when it refused the connection
        self.client_id = client_id
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_start,
                                  protocol=mqtt.MQTTv311)
        self.broker = configure(self.client, url)
        self.host, self.port = self.broker.host, self.broker.port
        self.client.manual_ack_set(True)
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = lambda _c, _u, message: self._put(message)
        # Called after each committed batch with (messages, result): benchmarks measure latency here.
        self.on_batch: Any = None
        # The function that stores a batch of device messages; a benchmark swaps in a bare insert.
        self.store: Any = lambda incoming: ingest(incoming, source="mqtt")

    def _put(self, message: Any) -> None:
        self.inbox.put((0 if is_event(message.topic) else 1, next(self._arrival), message))

    def _get(self, timeout: float) -> Any:
        return self.inbox.get(timeout=timeout)[2]

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            self.refused = str(reason)
            log.error("MQTT connection to %s refused: %s", self.broker, reason)
            return
        client.subscribe([(f"$share/{self.group}/{topic}", 1) for topic in topics(self.prefix)])
        self.connected.set()

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not self.stopping.is_set():
            # paho reconnects by itself. Repeated drops every few seconds mean another process uses
            # this client id: the broker drops the older connection each time the other reconnects.
            log.warning("MQTT connection to %s as %s lost (%s); reconnecting. If this repeats, another process "
                        "uses the same client id (--worker name)", self.broker, self.client_id, reason)

    def _on_subscribe(self, _client: Any, _userdata: Any, _mid: Any, reasons: Any, _props: Any) -> None:
        # A broker's ACL that does not let this account read the topics refuses the subscription.
        refused = [str(r) for r in reasons if getattr(r, "is_failure", False)]
        if refused:
            self.refused = f"subscription refused ({', '.join(refused)}): the broker's ACL must let this account read"
            log.error("MQTT %s: %s", self.broker, self.refused)

    def start(self) -> None:
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()
        self.client.loop_stop()
        self.client.disconnect()

    def run(self, *, until: float | None = None) -> None:
        """Drain the inbox in batches until stopped (or until the monotonic time `until`)."""
        while not self.stopping.is_set() and (until is None or time.monotonic() < until):
            self.drain_once()

    def drain_once(self) -> int:
        try:
            first = self._get(0.2)
        except queue.Empty:
            return 0
        messages = [first]
        incoming = expand(first.topic, first.payload)
        deadline = time.monotonic() + self.linger
        # Events go at once, with any other events already waiting; readings gather until the batch
        # is full, the linger is over, or an event arrives (it goes into the next, immediate batch).
        urgent = is_event(first.topic)
        while len(incoming) < self.batch:
            if (self.inbox.queue and self.inbox.queue[0][0] == 0) != urgent:
                break
            left = 0.0 if urgent else deadline - time.monotonic()
            if left <= 0 and not urgent:
                break
            try:
                message = self._get(left) if left > 0 else self.inbox.get_nowait()[2]
            except queue.Empty:
                break
            messages.append(message)
            incoming += expand(message.topic, message.payload)
        close_old_connections()
        try:
            result = self.store(incoming)
        except Exception:
            # The database is away: acknowledge nothing, so the broker keeps the messages for us.
            log.exception("ingest failed for a batch of %d; not acknowledged", len(messages))
            time.sleep(1.0)
            for m in messages:
                self._put(m)
            return 0
        for m in messages:
            if m.qos > 0:
                self.client.ack(m.mid, m.qos)
        s = self.stats
        s.messages += len(messages)
        s.received += len(incoming)
        s.stored += result.stored
        s.duplicates += result.duplicates
        s.rejected += result.rejected
        s.raised += result.raised
        s.batches += 1
        if self.on_batch is not None:
            self.on_batch(messages, result)
        return len(messages)
