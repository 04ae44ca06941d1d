"""Background work of the fund: the daily check of youths turning 18."""

from __future__ import annotations

from longcheng.kernel.jobs.api import crontab, periodic_job

from .actions import record_birthdays


@periodic_job(crontab(minute="5", hour="0"))
def youthaid_birthdays() -> int:
    return record_birthdays()
