"""Template filters of homesafety's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from ..actions import THRESHOLDS
from ..devices import DEVICE_TYPES, POSITION_METRICS, format_readings
from ..models import AlarmKind

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


@register.filter
def event_label(code: Any) -> Any:
    """A device event in words ("跌倒报警"), not its code; an event no kind names keeps its code."""
    if not code:
        return ""
    labels = {**dict(AlarmKind.choices), "test": _("Self-test")}
    return labels.get(code, code)


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def rule_summary(row: Any) -> str:
    """A rule version written for people: "心率上限 100 次/分 · 不报：体温过高"."""
    kinds = dict(AlarmKind.choices)
    parts = [f"{THRESHOLDS[name][0]} {value}" for name, value in row.params.items() if name in THRESHOLDS]
    off = [str(kinds.get(code, code)) for code, on in row.kinds.items() if not on]
    if off:
        parts.append(str(_("not raised: %(kinds)s") % {"kinds": "、".join(off)}))
    return " · ".join(parts) or "—"
