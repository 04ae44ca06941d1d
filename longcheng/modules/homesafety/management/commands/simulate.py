"""`longcheng simulate homesafety --persons N --rate R --via http|mqtt|direct`: simulated devices with
injected incidents (SOS, fall, smoke, wandering, going offline)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from longcheng.kernel.access.models import ApiToken, RoleAssignment
from longcheng.modules.homesafety import simulator


class Command(BaseCommand):
    help = "Send realistic device readings with injected incidents, so the alarm centre is alive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("module", choices=["homesafety"])
        parser.add_argument("--persons", type=int, default=50)
        parser.add_argument("--rate", type=float, default=20.0, help="readings per second, all devices together")
        parser.add_argument("--via", choices=["mqtt", "http", "direct"], default="mqtt")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the platform, for --via http")
        parser.add_argument("--token", default="", help="a gateway's API token, for --via http (default: issue one)")
        parser.add_argument("--incident-every", type=float, default=30.0, help="seconds between incidents (0: none)")
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **o: Any) -> None:
        if o["persons"] < 1 or o["rate"] <= 0:
            raise CommandError("--persons must be at least 1 and --rate more than 0")
        sim = simulator.Simulator.from_database(persons=o["persons"], rate=o["rate"], incident_every=o["incident_every"],
                                                seed=o["seed"])
        if not sim.devices:
            raise CommandError("no enrolled person has a device: run `longcheng demo` first")
        if o["via"] == "mqtt":
            try:
                send = simulator.mqtt_sender(settings.MQTT_URL)
            except OSError as exc:
                raise CommandError(f"cannot reach the MQTT broker at {settings.MQTT_URL}: {exc}") from exc
        elif o["via"] == "http":
            token = o["token"] or _gateway_token()
            send = simulator.http_sender(o["url"], token)
        else:
            send = simulator.direct_sender()
        self.stdout.write(f"simulating {len(sim.devices)} devices at {o['rate']:g} readings/s via {o['via']}")
        try:
            sim.run(send, seconds=o["seconds"])
        except KeyboardInterrupt:
            pass
        self.stdout.write(f"sent {sim.sent} messages; incidents: {len(sim.incidents)}")


def _gateway_token() -> str:
    assignment = RoleAssignment.objects.filter(role="homesafety_gateway").select_related("user").first()
    if assignment is None:
        raise CommandError("no account holds the homesafety_gateway role: pass --token")
    _t, raw = ApiToken.issue(assignment.user, "simulator")
    return raw
