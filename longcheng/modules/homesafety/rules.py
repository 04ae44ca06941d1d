"""Alarm rules: pure functions from (a reading, the device's rule memory, the parameters) to
verdicts. A rule says "clear" only when its memory says it raised, so a normal reading costs no
query at all. They touch no database, so they are cheap to test and to run in bulk; alarms.py turns
verdicts into alarms.

Hysteresis: a rule raises at one threshold and clears only past a second one (or after N good
readings), so a value hovering at a threshold neither flaps nor piles up alarms.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import AlarmKind, Severity


@dataclass
class Ctx:
    device_time: dt.datetime
    metrics: dict[str, Any]
    event: str
    params: dict[str, Any]
    state: dict[str, Any]  # the device's rule memory, changed in place and saved with the device state
    in_order: bool  # False for a reading older than the newest one already seen
    quiet_hours: bool = False
    home: tuple[float, float] | None = None
    safe_zone: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    kind: str
    raise_: bool  # True: raise (or repeat); False: the condition is over
    severity: int = Severity.WARNING
    detail: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[Ctx], list[Verdict]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[code] = fn
        return fn

    return register


def _event_rule(code: str, kind: str, severity: int) -> Rule:
    def evaluate(ctx: Ctx) -> list[Verdict]:
        # Events count even when they arrive out of order: an SOS is an SOS. Staleness (an event from
        # long ago) is filtered by the ingester before rules run.
        if ctx.event == code:
            return [Verdict(kind, True, severity, {"event": code})]
        return []

    RULES[code] = evaluate
    return evaluate


_event_rule("sos", AlarmKind.SOS, Severity.CRITICAL)
_event_rule("fall", AlarmKind.FALL, Severity.CRITICAL)


@rule("smoke")
def smoke(ctx: Ctx) -> list[Verdict]:
    if ctx.event == "smoke" or ctx.metrics.get("smoke") is True:
        ctx.state["smoke_active"] = True
        return [Verdict(AlarmKind.SMOKE, True, Severity.CRITICAL,
                        {"obscuration": ctx.metrics.get("obscuration"), "temp": ctx.metrics.get("temp")})]
    if ctx.in_order and ctx.metrics.get("smoke") is False and ctx.state.get("smoke_active"):
        ctx.state["smoke_active"] = False
        return [Verdict(AlarmKind.SMOKE, False)]
    return []


@rule("removed")
def removed(ctx: Ctx) -> list[Verdict]:
    if ctx.event == "removed" or (ctx.in_order and ctx.metrics.get("worn") is False):
        ctx.state["removed_active"] = True
        return [Verdict(AlarmKind.REMOVED, True, Severity.WARNING)]
    if ctx.in_order and ctx.metrics.get("worn") is True and ctx.state.get("removed_active"):
        ctx.state["removed_active"] = False
        return [Verdict(AlarmKind.REMOVED, False)]
    return []


def _valid_hr(ctx: Ctx) -> int | None:
    hr = ctx.metrics.get("hr")
    if hr is None:
        return None
    if hr < ctx.params["hr_min_valid"] or hr > ctx.params["hr_max_valid"]:
        return None
    return int(hr)


@rule("sensor_fault")
def sensor_fault(ctx: Ctx) -> list[Verdict]:
    """A heart rate of 0 or 400 is a broken or loose sensor, not a medical emergency."""
    hr = ctx.metrics.get("hr")
    if hr is None or not ctx.in_order:
        return []
    if _valid_hr(ctx) is None:
        ctx.state["fault_active"] = True
        return [Verdict(AlarmKind.SENSOR_FAULT, True, Severity.WARNING, {"hr": hr})]
    if ctx.state.get("fault_active"):
        ctx.state["fault_active"] = False
        return [Verdict(AlarmKind.SENSOR_FAULT, False)]
    return []


@rule("heart_rate")
def heart_rate(ctx: Ctx) -> list[Verdict]:
    """Out of [low, high] for N consecutive valid readings raises; back inside the band narrowed
    by the margin for N readings clears; readings in between reset both counts."""
    hr = _valid_hr(ctx)
    if hr is None or not ctx.in_order:
        return []
    p, s = ctx.params, ctx.state
    low, high, need, margin = p["hr_low"], p["hr_high"], p["hr_readings"], p["hr_margin"]
    if hr < low or hr > high:
        s["hr_bad"], s["hr_good"] = s.get("hr_bad", 0) + 1, 0
        if s["hr_bad"] >= need:
            s["hr_active"] = True
            return [Verdict(AlarmKind.HEART_RATE, True, Severity.HIGH, {"hr": hr, "low": low, "high": high})]
        return []
    if low + margin <= hr <= high - margin:
        s["hr_good"], s["hr_bad"] = s.get("hr_good", 0) + 1, 0
        if s.get("hr_active") and s["hr_good"] >= need:
            s["hr_active"] = False
            return [Verdict(AlarmKind.HEART_RATE, False)]
        return []
    s["hr_bad"] = s["hr_good"] = 0
    return []


@rule("temperature")
def temperature(ctx: Ctx) -> list[Verdict]:
    temp = ctx.metrics.get("temp")
    if temp is None or not ctx.in_order:
        return []
    if temp >= ctx.params["temp_high"]:
        ctx.state["temp_active"] = True
        return [Verdict(AlarmKind.TEMPERATURE, True, Severity.WARNING, {"temp": temp})]
    if temp < ctx.params["temp_clear"] and ctx.state.get("temp_active"):
        ctx.state["temp_active"] = False
        return [Verdict(AlarmKind.TEMPERATURE, False)]
    return []


@rule("low_battery")
def low_battery(ctx: Ctx) -> list[Verdict]:
    battery = ctx.metrics.get("battery")
    if battery is None or not ctx.in_order:
        return []
    if battery <= ctx.params["battery_low"]:
        ctx.state["battery_active"] = True
        return [Verdict(AlarmKind.LOW_BATTERY, True, Severity.INFO, {"battery": battery})]
    if battery >= ctx.params["battery_clear"] and ctx.state.get("battery_active"):
        ctx.state["battery_active"] = False
        return [Verdict(AlarmKind.LOW_BATTERY, False)]
    return []


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine); ample for a few kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def inside_polygon(point: tuple[float, float], polygon: list[list[float]]) -> bool:
    """Ray casting in (lat, lon) degrees: a community-sized polygon is flat enough for this."""
    y, x = point
    inside = False
    for i in range(len(polygon)):
        y1, x1 = polygon[i]
        y2, x2 = polygon[i - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def zone_excess_m(point: tuple[float, float], home: tuple[float, float] | None, zone: dict[str, Any]) -> float | None:
    """Metres outside the safe zone (negative: inside). None when no zone is set."""
    if zone.get("kind") == "circle" and home is not None:
        return distance_m(point, home) - float(zone.get("radius_m", 0))
    if zone.get("kind") == "polygon" and len(zone.get("points", [])) >= 3:
        points = zone["points"]
        edge = _distance_to_edges_m(point, points)
        return -edge if inside_polygon(point, points) else edge
    return None


def _distance_to_edges_m(point: tuple[float, float], polygon: list[list[float]]) -> float:
    """Shortest distance to the polygon's boundary, in a flat projection around the point."""
    lat0, lon0 = point
    k_lon = 111_320 * math.cos(math.radians(lat0))

    def xy(p: list[float] | tuple[float, float]) -> tuple[float, float]:
        return (p[1] - lon0) * k_lon, (p[0] - lat0) * 110_540

    best = math.inf
    for i in range(len(polygon)):
        (x1, y1), (x2, y2) = xy(polygon[i - 1]), xy(polygon[i])
        dx, dy = x2 - x1, y2 - y1
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length2))
        best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
    return best


@rule("safe_zone")
def safe_zone(ctx: Ctx) -> list[Verdict]:
    lat, lon = ctx.metrics.get("lat"), ctx.metrics.get("lon")
    if lat is None or lon is None or not ctx.in_order:
        return []
    excess = zone_excess_m((lat, lon), ctx.home, ctx.safe_zone)
    if excess is None:
        return []
    if excess > 0:
        ctx.state["zone_active"] = True
        # Wandering at night is more dangerous than a walk to the market.
        severity = Severity.HIGH if ctx.quiet_hours else Severity.WARNING
        return [Verdict(AlarmKind.SAFE_ZONE, True, severity, {"lat": lat, "lon": lon, "outside_m": round(excess)})]
    if excess < -ctx.params["zone_margin_m"] and ctx.state.get("zone_active"):
        ctx.state["zone_active"] = False
        return [Verdict(AlarmKind.SAFE_ZONE, False)]
    return []


@rule("no_movement")
def no_movement(ctx: Ctx) -> list[Verdict]:
    """Still for a long time in the daytime (outside quiet hours): the elder may be lying on the floor."""
    moving = ctx.metrics.get("moving")
    if moving is None or not ctx.in_order:
        return []
    stamp = ctx.device_time.timestamp()
    if moving:
        ctx.state["last_move"] = stamp
        if ctx.state.get("still_active"):
            ctx.state["still_active"] = False
            return [Verdict(AlarmKind.NO_MOVEMENT, False)]
        return []
    last = ctx.state.setdefault("last_move", stamp)
    if not ctx.quiet_hours and stamp - last >= ctx.params["no_move_hours"] * 3600:
        ctx.state["still_active"] = True
        return [Verdict(AlarmKind.NO_MOVEMENT, True, Severity.HIGH, {"still_hours": round((stamp - last) / 3600, 1)})]
    return []


def in_quiet_hours(moment: dt.datetime, start: dt.time | None, end: dt.time | None) -> bool:
    if start is None or end is None:
        return False
    t = moment.timetz().replace(tzinfo=None)
    return start <= t < end if start <= end else (t >= start or t < end)


def evaluate(codes: tuple[str, ...], ctx: Ctx) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for code in codes:
        verdicts.extend(RULES[code](ctx))
    return verdicts
