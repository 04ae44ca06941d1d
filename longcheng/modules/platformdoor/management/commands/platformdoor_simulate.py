"""`longcheng platformdoor_simulate`: a line's stations and trains with faults (a bag in the gap, a
flickering beam, a stuck door switch), into the kernel's ingest in this process or to an MQTT broker
for the ingest workers (`--mqtt mqtt://host:1883`)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from longcheng.kernel.telemetry.mqtt import prefix_setting

from ... import simulator
from ...models import Line, Platform


class Command(BaseCommand):
    help = "Simulate a platform-door line: trains, detectors, door switches, faults."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--line", default="D1", help="the line's code (the demo's: D1)")
        parser.add_argument("--trains", type=int, default=4)
        parser.add_argument("--hz", type=float, default=20.0, help="detector messages per second during a dwell")
        parser.add_argument("--seed", type=int, default=20)
        parser.add_argument("--mqtt", default="", help="publish to this broker instead of ingesting here")
        parser.add_argument("--prefix", default="", help="MQTT topic prefix (default TELEMETRY_MQTT_PREFIX)")

    def handle(self, *args: Any, **options: Any) -> None:
        line = Line.objects.filter(code=options["line"]).first()
        if line is None:
            raise CommandError(f"no line {options['line']!r}: run `longcheng demo` first, or name one with --line")
        if not options["mqtt"]:
            stats = simulator.run_line(line, trains=options["trains"], hz=options["hz"], seed=options["seed"])
            self.stdout.write(f"{stats.dwells} dwells, {stats.messages} messages, {stats.alarms} alarms")
            return
        platforms = list(Platform.objects.filter(station__line=line).select_related("station__line"))
        sim = simulator.Simulator(hz=options["hz"], seed=options["seed"])
        sim.seed_seqs(platforms)
        prefix = options["prefix"] or prefix_setting()
        sent = 0
        for messages, _fault in sim.service(platforms, start=timezone.now(), trains=options["trains"]):
            sent += simulator.publish(options["mqtt"], prefix, messages, client_id=f"pd-sim-{os.getpid()}")
        self.stdout.write(f"{sent} messages published under {prefix}")
