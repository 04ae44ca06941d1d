"""Background work of 龙e处: overdue reports escalate to the duty chief."""

from __future__ import annotations

from longcheng.kernel.jobs.api import crontab, periodic_job

from .escalation import escalate_overdue


@periodic_job(crontab(minute="*"))
def accidents_escalate_overdue() -> int:
    return escalate_overdue()
