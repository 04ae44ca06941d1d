"""A person's view: headless Chromium (Debian's) signs in and sees the dashboard in Chinese."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.service]


@pytest.fixture
def page() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures in the
    # same thread are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def test_sign_in_and_see_the_dashboard_in_chinese(live_server: Any, page: Any, city: Any, make_user: Any, rid: Any) -> None:
    from longcheng.kernel.people.models import Resident

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
