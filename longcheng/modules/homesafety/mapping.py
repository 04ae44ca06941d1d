"""What the kernel map (longcheng.kernel.maps, `{% map %}`) shows of an enrolled person: the
community's own outline (drawn even offline, with no tiles), the home, the safe zone (its circle
drawn as a 48-corner outline, or its own outline), the latest positions of the person's devices
and of their latest readings, and the worker sent to the door: on the way where their phone shares
its position (trips.py), at the door once they arrived. Coordinates are
WGS-84 as the devices send them."""

from __future__ import annotations

import math
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import maps

from .models import Alarm, DeviceState, Enrollee, Reading

CIRCLE_CORNERS = 48


def circle(lat: float, lon: float, radius_m: float) -> list[list[float]]:
    """A circle of `radius_m` metres around (lat, lon) as an outline of [lat, lon] corners."""
    k_lat, k_lon = 110_540, 111_320 * math.cos(math.radians(lat))
    return [[lat + radius_m * math.sin(a) / k_lat, lon + radius_m * math.cos(a) / k_lon]
            for a in (2 * math.pi * i / CIRCLE_CORNERS for i in range(CIRCLE_CORNERS))]


def _hm(at: Any) -> str:
    return timezone.localtime(at).strftime("%H:%M") if at else "—"


def person_features(enrollee: Enrollee, states: list[DeviceState], readings: list[Reading],
                    alarm: Alarm | None = None) -> list[maps.Feature | None]:
    """The features of one person's map, in drawing order (outline under the rest)."""
    person = enrollee.person
    features: list[maps.Feature | None] = []
    if person.place is not None:
        features.append(maps.place_area(person.place, person.place.name))
    home = (enrollee.home_lat, enrollee.home_lon)
    zone = enrollee.safe_zone or {}
    if zone.get("kind") == "polygon":
        features.append(maps.area(zone.get("points", []), _("Safe zone (outline)"), tone="ok"))
    elif zone.get("kind") == "circle" and maps.valid(*home) and zone.get("radius_m"):
        radius = float(zone["radius_m"])
        features.append(maps.area(circle(float(home[0]), float(home[1]), radius),  # type: ignore[arg-type]
                                  _("Safe zone (%(m)s m around home)") % {"m": round(radius)}, tone="ok"))
    features.append(maps.point(*home, _("Home · %(address)s") % {"address": person.address or person.name}))
    seen: set[tuple[Any, Any]] = set()
    for reading in readings:
        lat, lon = (reading.metrics or {}).get("lat"), (reading.metrics or {}).get("lon")
        if maps.valid(lat, lon) and (lat, lon) not in seen and len(seen) < 5:
            seen.add((lat, lon))
            features.append(maps.point(lat, lon, _("Position at %(time)s") % {"time": _hm(reading.device_time)},
                                       tone="warn"))
    for state in states:
        features.append(maps.point(state.lat, state.lon, _("Latest position · %(device)s · %(time)s") % {
            "device": state.device.serial, "time": _hm(state.last_device_time)}, tone="alarm"))
    if alarm is not None and alarm.dispatched_to_id and alarm.arrived_at:
        features.append(maps.point(*home, _("%(worker)s at the door since %(time)s") % {
            "worker": alarm.dispatched_to, "time": _hm(alarm.arrived_at)}, tone="plain"))
    elif alarm is not None and alarm.dispatched_to_id and alarm.worker_seen_at:
        features.append(maps.point(alarm.worker_lat, alarm.worker_lon, _("%(worker)s on the way · %(time)s") % {
            "worker": alarm.dispatched_to, "time": _hm(alarm.worker_seen_at)}, tone="plain"))
    return features


def worker_note(alarm: Alarm | None) -> str:
    """What the map cannot show of the worker sent: on the way, and since when their phone last
    shared a position (or that it has shared none)."""
    if alarm is None or not alarm.dispatched_to_id or alarm.arrived_at:
        return ""
    if alarm.worker_seen_at:
        return _("%(worker)s sent at %(time)s, on the way; position shared at %(seen)s.") % {
            "worker": alarm.dispatched_to, "time": _hm(alarm.dispatched_at), "seen": _hm(alarm.worker_seen_at)}
    return _("%(worker)s sent at %(time)s, on the way: no position until they share it or arrive.") % {
        "worker": alarm.dispatched_to, "time": _hm(alarm.dispatched_at)}
