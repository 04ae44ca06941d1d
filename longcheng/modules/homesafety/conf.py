"""The module's settings, from environment variables (typed, failing loudly), overridable in tests
through Django settings of the same name."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from longcheng.env import env_int, env_list, env_str

DEFAULTS: dict[str, Any] = {
    # Seconds an alarm may stay unacknowledged before it goes one level up, and between reminders.
    "HOMESAFETY_ACK_SECONDS": env_int("HOMESAFETY_ACK_SECONDS", 60, minimum=5, maximum=3600),
    "HOMESAFETY_REMIND_SECONDS": env_int("HOMESAFETY_REMIND_SECONDS", 60, minimum=5, maximum=3600),
    # duty operator → community head → street office
    "HOMESAFETY_ESCALATION_ROLES": env_list(
        "HOMESAFETY_ESCALATION_ROLES", ["homesafety_operator", "homesafety_community_head", "homesafety_street_officer"]),
    # A device is offline after this many heartbeat intervals of silence.
    "HOMESAFETY_OFFLINE_FACTOR": env_int("HOMESAFETY_OFFLINE_FACTOR", 2, minimum=1, maximum=10),
    # A message older than this when it arrives is outside the clock window: an SOS, fall or smoke
    # event still raises its alarm (marked with the clock offset), other events raise nothing.
    "HOMESAFETY_STALE_EVENT_SECONDS": env_int("HOMESAFETY_STALE_EVENT_SECONDS", 600, minimum=10, maximum=86400),
    # A console's server-push connection lives this long, then the browser renews it.
    "HOMESAFETY_STREAM_SECONDS": env_int("HOMESAFETY_STREAM_SECONDS", 300, minimum=1, maximum=3600),
    # MQTT topics are <prefix>/devices/<serial>/telemetry|events; another prefix isolates a tenant or a test.
    "HOMESAFETY_MQTT_PREFIX": env_str("HOMESAFETY_MQTT_PREFIX", "longcheng/v1"),
    # A device clock may run this far ahead of ours before its readings are refused (its SOS, fall or
    # smoke events are still taken, marked with the offset).
    "HOMESAFETY_CLOCK_SKEW_SECONDS": env_int("HOMESAFETY_CLOCK_SKEW_SECONDS", 300, minimum=0, maximum=86400),
    # A sequence gap still open this long after it was seen (not a reordering) becomes a console warning.
    "HOMESAFETY_GAP_GRACE_SECONDS": env_int("HOMESAFETY_GAP_GRACE_SECONDS", 60, minimum=0, maximum=86400),
    # Another ingest process sees a device's new binding or its person's new settings within this time.
    "HOMESAFETY_DEVICE_CACHE_SECONDS": env_int("HOMESAFETY_DEVICE_CACHE_SECONDS", 10, minimum=0, maximum=3600),
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
