"""`longcheng ingest_mqtt`: an MQTT ingest worker. Start several (different --worker numbers) for
a shared-subscription group; each keeps its broker session across restarts."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from longcheng.modules.homesafety.mqtt import Ingester, client_id, instance_prefix, is_event, parse_broker


class Command(BaseCommand):
    help = "Consume device telemetry from the MQTT broker (shared subscription) into the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--worker", default=None,
                            help="stable worker name, unique in the group: the broker keeps its session (and the "
                                 "messages it had not acknowledged) across restarts. Without it: a clean session "
                                 "named after host and process")
        parser.add_argument("--group", default="ingest")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--linger-ms", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long (benchmarks, tests)")
        parser.add_argument("--trace-events", default=None, metavar="FILE",
                            help="append 'device_ms committed_ms' per event message: alarm latency, measured")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            where = parse_broker(settings.MQTT_URL)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        worker = options["worker"]
        if worker:
            # The instance's prefix keeps two instances' sessions apart on one broker.
            name, persistent = f"{instance_prefix()}-{options['group']}-{worker}", True
        else:
            name, persistent = client_id(options["group"]), False
            worker = name
            self.stderr.write("no --worker name: a clean session; messages in flight when this process dies are "
                              "lost. Give each worker a stable --worker name in production.")
        ingester = Ingester(settings.MQTT_URL, client_id=name, group=options["group"], batch=options["batch"],
                            linger=options["linger_ms"] / 1000, clean_start=not persistent)
        try:
            ingester.start()
        except OSError as exc:
            raise CommandError(f"cannot reach the MQTT broker at {where}: {exc}") from exc
        deadline = time.monotonic() + 30
        while not ingester.connected.is_set() and ingester.refused is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if ingester.refused is not None or not ingester.connected.is_set():
            ingester.stop()
            raise CommandError(f"the MQTT broker at {where} refused {name}: {ingester.refused or 'no answer in 30 s'}")
        if options["trace_events"]:
            ingester.on_batch = _tracer(options["trace_events"])
        signal.signal(signal.SIGTERM, lambda *_: ingester.stopping.set())
        self.stdout.write(f"ingesting from {where} as {worker} (client id {name}) in group {options['group']}")
        self.stdout.flush()
        until = time.monotonic() + options["seconds"] if options["seconds"] else None
        try:
            while not ingester.stopping.is_set() and (until is None or time.monotonic() < until):
                if ingester.refused is not None:  # e.g. the ACL refused the subscription
                    raise CommandError(f"the MQTT broker at {where} refused {name}: {ingester.refused}")
                ingester.run(until=min(time.monotonic() + 1.0, until or float("inf")))
        except KeyboardInterrupt:
            pass
        finally:
            ingester.stop()
            s = ingester.stats
            self.stdout.write(f"received {s.received}, stored {s.stored}, duplicates {s.duplicates}, "
                              f"rejected {s.rejected}, alarms raised {s.raised}")


def _tracer(path: str) -> Any:
    """After each committed batch: the device time of each event message beside the commit time."""
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
