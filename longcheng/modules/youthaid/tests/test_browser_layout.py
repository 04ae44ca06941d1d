"""Issue 15, finding 9, in headless Chromium: the case page's top cards (identity and family,
consent) have room at 1366 × 900 (the ID number and the address are not cut, "✓ 已取得" stays on one
line), and neither the case page nor the review queue scrolls sideways on a 390 × 844 phone."""

from __future__ import annotations

from typing import Any

import pytest

from ..models import Youth

pytestmark = [pytest.mark.browser, pytest.mark.service]

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"

# What sticks out to the right of the viewport, to say what pushes the page sideways.
WIDE = """() => Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right >
  window.innerWidth + 1).slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""

# Each top card: its width, the values of its key-value list cut (wider than their cell, or running
# past the card's edge) and the tags broken over more than one line.
CARDS = """() => ['identity', 'consent'].map(id => {
  const card = document.getElementById(id);
  const edge = card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight) + 1;
  const cut = Array.from(card.querySelectorAll('dl.kv dd')).filter(dd => dd.scrollWidth > dd.clientWidth + 1
    || dd.getBoundingClientRect().right > edge).map(dd => dd.textContent.trim());
  const broken = Array.from(card.querySelectorAll('dl.kv .tag')).filter(tag => {
    const size = parseFloat(getComputedStyle(tag).fontSize);
    return tag.getBoundingClientRect().height > 2.2 * size;
  }).map(tag => tag.textContent.trim());
  return {id, width: card.getBoundingClientRect().width, cut, broken};
})"""


def _login(page: Any, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


@pytest.fixture
def queued(liyang: dict[str, Any], active_case: Youth, funded: Any, proof: Any) -> Youth:
    """王小溧's active case with an application recommended: on the case page and in the review queue."""
    from .. import actions

    app = actions.do_apply(active_case, aid_type="medical", amount_fen=500_000, reason="医药费用难以承担",
                           acting_user=liyang["caseworker"], attachments=[proof()])
    actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
    return active_case


def test_the_case_pages_top_cards_have_room_on_a_laptop(live_server: Any, browser_page: Any,
                                                        liyang: dict[str, Any], queued: Youth) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, live_server.url, "caseworker")
    page.goto(f"{live_server.url}/youthaid/cases/{queued.pk}/")
    page.wait_for_selector("#consent")
    assert "✓ 已取得" in page.inner_text("#consent")
    cards = page.evaluate(CARDS)
    for card in cards:
        assert card["width"] >= 420, cards
        assert card["cut"] == [] and card["broken"] == [], cards
    assert page.evaluate(NO_SIDEWAYS), page.evaluate(WIDE)


@pytest.mark.parametrize("who", ["caseworker", "reviewer"])
def test_the_case_and_review_pages_do_not_scroll_sideways_on_a_phone(
        live_server: Any, browser_page: Any, liyang: dict[str, Any], queued: Youth, who: str) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server.url, who)
    page.goto(f"{live_server.url}/youthaid/cases/{queued.pk}/")
    page.wait_for_selector("#consent")
    assert page.evaluate(NO_SIDEWAYS), page.evaluate(WIDE)
    cards = page.evaluate(CARDS)
    assert all(card["cut"] == [] and card["broken"] == [] for card in cards), cards
    if who == "reviewer":
        page.goto(f"{live_server.url}/youthaid/review/")
        page.wait_for_selector("h1")
        assert "王小溧" in page.inner_text("main")
        assert page.evaluate(NO_SIDEWAYS), page.evaluate(WIDE)
