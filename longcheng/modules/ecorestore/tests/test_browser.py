"""In a browser, in Chinese: a judged case from its receipt to the certificate. The prosecutor converts
part of the amount to labour and part to fish released in kind; the supervisor, on a 390 × 844 phone,
records the fish released and checks the shift in — refused outside the zone's fence, accepted inside
with a photo — then out and signs it off; the prosecutor sees the photo on the case page and issues
the certificate, sent back to the court. Every page is in Chinese (no raw key) and the phone pages
do not scroll sideways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import PHONE, fits, raw_keys
from conftest import sign_in as _sign_in

from .support import INSIDE, OUTSIDE, make_base, make_rates

pytestmark = [pytest.mark.browser, pytest.mark.service]

PNG = b"\x89PNG\r\n\x1a\n" + b"reed bed at check-in" * 16


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _sign_out(page: Any) -> None:
    page.click("header form.inline button")
    page.wait_for_load_state()


def _in_chinese(page: Any) -> None:
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert raw_keys(page) == [], page.url


def _prosecutor_opens(page: Any, url: str, city: dict[str, Any]) -> str:
    _sign_in(page, url, "prosecutor")
    page.goto(f"{url}/ecorestore/")
    _in_chinese(page)
    for field, value in {"number": "JK-2024-051", "title": "非法捕捞水产品", "source_organ": "常州经开区人民法院",
                         "legal_basis": "《生态环境损害赔偿管理规定》", "party_name": "王某", "opened_on": "2024-06-10",
                         "decided_on": "2024-07-01", "head_service_loss": "588"}.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_place", str(city["a"].pk))
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("h1:has-text('JK-2024-051')")
    page.select_option("#stage-next", "restoration")
    page.fill("#stage-on", "2024-07-02")
    page.click("button:has-text('推进')")
    page.wait_for_selector("#stage:has-text('修复或赔偿')")
    return page.url


def _prosecutor_converts(page: Any, zones: dict[str, Any]) -> None:
    """¥88 to four hours of labour (22 元/h), ¥500 to 1,000 fish at ¥0.50, a shift booked now."""
    page.fill("#amount", "88")
    page.check("input[name=consent]")
    page.fill("#hardship", "低保家庭证明")
    page.fill("#due_on", "2024-12-31")
    page.click("button:has-text('折算')")
    page.wait_for_selector("#money-owed:has-text('500.00')")
    page.select_option("#work-kind", "fish")
    page.select_option("#work-zone", str(zones["planting"].pk))
    page.fill("#work-quantity", "1000")
    page.fill("#work-unit", "0.5")
    page.fill("#work-due", "2024-12-31")
    page.click("form[action$='/work/'] button")
    page.wait_for_selector("#money-owed:has-text('0.00')")
    start = timezone.localtime() - dt.timedelta(minutes=10)
    page.select_option("#book-zone", str(zones["labour"].pk))
    page.fill("#book-start", start.strftime("%Y-%m-%dT%H:%M"))
    page.click("button:has-text('预约')")
    page.wait_for_selector("text=已预约")
    _in_chinese(page)
    _sign_out(page)


def _supervisor_delivers(page: Any, url: str) -> None:
    page.goto(f"{url}/ecorestore/deliveries/")
    _in_chinese(page)
    fits(page)
    page.fill("#deliver-quantity", "1000")
    page.fill("#deliver-on", "2024-10-15")
    page.click("#deliver")
    page.wait_for_selector("text=增殖放流鱼苗 × 1000")


def _supervisor_checks_in(page: Any, url: str, shift_pk: int) -> None:
    page.context.set_geolocation({"latitude": OUTSIDE[0], "longitude": OUTSIDE[1]})
    page.goto(f"{url}/ecorestore/shifts/{shift_pk}/")
    _in_chinese(page)
    fits(page)
    page.click("#check-in")
    page.wait_for_selector("#error-location")
    assert "不在功能区内" in page.inner_text("#error-location")
    fits(page)
    page.context.set_geolocation({"latitude": INSIDE[0], "longitude": INSIDE[1]})
    page.set_input_files("#check-in-photo", {"name": "site.png", "mimeType": "image/png", "buffer": PNG})
    page.click("#check-in")
    page.wait_for_selector("#shift-state:has-text('已签到')")
    assert page.is_visible("#check-in-photo-link")


def test_a_case_from_judgement_to_certificate_with_a_phone_check_in_and_works_in_kind(
        live_server: Any, browser: Any, city: dict[str, Any], make_user: Any) -> None:
    from conftest import new_page
    from longcheng.modules.ecorestore.models import Shift, Work

    make_rates()
    zones = make_base(city)
    make_user("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    make_user("supervisor", {"ecorestore_supervisor": [zones["labour"].place, zones["planting"].place]})
    url = live_server.url
    desk = new_page(browser)
    case_url = _prosecutor_opens(desk, url, city)
    _prosecutor_converts(desk, zones)

    phone = new_page(browser, PHONE)
    phone.context.grant_permissions(["geolocation"], origin=url)
    _sign_in(phone, url, "supervisor")
    _supervisor_delivers(phone, url)
    assert Work.objects.get().state == "complete"
    shift = Shift.objects.get()
    _supervisor_checks_in(phone, url, shift.pk)
    assert Shift.objects.get().state == "checked_in"
    # Four hours pass on site.
    now = timezone.now()
    Shift.objects.filter(pk=shift.pk).update(starts_at=now - dt.timedelta(hours=4), ends_at=now,
                                             checked_in_at=now - dt.timedelta(hours=4))
    phone.click("#check-out")
    phone.wait_for_selector("#sign-off")
    phone.click("#sign-off")
    phone.wait_for_selector("#shift-state:has-text('已核验')")
    fits(phone)

    _sign_in(desk, url, "prosecutor")
    desk.goto(case_url)
    _in_chinese(desk)
    assert desk.is_visible(f"#photos-{shift.pk} a:has-text('签到照片')")
    desk.click("#certify")
    desk.wait_for_selector("#certificate")
    desk.click("#certificate")
    _in_chinese(desk)
    assert desk.inner_text("#sent-to") == "常州经开区人民法院"
