"""Background jobs. Modules use these helpers and never import huey themselves, so the engine can
change in one place.

Embedded default: a SQLite-backed Huey queue in var/ consumed by threads inside `longcheng serve`
(no extra server). At scale: JOBS_URL=redis://… and `longcheng run_huey` consumers on any number of
machines. Tests run jobs inline (JOBS_IMMEDIATE=1). See docs/jobs.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from huey import crontab as crontab  # re-exported for periodic_job schedules
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

if TYPE_CHECKING:
    from longcheng.kernel.registry import ModuleSpec


def job(*, retries: int = 3, retry_delay: int = 10, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background job. It runs with fresh database connections in a consumer thread."""
    decorator: Callable[[Callable[..., Any]], Any] = db_task(retries=retries, retry_delay=retry_delay, **options)
    return decorator


def periodic_job(schedule: Any, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    decorator: Callable[[Callable[..., Any]], Any] = db_periodic_task(schedule, **options)
    return decorator


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the surrounding transaction commits: a job never sees uncommitted rows, and
    a rolled-back action queues nothing."""
    transaction.on_commit(lambda: task(*args, **kwargs))


def schedule(task: Any, *args: Any, delay: float | None = None, eta: Any = None, **kwargs: Any) -> Any:
    """Queue `task` to run after `delay` seconds or at the aware datetime `eta` (the consumer's
    scheduler looks every second). Under JOBS_IMMEDIATE it is kept in memory and does not run."""
    if eta is not None:
        return task.schedule(args=args, kwargs=kwargs, eta=eta)
    return task.schedule(args=args, kwargs=kwargs, delay=delay)


def schedule_on_commit(task: Any, *args: Any, delay: float | None = None, eta: Any = None, **kwargs: Any) -> None:
    """`schedule` once the surrounding transaction commits (see enqueue_on_commit)."""
    transaction.on_commit(lambda: schedule(task, *args, delay=delay, eta=eta, **kwargs))


def register_module_jobs(spec: ModuleSpec) -> None:
    """Import the jobs a module declares in its spec, which registers them with the queue."""
    if spec.jobs:
        importlib.import_module(spec.jobs)


def registered_jobs() -> set[str]:
    """Names of every job the queue knows in this process (what a consumer can run)."""
    return set(HUEY._registry._registry)


def health() -> dict[str, Any]:
    """Queue figures for operators: pending and scheduled jobs."""
    try:
        return {"engine": type(HUEY).__name__, "pending": HUEY.pending_count(),
                "scheduled": HUEY.scheduled_count(), "immediate": HUEY.immediate}
    except Exception as exc:
        return {"engine": type(HUEY).__name__, "error": str(exc)}
