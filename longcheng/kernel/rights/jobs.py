"""The nightly retention job (docs/operations.md, "Retention")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from longcheng.kernel.jobs.api import crontab, periodic_job

from .retention import run_retention

# The queue keeps its clock in UTC (HUEY["utc"]), so its crontab is read in UTC: 18:30 UTC is
# 02:30 in Asia/Shanghai, after the day's work and before the morning's.
SCHEDULE = {"hour": "18", "minute": "30"}


def local_time() -> str:
    """The run's time of day as the city reads it (the project's TIME_ZONE)."""
    at = dt.datetime(2000, 1, 1, int(SCHEDULE["hour"]), int(SCHEDULE["minute"]), tzinfo=dt.UTC)
    return f"{timezone.localtime(at):%H:%M}"


@periodic_job(crontab(**SCHEDULE))
def nightly_retention() -> int:
    return run_retention().total
