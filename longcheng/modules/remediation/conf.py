"""remediation's settings: the district's low-yield thresholds (低) and when a street is flagged (通报预警),
from settings or the defaults."""

from __future__ import annotations

from django.conf import settings

# Tax and output per mu and year below which a firm scores on 低 (fen). Illustrative defaults
# (150,000 yuan of tax, 3 million yuan of output per mu): each district configures its own line
# in settings.REMEDIATION_LOW_YIELD.
DEFAULT_THRESHOLDS = {"tax_fen_per_mu": 150_000_00, "output_fen_per_mu": 3_000_000_00}


def thresholds() -> dict[str, int]:
    return {**DEFAULT_THRESHOLDS, **getattr(settings, "REMEDIATION_LOW_YIELD", {})}


# A street or town is flagged (通报预警) when it has at least `overdue` overdue milestones, or when its
# share of cases closed is below `rate_share` times the share over every street in the viewer's scope.
# settings.REMEDIATION_WARNING overrides either.
DEFAULT_WARNING: dict[str, float] = {"overdue": 1, "rate_share": 0.8}


def warning() -> dict[str, float]:
    return {**DEFAULT_WARNING, **getattr(settings, "REMEDIATION_WARNING", {})}


# Days after a milestone's deadline at which the campaign office is told as well as the lead agency
# (settings.REMEDIATION_ESCALATE_DAYS).
DEFAULT_ESCALATE_DAYS = 7


def escalate_days() -> int:
    return int(getattr(settings, "REMEDIATION_ESCALATE_DAYS", DEFAULT_ESCALATE_DAYS))
