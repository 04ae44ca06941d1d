"""In Chromium against the production web server (uvicorn, static files by whitenoise): a new SOS
appears in the open console's list by itself, and when someone acknowledges the chosen alarm its
detail pane follows without a reload. PostgreSQL (NOTIFY)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from conftest import process_database_url

from .. import actions
from ..ingest import Incoming, ingest
from ..models import Alarm
from .conftest import raw
from .test_live import _free_port, start_uvicorn, stop_uvicorn

pytestmark = [pytest.mark.browser, pytest.mark.service, pytest.mark.postgres]


@pytest.mark.django_db(transaction=True)
def test_the_console_on_uvicorn_shows_a_new_alarm_and_follows_its_detail(
        world: Any, browser_page: Any, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (runs in the PostgreSQL pass)")
    client = Client()
    client.force_login(world["operator"])
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": process_database_url(), "LONGCHENG_VAR_DIR": str(tmp_path), "DB_CONN_MAX_AGE": "0",
           "JOBS_IMMEDIATE": "1"}
    subprocess.run([str(Path(sys.executable).with_name("longcheng")), "collectstatic", "--noinput", "-v0"], env=env,
                   check=True)
    server = start_uvicorn(port, env)
    try:
        page = browser_page
        url = f"http://127.0.0.1:{port}"
        page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}])
        page.goto(f"{url}/homesafety/")
        page.wait_for_selector("#live.on", timeout=15_000)  # console.js came through whitenoise; the stream is open
        ingest([Incoming(raw(event="sos"))], source="mqtt")
        page.wait_for_selector("#alarm-list li[data-alarm]", timeout=5_000)
        assert "王秀英" in page.locator("#alarm-list").inner_text()
        alarm = Alarm.objects.get()
        page.goto(f"{url}/homesafety/?alarm={alarm.pk}")
        page.wait_for_selector("#live.on", timeout=15_000)
        page.wait_for_selector("#ack")
        actions.do_acknowledge(alarm.pk, acting_user=world["operator"])  # from another desk
        page.wait_for_selector("#ack", state="detached", timeout=5_000)
        assert "已确认" in page.locator("#detail-pane").inner_text()
        assert "已确认" in page.locator(f'#alarm-list li[data-alarm="{alarm.pk}"]').inner_text()
    finally:
        stop_uvicorn(server)
