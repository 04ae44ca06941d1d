"""The demo's live devices: `make run` starts this in a thread. With a reachable MQTT broker the
readings take the real path (simulator → broker → shared-subscription ingester → database);
without one they go straight into the ingest function, and the operator is told why."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

from . import simulator
from .mqtt import Ingester, broker, client_id

DEMO_RATE = 5.0  # readings per second: enough to watch, little enough for a laptop
DEMO_INCIDENT_EVERY = 45.0


def _broker_reachable(url: str) -> bool:
    try:
        host, port = broker(url)
        with socket.create_connection((host, port), timeout=1):
            return True
    except (OSError, ValueError):
        return False


def demo_topic_prefix(instance: str) -> str:
    """The demo's own topic prefix: two demos on one broker (two developers, two worktrees) would
    otherwise share one stream and each store half of the other's readings."""
    return f"longcheng-demo/{instance or socket.gethostname()}/v1"


def demo_feed(stop: threading.Event, log: Callable[[str], Any], instance: str = "") -> None:
    sim = simulator.Simulator.from_database(persons=40, rate=DEMO_RATE, incident_every=DEMO_INCIDENT_EVERY)
    if not sim.devices:
        log("Home safety: no devices in the database; the demo feed is off.")
        return
    if _broker_reachable(settings.MQTT_URL):
        prefix = demo_topic_prefix(instance)
        ingester = Ingester(settings.MQTT_URL, client_id=client_id("demo-ingest", prefix), group="demo",
                            clean_start=True, prefix=prefix)
        ingester.start()
        threading.Thread(target=ingester.run, daemon=True, name="homesafety-ingest").start()
        send = simulator.mqtt_sender(settings.MQTT_URL, client_id=client_id("demo-simulator", prefix), prefix=prefix)
        log(f"Home safety: {len(sim.devices)} simulated devices → MQTT {ingester.broker} under {prefix}/ → ingester")
    else:
        send = simulator.direct_sender()
        log(f"Home safety: no MQTT broker at {settings.MQTT_URL}; {len(sim.devices)} simulated devices feed "
            "the ingest path directly (install mosquitto for the real path)")
    sim.run(send, stop=stop)
