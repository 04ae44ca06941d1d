"""MQTT ingest: one or more workers share one subscription group on the broker.

Topics (QoS in brackets; see docs/homesafety.md):
    longcheng/v1/devices/<serial>/telemetry   periodic readings   [0, or 1 from gateways that batch]
    longcheng/v1/devices/<serial>/events      SOS, fall, smoke…   [1]

Workers subscribe to `$share/<group>/longcheng/v1/devices/+/+`, so the broker gives each message to
one worker of the group. Each worker has a persistent session (fixed client id, clean_session off)
and acknowledges a QoS 1 message only after the batch that holds it is committed: a worker killed
mid-batch gets the unacknowledged messages again when it reconnects, and the (device, seq) key
stores them once. Readings are batched (up to `batch` messages or `linger` seconds) so that one
transaction carries hundreds of readings.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.db import close_old_connections

from .ingest import Incoming, ingest

log = logging.getLogger("longcheng.homesafety.mqtt")



def topics(prefix: str) -> str:
    return f"{prefix}/devices/+/+"


def broker(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"MQTT_URL must look like mqtt://host:1883, not {url!r}")
    return parsed.hostname or "127.0.0.1", parsed.port or 1883


@dataclass
class Stats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    raised: int = 0
    batches: int = 0


class Ingester:
    def __init__(self, url: str, *, client_id: str, group: str = "ingest", batch: int = 500, linger: float = 0.05,
                 clean_start: bool = False, prefix: str | None = None) -> None:
        import paho.mqtt.client as mqtt

        from .conf import conf

        self.host, self.port = broker(url)
        self.prefix = prefix or conf("HOMESAFETY_MQTT_PREFIX")
        self.group, self.batch, self.linger = group, batch, linger
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.stats = Stats()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_start,
                                  protocol=mqtt.MQTTv311)
        self.client.manual_ack_set(True)
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda _c, _u, message: self.inbox.put(message)
        # Called after each committed batch with (messages, result): benchmarks measure latency here.
        self.on_batch: Any = None
        # The function that stores a batch; a benchmark swaps in a bare insert as its baseline.
        self.store: Any = lambda messages: ingest(
            [Incoming(payload=m.payload, topic=m.topic) for m in messages], source="mqtt")

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(f"$share/{self.group}/{topics(self.prefix)}", qos=1)
        self.connected.set()

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
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return 0
        messages = [first]
        deadline = time.monotonic() + self.linger
        while len(messages) < self.batch:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                messages.append(self.inbox.get(timeout=left))
            except queue.Empty:
                break
        close_old_connections()
        try:
            result = self.store(messages)
        except Exception:
            # The database is away: acknowledge nothing, so the broker keeps the messages for us.
            log.exception("ingest failed for a batch of %d; not acknowledged", len(messages))
            time.sleep(1.0)
            for m in messages:
                self.inbox.put(m)
            return 0
        for m in messages:
            if m.qos > 0:
                self.client.ack(m.mid, m.qos)
        s = self.stats
        s.received += len(messages)
        s.stored += result.stored
        s.duplicates += result.duplicates
        s.rejected += result.rejected
        s.raised += result.raised
        s.batches += 1
        if self.on_batch is not None:
            self.on_batch(messages, result)
        return len(messages)
