"""Background jobs. Modules use these helpers and never import huey themselves, so the engine can
change in one place.

Embedded default: a SQLite-backed Huey queue in var/ consumed by threads inside `longcheng serve`
(no extra server). At scale: JOBS_URL=redis://… and `longcheng run_huey` consumers on any number of
machines. Tests run jobs inline (JOBS_IMMEDIATE=1). See docs/jobs.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from huey import crontab  # noqa: F401  (re-exported for periodic_job schedules)
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task


def job(*, retries: int = 3, retry_delay: int = 10, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background job. It runs with fresh database connections in a consumer thread."""
    return db_task(retries=retries, retry_delay=retry_delay, **options)


def periodic_job(schedule: Any, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    return db_periodic_task(schedule, **options)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the surrounding transaction commits: a job never sees uncommitted rows, and
    a rolled-back action queues nothing."""
    transaction.on_commit(lambda: task(*args, **kwargs))


def schedule(task: Any, *args: Any, delay: float, **kwargs: Any) -> Any:
    return task.schedule(args=args, kwargs=kwargs, delay=delay)


def health() -> dict[str, Any]:
    """Queue figures for operators: pending and scheduled jobs."""
    try:
        return {"engine": type(HUEY).__name__, "pending": HUEY.pending_count(),
                "scheduled": HUEY.scheduled_count(), "immediate": HUEY.immediate}
    except Exception as exc:
        return {"engine": type(HUEY).__name__, "error": str(exc)}
