"""In the browser, the whole way: a teacher reports a youth, the case worker records consent, fills in
the family's situation, screens, follows up and files an application with its recommendation; the
charity federation approves it and pays the batch; the fund statement shows the payment. Runs in
the PostgreSQL pass (the live server's threads each need their own database connection)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from conftest import DESK, PHONE, recheck, track
from conftest import sign_in as _login

pytestmark = [pytest.mark.browser, pytest.mark.service, pytest.mark.postgres]


def _step(page: Any, step: str) -> Any:
    """The form of one step on a page: every step posts to its own url (cases/<pk>/<step>/,
    review/decide/, batches/create/ ...)."""
    slug = step.replace("_", "-")
    return page.locator(f"form[action$='/{slug}/']").first


def _submit(page: Any, form: Any) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_report_screen_follow_up_approve_pay_and_see_it_on_the_statement(
        live_server: Any, browser_page: Any, city: Any, make_user: Any, rid: Any, aid_types: Any,
        size: dict[str, int]) -> None:
    """Every page each person visits is opened again at the end of their part: no sideways scroll at
    1366 × 900 or 390 × 844, no raw key."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    from longcheng.kernel.ledger import actions as ledger
    from longcheng.kernel.ledger.models import JournalEntry, Posting
    from longcheng.kernel.people.models import Relationship, Resident

    from .. import actions
    from ..models import Application, AppStatus, CaseStatus, PayStatus, Report, Youth

    liyang, town = city["liyang"], city["liyang_town"]
    father = Resident.objects.create(resident_id=rid(region="320481", birth="19780303", seq=5), name="周建国",
                                     gender="M", birth_date="1978-03-03", place=town, died_on=dt.date(2025, 6, 1))
    youth_id = rid(region="320481", birth="20090915", seq=8)
    person = Resident.objects.create(resident_id=youth_id, name="周小雨", gender="F", birth_date="2009-09-15",
                                     place=town)
    Relationship.objects.create(person=person, relative=father, kind="father")
    make_user("teacher", {"youthaid_reporter": [liyang]})
    make_user("caseworker", {"youthaid_caseworker": [liyang]})
    reviewer = make_user("reviewer", {"youthaid_reviewer": [liyang]})
    actions.do_donate(1_000_000, donor="溧阳市某爱心企业", acting_user=reviewer)
    page = browser_page
    page.set_viewport_size(size)
    url = live_server.url
    visited = track(page)
    os.makedirs("var/screenshots", exist_ok=True)

    # A teacher reports the youth.
    _login(page, url, "teacher")
    page.goto(f"{url}/youthaid/report/")
    page.fill("#resident_id", youth_id)
    page.fill("#name", "周小雨")
    page.select_option("#channel", "school")
    page.fill("#note", "父亲去年病故，母亲务农，学费有困难")
    _submit(page, page.locator("form:has(#resident_id)"))
    assert "周小雨" in page.locator("main table").inner_text()
    youth = Youth.objects.get(person=person)
    assert Report.objects.filter(youth=youth, reporter__username="teacher").count() == 1

    recheck(page, visited)
    visited.clear()

    # The case worker records consent, the family's situation, screens and follows up.
    _login(page, url, "caseworker")
    page.goto(f"{url}/youthaid/")
    page.click(f"a[href='/youthaid/cases/{youth.pk}/']")
    page.wait_for_selector("h1")
    consent = _step(page, "consent")
    consent.locator("select[name=given_by]").select_option(str(person.pk))
    consent.locator("input[name=sensitive]").check()
    _submit(page, consent)
    profile = _step(page, "profile")
    profile.locator("#deceased_parent").fill(father.resident_id)
    profile.locator("#surviving_parent_status").select_option("not_remarried")
    profile.locator("#stage").select_option("senior")
    profile.locator("#household_size").fill("3")
    profile.locator("#monthly_income_fen").fill("3600")
    profile.locator("#hardship_grade").select_option("2")
    profile.locator("#profile_reason").fill("家访核实")
    _submit(page, profile)
    page.click("details:has(form[action$='/sensitive/']) summary")  # folded away by default
    sensitive = _step(page, "sensitive")  # the bank account the aid is paid to (separate consent given above)
    sensitive.locator("#bank_name").fill("江苏溧阳农村商业银行")
    sensitive.locator("#bank_account").fill("6228480402564890018")
    sensitive.locator("#sensitive_reason").fill("家长提供银行卡")
    _submit(page, sensitive)
    _submit(page, _step(page, "screen"))
    youth.refresh_from_db()
    assert youth.status == CaseStatus.ACTIVE, page.locator("main").inner_text()[:2000]
    assert youth.bank_account == "6228480402564890018"
    assert "6228480402564890018" not in page.content()  # shown masked
    visit = _step(page, "visit")
    visit.locator("#situation").fill("与母亲同住，情绪稳定，学习努力")
    visit.locator("#visit_risk").select_option("medium")
    _submit(page, visit)
    apply = _step(page, "apply")
    apply.locator("#aid_type").select_option("living")
    apply.locator("#apply_amount").fill("2000")
    apply.locator("#apply_reason").fill("家庭生活困难，申请生活救助")
    _submit(page, apply)
    application = Application.objects.get(youth=youth)
    recommend = _step(page, "recommend")
    recommend.locator("input[name=note]").fill("情况属实，建议批准")
    _submit(page, recommend)
    application.refresh_from_db()
    assert application.status == AppStatus.RECOMMENDED and application.recommended_fen == 200_000
    page.screenshot(path=f"var/screenshots/youthaid-case-{size['width']}.png", full_page=True)

    recheck(page, visited)
    visited.clear()

    # The charity federation approves and pays.
    _login(page, url, "reviewer")
    page.goto(f"{url}/youthaid/review/")
    decide = _step(page, "decide")
    decide.locator("input[name=decision][value=approve]").check()
    decide.locator("input[name=reason]").fill("同意")
    _submit(page, decide)
    application.refresh_from_db()
    assert application.status == AppStatus.APPROVED and application.approved_fen == 200_000
    page.goto(f"{url}/youthaid/batches/")
    _submit(page, _step(page, "create"))
    assert "/youthaid/batches/" in page.url
    page.click("#pay-button")
    page.wait_for_load_state()
    page.wait_for_selector("text=周小雨")
    payment = application.payments.get()
    assert payment.status == PayStatus.PAID
    assert JournalEntry.objects.filter(idempotency_key=f"youthaid:pay:{payment.pk}").count() == 1

    # The fund statement shows the commitment and the payment, and reconciles.
    page.goto(f"{url}/youthaid/fund/")
    text = page.locator("main").inner_text()
    assert "¥2,000.00" in text and "¥10,000.00" in text
    fund = actions.youth_fund()
    available = ledger.fund_account(fund)
    assert available.balance_fen == 1_000_000 - 200_000
    assert sum(Posting.objects.filter(account=available).values_list("amount_fen", flat=True)) == 800_000
    page.screenshot(path=f"var/screenshots/youthaid-fund-{size['width']}.png", full_page=True)
    recheck(page, visited)
