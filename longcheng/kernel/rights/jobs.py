"""The nightly retention job (docs/operations.md, "Retention")."""

from __future__ import annotations

from longcheng.kernel.jobs.api import crontab, periodic_job

from .retention import run_retention

# 02:30 Asia/Shanghai (the queue's clock is the project's TIME_ZONE): after the day's work, before
# the morning's.
SCHEDULE = {"hour": "2", "minute": "30"}


@periodic_job(crontab(**SCHEDULE))
def nightly_retention() -> int:
    return run_retention().total
