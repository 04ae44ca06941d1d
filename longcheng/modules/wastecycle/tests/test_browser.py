"""In a browser: a teacher weighs a class on a 390 × 844 phone; at the station's desk (1366 × 900) the
operator writes a ticket, takes a batch to a released lot, enters a farmer's monthly collection and
sees the month's balance close."""

from __future__ import annotations

import os
from typing import Any

import pytest

from conftest import DESK, PHONE, fits, new_page, raw_keys, sign_in
from longcheng.modules.wastecycle.models import Handout, Lot, Ticket, Weighing

from .support import PASSING, make_school, make_station

pytestmark = [pytest.mark.browser, pytest.mark.service]


@pytest.fixture
def world(city: dict[str, Any], make_user: Any) -> dict[str, Any]:
    school = make_school(city["a"])
    station = make_station(city["yaoguan"])
    make_user("teacher", {"wastecycle_teacher": [city["a"]]})
    make_user("operator", {"wastecycle_operator": [city["yaoguan"]]})
    return {"school": school, "station": station, "city": city}


def _shot(page: Any, name: str) -> None:
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path=f"var/screenshots/wastecycle-{name}.png", full_page=True)


def _submit(page: Any, form: str) -> None:
    page.click(f"{form} button")
    page.wait_for_load_state()
    assert not page.locator("p.error").count(), page.locator("p.error").all_inner_texts()


def _follow(page: Any, link: str) -> None:
    """A link followed to its page's end: what is checked next reads the new page, never one half-loaded."""
    with page.expect_navigation():
        page.click(link)
    page.wait_for_load_state()


def _check(page: Any) -> None:
    fits(page)
    assert raw_keys(page) == [], raw_keys(page)


def test_a_teacher_weighs_a_class_on_a_phone(live_server: Any, browser: Any, world: dict[str, Any]) -> None:
    url = live_server.url
    klass = world["school"]["classes"][0]
    phone = sign_in(new_page(browser, PHONE), url, "teacher")
    phone.goto(f"{url}/wastecycle/")
    _check(phone)
    _follow(phone, f"a[href='/wastecycle/classes/{klass.pk}/weigh/']")
    phone.fill("#weigh-day", "2099-11-02")  # a day in the future: refused by the action, named
    phone.select_option("#weigh-meal", "lunch")
    phone.fill("#weigh-diners", "38")
    phone.fill("#weigh-grams", "1900")
    phone.click("#weigh button")
    phone.wait_for_load_state()
    assert phone.locator("#error-weigh-day").count() == 1
    assert phone.input_value("#weigh-diners") == "38" and Weighing.objects.count() == 0
    _shot(phone, "weigh")
    phone.fill("#weigh-day", "2026-11-02")
    _submit(phone, "#weigh")
    assert phone.locator("#saved").count() == 1
    assert "50.0" in phone.locator("#recent").inner_text()
    _check(phone)
    assert list(Weighing.objects.values_list("grams", flat=True)) == [1900]
    phone.goto(f"{url}/wastecycle/")
    assert klass.name in phone.locator("#ranking").inner_text()
    _check(phone)


def _readings() -> str:
    return "\n".join(f"2026-11-{3 + h // 24:02d} {h % 24:02d}:00 60.5" for h in range(0, 121, 6))


def test_the_operator_takes_a_month_from_ticket_to_balance(live_server: Any, browser: Any,
                                                            world: dict[str, Any]) -> None:
    url, station = live_server.url, world["station"]
    desk = sign_in(new_page(browser, DESK), url, "operator")
    desk.goto(f"{url}/wastecycle/stations/")
    _follow(desk, f"a[href='/wastecycle/stations/{station.pk}/']")
    _check(desk)
    for field, value in {"ticket_key": "YG-1", "vehicle": "苏D12345", "source_name": "上书房社区", "gross_kg": "9000",
                         "gross_at": "2026-11-02T08:00", "tare_kg": "6000", "tare_at": "2026-11-02T08:30"}.items():
        desk.fill(f"#ticket-{field}", value)
    desk.select_option("#ticket-stream", "kitchen")
    _submit(desk, "form[action$='/tickets/']")
    assert Ticket.objects.get().net_kg == 3000
    desk.fill("#batch-code", "B-1")
    desk.fill("#batch-started_at", "2026-11-03T08:00")
    desk.fill("#batch-tickets", "YG-1")
    _submit(desk, "form[action$='/batches/']")
    _follow(desk, "#batches a")
    desk.fill("#temperatures-readings", _readings())
    _submit(desk, "form[action$='/temperatures/']")
    for field, value in {"output_kg": "1050", "residue_kg": "150", "done_at": "2026-11-09T08:00"}.items():
        desk.fill(f"#finish-{field}", value)
    _submit(desk, "form[action$='/finish/']")
    desk.fill("#test-tested_on", "2026-11-12")
    for measure, value in PASSING.items():
        desk.fill(f"#test-{measure}", value)
    _submit(desk, "form[action$='/test/']")
    desk.click("#release")
    desk.wait_for_load_state()
    assert Lot.objects.get().state == "released"
    _shot(desk, "batch")
    _check(desk)
    desk.goto(f"{url}/wastecycle/stations/{station.pk}/")
    desk.fill("#collector-name", "勤新村菜园")
    desk.select_option("#collector-village", str(world["city"]["b"].pk))
    _submit(desk, "form[action$='/collectors/']")
    desk.fill("#handout-on", "2026-11-15")
    desk.fill("#handout-kg", "800")
    _submit(desk, "form[action$='/handouts/']")
    assert Handout.objects.get().kg == 800
    assert "800" in desk.locator("#ledger").inner_text()
    desk.goto(f"{url}/wastecycle/stations/{station.pk}/month/?month=2026-11")
    assert desk.locator("#verdict.ok").count() == 1, desk.locator("#verdict").inner_text()
    assert desk.locator("svg.sankey").count() == 1
    _shot(desk, "month")
    _check(desk)
