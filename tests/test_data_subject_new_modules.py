"""The three newer services' part in PIPL data-subject requests and retention: accident quick
handling, restoration by labour and the remediation campaigns each list what they hold about a
resident in the access report, and the retention job removes or anonymises only their expired rows,
once (a top-level test: it builds each module's records, which the kernel's own tests cannot import)."""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn import uscc

from longcheng.kernel.access.models import User
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.people.models import Resident
from longcheng.kernel.rights import actions
from longcheng.kernel.rights.models import RequestStatus
from longcheng.kernel.rights.retention import run_retention
from longcheng.modules.accidents.models import Handoff, Insurer, Party, Photo, Report
from longcheng.modules.ecorestore.models import Case as EcoCase
from longcheng.modules.ecorestore.models import Obligation, Shift
from longcheng.modules.ecorestore.tests.support import make_base
from longcheng.modules.remediation.models import Case as RemCase
from longcheng.modules.remediation.models import Evidence, Plan, Site

ID_CHECK = {"requester_name": "张伟", "identity_check": "id_card", "identity_note": "身份证 尾号 011X 当面核验"}
NOW = timezone.now()
YEARS = dt.timedelta(days=365)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(city: dict[str, Any], make_user: Any) -> User:
    return make_user("po_wujin", {"privacy_officer": [city["wujin"]]})


def _person(city: dict[str, Any], rid: Any, seq: int) -> Resident:
    return Resident.objects.create(resident_id=rid(seq=seq), name=f"测试{seq}", gender="M",
                                   birth_date=dt.date(1980, 1, 1), place=city["a"])


def _report(city: dict[str, Any], code: str, status: str, started: dt.datetime, drivers: list[tuple[User, str]],
            *, photo: bool = False) -> Report:
    report = Report.objects.create(place=city["a"], status=status, pairing_code=code, lat=31.7052, lon=119.9741,
                                   started_at=started, liability_a="full", liability_b="none")
    insurer, _made = Insurer.objects.get_or_create(code="pingan", defaults={"name": "平安财险"})
    for side, (user, licence) in zip("AB", drivers, strict=False):
        party = Party.objects.create(report=report, side=side, user=user, name=f"司机{side}", licence_no=licence,
                                     plate=f"苏D{code[-3:]}{side}", insurer=insurer, loss_fen=150_000)
        if photo:
            shot = Photo(report=report, party=party, shot="plate", sha256=f"{code}{side}".ljust(64, "0"))
            shot.file.save("p.jpg", ContentFile(b"\xff\xd8\xff\xe0" + code.encode()), save=True)
        if status == Report.Status.HANDED_OFF:
            Handoff.objects.create(report=report, party=party, insurer=insurer, claim_no=f"CL-{code}{side}",
                                   sent_at=started)
    return report


def _eco_case(city: dict[str, Any], number: str, party_user: User | None, ended: dt.datetime) -> Shift:
    zones = make_base(city) if not Shift.objects.exists() and not EcoCase.objects.exists() else None
    zone = zones["labour"] if zones else Shift.objects.first().zone  # type: ignore[union-attr]
    case = EcoCase.objects.create(number=number, title="非法捕捞水产品", source="court", source_organ="常州经开区人民法院",
                                  legal_basis="《生态环境损害赔偿管理规定》", place=city["a"], party_name="张某",
                                  party_kind="person", party_user=party_user, stage="restoration",
                                  opened_on=dt.date(2020, 6, 10))
    obligation = Obligation.objects.create(case=case, hours_owed=10, fen_per_hour=2200, rate_from=dt.date(2020, 1, 1),
                                           amount_offset_fen=22_000, hardship_evidence="低保证明", due_on=dt.date(2021, 1, 1))
    return Shift.objects.create(obligation=obligation, zone=zone, starts_at=ended - dt.timedelta(hours=4),
                                ends_at=ended, state="signed", hours_credited=4, check_in_lat=31.762,
                                check_in_lon=120.072)


def _firm(city: dict[str, Any], body: str, name: str, kind: str = "individual") -> Organisation:
    return Organisation.objects.create(kind=kind, name=name, place=city["yaoguan"],
                                       uscc=body + uscc.calc_check_digit(body))


def _rem_case(city: dict[str, Any], firm: Organisation, responsible: str, status: str = "closed",
              closed: dt.datetime | None = None, campaign: str = "wuluan") -> Plan:
    site = Site.objects.create(firm=firm, place=city["a"], address=f"遥观镇{firm.name}厂房")
    case = RemCase.objects.create(campaign=campaign, site=site, firm=firm, place=city["a"], status=status,
                                  opened_at=NOW - 12 * YEARS, closed_at=closed)
    return Plan.objects.create(case=case, remedy="upgrade", lead_agency="ecology", responsible=responsible,
                               created_at=case.opened_at)


def test_the_access_report_lists_the_new_modules_data(city: Any, rid: Any, make_user: Any, officer: User,
                                                      english: Any) -> None:
    person = _person(city, rid, 11)
    shop = _firm(city, "92320412MA1X2Y3KQ", "遥观镇张伟五金加工店")
    account = make_user("citizen_dsr", resident=person, organisation=shop)
    other = make_user("other_driver")
    _report(city, "P00000001", Report.Status.HANDED_OFF, NOW, [(account, person.resident_id), (other, rid(seq=99))],
            photo=True)
    # The other driver reported this one and typed the person's licence number (= ID number).
    _report(city, "P00000002", Report.Status.SUBMITTED, NOW, [(other, rid(seq=99)), (make_user("x"), person.resident_id)])
    _eco_case(city, "JK-2024-001", account, NOW)
    plan = _rem_case(city, shop, person.name, status="planned")
    Evidence.objects.create(case=plan.case, kind="permit", file="remediation/2026/11/permit.pdf", name="排污许可证.pdf",
                            size=1000, uploaded_by=account, uploaded_at=NOW)
    # Someone else of the same name named on another firm's plan is not this person.
    _rem_case(city, _firm(city, "91320412MA1X2Y3KR", "常州某某有限公司", kind="enterprise"), person.name, "planned",
              campaign="fire_door")
    request = actions.do_register_request(person, kind="access", acting_user=officer, **ID_CHECK)
    parts, _data = actions.do_generate_report(request, fmt="json", acting_user=officer)
    codes = [code for code, _label, _s in parts]
    assert {"accidents", "ecorestore", "remediation"} <= set(codes), codes
    sections = {code: {str(s.title): s.rows for s in found} for code, _label, found in parts}
    assert sorted(r[0] for r in sections["accidents"]["Driver's details"]) == sorted(
        Report.objects.values_list("pk", flat=True))
    assert sections["ecorestore"]["Shifts"][0][-4:] == [31.762, 120.072, False, False]  # position, no photos
    assert [r[1] for r in sections["remediation"]["Remediation plans"]] == ["遥观镇张伟五金加工店"]
    assert [r[3] for r in sections["remediation"]["Evidence uploaded"]] == ["排污许可证.pdf"]
    xlsx = actions.do_generate_report(request, fmt="xlsx", acting_user=officer)[1]
    cells = {str(c.value) for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row if c.value}
    for held in ("苏D001A", "CL-P00000001A", "JK-2024-001", "低保证明", "遥观镇张伟五金加工店厂房", "排污许可证.pdf"):
        assert any(held in c for c in cells), held
    assert not any("常州某某有限公司" in c for c in cells)


def test_a_person_in_none_of_them_gets_no_part_from_them(city: Any, rid: Any, make_user: Any, officer: User) -> None:
    person = _person(city, rid, 12)
    _report(city, "P00000003", Report.Status.HANDED_OFF, NOW, [(make_user("d1"), rid(seq=98))])
    request = actions.do_register_request(person, kind="access", acting_user=officer, **ID_CHECK)
    parts, _data = actions.do_generate_report(request, fmt="json", acting_user=officer)
    assert [code for code, _label, _s in parts] == ["kernel"]


def _counts(run: Any) -> dict[str, int]:
    keys = ("accidents.reports", "accidents.abandoned", "ecorestore.check_in_positions", "remediation.plan_responsible")
    return {key: run.results[key]["count"] for key in keys}


def test_retention_removes_only_their_expired_rows_and_is_idempotent(city: Any, rid: Any, make_user: Any,
                                                                     django_capture_on_commit_callbacks: Any) -> None:
    driver = make_user("d_old")
    old = _report(city, "P00000010", Report.Status.HANDED_OFF, NOW - 6 * YEARS, [(driver, rid(seq=21))], photo=True)
    old_file = Photo.objects.get(report=old).file.path
    kept = {_report(city, "P00000011", Report.Status.HANDED_OFF, NOW - 4 * YEARS, [(driver, rid(seq=21))],
                    photo=True).pk,
            _report(city, "P00000013", Report.Status.REFUSED, NOW - dt.timedelta(days=200), [(driver, rid(seq=21))]).pk,
            # Waiting for the officer: someone still has to act, whatever its age.
            _report(city, "P00000014", Report.Status.SUBMITTED, NOW - 10 * YEARS, [(driver, rid(seq=21))]).pk}
    _report(city, "P00000012", Report.Status.PAIRING, NOW - 2 * YEARS, [(driver, rid(seq=21))])
    kept_file = Photo.objects.get(report_id=min(kept)).file.path
    old_shift = _eco_case(city, "JK-2020-001", None, NOW - 4 * YEARS)
    new_shift = _eco_case(city, "JK-2025-001", None, NOW - YEARS)
    old_plan = _rem_case(city, _firm(city, "91320412MA1X2Y3K1", "甲厂", "enterprise"), "王某", closed=NOW - 11 * YEARS)
    new_plan = _rem_case(city, _firm(city, "91320412MA1X2Y3K2", "乙厂", "enterprise"), "李某", closed=NOW - 9 * YEARS)
    open_plan = _rem_case(city, _firm(city, "91320412MA1X2Y3K3", "丙厂", "enterprise"), "赵某", status="planned")
    assert _exists(old_file) and _exists(kept_file)

    with django_capture_on_commit_callbacks(execute=True):
        first = run_retention(batch=1)
    assert _counts(first) == {"accidents.reports": 1, "accidents.abandoned": 1, "ecorestore.check_in_positions": 1,
                              "remediation.plan_responsible": 1}
    assert set(Report.objects.values_list("pk", flat=True)) == kept
    assert not Party.objects.filter(report=old).exists() and not Handoff.objects.filter(report=old).exists()
    assert not _exists(old_file) and _exists(kept_file)
    assert _lat(old_shift) == (None, None) and _lat(new_shift) == (31.762, 120.072)
    assert Shift.objects.get(pk=old_shift.pk).hours_credited == 4  # the shift itself stays
    assert [Plan.objects.get(pk=p.pk).responsible for p in (old_plan, new_plan, open_plan)] == ["—", "李某", "赵某"]

    before = (sorted(Report.objects.values_list("pk", flat=True)), Party.objects.count(), Photo.objects.count(),
              list(Shift.objects.order_by("pk").values_list("check_in_lat", flat=True)),
              list(Plan.objects.order_by("pk").values_list("responsible", flat=True)))
    with django_capture_on_commit_callbacks(execute=True):
        second = run_retention()
    assert set(_counts(second).values()) == {0}
    assert before == (sorted(Report.objects.values_list("pk", flat=True)), Party.objects.count(),
                      Photo.objects.count(), list(Shift.objects.order_by("pk").values_list("check_in_lat", flat=True)),
                      list(Plan.objects.order_by("pk").values_list("responsible", flat=True)))


def _exists(path: str) -> bool:
    return os.path.exists(path)


def _lat(shift: Shift) -> tuple[Any, Any]:
    shift.refresh_from_db()
    return shift.check_in_lat, shift.check_in_lon


def test_deletion_of_a_driver_refused_while_an_agreement_is_kept(city: Any, rid: Any, make_user: Any,
                                                                 officer: User) -> None:
    person = _person(city, rid, 13)
    account = make_user("citizen_13", resident=person)
    report = _report(city, "P00000020", Report.Status.HANDED_OFF, NOW, [(account, person.resident_id)])
    request = actions.do_register_request(person, kind="delete", acting_user=officer, **ID_CHECK)
    decided = actions.do_decide_deletion(request, acting_user=officer)
    assert decided.status == RequestStatus.REFUSED and "民法典" in decided.refusal_rule
    assert Party.objects.filter(report=report, licence_no=person.resident_id).count() == 1


def test_deletion_of_a_driver_removes_a_report_that_came_to_nothing(city: Any, rid: Any, make_user: Any, officer: User,
                                                                    django_capture_on_commit_callbacks: Any) -> None:
    person = _person(city, rid, 14)
    account = make_user("citizen_14", resident=person)
    report = _report(city, "P00000021", Report.Status.PAIRING, NOW, [(account, person.resident_id)], photo=True)
    path = Photo.objects.get(report=report).file.path
    request = actions.do_register_request(person, kind="delete", acting_user=officer, **ID_CHECK)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_decide_deletion(request, acting_user=officer).status == RequestStatus.DONE
    assert not Report.objects.filter(pk=report.pk).exists() and not _exists(path)
