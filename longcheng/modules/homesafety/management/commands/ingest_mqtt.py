"""`longcheng ingest_mqtt`: an MQTT ingest worker. Start several (different --worker numbers) for
a shared-subscription group; each keeps its broker session across restarts."""

from __future__ import annotations

import signal
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Consume device telemetry from the MQTT broker (shared subscription) into the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--worker", default=socket.gethostname(), help="stable worker name (the session id)")
        parser.add_argument("--group", default="ingest")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--linger-ms", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long (benchmarks, tests)")
        parser.add_argument("--trace-events", default=None, metavar="FILE",
                            help="append 'device_ms committed_ms' per event message: alarm latency, measured")

    def handle(self, *args: Any, **options: Any) -> None:
        from longcheng.modules.homesafety.mqtt import Ingester

        ingester = Ingester(settings.MQTT_URL, client_id=f"longcheng-{options['group']}-{options['worker']}",
                            group=options["group"], batch=options["batch"], linger=options["linger_ms"] / 1000)
        try:
            ingester.start()
        except OSError as exc:
            raise CommandError(f"cannot reach the MQTT broker at {settings.MQTT_URL}: {exc}") from exc
        if options["trace_events"]:
            ingester.on_batch = _tracer(options["trace_events"])
        signal.signal(signal.SIGTERM, lambda *_: ingester.stopping.set())
        self.stdout.write(f"ingesting from {settings.MQTT_URL} as {options['worker']} in group {options['group']}")
        until = time.monotonic() + options["seconds"] if options["seconds"] else None
        try:
            ingester.run(until=until)
        except KeyboardInterrupt:
            pass
        finally:
            ingester.stop()
            s = ingester.stats
            self.stdout.write(f"received {s.received}, stored {s.stored}, duplicates {s.duplicates}, "
                              f"rejected {s.rejected}, alarms raised {s.raised}")


def _tracer(path: str) -> Any:
    """After each committed batch: the device time of each event message beside the commit time."""
    import json

    from longcheng.modules.homesafety.mqtt import is_event

    def on_batch(messages: list[Any], _result: Any) -> None:
        committed = int(time.time() * 1000)
        lines = []
        for m in messages:
            if is_event(m.topic):
                try:
                    lines.append(f"{int(json.loads(m.payload)['ts'])} {committed}\n")
                except (ValueError, KeyError, TypeError, RecursionError):  # any payload: this runs after the commit
                    continue
        if lines:
            with open(path, "a", encoding="ascii") as out:
                out.writelines(lines)

    return on_batch
