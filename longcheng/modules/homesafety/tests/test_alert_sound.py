"""The console's alert for a new critical alarm: the sound is muted or on per operator, kept on the
server and audited; the sound is made in the browser by the module's own script (no sound file, no
CDN, no inline script); in the browser a new SOS sounds and flashes the title, a muted console only
flashes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from conftest import DESK, new_page, sign_in
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import PermissionDenied

from ..ingest import Incoming, ingest
from ..models import OperatorSettings
from ..sound import do_set_alert_sound, is_muted
from .conftest import raw

STATIC = Path(__file__).resolve().parent.parent / "static" / "homesafety"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_an_operator_mutes_their_own_console_only(world: Any) -> None:
    op = _client(world["operator"])
    page = op.get("/homesafety/").content.decode()
    assert 'data-muted="0"' in page and "静音告警声" in page
    response = op.post("/homesafety/console/sound/", {"muted": "on"})
    assert response.status_code == 302
    assert is_muted(world["operator"]) and not is_muted(world["head"])
    page = op.get("/homesafety/").content.decode()
    assert 'data-muted="1"' in page and "开启告警声" in page
    # The head's console still sounds: the mute is the operator's, not the desk's or the centre's.
    assert 'data-muted="0"' in _client(world["head"]).get("/homesafety/").content.decode()
    entry = AuditEntry.objects.get(action="homesafety.console.sound")
    assert entry.before == {"alert_muted": False} and entry.after == {"alert_muted": True}
    # Sound on again (the form without the box): one more audit row; the same choice again writes none.
    op.post("/homesafety/console/sound/", {})
    op.post("/homesafety/console/sound/", {})
    assert not is_muted(world["operator"])
    assert AuditEntry.objects.filter(action="homesafety.console.sound").count() == 2


def test_muting_needs_the_console_and_a_post(world: Any) -> None:
    family = _client(world["family"])
    assert family.post("/homesafety/console/sound/", {"muted": "on"}).status_code in (403, 404)
    assert _client(world["operator"]).get("/homesafety/console/sound/").status_code == 405
    assert not OperatorSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        do_set_alert_sound(muted=True, acting_user=world["family"])
    assert not OperatorSettings.objects.exists()


def test_the_sound_is_made_in_the_page_by_the_modules_own_script(world: Any) -> None:
    script = (STATIC / "alert.js").read_text()
    assert "AudioContext" in script and "createOscillator" in script
    assert not re.search(r"https?://|\.(mp3|wav|ogg)\b", script)
    page = _client(world["operator"]).get("/homesafety/").content.decode()
    assert "homesafety/alert.js" in page
    # CSP: every script of the console is a file of its own.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)




def _console(browser: Any, url: str, username: str) -> Any:
    page = new_page(browser, DESK)
    page.add_init_script("window.__tones = 0; (function () { var C = window.AudioContext;"
                         " if (!C) return; var o = C.prototype.createOscillator;"
                         " C.prototype.createOscillator = function () { window.__tones++; return o.apply(this, arguments); };"
                         " })();")
    sign_in(page, url, username)
    page.goto(f"{url}/homesafety/")
    page.wait_for_selector("#live.on", timeout=10_000)
    page.mouse.click(5, 5)  # the operator's first click lets the page sound
    return page


@pytest.mark.browser
@pytest.mark.service
@pytest.mark.postgres
@override_settings(HOMESAFETY_STREAM_SECONDS=20)
def test_a_new_sos_sounds_and_flashes_the_title_unless_muted(live_server: Any, browser: Any, world: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass (the live server's threads need their own connections)")
    OperatorSettings.objects.create(user=world["head"], alert_muted=True)
    loud = _console(browser, live_server.url, "op")
    quiet = _console(browser, live_server.url, "head")
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    for page in (loud, quiet):
        page.wait_for_selector("#alarm-list li[data-alarm]", timeout=15_000)
        page.wait_for_function("document.querySelector('.console').dataset.alerts === '1'", timeout=5_000)
        assert "新的紧急告警" in page.title() or page.wait_for_function(
            "document.title.indexOf('新的紧急告警') >= 0", timeout=3_000)
    assert loud.evaluate("document.querySelector('.console').dataset.sounded") == "1"
    assert loud.evaluate("window.__tones") == 6
    assert quiet.evaluate("document.querySelector('.console').dataset.sounded") == "0"
    assert quiet.evaluate("window.__tones") == 0
    # A key stops the flash; the title is the page's own again.
    loud.keyboard.press("Escape")
    assert "新的紧急告警" not in loud.title()
