"""platformdoor's share of the demo city: a small line (4 stations, the first in 上书房社区) and a few
minutes of simulated service with a bag in the gap, a flickering beam and a stuck door switch.
Idempotent: a second run adds nothing."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.places.models import Place

from . import simulator
from .line import Layout, build_line
from .models import Line
from .spec import STATION_PLACE


def build(*, log: Any = print, **options: Any) -> None:
    if Line.objects.filter(code="D1").exists():
        return
    first = Place.objects.filter(name=STATION_PLACE).order_by("depth", "code").first()
    if first is None:
        return
    others = list(Place.objects.filter(depth=first.depth).exclude(pk=first.pk).order_by("code")[:3])
    line = build_line("D1", "演示1号线", [first, *others], Layout(stations=4, platforms=2, sliding=8, emergency=1))
    stats = simulator.run_line(line, trains=6, seed=20)
    simulator.close_old_alarms(line)
    log(f"  platformdoor: line {line.code}, {stats.dwells} dwells, {stats.alarms} alarms")
