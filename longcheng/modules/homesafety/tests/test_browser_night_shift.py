"""A night shift at 1366×900 in the browser: an SOS arrives while the console is open, the operator
hears the alert, comments, assigns, dispatches with a note, records the worker's arrival, resolves
with an outcome, finds the alarm again in history and exports the month as XLSX. Runs in the
PostgreSQL pass (the live server's threads each need their own database connection). The SOS is
ingested in-process here; the same message over mosquitto_pub is tested by test_docs_example.py and
the production-layout test."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import DESK, fits, new_page, raw_keys, sign_in

from ..ingest import Incoming, ingest
from ..models import Alarm, AlarmComment, AlarmStatus
from .conftest import raw

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


@override_settings(HOMESAFETY_STREAM_SECONDS=20)
def test_a_night_shift_from_sos_to_the_months_export(live_server: Any, browser: Any, world: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    page = new_page(browser, DESK)
    _console(page, live_server.url)
    ingest([Incoming(raw(event="sos", lat=31.7249, lon=120.0688))], source="mqtt")
    page.wait_for_selector("#alarm-list li[data-alarm]", timeout=15_000)
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
