"""A person's view: headless Chromium (Debian's) signs in and sees the dashboard in Chinese."""

from __future__ import annotations

import os
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.service]


def test_sign_in_and_see_the_dashboard_in_chinese(live_server: Any, browser_page: Any, city: Any, make_user: Any, rid: Any) -> None:
    from longcheng.kernel.people.models import Resident

    page = browser_page
    # Under the Content-Security-Policy a blocked inline script or style is logged to the console.
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                            place=city["a"])
    make_user("duty", {"city_admin": [city["root"]]}, display_name="值班员小李")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", "duty")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".errorlist").count() == 1  # a wrong password is said, in Chinese
    page.fill("#id_username", "duty")
    page.fill("#id_password", "pw-duty")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "工作台"
    body = page.locator("body").inner_text()
    assert "值班员小李" in body and "居民" in body
    assert page.locator(".chart svg").count() >= 1
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/dashboard.png", full_page=True)
    page.click("nav.main >> text=居民")
    page.wait_for_selector("table")
    assert "3204**********" in page.locator("table").inner_text()
    # The language switch works from the static script (no inline handler), and nothing was blocked.
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    assert blocked == []


def test_the_api_docs_render_from_our_static_files_under_the_policy(live_server: Any, browser_page: Any, db: Any) -> None:
    page = browser_page
    blocked: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # operations drawn from openapi.json
    assert "/api/v1/auth/tokens" in page.locator(".swagger-ui").inner_text()
    assert blocked == [] and outside == []
