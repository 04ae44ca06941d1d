"""Template filters of homesafety's pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..devices import DEVICE_TYPES

register = template.Library()


@register.filter
def device_type(code: str) -> Any:
    """A device type's translated name; a type no longer declared keeps its code. (Not a model
    property: the models are imported by the telemetry seam, which must not know device types.)"""
    known = DEVICE_TYPES.get(code)
    return known.label if known else code
