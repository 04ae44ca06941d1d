"""In a browser, two phones (two browser contexts at 390 × 844, one per driver) and the officer's
desk (1366 × 900): a rear-end collision from the QR pairing to the signed agreement and the hand-off
to each insurer; and a second report refused at the first question for a suspected drunk driver."""

from __future__ import annotations

import os
from typing import Any

import pytest

from conftest import DESK, PHONE, new_page, sign_in
from longcheng.modules.accidents.models import Handoff, Insurer, Report

pytestmark = [pytest.mark.browser, pytest.mark.service]

SCENE = ("31.7788", "119.9462")  # the start form's default position, where the photos are taken
# A minimal JPEG header and filler: the kernel's upload check decides the type from the bytes.
JPEG = b"\xff\xd8\xff\xe0" + b"browser-photo" * 64


@pytest.fixture
def world(city: dict[str, Any], make_user: Any) -> dict[str, Any]:
    root = [city["root"]]
    users = {name: make_user(name, {role: places}) for name, role, places in (
        ("zhangwei", "accidents_driver", root), ("lina", "accidents_driver", root),
        ("officer", "accidents_officer", [city["wujin"]]), ("pingan", "accidents_insurer", root),
        ("renbao", "accidents_insurer", root))}
    insurers = {"pingan": Insurer.objects.create(code="pingan", name="平安财险"),
                "renbao": Insurer.objects.create(code="renbao", name="人保财险")}
    insurers["pingan"].members.add(users["pingan"])
    insurers["renbao"].members.add(users["renbao"])
    return {**users, "insurers": insurers, "city": city}


def _page(browser: Any, url: str, username: str, viewport: dict[str, int]) -> Any:
    return sign_in(new_page(browser, viewport), url, username)


def _shot(page: Any, name: str) -> None:
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path=f"var/screenshots/accidents-{name}.png", full_page=True)


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a phone"


def _confirm(page: Any, values: dict[str, str], insurer: Insurer) -> None:
    for field, value in values.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_licence_class", "C1")
    page.select_option("#id_insurer", str(insurer.pk))
    page.click("form[action$='/confirm/'] button[type=submit]")
    page.wait_for_load_state()
    assert not page.locator("p.error").count(), page.locator("p.error").all_inner_texts()


def _photo(page: Any, shot: str) -> None:
    page.select_option("#id_shot", shot)
    page.set_input_files("#id_photo", {"name": f"{shot}.jpg", "mimeType": "image/jpeg", "buffer": JPEG + shot.encode()})
    page.fill("#id_lat", SCENE[0])
    page.fill("#id_lon", SCENE[1])
    page.click("form[action$='/photo/'] button[type=submit]")
    page.wait_for_load_state()
    assert not page.locator("p.error").count(), page.locator("p.error").all_inner_texts()


def _tick(page: Any, codes: list[str]) -> None:
    for code in codes:
        page.check(f"input[name=circumstances][value={code}]")
    page.click("form[action$='/tick/'] button[type=submit]")
    page.wait_for_load_state()


def _answer_all(page: Any, yes: set[str]) -> None:
    for radio in page.locator("input[type=radio][name^=q_][value=no]").all():
        radio.check()
    for code in yes:
        page.check(f"input[name=q_{code}][value=yes]")


def test_two_phones_take_a_rear_end_collision_to_the_insurers(live_server: Any, browser: Any,
                                                                 world: dict[str, Any], rid: Any) -> None:
    url, city, ins = live_server.url, world["city"], world["insurers"]
    a = _page(browser, url, "zhangwei", PHONE)
    b = _page(browser, url, "lina", PHONE)

    # Driver A starts: every eligibility question answered "no", the place chosen.
    a.goto(f"{url}/accidents/")
    _fits(a)
    _answer_all(a, set())
    a.select_option("#id_place", str(city["wujin"].pk))
    a.click("form.form button[type=submit]")
    a.wait_for_selector("#pairing-code")
    report = Report.objects.get()
    assert report.status == Report.Status.PAIRING
    # The QR code is on A's screen; it links to the join page with the code, which B opens.
    assert a.locator("#pairing img").get_attribute("src").startswith("data:image/svg+xml")
    code = a.locator("#pairing-code").inner_text()
    b.goto(f"{url}/accidents/join/?code={code}")
    assert b.input_value("#id_code") == code
    _answer_all(b, set())  # B answers the eligibility questions too
    b.click("form.form button[type=submit]")
    b.wait_for_selector("#status")
    assert b.url.endswith(f"/accidents/reports/{report.pk}/")

    # Each confirms their own details, photographs and ticks, on their own phone.
    _confirm(a, {"name": "张伟", "phone": "13812345678", "licence_no": rid(seq=11), "plate": "苏D12345",
                 "policy_no": "PA-2026-001", "loss_fen": "1500"}, ins["pingan"])
    _confirm(b, {"name": "李娜", "phone": "13987654321", "licence_no": rid(seq=12), "plate": "苏DA7788",
                 "policy_no": "RB-2026-002", "loss_fen": "1800"}, ins["renbao"])
    for shot in ("front", "impact", "plate"):
        _photo(a, shot)
    for shot in ("back", "plate"):
        _photo(b, shot)
    _tick(a, ["rear_end"])
    _tick(b, ["hit_while_lawful"])
    # A draws the sketch on the phone: B (C3) stopped ahead, A (C4) behind, both facing north.
    for field, value in (("layout", "straight"), ("a_cell", "C4"), ("a_heading", "N"), ("b_cell", "C3"),
                         ("b_heading", "N")):
        a.select_option(f"#id_{field}", value)
    a.click("#save-sketch")
    a.wait_for_load_state()
    assert a.locator("#sketch svg").count() == 1 and "A 在 C4" in a.locator("#sketch").inner_text()
    # A sees B's phone and plate masked, their own plainly.
    a.reload()
    parties = a.locator("table.parties").inner_text()
    assert "13812345678" in parties and "苏D12345" in parties
    assert "13987654321" not in parties and "苏DA7788" not in parties
    _fits(a)
    _shot(a, "driver-a-before-submit")
    a.click("#submit")
    a.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and report.proposed_a == "full"

    # The officer at the desk: the queue with its clock, the review page, the proposal accepted.
    officer = _page(browser, url, "officer", DESK)
    officer.goto(f"{url}/accidents/queue/")
    assert officer.locator("td.clock").count() == 1
    officer.click(f"a[href='/accidents/queue/{report.pk}/']")
    officer.wait_for_selector("#proposal")
    assert "追尾前车" in officer.locator("#ticked").inner_text()
    assert officer.locator("#sketch svg").count() == 1
    assert officer.locator("a[href*='/photos/']").count() == 5
    officer.check("input[name=decision][value=accept]")
    officer.click("form.form button[type=submit]")
    officer.wait_for_load_state()
    _shot(officer, "officer-queue-after")
    report.refresh_from_db()
    assert (report.status, report.liability_a, report.liability_b) == (Report.Status.DECIDED, "full", "none")
    assert report.changed_by_officer is False

    # Both sign on their phones; the first signature alone makes no agreement.
    a.reload()
    assert "全部" in a.locator("#liability").inner_text()
    a.click("#sign")
    a.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == Report.Status.DECIDED and report.agreement_at is None and not Handoff.objects.exists()
    assert a.locator("#agreement").count() == 0
    b.reload()
    b.click("#sign")
    b.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == Report.Status.HANDED_OFF and report.agreement_at is not None

    # The hand-off: one claim per insurer, each driver follows their own claim; the agreement is a PDF.
    handoffs = {h.insurer.code: h for h in Handoff.objects.select_related("insurer")}
    assert set(handoffs) == {"pingan", "renbao"}
    assert handoffs["pingan"].party.side == "A" and handoffs["renbao"].party.side == "B"
    for page, insurer in ((a, "pingan"), (b, "renbao")):
        page.reload()
        claims = page.locator("p.claim").all_inner_texts()
        assert len(claims) == 1 and handoffs[insurer].claim_no in claims[0]
        _fits(page)
        with page.expect_download() as download:
            page.click("#agreement")
        assert download.value.path() is not None
        with open(download.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    _shot(b, "driver-b-handed-off")

    # The insurer's handler sees only the claim addressed to it and opens it.
    insurer = _page(browser, url, "renbao", DESK)
    insurer.goto(f"{url}/accidents/claims/")
    text = insurer.locator("main").inner_text()
    assert handoffs["renbao"].claim_no in text and handoffs["pingan"].claim_no not in text
    other = insurer.goto(f"{url}/accidents/claims/{handoffs['pingan'].pk}/")
    assert other is not None and other.status == 404
    insurer.goto(f"{url}/accidents/claims/{handoffs['renbao'].pk}/")
    insurer.select_option("#id_status", "accepted")
    insurer.click("form.form button[type=submit]")
    insurer.wait_for_load_state()
    handoffs["renbao"].refresh_from_db()
    assert handoffs["renbao"].status == Handoff.Status.ACCEPTED
    b.reload()
    assert "已立案" in b.locator("p.claim").inner_text()

    # A second accident: the drunk-driving question answered "yes" ends the flow with its reason.
    a.goto(f"{url}/accidents/")
    _answer_all(a, {"drink_drugs"})
    a.select_option("#id_place", str(city["wujin"].pk))
    a.click("form.form button[type=submit]")
    a.wait_for_selector("#refusal")
    refusal = a.locator("#refusal").inner_text()
    assert "饮酒" in refusal and "110" in refusal and "122" in refusal
    assert a.locator("#pairing").count() == 0 and a.locator("#submit").count() == 0
    _fits(a)
    _shot(a, "driver-a-refused")
    refused = Report.objects.exclude(pk=report.pk).get()
    assert refused.status == Report.Status.REFUSED and refused.refused_because is not None
    assert refused.refused_because.code == "drink_drugs"
    assert not Handoff.objects.filter(report=refused).exists()

    # The officer's hot-spot map: Leaflet from our own static files draws the report's cell.
    officer.goto(f"{url}/accidents/hotspots/")
    officer.wait_for_selector(".lc-map[data-drawn='1'] .leaflet-interactive")
    assert officer.locator(".lc-map path.map-warn, .lc-map path.map-alarm").count() == 1
