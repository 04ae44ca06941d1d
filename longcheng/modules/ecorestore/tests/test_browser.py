"""In a browser: a judged case from its receipt to the certificate; the supervisor's shift checked
in on a 390 × 844 phone, refused outside the zone and accepted inside."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import sign_in as _sign_in

from .support import INSIDE, OUTSIDE, make_base, make_rates

pytestmark = [pytest.mark.browser, pytest.mark.service]


def _sign_out(page: Any) -> None:
    page.click("header form.inline button")
    page.wait_for_load_state()


def _prosecutor_books(page: Any, url: str, city: dict[str, Any]) -> str:
    _sign_in(page, url, "prosecutor")
    page.goto(f"{url}/ecorestore/")
    for field, value in {"number": "JK-2024-051", "title": "非法捕捞水产品", "source_organ": "常州经开区人民法院",
                         "legal_basis": "《生态环境损害赔偿管理规定》", "party_name": "王某", "opened_on": "2024-06-10",
                         "decided_on": "2024-07-01", "head_service_loss": "88"}.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_place", str(city["a"].pk))
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("h1:has-text('JK-2024-051')")
    case_url = page.url
    page.select_option("#stage-next", "restoration")
    page.fill("#stage-on", "2024-07-02")
    page.click("button:has-text('推进')")
    page.wait_for_selector("#stage:has-text('修复或赔偿')")
    page.fill("#amount", "88")
    page.check("input[name=consent]")
    page.fill("#hardship", "低保家庭证明")
    page.fill("#due_on", "2024-12-31")
    page.click("button:has-text('折算')")
    page.wait_for_selector("#money-owed:has-text('0.00')")
    start = timezone.localtime() - dt.timedelta(minutes=10)
    page.fill("#book-start", start.strftime("%Y-%m-%dT%H:%M"))
    page.click("button:has-text('预约')")
    page.wait_for_selector("text=已预约")
    _sign_out(page)
    return case_url


def test_a_case_from_judgement_to_certificate_with_a_phone_check_in(
        live_server: Any, browser_page: Any, city: dict[str, Any], make_user: Any) -> None:
    from longcheng.modules.ecorestore.models import Shift

    make_rates()
    zones = make_base(city)
    make_user("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    make_user("supervisor", {"ecorestore_supervisor": [zones["labour"].place]})
    page, url = browser_page, live_server.url
    case_url = _prosecutor_books(page, url, city)

    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"], origin=url)
    page.context.set_geolocation({"latitude": OUTSIDE[0], "longitude": OUTSIDE[1]})
    _sign_in(page, url, "supervisor")
    shift = Shift.objects.get()
    page.goto(f"{url}/ecorestore/shifts/{shift.pk}/")
    page.click("#check-in")
    page.wait_for_selector("#error-location")
    assert "不在功能区内" in page.inner_text("#error-location")
    assert Shift.objects.get().state == "booked"
    page.context.set_geolocation({"latitude": INSIDE[0], "longitude": INSIDE[1]})
    page.click("#check-in")
    page.wait_for_selector("#shift-state:has-text('已签到')")
    # Four hours pass on site.
    now = timezone.now()
    Shift.objects.filter(pk=shift.pk).update(starts_at=now - dt.timedelta(hours=4), ends_at=now,
                                             checked_in_at=now - dt.timedelta(hours=4))
    page.click("#check-out")
    page.wait_for_selector("#sign-off")
    page.click("#sign-off")
    page.wait_for_selector("#shift-state:has-text('已核验')")
    _sign_out(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, url, "prosecutor")
    page.goto(case_url)
    page.click("#certify")
    page.wait_for_selector("#certificate")
    page.click("#certificate")
    assert page.inner_text("#sent-to") == "常州经开区人民法院"
