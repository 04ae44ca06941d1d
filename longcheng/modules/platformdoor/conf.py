"""platformdoor's settings, from environment variables, overridable in tests through Django settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from longcheng.env import env_int

DEFAULTS: dict[str, Any] = {
    # A bypass may be asked for at most this long.
    "PLATFORMDOOR_BYPASS_MAX_HOURS": env_int("PLATFORMDOOR_BYPASS_MAX_HOURS", 8, minimum=1, maximum=72),
    # Weeks in each of the two windows whose false-alarm rates the drift flag compares.
    "PLATFORMDOOR_DRIFT_WEEKS": env_int("PLATFORMDOOR_DRIFT_WEEKS", 4, minimum=1, maximum=26),
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
