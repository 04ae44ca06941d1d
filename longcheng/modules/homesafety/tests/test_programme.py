"""Enrolment from a survey list, installation work orders, and wristband features."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError

from .. import actions
from ..enrolment import import_survey, read_table
from ..ingest import Incoming, ingest
from ..models import Device, Enrollee, KitItem, KitStatus, OrderStatus, WorkOrder
from .conftest import raw


@pytest.fixture
def residents(world: Any, rid: Any) -> list[Any]:
    from longcheng.kernel.people.models import Resident

    return [Resident.objects.create(resident_id=rid(birth="19400101", seq=10 + i * 2), name=name, gender="M",
                                    birth_date="1940-01-01", place=world["city"]["a"])
            for i, name in enumerate(["张建国", "刘桂兰", "陈志强"])]


@pytest.fixture
def manager(world: Any, make_user: Any) -> Any:
    return make_user("mgr", {"homesafety_manager": [world["city"]["yaoguan"]]})


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(["身份证号,姓名,独居,健康状况,风险,设备", *lines]) + "\n").encode("utf-8-sig")


def test_a_clean_survey_list_enrols_everyone_with_a_kit_plan(residents: list[Any], manager: Any) -> None:
    content = _csv([f"{r.resident_id},{r.name},是,高血压,高,手环、烟感" for r in residents])
    report = import_survey(read_table("survey.csv", content), acting_user=manager)
    assert report.imported == 3 and report.problems == []
    enrollee = Enrollee.objects.get(person=residents[0])
    assert enrollee.lives_alone and enrollee.risk == "high" and enrollee.conditions == "高血压"
    assert sorted(enrollee.kit.values_list("kind", flat=True)) == ["smoke", "wristband"]
    assert AuditEntry.objects.filter(action="homesafety.enrol").count() == 3


def test_one_bad_row_means_nothing_is_imported_and_each_problem_is_named(residents: list[Any], manager: Any) -> None:
    good = residents[0]
    content = _csv([
        f"{good.resident_id},{good.name},是,,中,手环",
        "320412194001010010,某人,否,,中,手环",  # wrong check character
        f"{residents[1].resident_id},王五,否,,中,手环",  # name does not match
        f"{residents[2].resident_id},{residents[2].name},否,,极高,对讲机",  # bad risk and device
        f"{good.resident_id},{good.name},是,,中,手环",  # twice in the file
    ])
    report = import_survey(read_table("survey.csv", content), acting_user=manager)
    assert report.imported == 0 and not Enrollee.objects.filter(person__in=residents).exists()
    named = {(p.line, p.field) for p in report.problems}
    assert {(3, "身份证号"), (4, "姓名"), (5, "风险"), (5, "设备"), (6, "身份证号")} <= named
    assert not KitItem.objects.exists()


def test_skipping_bad_rows_imports_the_good_ones_whole(residents: list[Any], manager: Any) -> None:
    content = _csv([f"{residents[0].resident_id},{residents[0].name},是,,中,手环",
                    f"{residents[1].resident_id},错名,否,,中,手环"])
    report = import_survey(read_table("survey.csv", content), acting_user=manager, skip_bad=True)
    assert report.imported == 1 and report.bad_lines == 1
    assert Enrollee.objects.filter(person=residents[0]).exists()
    assert not Enrollee.objects.filter(person=residents[1]).exists()


def test_an_xlsx_survey_list_is_read_too(residents: list[Any], manager: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["身份证号", "姓名", "风险", "设备"])
    sheet.append([residents[0].resident_id, residents[0].name, "低", "手环"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_survey(read_table("survey.xlsx", buffer.getvalue()), acting_user=manager)
    assert report.imported == 1


def test_a_file_without_the_id_column_is_refused(manager: Any) -> None:
    with pytest.raises(KernelError) as info:
        read_table("survey.csv", "姓名\n张三\n".encode())
    assert info.value.field == "file"


def test_an_operator_cannot_import(residents: list[Any], world: Any) -> None:
    content = _csv([f"{residents[0].resident_id},{residents[0].name},是,,中,手环"])
    with pytest.raises(KernelError):
        import_survey(read_table("survey.csv", content), acting_user=world["operator"])
    assert not Enrollee.objects.filter(person=residents[0]).exists()


def test_the_import_page_lists_bad_rows_in_chinese(residents: list[Any], manager: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(manager)
    upload = SimpleUploadedFile("survey.csv", _csv([f"{residents[0].resident_id},错名,是,,中,手环"]))
    response = client.post("/homesafety/import/", {"file": upload})
    assert response.status_code == 400 and "姓名与登记的居民不符" in response.content.decode()


def test_an_installation_is_done_when_the_devices_first_speak(residents: list[Any], manager: Any, make_user: Any,
                                                              world: Any) -> None:
    installer = make_user("inst", {"homesafety_installer": [world["city"]["a"]]})
    import_survey(read_table("s.csv", _csv([f"{residents[0].resident_id},{residents[0].name},是,,中,手环,"])),
                  acting_user=manager)
    enrollee = Enrollee.objects.get(person=residents[0])
    order = actions.do_schedule_installation(enrollee, installer=installer, on="2026-11-24", acting_user=manager)
    with pytest.raises(KernelError) as info:
        actions.do_complete_installation(order.pk, serials={}, acting_user=installer)
    assert info.value.field == "serial_wristband" and not Device.objects.filter(enrollee=enrollee).exists()
    order = actions.do_complete_installation(order.pk, serials={"wristband": "WB-NEW-1"}, acting_user=installer)
    assert order.status == OrderStatus.AWAITING_SIGNAL
    ingest([Incoming(raw(device="WB-NEW-1", hr=70))], source="mqtt")
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE and order.done_at is not None
    assert KitItem.objects.get(enrollee=enrollee).status == KitStatus.INSTALLED


def test_a_failed_visit_needs_a_reason(world: Any, make_user: Any, manager: Any) -> None:
    installer = make_user("inst", {"homesafety_installer": [world["city"]["a"]]})
    order = WorkOrder.objects.create(enrollee=world["enrollee"], installer=installer, scheduled_for="2026-11-24")
    with pytest.raises(KernelError):
        actions.do_fail_installation(order.pk, reason=" ", acting_user=installer)
    order = actions.do_fail_installation(order.pk, reason="家中无人", acting_user=installer)
    assert order.status == OrderStatus.FAILED and order.failure_reason == "家中无人"


def test_calling_is_off_until_a_consented_request_is_approved(world: Any) -> None:
    band = world["band"]
    assert not band.calling_enabled and not band.payment_enabled
    with pytest.raises(KernelError) as info:
        actions.do_request_feature(band, feature="calling", enable=True, requested_by="李梅", family_consent=False,
                                   acting_user=world["worker"])
    assert info.value.field == "family_consent"
    request = actions.do_request_feature(band, feature="calling", enable=True, requested_by="李梅",
                                         family_consent=True, acting_user=world["operator"])
    band.refresh_from_db()
    assert not band.calling_enabled  # a request alone changes nothing
    actions.do_decide_feature(request.pk, approve=True, acting_user=world["worker"])
    band.refresh_from_db()
    assert band.calling_enabled and not band.payment_enabled
    entry = AuditEntry.objects.get(action="homesafety.feature.decide")
    assert entry.before == {"payment_enabled": False, "calling_enabled": False}
    with pytest.raises(KernelError):
        actions.do_decide_feature(request.pk, approve=False, acting_user=world["worker"])
    # Reversible: turning it off again is another request.
    off = actions.do_request_feature(band, feature="calling", enable=False, requested_by="李梅", family_consent=False,
                                     acting_user=world["operator"])
    actions.do_decide_feature(off.pk, approve=True, acting_user=world["worker"])
    band.refresh_from_db()
    assert not band.calling_enabled


def test_a_manager_sets_the_safe_zone_and_quiet_hours_on_the_page(world: Any, manager: Any) -> None:
    client = Client()
    client.force_login(manager)
    url = f"/homesafety/persons/{world['enrollee'].pk}/"
    assert "安全区域" in client.get(url).content.decode()
    bad = client.post(url + "safety/", {"radius_m": "5", "quiet_start": "22:00"})
    assert "50" in bad.content.decode()  # the message names the rule
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].safe_zone == {"kind": "circle", "radius_m": 500}
    client.post(url + "safety/", {"radius_m": "800", "quiet_start": "21:30", "quiet_end": "06:30"})
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].safe_zone["radius_m"] == 800 and str(world["enrollee"].quiet_start) == "21:30:00"
    assert AuditEntry.objects.filter(action="homesafety.enrollee.update").count() == 1


def test_an_operator_cannot_change_the_safe_zone(world: Any) -> None:
    with pytest.raises(KernelError):
        actions.do_update_safety(world["enrollee"].pk, radius_m=900, acting_user=world["operator"])
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].safe_zone["radius_m"] == 500


def test_calling_is_requested_and_approved_on_the_page(world: Any) -> None:
    url = f"/homesafety/persons/{world['enrollee'].pk}/"
    operator = Client()
    operator.force_login(world["operator"])
    operator.post(url + "request/", {"device": world["band"].pk, "feature": "calling", "enable": "on",
                        "requested_by": "李梅"})  # no consent ticked: refused
    assert not world["band"].feature_requests.exists()
    operator.post(url + "request/", {"device": world["band"].pk, "feature": "calling", "enable": "on",
                        "requested_by": "李梅", "family_consent": "on"})
    request = world["band"].feature_requests.get()
    worker = Client()
    worker.force_login(world["worker"])
    assert "李梅" in worker.get("/homesafety/requests/").content.decode()
    assert worker.post(f"/homesafety/requests/{request.pk}/approve/").status_code == 302
    world["band"].refresh_from_db()
    assert world["band"].calling_enabled


def test_a_manager_sets_a_persons_heart_rate_bound_and_the_rules_use_it(world: Any, manager: Any) -> None:
    from ..models import Alarm
    from .conftest import msg

    url = f"/homesafety/persons/{world['enrollee'].pk}/"
    client = Client()
    client.force_login(manager)
    # 105 is normal by the wristband's default (upper bound 120): nothing raised.
    ingest([Incoming(payload=msg(hr=105)) for _ in range(3)], source="http")
    assert not Alarm.objects.filter(kind="heart_rate").exists()
    client.post(url + "thresholds/", {"hr_low": "", "hr_high": "100", "temp_high": "", "no_move_hours": ""})
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].rule_overrides == {"hr_high": 100}
    assert AuditEntry.objects.filter(action="homesafety.enrollee.thresholds").count() == 1
    ingest([Incoming(payload=msg(hr=105)) for _ in range(3)], source="http")
    assert Alarm.objects.filter(kind="heart_rate", is_open=True).count() == 1


@pytest.mark.usefixtures("english")
def test_a_threshold_out_of_range_is_refused_naming_the_field_and_nothing_changes(world: Any, manager: Any) -> None:
    with pytest.raises(KernelError) as info:
        actions.do_update_thresholds(world["enrollee"].pk, {"hr_high": "100", "temp_high": "45"}, acting_user=manager)
    assert info.value.field == "temp_high" and "from 37.0 to 40.0" in str(info.value.message)
    with pytest.raises(KernelError) as info:
        actions.do_update_thresholds(world["enrollee"].pk, {"hr_low": "很低"}, acting_user=manager)
    assert info.value.field == "hr_low"
    with pytest.raises(KernelError):
        actions.do_update_thresholds(world["enrollee"].pk, {"hr_high": "100"}, acting_user=world["operator"])
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].rule_overrides == {}
    assert not AuditEntry.objects.filter(action="homesafety.enrollee.thresholds").exists()


def test_a_safe_zone_outline_is_entered_as_corners_and_a_bad_corner_changes_nothing(world: Any, manager: Any) -> None:
    url = f"/homesafety/persons/{world['enrollee'].pk}/"
    client = Client()
    client.force_login(manager)
    bad = client.post(url + "safety/", {"polygon": "31.72, 120.06\n31.73\n31.73, 120.07"})
    assert "一个角" in bad.content.decode() or "corner" in bad.content.decode()
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].safe_zone == {"kind": "circle", "radius_m": 500}
    client.post(url + "safety/", {"polygon": "31.720, 120.060\n31.730，120.060\n31.730 120.075\n\n31.720, 120.075"})
    world["enrollee"].refresh_from_db()
    assert world["enrollee"].safe_zone == {"kind": "polygon", "points": [[31.72, 120.06], [31.73, 120.06],
                                                                        [31.73, 120.075], [31.72, 120.075]]}
    page = client.get(url).content.decode()
    assert "31.73, 120.075" in page


def test_a_serial_longer_than_the_column_is_refused_and_nothing_bound(residents: list[Any], manager: Any,
                                                                     make_user: Any, world: Any) -> None:
    # Longer than the 40-character column: a refusal naming the field, not a database error.
    installer = make_user("inst", {"homesafety_installer": [world["city"]["a"]]})
    import_survey(read_table("s.csv", _csv([f"{residents[0].resident_id},{residents[0].name},是,,中,手环,"])),
                  acting_user=manager)
    enrollee = Enrollee.objects.get(person=residents[0])
    order = actions.do_schedule_installation(enrollee, installer=installer, on="2026-11-24", acting_user=manager)
    with pytest.raises(KernelError) as info:
        actions.do_complete_installation(order.pk, serials={"wristband": "W" * 41}, acting_user=installer)
    assert info.value.field == "serial_wristband"
    assert not Device.objects.filter(enrollee=enrollee).exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and KitItem.objects.get(enrollee=enrollee).device_id is None


def test_the_survey_import_enrols_through_do_enrol(residents: list[Any], manager: Any) -> None:
    # One enrolment path: the import's audit rows are do_enrol's, with the kit and the source.
    from longcheng.kernel.audit.models import AuditEntry

    import_survey(read_table("s.csv", _csv([f"{residents[0].resident_id},{residents[0].name},是,,高,手环、烟感,"])),
                  acting_user=manager)
    enrollee = Enrollee.objects.get(person=residents[0])
    entry = AuditEntry.objects.get(action="homesafety.enrol")
    assert entry.after == {"person": residents[0].pk, "risk": "high", "kit": ["wristband", "smoke"],
                           "source": "survey import"}
    assert sorted(KitItem.objects.filter(enrollee=enrollee).values_list("kind", flat=True)) == ["smoke", "wristband"]
    with pytest.raises(KernelError) as info:
        actions.do_enrol(residents[0], acting_user=manager)
    assert info.value.field == "person"
    with pytest.raises(KernelError) as info:
        actions.do_enrol(residents[1], acting_user=manager, kit=["toaster"])
    assert info.value.field == "kit" and not Enrollee.objects.filter(person=residents[1]).exists()
