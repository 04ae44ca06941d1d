"""PIPL data-subject requests, who can see a person, and retention, across the kernel and the three
services (a top-level test: it builds each module's records, which the kernel's own tests cannot import)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn import uscc

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import NotFound
from longcheng.kernel.ledger.actions import do_create_fund, do_post_entry, external_account, fund_account
from longcheng.kernel.ledger.models import Posting
from longcheng.kernel.notify.models import Message
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.people.models import Consent, Resident
from longcheng.kernel.rights import actions
from longcheng.kernel.rights.models import RequestStatus, RetentionRun, SubjectRequest
from longcheng.kernel.rights.retention import run_retention
from longcheng.kernel.rights.who import who_can_see
from longcheng.kernel.workdays.api import add_working_days
from longcheng.modules.homesafety.models import Alarm, DeadLetter, Device, Enrollee, Reading
from longcheng.modules.onestop.models import Case
from longcheng.modules.youthaid.models import Youth

ID_CHECK = {"requester_name": "王秀英", "identity_check": "id_card", "identity_note": "身份证 尾号 003X 当面核验"}


@pytest.fixture
def officer(city: dict[str, Any], make_user: Any) -> User:
    """A privacy officer of 武进区 only."""
    return make_user("po_wujin", {"privacy_officer": [city["wujin"]]})


def _person(city: dict[str, Any], rid: Any, seq: int, place: str = "a", **extra: Any) -> Resident:
    return Resident.objects.create(resident_id=rid(seq=seq), name=f"测试{seq}", gender="F",
                                   birth_date=dt.date(1950, 1, 1), place=city[place], **extra)


def _everywhere(person: Resident, city: dict[str, Any], make_user: Any) -> None:
    """A demo-like resident: enrolled in home safety (a device with a reading and an alarm), a youth
    aid case, and a one-stop case filed through their own account."""
    enrollee = Enrollee.objects.create(person=person, conditions="高血压", lives_alone=True)
    device = Device.objects.create(serial="WB-DSR-1", kind="wristband", enrollee=enrollee)
    now = timezone.now()
    Reading.objects.create(device=device, seq=1, device_time=now, received_at=now, metrics={"hr": 70})
    Alarm.objects.create(enrollee=enrollee, device=device, kind="sos", severity=3, first_seen=now, last_seen=now,
                         raised_at=now, notes="上门查看")
    Youth.objects.create(person=person, health_note="哮喘", school="遥观中学")
    body = "91320412MA1X2Y3KQ"
    firm = Organisation.objects.create(kind="enterprise", name="常州某某有限公司", place=city["yaoguan"],
                                       uscc=body + uscc.calc_check_digit(body))
    account = make_user("applicant_dsr", resident=person, organisation=firm)
    Case.objects.create(service="open_business", enterprise=firm, place=city["yaoguan"], applicant=account,
                        data={"legal_representative": "测试"})


def test_the_access_report_lists_every_module_holding_data(city: Any, rid: Any, make_user: Any, officer: User) -> None:
    person = _person(city, rid, 11)
    _everywhere(person, city, make_user)
    request = actions.do_register_request(person, kind="access", acting_user=officer, **ID_CHECK)
    assert request.due_at == add_working_days(request.received_at, 15)
    parts, _data = actions.do_generate_report(request, fmt="json", acting_user=officer)
    assert [code for code, _label, _s in parts] == ["kernel", "homesafety", "youthaid", "onestop"]
    xlsx = actions.do_generate_report(request, fmt="xlsx", acting_user=officer)[1]
    cells = {str(c.value) for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row if c.value}
    for held in (person.resident_id, "高血压", "WB-DSR-1", "哮喘", "遥观中学", "open_business"):
        assert any(held in c for c in cells), held
    pdf = actions.do_generate_report(request, fmt="pdf", acting_user=officer)[1]
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED and request.closed_by == officer
    reads = AuditEntry.objects.filter(action="rights.report", object_id=str(person.pk), is_read=True)
    assert reads.count() == 3 and reads.first().actor == officer


def test_a_person_known_to_no_module_gets_the_kernel_part_only(city: Any, rid: Any, officer: User) -> None:
    person = _person(city, rid, 12)
    request = actions.do_register_request(person, kind="copy", acting_user=officer, **ID_CHECK)
    parts, _data = actions.do_generate_report(request, fmt="json", acting_user=officer)
    assert [code for code, _label, _s in parts] == ["kernel"]


def test_deletion_is_refused_naming_the_rule_when_retention_keeps_the_data(city: Any, rid: Any, make_user: Any,
                                                                            officer: User) -> None:
    person = _person(city, rid, 13, phone="13800138000")
    Youth.objects.create(person=person, health_note="哮喘")
    request = actions.do_register_request(person, kind="delete", acting_user=officer, **ID_CHECK)
    decided = actions.do_decide_deletion(request, acting_user=officer)
    assert decided.status == RequestStatus.REFUSED
    assert "civil affairs archives" in decided.refusal_rule or "民政" in decided.refusal_rule
    person.refresh_from_db()
    assert (person.name, person.phone, person.resident_id) == ("测试13", "13800138000", rid(seq=13))
    assert Youth.objects.get(person=person).health_note == "哮喘"
    assert AuditEntry.objects.filter(action="rights.refused", object_id=str(request.pk)).count() == 1


def test_deletion_erases_where_no_rule_keeps_the_data(city: Any, rid: Any, officer: User) -> None:
    person = _person(city, rid, 14, phone="13800138000", address="遥观镇人民路1号")
    Consent.objects.create(subject=person, given_by=person, purpose="homesafety", scope="测试",
                           given_at=timezone.now(), recorded_by=officer)
    Message.objects.create(channel="sms", recipient_resident=person, subject="提醒", body="测试", status="sent")
    request = actions.do_register_request(person, kind="delete", acting_user=officer, **ID_CHECK)
    assert actions.do_decide_deletion(request, acting_user=officer).status == RequestStatus.DONE
    person.refresh_from_db()
    assert (person.phone, person.address) == ("", "") and person.name != "测试14"
    assert rid(seq=14) not in (person.resident_id, str(AuditEntry.objects.filter(object_id=str(person.pk)).values()))
    assert not Consent.objects.filter(subject=person).exists() and not Message.objects.filter(
        recipient_resident=person).exists()
    with pytest.raises(actions.RequestClosed):
        actions.do_decide_deletion(request, acting_user=officer)


def _old_posting() -> int:
    fund = do_create_fund(code="dsr-fund", name="测试基金", acting_user=None)
    donors = external_account("dsr-donors", "捐赠人", fund=fund)
    do_post_entry([(donors, -500), (fund_account(fund), 500)], memo="捐赠", kind="donation", acting_user=None,
                  at=timezone.now() - dt.timedelta(days=365 * 40))
    return Posting.objects.count()


def test_retention_keeps_ledger_postings_and_is_idempotent(city: Any, rid: Any, officer: User) -> None:
    postings = _old_posting()
    person = _person(city, rid, 15)
    device = Device.objects.create(serial="WB-OLD", kind="wristband",
                                   enrollee=Enrollee.objects.create(person=person))
    long_ago, now = timezone.now() - dt.timedelta(days=400), timezone.now()
    for seq, at in enumerate([long_ago, long_ago, now]):
        Reading.objects.create(device=device, seq=seq, device_time=at, received_at=at)
    DeadLetter.objects.create(received_at=long_ago, source="http", reason="bad_json", payload="{")
    first = run_retention(batch=1)  # batches of one: the loop must come back for the second reading
    assert first.results["homesafety.readings"]["count"] == 2
    assert first.results["homesafety.dead_letters"]["count"] == 1
    assert first.results["ledger.postings"] == {"module": "kernel", "action": "keep", "count": 0}
    assert list(Reading.objects.values_list("seq", flat=True)) == [2]
    assert Posting.objects.count() == postings and not DeadLetter.objects.exists()
    second = run_retention()
    assert second.total == 0 and RetentionRun.objects.count() == 2
    assert Posting.objects.count() == postings and Reading.objects.count() == 1
    client = Client()
    client.force_login(officer)
    page = client.get("/rights/retention/").content.decode()
    assert "02:30" in page and "homesafety.readings: 2" in page and "会计档案" in page


def test_who_can_see_lists_exactly_the_holders_in_force(city: Any, rid: Any, make_user: Any, officer: User) -> None:
    person = _person(city, rid, 16)
    make_user("cw_a", {"community_worker": [city["a"]]})
    make_user("cw_b", {"community_worker": [city["b"]]})  # beside: no right here
    make_user("case_a", {"youthaid_caseworker": [city["yaoguan"]]})
    ended = make_user("cw_ended", {"community_worker": [city["a"]]})
    RoleAssignment.objects.filter(user=ended).update(ends_at=timezone.now() - dt.timedelta(days=1))
    make_user("cw_left", {"community_worker": [city["a"]]}, is_active=False)
    make_user("po_liyang", {"privacy_officer": [city["liyang"]]})
    held = {right: sorted(h.user.username for h in holders) for right, holders in who_can_see(person).items()}
    assert held["view"] == ["case_a", "cw_a", "po_wujin"]  # case workers hold people.view
    assert held["reveal"] == ["po_wujin"]
    assert held["health"] == ["case_a"] and held["bank"] == ["case_a"]


def test_a_wujin_privacy_officer_cannot_open_a_liyang_request(city: Any, rid: Any, make_user: Any,
                                                              officer: User) -> None:
    liyang_officer = make_user("po_liyang", {"privacy_officer": [city["liyang"]]})
    person = _person(city, rid, 17, place="liyang_town")
    request = actions.do_register_request(person, kind="access", acting_user=liyang_officer, **ID_CHECK)
    with pytest.raises(NotFound):
        actions.do_generate_report(request, fmt="json", acting_user=officer)
    with pytest.raises(NotFound):
        actions.do_register_request(person, kind="access", acting_user=officer, **ID_CHECK)
    client = Client()
    client.force_login(officer)
    assert client.get(f"/rights/requests/{request.pk}/").status_code == 404
    assert client.get(f"/api/v1/rights/requests/{request.pk}").json()["code"] == "not_found"
    assert request.pk not in [r["id"] for r in client.get("/api/v1/rights/requests").json()]
    assert SubjectRequest.objects.get(pk=request.pk).status == RequestStatus.OPEN
    assert not AuditEntry.objects.filter(actor=officer).exists()


def test_the_open_list_marks_overdue_requests(city: Any, rid: Any, officer: User) -> None:
    person = _person(city, rid, 18)
    late = actions.do_register_request(person, kind="correct", acting_user=officer, **ID_CHECK)
    SubjectRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    client = Client()
    client.force_login(officer)
    page = client.get("/rights/requests/").content.decode()
    assert 'class="overdue"' in page
    assert client.get("/api/v1/rights/requests").json()[0]["overdue"] is True
    ct = ContentType.objects.get_for_model(SubjectRequest)
    assert AuditEntry.objects.filter(object_type=ct, action="rights.register").count() == 1
