"""On a 390 × 844 phone: the patrol signs in, records an inspection (no sideways scrolling), the bureau and
the office take the case to 销号 (through the actions), and the patrol records the +30-day rebound check."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import sign_in
from longcheng.modules.remediation import actions
from longcheng.modules.remediation.models import Case, Inspection

from .conftest import photo

pytestmark = [pytest.mark.browser, pytest.mark.service]

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_case_walked_from_a_phone_inspection_to_closure_and_a_rebound_check(
        live_server: Any, browser_page: Any, world: dict[str, Any]) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "patrol")
    page.goto(f"{live_server.url}/remediation/sites/{world['sites'][0].pk}/inspect/wuluan/")
    page.wait_for_selector("form")
    assert page.evaluate(NO_SIDEWAYS)
    page.check("#id_check_safety")
    page.check("input[name=score_danger][value='2']")
    page.fill("#id_reason_danger", "无消防通道")
    page.click("form button[type=submit]")
    page.wait_for_selector("#case-status")
    assert page.evaluate(NO_SIDEWAYS)
    case = Case.objects.get()
    assert page.get_attribute("#case-status", "data-status") == "screened" and Inspection.objects.count() == 1
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    actions.do_set_plan(case.pk, remedy="close", lead_agency="ecology", responsible="张主任",
                        acting_user=world["bureau"], milestones=[actions.MilestoneIn("两断三清", working_days=10)])
    for kind in ("utility_cutoff", "site_photo"):
        actions.do_add_evidence(case.pk, kind=kind, upload=photo(), acting_user=world["bureau"])
    actions.do_accept_case(case.pk, acting_user=world["bureau"])
    actions.do_close_case(case.pk, acting_user=world["office"])
    page.goto(f"{live_server.url}/remediation/")
    page.wait_for_selector("#rebound-checks")
    assert page.evaluate(NO_SIDEWAYS)
    page.click("#rebound-checks a")
    page.wait_for_selector("#case-status")
    assert page.get_attribute("#case-status", "data-status") == "closed"
    first = page.locator("form[id^=rebound-form-]").first  # the +30-day check
    first.locator("select[name=found_running]").select_option("yes")
    first.locator("button[type=submit]").click()
    page.wait_for_selector("#rebound-flag")
    case.refresh_from_db()
    assert (case.status, case.rebound) == ("reopened", True)
    assert page.evaluate(NO_SIDEWAYS)
