"""Background work: escalating overdue tasks to the heads of the one-stop window."""

from __future__ import annotations

from longcheng.kernel.jobs.api import crontab, periodic_job

from .clock import escalate_overdue


@periodic_job(crontab(minute="*/15"))
def onestop_escalate_overdue() -> int:
    return escalate_overdue()
