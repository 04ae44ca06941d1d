"""On a 390 × 844 phone, wide pages stay within the screen: the account links wrap onto their own
row and a wide table scrolls inside itself (the shared stylesheet), so nobody has to pan the page
to read a heading or reach a button."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.service]

PAGES = ["/", "/residents/", "/audit/", "/rights/retention/", "/remediation/islands/"]


def test_wide_pages_fit_a_phone_screen(live_server: Any, browser_page: Any, make_user: Any, rid: Any,
                                       city: dict[str, Any]) -> None:
    from django.db import transaction

    from longcheng.kernel.audit.actions import record
    from longcheng.kernel.people.models import Resident

    admin = make_user("admin", {"city_admin": [city["root"]], "remediation_office": [city["root"]]})
    # Long values in wide tables: what made pages scroll sideways before.
    person = Resident.objects.create(resident_id=rid(seq=7), name="欧阳·长名字测试居民", gender="F",
                                     birth_date="1950-01-01", place=city["a"],
                                     address="常州市武进区遥观镇上书房社区某某路一百二十三号五幢二单元六零一室")
    with transaction.atomic():
        for n in range(5):
            record(admin, "people.update", person, before={"address": "旧地址" * 8},
                   after={"address": f"新地址{n}" * 8})
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    wide = {}
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}, f"pages wider than the phone: {wide}"
