"""Simulated devices with injected incidents, so the alarm centre is alive in a demo and loaded in
a benchmark. Readings go out over MQTT (as real devices), HTTP (as a gateway) or straight into the
ingest function (a demo machine without a broker).

Each device keeps its own sequence (starting from the clock, so a restarted simulator never reuses
one), a wandering position around home, a slowly draining battery and a heart rate around its own
baseline. Every `incident_every` seconds one device has an incident: SOS, fall, smoke, wandering out
of its safe zone, or going silent.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from . import mqtt as ours
from .conf import conf
from .ingest import Incoming, ingest
from .models import Device

log = logging.getLogger("longcheng.homesafety.simulator")

INCIDENTS = ("sos", "fall", "smoke", "wander", "offline")


@dataclass
class SimDevice:
    serial: str
    kind: str
    home: tuple[float, float]
    seq: int
    hr: float = 72.0
    battery: float = 90.0
    wander_left: int = 0
    silent_until: float = 0.0
    pending_event: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Simulator:
    def __init__(self, devices: list[SimDevice], *, rate: float, incident_every: float = 30.0,
                 seed: int | None = None) -> None:
        self.devices = devices
        self.rate = rate
        self.incident_every = incident_every
        self.rng = random.Random(seed)
        self.next_incident = time.monotonic() + incident_every
        self.sent = 0
        self.incidents: list[tuple[str, str]] = []
        self._cursor = 0

    @classmethod
    def from_database(cls, *, persons: int, rate: float, incident_every: float = 30.0,
                      seed: int | None = None) -> Simulator:
        base = int(time.time() * 1000)
        devices = []
        qs = (Device.objects.filter(active=True, enrollee__isnull=False).select_related("enrollee")
              .order_by("enrollee_id", "pk"))
        enrollees: set[int] = set()
        for device in qs:
            assert device.enrollee is not None
            if device.enrollee_id not in enrollees and len(enrollees) >= persons:
                continue
            enrollees.add(device.enrollee.pk)
            home = (device.enrollee.home_lat or 31.7246, device.enrollee.home_lon or 120.0683)
            devices.append(SimDevice(device.serial, device.kind, home, seq=base * 10))
        return cls(devices, rate=rate, incident_every=incident_every, seed=seed)

    def incident(self, now: float) -> None:
        device = self.rng.choice(self.devices)
        kind = self.rng.choice(INCIDENTS)
        if kind == "smoke":
            smokes = [d for d in self.devices if d.kind == "smoke"]
            if not smokes:
                return
            device = self.rng.choice(smokes)
        elif device.kind != "wristband":
            kind = "sos"
            bands = [d for d in self.devices if d.kind == "wristband"]
            if not bands:
                return
            device = self.rng.choice(bands)
        if kind in ("sos", "fall", "smoke"):
            device.pending_event = kind
        elif kind == "wander":
            device.wander_left = 6
        elif kind == "offline":
            device.silent_until = now + 900
        self.incidents.append((device.serial, kind))
        log.info("incident: %s on %s", kind, device.serial)

    def message(self, device: SimDevice) -> tuple[dict[str, Any], bool]:
        """(message, is_event)."""
        device.seq += 1
        event, device.pending_event = device.pending_event, ""
        if device.kind == "wristband":
            device.hr += self.rng.uniform(-2, 2) + (72 - device.hr) * 0.1
            device.battery = max(5.0, device.battery - 0.01)
            if device.wander_left:
                device.wander_left -= 1
                lat, lon = device.home[0] + 0.012, device.home[1] + 0.004
            else:
                lat = device.home[0] + self.rng.uniform(-0.0006, 0.0006)
                lon = device.home[1] + self.rng.uniform(-0.0006, 0.0006)
            metrics: dict[str, Any] = {"hr": round(device.hr), "temp": round(36.4 + self.rng.uniform(-0.3, 0.3), 1),
                                       "lat": round(lat, 6), "lon": round(lon, 6), "battery": round(device.battery),
                                       "moving": self.rng.random() < 0.4, "worn": True}
        else:
            metrics = {"smoke": event == "smoke", "battery": round(device.battery)}
        body: dict[str, Any] = {"device": device.serial, "seq": device.seq, "ts": int(time.time() * 1000),
                                "metrics": metrics}
        if event:
            body["event"] = event
        return body, bool(event)

    def tick(self, seconds: float) -> list[tuple[dict[str, Any], bool]]:
        now = time.monotonic()
        if self.incident_every and now >= self.next_incident:
            self.incident(time.time())
            self.next_incident = now + self.incident_every
        wanted = max(1, round(self.rate * seconds))
        out = []
        # Events go out at once, whatever the rate.
        for device in self.devices:
            if device.pending_event:
                out.append(self.message(device))
        for _ in range(wanted):
            device = self.devices[self._cursor % len(self.devices)]
            self._cursor += 1
            if device.silent_until > time.time():
                continue
            out.append(self.message(device))
        return out

    def run(self, send: Callable[[list[tuple[dict[str, Any], bool]]], None], *, seconds: float | None = None,
            stop: threading.Event | None = None, step: float = 0.2) -> None:
        deadline = time.monotonic() + seconds if seconds else None
        while (deadline is None or time.monotonic() < deadline) and not (stop and stop.is_set()):
            began = time.monotonic()
            batch = self.tick(step)
            if batch:
                send(batch)
                self.sent += len(batch)
            time.sleep(max(0.0, step - (time.monotonic() - began)))


def mqtt_sender(url: str, client_id: str | None = None,
                prefix: str | None = None) -> Callable[[list[tuple[dict[str, Any], bool]]], None]:
    """Periodic readings at QoS 0, events at QoS 1 (see docs/homesafety.md for why)."""
    prefix = prefix or conf("HOMESAFETY_MQTT_PREFIX")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or ours.client_id("simulator", prefix))
    where = ours.configure(client, url)
    client.max_queued_messages_set(0)
    client.connect(where.host, where.port)
    client.loop_start()

    def send(batch: list[tuple[dict[str, Any], bool]]) -> None:
        for body, is_event in batch:
            topic = f"{prefix}/devices/{body['device']}/{'events' if is_event else 'telemetry'}"
            client.publish(topic, json.dumps(body), qos=1 if is_event else 0)

    return send


def http_sender(base_url: str, token: str) -> Callable[[list[tuple[dict[str, Any], bool]]], None]:
    def send(batch: list[tuple[dict[str, Any], bool]]) -> None:
        for start in range(0, len(batch), 1000):
            data = json.dumps({"messages": [b for b, _e in batch[start:start + 1000]]}).encode()
            request = urllib.request.Request(f"{base_url.rstrip('/')}/api/v1/homesafety/telemetry", data=data,
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()

    return send


def direct_sender() -> Callable[[list[tuple[dict[str, Any], bool]]], None]:
    def send(batch: list[tuple[dict[str, Any], bool]]) -> None:
        close_old_connections()
        ingest([Incoming(payload=body) for body, _e in batch], source="sim")

    return send
