"""Issue 20, done when: the simulator through Mosquitto into real ingest workers (two, sharing one
subscription group): a bag in the gap raises the door's alarm, the dwell is recorded not permitted,
and station staff acknowledge it on the page."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from longcheng.kernel.telemetry.mqtt import Worker

from .. import simulator
from ..models import Alarm, AlarmKind, Decision, Door
from .mosquitto import broker


def _workers(url: str, prefix: str) -> list[Worker]:
    group = uuid.uuid4().hex[:8]
    workers = [Worker(url, client_id=f"pd-test-{group}-{n}", group=group, batch=200, linger=0.02, clean_start=True,
                      prefix=prefix) for n in ("a", "b")]
    for worker in workers:
        worker.start()
        assert worker.connected.wait(10), "no connection to Mosquitto"
    time.sleep(0.3)  # let both subscriptions settle
    return workers


def _drain(workers: list[Worker], until: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        for worker in workers:
            worker.drain_once()


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_a_bag_in_the_gap_through_mosquitto(line: Any, tmp_path: Path) -> None:
    p = line["p"]
    door = Door.objects.get(platform=p, number=2)
    prefix = f"pd-{uuid.uuid4().hex[:8]}/v1"
    sim = simulator.Simulator(hz=10, seed=1)
    sim.seed_seqs([p])
    messages = sim.dwell(p, list(Door.objects.filter(platform=p)), timezone.now(), "0417",
                         simulator.Fault(simulator.BAG, door))
    with broker(tmp_path) as url:
        workers = _workers(url, prefix)
        try:
            simulator.publish(url, prefix, messages, client_id=f"pd-sim-{uuid.uuid4().hex[:6]}")
            _drain(workers, lambda: sum(w.stored for w in workers) >= len(messages))
        finally:
            for worker in workers:
                worker.stop()
    assert sum(w.stored for w in workers) == len(messages)
    assert all(w.stored > 0 for w in workers), "the group shares the stream"
    alarm = Alarm.objects.get(kind=AlarmKind.OBSTRUCTION)
    assert (alarm.door, alarm.is_open, alarm.acknowledged_at) == (door, True, None)
    assert Decision.objects.get(dwell__platform=p).permitted is False

    staff = Client()
    staff.force_login(line["staff"])
    board = staff.get(reverse("platformdoor:board"))
    assert alarm.where in board.content.decode()
    response = staff.post(reverse("platformdoor:alarm_acknowledge", args=[alarm.pk]))
    assert response.status_code == 302
    alarm.refresh_from_db()
    assert alarm.acknowledged_by == line["staff"] and alarm.acknowledged_at is not None
    assert line["staff"].username in staff.get(reverse("platformdoor:alarm", args=[alarm.pk])).content.decode()
