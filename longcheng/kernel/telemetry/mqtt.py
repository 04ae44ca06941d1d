"""A generic MQTT ingest worker for every module's devices (docs/telemetry.md, "Workers"): it
subscribes to `$share/<group>/<prefix>/devices/+/+` and `…/gateways/+/telemetry`, hands each batch to
`batch.ingest` (which gives every device to the module that declares its type) and acknowledges a QoS 1
message only after the batch holding it is committed. Events (`…/events`) jump ahead of readings.

Home safety's worker (`homesafety/mqtt.py`, `longcheng ingest_mqtt`) does the same with its own
settings and stays as it is until it moves here; platform doors use this one. The prefix:
`TELEMETRY_MQTT_PREFIX` (default `longcheng/v1`)."""

from __future__ import annotations

import itertools
import json
import logging
import queue
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections

from longcheng.env import env_str

from .batch import ingest
from .envelope import (
    BATCH_MAX_DEPTH,
    MAX_DEPTH,
    MAX_PAYLOAD,
    Incoming,
    decode,
    is_gateway_topic,
    nested_deeper_than,
)
from .store import IngestResult

log = logging.getLogger("longcheng.telemetry.mqtt")
MAX_GATEWAY_PAYLOAD = 1_048_576
DEFAULT_PREFIX = env_str("TELEMETRY_MQTT_PREFIX", "longcheng/v1")


def prefix_setting() -> str:
    return str(getattr(settings, "TELEMETRY_MQTT_PREFIX", DEFAULT_PREFIX))


def topics(prefix: str) -> list[str]:
    return [f"{prefix}/devices/+/+", f"{prefix}/gateways/+/telemetry"]


def is_event(topic: str) -> bool:
    return topic.endswith("/events")


def expand(topic: str, payload: bytes) -> list[Incoming]:
    """One MQTT message → the device messages it carries (a gateway batch's members). Never raises:
    what cannot be read becomes one message that ingest refuses with the reason."""
    if not is_gateway_topic(topic):
        return [Incoming(payload=payload, topic=topic)]
    kept = payload[:MAX_PAYLOAD]
    try:
        shallow = len(payload) <= MAX_GATEWAY_PAYLOAD and not nested_deeper_than(payload, MAX_DEPTH + 2)
        data, refused = decode(payload, MAX_GATEWAY_PAYLOAD, None if shallow else BATCH_MAX_DEPTH)
        if refused is not None:
            return [Incoming(payload=kept, topic=topic, refused=refused)]
        members = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(members, list) or not 1 <= len(members) <= 1000:
            return [Incoming(payload=kept, topic=topic,
                             refused=("invalid_batch", 'a gateway batch is {"messages": [1 to 1,000 device messages]}'))]
        return [Incoming(payload=m, topic=topic, shallow=shallow) if isinstance(m, dict) else
                Incoming(payload=json.dumps(m), topic=topic, decoded=m) for m in members]
    except Exception as exc:
        return [Incoming(payload=kept, topic=topic, refused=("invalid_batch", f"{type(exc).__name__}: {exc}"[:300]))]


@dataclass(frozen=True)
class Broker:
    """Where and how to connect, from MQTT_URL: `mqtt://user:password@host:1883` (plain) or
    `mqtts://user:password@host:8883` (TLS, the system's trusted CAs, or `?cafile=/path/ca.pem`)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False
    cafile: str | None = None

    def __str__(self) -> str:  # for logs and messages: never the password
        who = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{who}{self.host}:{self.port}"


def parse_broker(url: str) -> Broker:
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "tcp", "mqtts", "ssl"):
        raise ValueError(f"MQTT_URL must look like mqtt://host:1883 or mqtts://user:password@host:8883, "
                         f"not {parsed.scheme}://…")
    tls = parsed.scheme in ("mqtts", "ssl")
    query = parse_qs(parsed.query)
    return Broker(host=parsed.hostname or "127.0.0.1", port=parsed.port or (8883 if tls else 1883),
                  username=unquote(parsed.username) if parsed.username else None,
                  password=unquote(parsed.password) if parsed.password is not None else None,
                  tls=tls, cafile=query["cafile"][0] if query.get("cafile") else None)


def configure(client: Any, url: str) -> Broker:
    """Credentials and TLS from MQTT_URL onto a paho client (before connect)."""
    b = parse_broker(url)
    if b.username is not None:
        client.username_pw_set(b.username, b.password)
    if b.tls:
        client.tls_set(ca_certs=b.cafile, cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    return b


class Worker:
    """One ingest worker of a shared-subscription group (a persistent session unless `clean_start`)."""

    def __init__(self, url: str, *, client_id: str, group: str = "ingest", batch: int = 500, linger: float = 0.05,
                 clean_start: bool = False, prefix: str | None = None) -> None:
        self.prefix, self.group, self.batch, self.linger = prefix or prefix_setting(), group, batch, linger
        self.inbox: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._arrival = itertools.count()
        self.stopping, self.connected = threading.Event(), threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_start,
                                  protocol=mqtt.MQTTv311)
        self.broker = configure(self.client, url)
        self.client.manual_ack_set(True)
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda _c, _u, message: self._put(message)
        self.stored = 0
        # Called after each committed batch with (messages, result): benchmarks measure latency here.
        self.on_batch: Callable[[list[Any], IngestResult], None] | None = None

    def _put(self, message: Any) -> None:
        self.inbox.put((0 if is_event(message.topic) else 1, next(self._arrival), message))

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection to %s refused: %s", self.broker, reason)
            return
        client.subscribe([(f"$share/{self.group}/{topic}", 1) for topic in topics(self.prefix)])
        self.connected.set()

    def start(self) -> None:
        self.client.connect(self.broker.host, self.broker.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()
        self.client.loop_stop()
        self.client.disconnect()

    def run(self, *, until: float | None = None) -> None:
        while not self.stopping.is_set() and (until is None or time.monotonic() < until):
            self.drain_once()

    def _gather(self, first: Any) -> tuple[list[Any], list[Incoming]]:
        """The first message and what follows it within the linger (events: only other events)."""
        messages, incoming = [first], expand(first.topic, first.payload)
        deadline = time.monotonic() + self.linger
        urgent = is_event(first.topic)
        while len(incoming) < self.batch:
            if (self.inbox.queue and self.inbox.queue[0][0] == 0) != urgent:
                break
            left = 0.0 if urgent else deadline - time.monotonic()
            if left <= 0 and not urgent:
                break
            try:
                message = self.inbox.get(timeout=left)[2] if left > 0 else self.inbox.get_nowait()[2]
            except queue.Empty:
                break
            messages.append(message)
            incoming += expand(message.topic, message.payload)
        return messages, incoming

    def drain_once(self) -> int:
        try:
            first = self.inbox.get(timeout=0.2)[2]
        except queue.Empty:
            return 0
        messages, incoming = self._gather(first)
        close_old_connections()
        try:
            result = ingest(incoming, source="mqtt")
        except Exception:
            log.exception("ingest failed for a batch of %d; not acknowledged", len(messages))
            time.sleep(1.0)
            for m in messages:
                self._put(m)
            return 0
        for m in messages:
            if m.qos > 0:
                self.client.ack(m.mid, m.qos)
        self.stored += result.stored
        if self.on_batch is not None:
            self.on_batch(messages, result)
        return len(messages)
