"""Running the platform in a browser: the city administrator takes on a community worker, the worker
signs in, sets their own password and sees only their community; a district administrator is
refused a grant outside the district."""

from __future__ import annotations

import os
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.service]


def _sign_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _sign_out(page: Any) -> None:
    page.click("header form.inline button")
    page.wait_for_load_state()


def test_city_admin_onboards_a_worker_and_a_district_admin_is_held_to_the_district(
        live_server: Any, browser_page: Any, city: Any, make_user: Any, rid: Any) -> None:
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.people.models import Resident

    page, url = browser_page, live_server.url
    Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                            place=city["a"])
    Resident.objects.create(resident_id=rid(seq=4), name="李桂兰", gender="F", birth_date="1950-01-01",
                            place=city["b"])
    make_user("cityadmin", {"city_admin": [city["root"]]}, display_name="市平台管理员")
    make_user("wujin_admin", {"district_admin": [city["wujin"]]}, place=city["wujin"], display_name="武进区管理员")
    a_label = f"常州市 / 武进区 / 遥观镇 / 上书房社区 ({city['a'].code})"

    _sign_in(page, url, "cityadmin", "pw-cityadmin")
    page.click("nav.main >> text=人员与角色")
    page.wait_for_selector("h1:has-text('人员与角色')")
    page.click("text=新建账号")
    # The chooser lists every place by its whole path.
    assert page.locator(f"#place-choices option[value='{a_label}']").count() == 1
    page.fill("#id_username", "xiaozhang")
    page.fill("#id_display_name", "社区工作者小张")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_place", a_label)
    page.fill("#id_password", "Initial-2026-pw")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('社区工作者小张')")
    page.select_option("#id_role", "community_worker")
    page.fill("#id_places", a_label)
    page.fill("#id_reason", "新入职")
    page.click("button[name=grant]")
    page.wait_for_selector(".flash")
    assert "角色已授予" in page.locator(".flash").inner_text()
    assert "上书房社区" in page.locator("table").first.inner_text()
    _sign_out(page)

    _sign_in(page, url, "xiaozhang", "Initial-2026-pw")
    assert page.url.endswith("/access/password/")  # nothing else before a password of one's own
    page.fill("#id_old_password", "Initial-2026-pw")
    page.fill("#id_new_password1", "Mine-2026-secret")
    page.fill("#id_new_password2", "Mine-2026-secret")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "工作台"
    assert "人员与角色" not in page.locator("nav.main").inner_text()
    page.click("nav.main >> text=居民")
    page.wait_for_selector("table")
    table = page.locator("table").inner_text()
    assert "王秀英" in table and "李桂兰" not in table
    _sign_out(page)

    worker = User.objects.get(username="xiaozhang")
    assert worker.check_password("Mine-2026-secret") and not worker.must_change_password
    _sign_in(page, url, "wujin_admin", "pw-wujin_admin")
    page.goto(f"{url}/access/staff/{worker.pk}/")
    page.select_option("#id_role", "community_worker")
    page.fill("#id_places", f"溧城街道 ({city['liyang_town'].code})")
    page.fill("#id_reason", "越权尝试")
    page.click("button[name=grant]")
    page.wait_for_selector(".errorlist")
    assert "不在您管理的地区范围内" in page.locator(".errorlist").inner_text()
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/staff-refused.png", full_page=True)
    assert list(RoleAssignment.objects.get(user=worker).places.values_list("code", flat=True)) == [city["a"].code]


def test_a_privacy_officer_enrols_an_authenticator_at_first_sign_in(
        live_server: Any, browser_page: Any, city: Any, make_user: Any) -> None:
    import base64

    from django_otp.oath import totp

    page, url = browser_page, live_server.url
    make_user("pio", {"privacy_officer": [city["a"]]}, two_factor_exempt=False)
    _sign_in(page, url, "pio", "pw-pio")
    assert page.url.endswith("/access/two-factor/setup/")
    assert page.locator(".qr svg").count() == 1
    key = page.locator("#totp-key").inner_text().strip()
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/two-factor-setup.png", full_page=True)
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    page.fill("#id_token", f"{totp(secret):06d}")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "工作台"
    page.goto(f"{url}/residents/")
    assert page.url.endswith("/residents/")


def test_the_privacy_officer_answers_an_access_request_with_the_generated_report(
        live_server: Any, browser_page: Any, city: Any, make_user: Any, rid: Any) -> None:
    import io

    from openpyxl import load_workbook

    from longcheng.kernel.people.models import Resident
    from longcheng.kernel.rights.models import SubjectRequest

    page, url = browser_page, live_server.url
    person = Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                                     place=city["a"], phone="13800138000")
    make_user("worker", {"community_worker": [city["a"]]})
    make_user("pio_wujin", {"privacy_officer": [city["wujin"]]}, display_name="武进区个人信息保护负责人")
    _sign_in(page, url, "pio_wujin", "pw-pio_wujin")
    page.goto(f"{url}/residents/{person.pk}/")
    who = page.locator("table.who-can-see").inner_text()
    assert "worker" in who and "pio_wujin" in who
    page.click("text=登记个人信息权利请求")
    page.select_option("#id_kind", "access")
    page.fill("#id_requester_name", "王秀英")
    page.select_option("#id_identity_check", "id_card")
    page.fill("#id_identity_note", "身份证 尾号 0038 当面核验")
    page.click("button[type=submit]")
    page.wait_for_selector(".flash")
    assert "答复期限" in page.locator(".flash").inner_text()
    page.click("nav.main >> text=个人信息权利请求")
    page.wait_for_selector("table")
    assert "王秀英" in page.locator("table").inner_text()
    page.click("table >> a")
    with page.expect_download() as download:
        page.click("button[value=xlsx]")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    cells = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    assert "13800138000" in cells and person.resident_id in cells
    request = SubjectRequest.objects.get(person=person)
    assert request.status == "answered" and request.identity_check == "id_card"
    page.reload()
    assert "已答复" in page.locator("h1").inner_text()
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/data-request-answered.png", full_page=True)
