"""The escalation job in its production layout: `longcheng run_huey` as a process of its own (not
immediate mode), on the embedded file queue (JOBS_URL=sqlite:///…), against the test database. The
consumer's scheduler queues the periodic job when it starts; an overdue report is escalated to the
duty chiefs of its place exactly once, even when the job is queued twice more (a retry, a second
consumer), and the in-app messages are delivered by the same consumer."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from huey import SqliteHuey
from huey.contrib.djhuey import HUEY

from conftest import process_database_url, wait_for
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message
from longcheng.modules.accidents import jobs
from longcheng.modules.accidents.models import Report

from .conftest import _user

JOB = "longcheng.modules.accidents.jobs.accidents_escalate_overdue"




def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.mark.django_db(transaction=True)
def test_run_huey_on_the_file_queue_escalates_an_overdue_report_once(
        build: Any, city: dict[str, Any], people: dict[str, Any], tmp_path: Path) -> None:
    _user("chief_wj", {"accidents_chief": [city["wujin"]]})
    chief_ly = _user("chief_ly", {"accidents_chief": [city["liyang"]]})
    overdue, young = build(["rear_end"], []), build(["rear_end"], [])
    Report.objects.filter(pk=overdue.pk).update(submitted_at=timezone.now() - timedelta(minutes=20))
    Report.objects.filter(pk=young.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    queue_file, queue = tmp_path / "jobs.sqlite3", f"test-acc-{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": process_database_url(), "JOBS_URL": f"sqlite:///{queue_file}",
           "JOBS_QUEUE": queue, "JOBS_IMMEDIATE": "0"}
    log = tmp_path / "huey.log"
    consumer = subprocess.Popen([sys.executable, "-m", "longcheng", "run_huey", "-w", "2", "-k", "thread"],
                                stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    told = Message.objects.filter(related_id=str(overdue.pk), dedupe_key__contains=":escalate:")
    try:
        # The scheduler queues the periodic job as the consumer starts; a worker runs it.
        assert wait_for(lambda: Report.objects.get(pk=overdue.pk).escalated_at is not None, 90), log.read_text()
        # Queued twice more on the same file queue, as a retry or a second producer would.
        # (The message as the project's queue writes it, put on the consumer's file.)
        producer = SqliteHuey(queue, filename=str(queue_file))
        for _ in range(2):
            producer.storage.enqueue(HUEY.serialize_task(jobs.accidents_escalate_overdue.s()))
        assert wait_for(lambda: producer.pending_count() == 0, 60), log.read_text()
        assert wait_for(lambda: told.exclude(status="sent").count() == 0 and told.count() == 2, 30), log.read_text()
        # The periodic run and the two queued: three runs of the job, each to its end.
        assert wait_for(lambda: len(set(re.findall(rf"{JOB}: (\S+) executed in", log.read_text()))) == 3, 30), \
            log.read_text()
    finally:
        _stop(consumer)
    text = log.read_text()
    assert "not found in TaskRegistry" not in text and "Traceback" not in text, text
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert sorted(told.values_list("recipient_user__username", "status")) == [("chief", "sent"), ("chief_wj", "sent")]
    assert not Message.objects.filter(recipient_user=chief_ly).exists()  # 溧阳's chief is not told
    assert AuditEntry.objects.filter(action="accidents.report.escalate", object_id=str(overdue.pk)).count() == 1
    # The report within its 15 minutes waits.
    assert Report.objects.get(pk=young.pk).escalated_at is None
    assert not Message.objects.filter(related_id=str(young.pk), dedupe_key__contains=":escalate:").exists()
