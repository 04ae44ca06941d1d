"""Template filters of homesafety's pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..devices import DEVICE_TYPES, POSITION_METRICS, format_readings

register = template.Library()


@register.filter
def device_type(code: str) -> Any:
    """A device type's translated name; a type no longer declared keeps its code. (Not a model
    property: the models are imported by the telemetry seam, which must not know device types.)"""
    known = DEVICE_TYPES.get(code)
    return known.label if known else code


@register.filter
def readings(metrics: Any) -> str:
    """A device's values written for people ("心率 88 次/分 · 电量 70% · 佩戴中"), without the
    position (a map's business) and the event name (the alarm's kind says it)."""
    if not isinstance(metrics, dict):
        return ""
    return format_readings(metrics, without=POSITION_METRICS | {"event"})
