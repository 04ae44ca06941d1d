"""A night shift at 1366×900 in the browser: an SOS is published with mosquitto_pub to the broker
and taken by a real `longcheng ingest_mqtt` worker process while the console is open; the operator
hears the alert, comments, assigns, dispatches with a note, records the worker's arrival, resolves
with an outcome, finds the alarm again in history and exports the month as XLSX. Runs in the
PostgreSQL pass (the live server's threads and the worker each need their own database connection),
against the machine's Mosquitto (MQTT_URL; CI runs one on 127.0.0.1:1883) under a prefix of its own."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import openpyxl
import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import DESK, IN_CI, fits, new_page, raw_keys, require_service, sign_in

from ..models import Alarm, AlarmComment, AlarmStatus
from .conftest import raw

ROOT = Path(__file__).resolve().parents[4]

pytestmark = [pytest.mark.browser, pytest.mark.service, pytest.mark.postgres]


def _console(page: Any, url: str) -> None:
    page.add_init_script("window.__tones = 0; (function () { var C = window.AudioContext; if (!C) return;"
                         " var o = C.prototype.createOscillator; C.prototype.createOscillator = function () {"
                         " window.__tones++; return o.apply(this, arguments); }; })();")
    sign_in(page, url, "op")
    page.goto(f"{url}/homesafety/")
    page.wait_for_selector("#live.on", timeout=10_000)
    page.mouse.click(5, 5)


def _work_the_alarm(page: Any) -> None:
    page.click("#alarm-list li[data-alarm] a")
    page.fill("#comment_text", "已电话联系女儿，老人未接电话")
    page.click("#comment")
    page.wait_for_selector("#comments li:has-text('已电话联系女儿')")
    page.select_option("#assignee_choice", label="head")
    page.click("#assign")
    page.wait_for_selector("#assignee:has-text('head')")
    page.click("#ack")
    page.wait_for_selector("#dispatch")
    page.select_option("#to_user", label="worker · 13800000003")
    page.fill("#dispatch_note", "带上备用钥匙")
    page.click("#dispatch")
    page.wait_for_selector("#arrive")
    page.fill("#arrival_note", "社工电话告知已到门口")
    page.click("#arrive")
    page.wait_for_selector("#resolve")
    page.select_option("#outcome", "handled")
    page.fill("#notes", "老人跌倒后无大碍，已联系女儿")
    page.click("#resolve")
    page.wait_for_load_state()


@pytest.fixture
def ingest_worker(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A real ingest worker process on the live server's database, subscribed under its own prefix."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    mqtt = urlparse(settings.MQTT_URL)
    require_service("Mosquitto", mqtt.hostname or "127.0.0.1", mqtt.port or 1883)
    if shutil.which("mosquitto_pub") is None:
        (pytest.fail if IN_CI else pytest.skip)("mosquitto_pub is not installed (the mosquitto-clients package)")
    db = connection.settings_dict
    prefix = f"night-{uuid.uuid4().hex[:8]}/v1"
    env = {**os.environ, "MQTT_URL": settings.MQTT_URL, "HOMESAFETY_MQTT_PREFIX": prefix, "JOBS_IMMEDIATE": "1",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "LONGCHENG_VAR_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    log = tmp_path / "ingest.log"
    with log.open("ab") as out:
        worker = subprocess.Popen([sys.executable, "-m", "longcheng", "ingest_mqtt", "--worker", "night-1"],
                                  stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while "ingesting from" not in log.read_text(errors="replace"):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.2)
        time.sleep(0.5)  # the subscription settles on the broker
        yield {"prefix": prefix, "host": mqtt.hostname or "127.0.0.1", "port": mqtt.port or 1883, "log": log}
    finally:
        worker.terminate()
        worker.wait(20)


def _publish(worker: dict[str, Any], serial: str, message: dict[str, Any]) -> None:
    sent = subprocess.run(["mosquitto_pub", "-h", worker["host"], "-p", str(worker["port"]), "-q", "1",
                           "-t", f"{worker['prefix']}/devices/{serial}/events", "-m", json.dumps(message)],
                          capture_output=True, text=True, timeout=30)
    assert sent.returncode == 0, sent.stderr


@override_settings(HOMESAFETY_STREAM_SECONDS=20)
def test_a_night_shift_from_sos_to_the_months_export(live_server: Any, browser: Any, world: Any,
                                                      ingest_worker: dict[str, Any]) -> None:
    page = new_page(browser, DESK)
    _console(page, live_server.url)
    _publish(ingest_worker, "WB-1", json.loads(raw(event="sos", lat=31.7249, lon=120.0688)))
    page.wait_for_selector("#alarm-list li[data-alarm]", timeout=30_000)
    page.wait_for_function("document.querySelector('.console').dataset.sounded === '1'", timeout=5_000)
    assert page.evaluate("window.__tones") == 6  # heard: three two-tone pulses
    fits(page)
    _work_the_alarm(page)
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.RESOLVED and alarm.outcome == "handled"
    assert (alarm.assignee, alarm.dispatched_to) == (world["head"], world["worker"])
    assert alarm.dispatch_note == "带上备用钥匙" and alarm.arrival_note == "社工电话告知已到门口"
    assert AlarmComment.objects.filter(alarm=alarm).count() == 1
    page.goto(f"{live_server.url}/homesafety/alarms/{alarm.pk}/")
    shown = page.locator("main").inner_text()
    assert "紧急情况已处置" in shown and "带上备用钥匙" in shown and "已联系女儿" in shown
    assert not [k for k in raw_keys(page) if k not in {"head", "worker", "op"}]
    fits(page)

    month = timezone.localdate().replace(day=1).isoformat()
    page.goto(f"{live_server.url}/homesafety/history/?q=王秀英&since={month}")
    assert "王秀英" in page.locator("table").inner_text()
    fits(page)
    with page.expect_download() as download:
        page.click("#export")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = [[str(c) for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    assert any("王秀英" in cell for row in rows[1:] for cell in row)
    assert any("带上备用钥匙" in cell or "紧急情况已处置" in cell for row in rows[1:] for cell in row)
