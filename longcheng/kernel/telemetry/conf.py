"""The kernel telemetry's settings, from environment variables, overridable in tests through Django
settings of the same name."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from longcheng.env import env_int

DEFAULTS: dict[str, Any] = {
    # Another ingest process sees a device's new binding (or what its module keeps with it) within
    # this time. HOMESAFETY_DEVICE_CACHE_SECONDS, its name before issue 20, is still read.
    "TELEMETRY_DEVICE_CACHE_SECONDS": env_int(
        "TELEMETRY_DEVICE_CACHE_SECONDS", env_int("HOMESAFETY_DEVICE_CACHE_SECONDS", 10, minimum=0, maximum=3600),
        minimum=0, maximum=3600),
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
