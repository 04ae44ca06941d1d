"""The alarm centre's jobs run by the real consumer (`longcheng run_huey` on Redis, not immediate
mode), for an alarm raised by a real `longcheng ingest_mqtt` process: the family is told, the
alarm escalates at its due time and reminds at the configured interval, and a silent device is
marked offline. Immediate mode (the rest of the suite) cannot see a job the consumer does not know."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import process_database_url, require_service, wait_for

from ..models import Alarm, AlarmEvent, DeviceState
from .conftest import msg


def flush_queue(url: str, name: str) -> None:
    """Remove a test queue's keys from Redis (huey names them after the queue)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)


@pytest.mark.service
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_real_consumer_notifies_escalates_on_time_and_marks_silent_devices_offline(
        world: Any, tmp_path: Path) -> None:
    import paho.mqtt.client as mqtt
    from django.db import connection

    from longcheng.kernel.notify.models import Message

    if connection.vendor != "postgresql":
        pytest.skip("the consumer process needs the test database on a server (runs in the PostgreSQL pass)")
    require_service("Redis", "127.0.0.1", 6379)
    require_service("Mosquitto", "127.0.0.1", 1883)
    run = uuid.uuid4().hex[:8]
    prefix, queue, redis_url = f"test-{run}/v1", f"test-jobs-{run}", "redis://127.0.0.1:6379/15"
    # The smoke alarm has been silent for two days: the first offline check must catch it.
    DeviceState.objects.filter(device=world["smoke"]).update(online=True,
                                                            last_received_at=timezone.now() - dt.timedelta(days=2))
    env = {**os.environ, "DATABASE_URL": process_database_url(), "JOBS_URL": redis_url, "JOBS_QUEUE": queue,
           "JOBS_IMMEDIATE": "0", "HOMESAFETY_ACK_SECONDS": "5", "HOMESAFETY_REMIND_SECONDS": "5",
           "HOMESAFETY_MQTT_PREFIX": prefix, "MQTT_URL": "mqtt://127.0.0.1:1883"}
    consumer_log, worker_log = tmp_path / "huey.log", tmp_path / "ingest.log"
    procs = [
        subprocess.Popen([sys.executable, "-m", "longcheng", "run_huey", "-w", "2", "-k", "thread"],
                         stdout=consumer_log.open("w"), stderr=subprocess.STDOUT, env=env),
        subprocess.Popen([sys.executable, "-m", "longcheng", "ingest_mqtt", "--worker", f"w-{run}", "--group", run],
                         stdout=worker_log.open("w"), stderr=subprocess.STDOUT, env=env),
    ]
    try:
        assert wait_for(lambda: "ingesting from" in worker_log.read_text(), 30), worker_log.read_text()
        time.sleep(1.0)  # the worker's subscription settles on the broker
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{run}")
        publisher.connect("127.0.0.1", 1883)
        publisher.loop_start()
        publisher.publish(f"{prefix}/devices/WB-1/events", json.dumps(msg(event="sos")), qos=1).wait_for_publish(10)
        publisher.loop_stop()
        publisher.disconnect()

        assert wait_for(lambda: Alarm.objects.filter(kind="sos").exists(), 30), worker_log.read_text()
        sos = Alarm.objects.get(kind="sos")
        # The daughter's SMS and her in-app message, delivered by the consumer.
        family = Message.objects.filter(related_id=str(sos.pk), dedupe_key__contains=":sms:")
        assert wait_for(lambda: family.filter(status="sent").exists(), 30), consumer_log.read_text()
        assert wait_for(lambda: AlarmEvent.objects.filter(alarm=sos, step__in=("escalated", "reminded")).count() >= 2, 30)
        assert wait_for(lambda: Alarm.objects.filter(kind="offline", device=world["smoke"]).exists(), 30)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        flush_queue(redis_url, queue)
    rounds = [(e.at - sos.raised_at).total_seconds()
              for e in AlarmEvent.objects.filter(alarm=sos, step__in=("escalated", "reminded")).order_by("at")]
    print(f"\nconsumer: escalation rounds {', '.join(f'{r:.2f}' for r in rounds)} s after raising")
    # Due at 5 s and every 5 s after, each within a second and a half (the scheduler looks every second).
    assert 5.0 <= rounds[0] <= 6.5, rounds
    assert 10.0 <= rounds[1] <= 11.5, rounds
    log = consumer_log.read_text()
    assert "not found in TaskRegistry" not in log
    assert "homesafety.jobs.notify_alarm" in log  # the consumer ran the module's job itself
