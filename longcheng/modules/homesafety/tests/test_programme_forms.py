"""Issue 12: the programme's pages are Django forms, one url per step. A bad value shows the page
again (400) with what was typed and a message naming the field and its rule, and changes nothing;
a good one does the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry

from ..models import Device, Enrollee, FeatureRequest, KitItem, OrderStatus, WorkOrder


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def manager(world: Any, make_user: Any) -> Any:
    return make_user("mgr", {"homesafety_manager": [world["city"]["yaoguan"]]})


@pytest.fixture
def installer(world: Any, make_user: Any) -> Any:
    return make_user("inst", {"homesafety_installer": [world["city"]["a"]]})


@pytest.fixture
def order(world: Any, installer: Any) -> WorkOrder:
    KitItem.objects.create(enrollee=world["enrollee"], kind="wristband")
    KitItem.objects.create(enrollee=world["enrollee"], kind="smoke")
    return WorkOrder.objects.create(enrollee=world["enrollee"], installer=installer, scheduled_for="2026-12-01")


def _person(world: Any) -> dict[str, Any]:
    e = Enrollee.objects.get(pk=world["enrollee"].pk)
    return {"safe_zone": e.safe_zone, "home": (e.home_lat, e.home_lon), "quiet": (e.quiet_start, e.quiet_end),
            "overrides": e.rule_overrides, "audit": AuditEntry.objects.count()}


def _orders() -> list[Any]:
    return [*WorkOrder.objects.order_by("pk").values_list("pk", "status", "failure_reason", "scheduled_for"),
            *KitItem.objects.order_by("pk").values_list("pk", "device_id"), Device.objects.count(),
            AuditEntry.objects.count()]


@pytest.mark.parametrize(("body", "message", "typed"), [
    ({"radius_m": "三百", "quiet_start": "21:30"}, "安全区域半径（米）：", ['value="三百"', 'value="21:30"']),
    ({"radius_m": "800", "quiet_start": "25:99"}, "静默时段开始：", ['value="800"', 'value="25:99"']),
    ({"radius_m": "800", "home_lat": "31.7", "home_lon": ""}, "住址经度：", ['value="31.7"']),
    ({"radius_m": "800", "home_lat": "北纬", "home_lon": "120.1"}, "住址纬度：", ['value="北纬"', 'value="120.1"']),
    ({"radius_m": "5", "quiet_start": "21:30"}, "50", ['value="5"', 'value="21:30"']),  # the action's range
])
def test_a_bad_safety_value_reshows_the_form_and_changes_nothing(world: Any, manager: Any, body: dict[str, str],
                                                                 message: str, typed: list[str]) -> None:
    before = _person(world)
    response = _client(manager).post(f"/homesafety/persons/{world['enrollee'].pk}/safety/", body)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert all(t in page for t in typed), page
    assert _person(world) == before


def test_good_safety_values_are_saved(world: Any, manager: Any) -> None:
    url = f"/homesafety/persons/{world['enrollee'].pk}/safety/"
    response = _client(manager).post(url, {"radius_m": "800", "home_lat": "31.73", "home_lon": "120.07",
                                           "quiet_start": "21:30", "quiet_end": "06:30"})
    assert response.status_code == 302
    after = _person(world)
    assert after["safe_zone"] == {"kind": "circle", "radius_m": 800} and after["home"] == (31.73, 120.07)
    assert after["quiet"] == (dt.time(21, 30), dt.time(6, 30))


def test_a_bad_safety_value_is_named_in_english_too(world: Any, manager: Any) -> None:
    client = _client(manager)
    client.cookies["django_language"] = "en"
    response = client.post(f"/homesafety/persons/{world['enrollee'].pk}/safety/", {"radius_m": "abc"})
    assert response.status_code == 400 and "Safe zone radius (m): Enter a whole number." in response.content.decode()


def test_a_bad_threshold_reshows_the_form_and_changes_nothing(world: Any, manager: Any) -> None:
    url = f"/homesafety/persons/{world['enrollee'].pk}/thresholds/"
    before = _person(world)
    for body, message in (({"hr_high": "100", "hr_low": "55.5"}, "心率下限（次/分）："),
                          ({"hr_high": "100", "temp_high": "很高"}, "体温告警阈值（°C）："),
                          ({"hr_high": "100", "temp_high": "45"}, "37.0")):  # the action's range
        response = _client(manager).post(url, body)
        page = response.content.decode()
        assert response.status_code == 400 and message in page, body
        assert all(f'value="{v}"' in page for v in body.values()), body
        assert _person(world) == before
    assert _client(manager).post(url, {"hr_high": "100", "temp_high": "38.5"}).status_code == 302
    assert _person(world)["overrides"] == {"hr_high": 100, "temp_high": 38.5, "temp_clear": 38.2}


def test_a_bad_feature_request_reshows_the_form_and_records_nothing(world: Any) -> None:
    url = f"/homesafety/persons/{world['enrollee'].pk}/request/"
    client = _client(world["operator"])
    good = {"device": str(world["band"].pk), "feature": "payment", "enable": "on", "requested_by": "李梅",
            "family_consent": "on"}
    for bad, message in (({"device": str(world["smoke"].pk)}, "设备：请选择手环。"),  # not a wristband
                         ({"feature": "radio"}, "功能："),
                         ({"requested_by": "李" * 51}, "申请人："),
                         ({"family_consent": ""}, "须经家属同意")):  # the action's rule
        response = client.post(url, {**good, **bad})
        page = response.content.decode()
        assert response.status_code == 400 and message in page, bad
        assert 'value="李' in page and "checked" in page, bad
        assert not FeatureRequest.objects.exists()
    assert client.post(url, good).status_code == 302
    request = FeatureRequest.objects.get()
    assert (request.feature, request.enable, request.family_consent) == ("payment", True, True)


def test_a_decided_request_cannot_be_decided_again_and_nothing_changes(world: Any) -> None:
    request = FeatureRequest.objects.create(device=world["band"], feature="calling", enable=True,
                                            requested_by="李梅", family_consent=True)
    client = _client(world["worker"])
    assert client.post(f"/homesafety/requests/{request.pk}/reject/").status_code == 302
    request.refresh_from_db()
    assert request.status == "rejected"
    response = client.post(f"/homesafety/requests/{request.pk}/approve/")
    assert response.status_code == 409 and "此申请已处理" in response.content.decode()
    request.refresh_from_db()
    world["band"].refresh_from_db()
    assert request.status == "rejected" and not world["band"].calling_enabled
    assert client.get(f"/homesafety/requests/{request.pk}/approve/").status_code == 405


def test_a_bad_schedule_reshows_the_form_and_creates_no_order(world: Any, manager: Any, installer: Any) -> None:
    KitItem.objects.create(enrollee=world["enrollee"], kind="wristband")
    client = _client(manager)
    good = {"enrollee": str(world["enrollee"].pk), "installer": str(installer.pk), "scheduled_for": "2026-12-03"}
    for bad, message in (({"scheduled_for": "明天"}, "日期："), ({"installer": "0"}, "安装员：请选择安装员。"),
                         ({"enrollee": ""}, "服务对象：请选择服务对象。")):
        response = client.post("/homesafety/workorders/schedule/", {**good, **bad})
        page = response.content.decode()
        assert response.status_code == 400 and message in page, bad
        assert f'value="{installer.pk}" selected' in page or "installer" in bad, bad
        assert not WorkOrder.objects.exists()
    assert 'value="明天"' in client.post("/homesafety/workorders/schedule/",
                                       {**good, "scheduled_for": "明天"}).content.decode()
    assert client.post("/homesafety/workorders/schedule/", good).status_code == 302
    created = WorkOrder.objects.get()
    assert (created.installer, created.scheduled_for) == (installer, dt.date(2026, 12, 3))


def test_a_bad_binding_reshows_the_row_with_the_serials_and_binds_nothing(world: Any, order: WorkOrder,
                                                                           installer: Any) -> None:
    url = f"/homesafety/workorders/{order.pk}/bind/"
    client = _client(installer)
    before = _orders()
    for body, message in (({"serial_wristband": "WB-NEW", "serial_smoke": "S" * 41}, "40"),
                          ({"serial_wristband": "WB-NEW", "serial_smoke": ""}, "序列号"),  # the action's rule
                          ({"serial_wristband": "WB-1", "serial_smoke": "SM-NEW"}, "已登记")):  # taken
        response = client.post(url, body)
        page = response.content.decode()
        assert response.status_code in (400, 409) and message in page, (body, page)
        assert all(f'value="{v}"' in page for v in body.values() if v), body
        assert _orders() == before
    assert client.post(url, {"serial_wristband": "WB-NEW", "serial_smoke": "SM-NEW"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SIGNAL
    assert set(Device.objects.filter(enrollee=world["enrollee"]).values_list("serial", flat=True)) >= {"WB-NEW",
                                                                                                       "SM-NEW"}


def test_a_failed_visit_without_a_reason_reshows_the_form_and_changes_nothing(order: WorkOrder,
                                                                               installer: Any) -> None:
    url = f"/homesafety/workorders/{order.pk}/fail/"
    client = _client(installer)
    before = _orders()
    for body, message in (({"reason": "  "}, "请说明安装失败的原因"), ({"reason": "无" * 201}, "失败原因：")):
        response = client.post(url, body)
        assert response.status_code == 400 and message in response.content.decode(), body
        assert _orders() == before
    assert 'value="' + "无" * 201 + '"' in client.post(url, {"reason": "无" * 201}).content.decode()
    assert client.post(url, {"reason": "家中无人"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (OrderStatus.FAILED, "家中无人")


def test_an_import_without_a_file_is_named_and_keeps_the_choice(manager: Any) -> None:
    client = _client(manager)
    response = client.post("/homesafety/import/", {"skip_bad": "on"})
    page = response.content.decode()
    assert response.status_code == 400 and "文件：请选择要上传的文件。" in page
    assert 'name="skip_bad" checked' in page
    response = client.post("/homesafety/import/")  # nothing at all: the same refusal, not "form not valid"
    assert response.status_code == 400 and "文件：请选择要上传的文件。" in response.content.decode()
    big = SimpleUploadedFile("survey.csv", b"x" * (5 * 1024 * 1024 + 1))
    response = client.post("/homesafety/import/", {"file": big})
    assert response.status_code == 400 and "文件：文件超过 5 MB。" in response.content.decode()
    assert not AuditEntry.objects.filter(action="homesafety.enrol").exists()


def test_a_good_import_enrols(world: Any, manager: Any, rid: Any) -> None:
    from longcheng.kernel.people.models import Resident

    person = Resident.objects.create(resident_id=rid(birth="19400101", seq=10), name="张建国", gender="M",
                                     birth_date="1940-01-01", place=world["city"]["a"])
    content = f"身份证号,姓名,风险,设备\n{person.resident_id},张建国,高,手环\n".encode("utf-8-sig")
    response = _client(manager).post("/homesafety/import/", {"file": SimpleUploadedFile("s.csv", content)})
    assert response.status_code == 200
    assert Enrollee.objects.get(person=person).risk == "high"
