"""Device types, each declared once: payload schema, metrics, heartbeat interval, default rules.

Adding a device type (a gas detector, a door sensor, a water meter) is one `register_device_type()`
call; the ingest pipeline, the rules engine and the console read only this table.

A message from any device has the same envelope:

    {"device": "WB-0001", "seq": 1234, "ts": "2026-11-23T03:00:00+08:00" | 1763838000000,
     "metrics": {...}, "event": "sos" | "fall" | "smoke" | "removed" | null}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel, ConfigDict, Field

# Strict: a boolean is not a number and a number is not a string (`"hr": true` was stored as 1 bpm and
# raised a sensor fault); a whole number is still a valid float. NaN and infinities are refused here,
# as PostgreSQL's jsonb cannot hold them and one would fail the whole batch's INSERT.
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class WristbandMetrics(BaseModel):
    model_config = STRICT
    # Bounds are wide on purpose: 0 or 400 beats per minute is a sensor fault, which the rules
    # report as such; the schema only refuses what no sensor could ever send.
    hr: int | None = Field(None, ge=-1, le=1000, description="heart rate, beats per minute")
    temp: float | None = Field(None, ge=-50, le=100, description="skin temperature, °C")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    battery: int | None = Field(None, ge=0, le=100, description="percent")
    moving: bool | None = None
    worn: bool | None = None


class SmokeMetrics(BaseModel):
    model_config = STRICT
    smoke: bool | None = None
    obscuration: float | None = Field(None, ge=0, le=100, description="smoke obscuration, %/m")
    temp: float | None = Field(None, ge=-50, le=200)
    battery: int | None = Field(None, ge=0, le=100)


@dataclass(frozen=True)
class DeviceType:
    code: str
    label: Any
    metrics: type[BaseModel]
    heartbeat_seconds: int
    events: frozenset[str]
    rules: tuple[str, ...]  # rule codes evaluated for this type, see rules.RULES
    # Events that raise a critical alarm: never dropped for their time stamp (see ingest.py).
    urgent: frozenset[str] = frozenset()
    defaults: dict[str, Any] = field(default_factory=dict)  # rule parameters, overridable per person


DEVICE_TYPES: dict[str, DeviceType] = {}


def register_device_type(device_type: DeviceType) -> DeviceType:
    if device_type.code in DEVICE_TYPES:
        raise RuntimeError(f"device type {device_type.code!r} is declared twice")
    DEVICE_TYPES[device_type.code] = device_type
    return device_type


def device_type(code: str) -> DeviceType:
    return DEVICE_TYPES[code]


WRISTBAND = register_device_type(DeviceType(
    code="wristband", label=_("Smart wristband"), metrics=WristbandMetrics, heartbeat_seconds=300,
    events=frozenset({"sos", "fall", "removed"}), urgent=frozenset({"sos", "fall"}),
    rules=("sos", "fall", "removed", "sensor_fault", "heart_rate", "temperature", "safe_zone", "low_battery",
           "no_movement"),
    defaults={"hr_low": 45, "hr_high": 120, "hr_readings": 3, "hr_margin": 5, "hr_min_valid": 20,
              "hr_max_valid": 250, "temp_high": 37.3, "temp_clear": 37.0, "battery_low": 15, "battery_clear": 25,
              "zone_margin_m": 30, "no_move_hours": 4},
))

SMOKE_ALARM = register_device_type(DeviceType(
    code="smoke", label=_("Smart smoke alarm"), metrics=SmokeMetrics, heartbeat_seconds=3600,
    events=frozenset({"smoke", "test"}), urgent=frozenset({"smoke"}),
    rules=("smoke", "low_battery"),
    defaults={"battery_low": 15, "battery_clear": 25},
))


# How each metric is shown to people: its label and unit, declared once for every device type.
# A metric not listed here (a new device type's) is shown with its name, so nothing is hidden.
METRIC_LABELS: dict[str, tuple[Any, Any]] = {
    "hr": (_("Heart rate"), _("bpm")),
    "temp": (_("Temperature"), "°C"),
    "lat": (_("Latitude"), ""),
    "lon": (_("Longitude"), ""),
    "battery": (_("Battery"), "%"),
    "worn": (_("Worn"), ""),
    "moving": (_("Moving"), ""),
    "smoke": (_("Smoke"), ""),
    "obscuration": (_("Obscuration"), "%/m"),
}


# A yes/no metric read as a state ("佩戴中", not "佩戴 是"): its words for true and for false.
METRIC_STATES: dict[str, tuple[Any, Any]] = {
    "worn": (pgettext_lazy("reading", "worn"), pgettext_lazy("reading", "not worn")),
    "moving": (pgettext_lazy("reading", "moving"), pgettext_lazy("reading", "still")),
    "smoke": (pgettext_lazy("reading", "smoke detected"), pgettext_lazy("reading", "no smoke")),
}

# Shown on a map, not read out as numbers in a line of readings.
POSITION_METRICS = frozenset({"lat", "lon", "accuracy_m"})


def format_readings(metrics: dict[str, Any] | None, *, without: frozenset[str] = frozenset()) -> str:
    """`{"hr": 72, "battery": 70, "worn": True}` → "心率 72 次/分 · 电量 70% · 佩戴中": labels, units,
    yes/no metrics as states; the metrics named in `without` left out."""
    parts = []
    # In the declared order, not the stored one: PostgreSQL's jsonb keeps keys in its own order.
    order = {name: i for i, name in enumerate(METRIC_LABELS)}
    for name, value in sorted((metrics or {}).items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        if name in without:
            continue
        label, unit = METRIC_LABELS.get(name, (name, ""))
        if isinstance(value, bool) and name in METRIC_STATES:
            parts.append(str(METRIC_STATES[name][0 if value else 1]))
            continue
        if isinstance(value, bool):
            shown = str(_("yes") if value else _("no"))
        elif value is None:
            shown = "—"
        else:
            shown = f"{value}{unit}" if unit in ("%", "°C", "%/m") else f"{value} {unit}".strip()
        parts.append(f"{label} {shown}")
    return " · ".join(parts)


def type_codes() -> list[str]:
    """The codes of the declared device types, for the kernel's telemetry (spec.py: `Telemetry`)."""
    return list(DEVICE_TYPES)
