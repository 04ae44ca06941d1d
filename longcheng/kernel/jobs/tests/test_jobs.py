"""Background jobs run by a real consumer: the embedded SQLite queue, and Redis as at city scale."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from huey import PriorityRedisHuey, RedisHuey, SqliteHuey

from conftest import require_service
from longcheng.kernel import registry
from longcheng.kernel.jobs import api as jobs
from longcheng.kernel.notify import jobs as notify_jobs
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.notify.models import Message
from longcheng.kernel.places.models import Place


def _run_consumer(huey: Any, work: Any) -> Any:
    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False, check_worker_health=False)
    consumer._set_signal_handlers = lambda: None
    consumer.start()
    try:
        return work()
    finally:
        consumer.stop(graceful=True)


def _wait_for(predicate: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_job_writes_through_the_embedded_sqlite_queue(tmp_path: Path, city: Any) -> None:
    huey = SqliteHuey("t", filename=str(tmp_path / "jobs.sqlite3"))

    @huey.task()
    def rename(code: str, name: str) -> None:
        Place.objects.filter(code=code).update(name=name)

    def work() -> bool:
        rename(city["a"].code, "改名社区")
        return _wait_for(lambda: Place.objects.get(code=city["a"].code).name == "改名社区")

    assert _run_consumer(huey, work)


@pytest.mark.service
def test_jobs_run_on_redis() -> None:
    require_service("Redis", "127.0.0.1", 6379)
    huey = RedisHuey(f"longcheng-test-{uuid.uuid4().hex[:8]}", url="redis://127.0.0.1:6379/15")
    seen: list[int] = []

    @huey.task()
    def add(n: int) -> int:
        seen.append(n)
        return n * 2

    try:
        def work() -> Any:
            result = add(21)
            return result.get(blocking=True, timeout=15)

        assert _run_consumer(huey, work) == 42
        assert seen == [21]
    finally:
        huey.storage.flush_all()


def test_enqueue_on_commit_waits_for_the_commit(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    calls: list[int] = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue_on_commit(calls.append, 1)
    assert calls == []
    for callback in callbacks:
        callback()
    assert calls == [1]


def test_health_reports_the_queue() -> None:
    figures = jobs.health()
    assert figures["engine"] in {"SqliteHuey", "PriorityRedisHuey"}


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_the_notification_job_is_delivered_by_a_redis_consumer(admin: Any) -> None:
    """The project's own job (notify's delivery), queued through Redis and run by a consumer thread
    that reads the committed message from the database, as on a production worker."""
    require_service("Redis", "127.0.0.1", 6379)

    huey = PriorityRedisHuey(f"longcheng-test-{uuid.uuid4().hex[:8]}", url="redis://127.0.0.1:6379/15")
    deliver_on_redis = huey.task()(notify_jobs.deliver)
    try:
        with transaction.atomic():
            message = queue_message("inapp", subject="烟感报警", body="测试", to_user=admin)
        # Tests run jobs inline, so the commit already delivered it once; put it back in the queue.
        Message.objects.filter(pk=message.pk).update(status="pending")
        attempts_before = Message.objects.get(pk=message.pk).attempts_log.count()

        def work() -> bool:
            deliver_on_redis(message.pk)
            return _wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent")

        assert _run_consumer(huey, work)
        assert Message.objects.get(pk=message.pk).attempts_log.count() == attempts_before + 1
    finally:
        huey.storage.flush_all()


def _jobs_known_in_a_fresh_process() -> set[str]:
    """What a freshly started process (as `run_huey` is) knows after Django's setup, and nothing else."""
    code = ("import django, json; django.setup(); from longcheng.kernel.jobs.api import registered_jobs; "
            "print(json.dumps(sorted(registered_jobs())))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "longcheng.settings"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_every_modules_jobs_are_registered_wherever_django_is_set_up() -> None:
    """A module's jobs file is declared in its spec and imported by the kernel's job registry: a
    consumer that never imported it would discard the module's jobs as unknown (13.1)."""
    declared_paths = {spec.jobs for spec in registry.modules() if spec.jobs}
    for app in apps.get_app_configs():
        if app.name.startswith("longcheng.modules.") and importlib.util.find_spec(f"{app.name}.jobs"):
            assert f"{app.name}.jobs" in declared_paths, f"{app.name}: its jobs.py is not declared in its spec"
    known = _jobs_known_in_a_fresh_process()
    for path in declared_paths:
        module = importlib.import_module(path)
        declared = {f"{path}.{name}" for name, value in vars(module).items() if hasattr(value, "task_class")}
        assert declared, f"{path} declares no job"
        assert declared <= known, f"not registered in a fresh process: {sorted(declared - known)}"
