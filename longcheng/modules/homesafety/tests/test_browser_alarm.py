"""In the browser: an SOS appears on the open console by itself, the operator takes it from raised
to resolved, and the family page shows what was done. Runs in the PostgreSQL pass (the live server's
threads each need their own database connection)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import override_settings

from conftest import sign_in as _login

from ..ingest import Incoming, ingest
from ..models import Alarm, AlarmStatus
from .conftest import raw

pytestmark = [pytest.mark.browser, pytest.mark.service, pytest.mark.postgres]


@override_settings(HOMESAFETY_STREAM_SECONDS=20)
def test_an_operator_takes_an_sos_from_raised_to_resolved(live_server: Any, browser_page: Any, world: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    page = browser_page
    _login(page, live_server.url, "op")
    page.goto(f"{live_server.url}/homesafety/")
    assert "告警中心" in page.locator("h1").inner_text()
    page.wait_for_selector("#live.on", timeout=10_000)  # the server-push stream is open
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    # No reload: the stream says something changed and the list fetches itself.
    page.wait_for_selector("#alarm-list li[data-alarm]", timeout=15_000)
    assert "王秀英" in page.locator("#alarm-list").inner_text()
    page.click("#alarm-list li[data-alarm] a")
    page.click("#ack")
    page.wait_for_selector("#dispatch")
    page.select_option("#to_user", label="worker · 13800000003")
    page.click("#dispatch")
    page.wait_for_selector("#arrive")
    page.click("#arrive")
    page.wait_for_selector("#resolve")
    page.select_option("#outcome", "handled")
    page.fill("#notes", "老人跌倒后无大碍，已联系女儿")
    page.click("#resolve")
    page.wait_for_load_state()
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.RESOLVED and alarm.outcome == "handled" and alarm.dispatched_to == world["worker"]
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/alarm-centre.png", full_page=True)

    page.context.clear_cookies()
    _login(page, live_server.url, "family")
    page.goto(f"{live_server.url}/homesafety/family/")
    text = page.locator("main").inner_text()
    assert "王秀英" in text and "已办结" in text and "紧急情况已处置" in text and "已联系女儿" in text
    page.screenshot(path="var/screenshots/family.png", full_page=True)
