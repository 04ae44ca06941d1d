"""The module's settings, from environment variables (typed, failing loudly), overridable in tests
through Django settings of the same name."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from longcheng.env import env_int

DEFAULTS: dict[str, Any] = {
    # A batch's temperature record: at least this hot (tenths of °C) for at least this many days
    # (MARA 2022 rural organic-waste models: ≥ 55 °C for ≥ 5 days).
    "WASTECYCLE_MIN_TENTHS": env_int("WASTECYCLE_MIN_TENTHS", 550, minimum=300, maximum=900),
    "WASTECYCLE_MIN_DAYS": env_int("WASTECYCLE_MIN_DAYS", 5, minimum=1, maximum=60),
    # Readings further apart than this break the run (a thermometer silent for a day proves nothing).
    "WASTECYCLE_MAX_GAP_HOURS": env_int("WASTECYCLE_MAX_GAP_HOURS", 12, minimum=1, maximum=72),
    # Above this a class's plate waste raises an alert (grams per diner per meal).
    "WASTECYCLE_ALERT_GRAMS": env_int("WASTECYCLE_ALERT_GRAMS", 100, minimum=1, maximum=1000),
    # At most this many grams per diner counts as a "光盘" meal.
    "WASTECYCLE_CLEAN_PLATE_GRAMS": env_int("WASTECYCLE_CLEAN_PLATE_GRAMS", 20, minimum=0, maximum=1000),
    # Declared losses (per mille of the input): moisture and volatiles of processed perishables,
    # leachate of compacted other waste.
    "WASTECYCLE_LOSS_PERISHABLE_PERMILLE": env_int("WASTECYCLE_LOSS_PERISHABLE_PERMILLE", 600, minimum=0, maximum=1000),
    "WASTECYCLE_LOSS_OTHER_PERMILLE": env_int("WASTECYCLE_LOSS_OTHER_PERMILLE", 20, minimum=0, maximum=1000),
    # The month's balance closes when |difference| ≤ this share of the month's input (per mille).
    "WASTECYCLE_BALANCE_TOLERANCE_PERMILLE": env_int("WASTECYCLE_BALANCE_TOLERANCE_PERMILLE", 30, minimum=0,
                                                     maximum=1000),
    # Shipped vs received at the plant: a gap beyond this share of the shipped mass is flagged.
    "WASTECYCLE_SHIP_TOLERANCE_PERMILLE": env_int("WASTECYCLE_SHIP_TOLERANCE_PERMILLE", 20, minimum=0, maximum=1000),
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
