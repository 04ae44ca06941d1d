"""Findings 1, 5 and 8 of the privacy review for youth aid: a reporter acts within their own area and
the report form is no oracle on the registry; an observer sees names masked everywhere and no notes;
the case API gives no birth date beside the masked ID (kernel.privacy, docs/security.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.kernel.people.models import Resident

from .. import actions
from ..models import Report, Youth


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> Client:
    _token, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def wujin_youth(liyang: dict[str, Any], rid: Any) -> Resident:
    return Resident.objects.create(resident_id=rid("320412", "20120606", 71), name="陈小武", gender="M",
                                   birth_date=dt.date(2012, 6, 6), place=liyang["city"]["a"])


def _refusal(liyang: dict[str, Any], person: Resident, name: str) -> dict[str, Any]:
    with pytest.raises(KernelError) as refused:
        actions.do_report(resident_id=person.resident_id, name=name, channel="school", note="父亲去世，家里困难",
                          acting_user=liyang["reporter"], place=liyang["town"])
    return refused.value.as_dict()


def test_a_liyang_reporter_cannot_open_a_case_for_a_wujin_resident(liyang: dict[str, Any],
                                                                   wujin_youth: Resident) -> None:
    audit_rows = AuditEntry.objects.count()
    answer = _refusal(liyang, wujin_youth, "陈小武")
    assert answer["field"] == "resident_id" and answer["code"] == "permission_denied"
    assert not Youth.objects.filter(person=wujin_youth).exists() and not Report.objects.exists()
    assert AuditEntry.objects.count() == audit_rows
    wujin_youth.refresh_from_db()
    assert (wujin_youth.name, wujin_youth.place) == ("陈小武", liyang["city"]["a"])


def test_the_form_answers_the_same_whatever_the_registry_holds_outside_the_area(
        liyang: dict[str, Any], wujin_youth: Resident) -> None:
    right_name = _refusal(liyang, wujin_youth, "陈小武")
    wrong_name = _refusal(liyang, wujin_youth, "张三")
    Resident.objects.filter(pk=wujin_youth.pk).update(died_on=dt.date(2025, 1, 1))
    dead = _refusal(liyang, wujin_youth, "陈小武")
    assert right_name == wrong_name == dead
    for words in ("姓名", "不符", "死亡", "name", "death"):
        assert words not in right_name["message"]


def test_the_api_report_refuses_outside_the_area_with_nothing_written(liyang: dict[str, Any],
                                                                      wujin_youth: Resident) -> None:
    response = _api(liyang["reporter"]).post(
        "/api/v1/youthaid/reports", data=json.dumps({"resident_id": wujin_youth.resident_id, "name": "张三",
                                                    "channel": "school", "note": "父亲去世，家里困难",
                                                    "place_code": liyang["town"].code}),
        content_type="application/json")
    assert response.status_code == 403 and response.json()["field"] == "resident_id"
    assert not Youth.objects.exists()


def test_a_reporter_still_reports_in_their_own_area(liyang: dict[str, Any]) -> None:
    report = actions.do_report(resident_id=liyang["person"].resident_id, name="王小溧", channel="school",
                               note="父亲去世，家里困难", acting_user=liyang["reporter"], place=liyang["town"])
    assert report.youth.person == liyang["person"]


@pytest.fixture
def followed(liyang: dict[str, Any], prepare: Any) -> Youth:
    """王小溧's case under monitoring, with a visit, a hope parent with a contact, and a dream room."""
    youth = prepare(needs="学费困难")
    cw = liyang["caseworker"]
    actions.do_screen(youth, acting_user=cw)
    actions.do_record_visit(youth, visited_on=dt.date.today(), situation="母亲夜班，孩子独自在家", risk="high",
                            acting_user=cw, needs="需要台灯")
    volunteer = actions.do_register_volunteer(name="周慧", phone="13912345678", place=liyang["town"], acting_user=cw)
    actions.do_vet_volunteer(volunteer, status="vetted", note="面谈通过", acting_user=cw)
    pairing = actions.do_pair(volunteer, youth, acting_user=cw)
    actions.do_log_contact(pairing, on=dt.date.today(), kind="visit", note="一起做作业", acting_user=cw)
    actions.do_propose_room(youth, budget_fen=800_000, contractor="溧阳装修队", before_note="墙面潮湿，没有书桌",
                            acting_user=cw)
    return youth


def test_an_observer_sees_youth_and_guardian_names_masked_and_no_notes(liyang: dict[str, Any],
                                                                       followed: Youth) -> None:
    observer = _client(liyang["observer"])
    pages = {url: observer.get(url).content.decode() for url in (
        "/youthaid/rooms/", "/youthaid/volunteers/", f"/youthaid/cases/{followed.pk}/", "/youthaid/cases/")}
    for url, page in pages.items():
        assert "王小溧" not in page and "李秀兰" not in page, url
        for note in ("母亲夜班", "需要台灯", "一起做作业", "墙面潮湿", "学费困难"):
            assert note not in page, (url, note)
    assert "王*溧" in pages["/youthaid/rooms/"] and "王*溧" in pages["/youthaid/volunteers/"]
    assert "李*兰" in pages[f"/youthaid/cases/{followed.pk}/"]  # the guardian's consent, masked
    # Those who serve the youth see them.
    page = _client(liyang["caseworker"]).get(f"/youthaid/cases/{followed.pk}/").content.decode()
    assert "王小溧" in page and "母亲夜班" in page and "李秀兰" in page


def test_the_case_api_gives_the_birth_year_not_the_date_and_masks_for_an_observer(
        liyang: dict[str, Any], followed: Youth) -> None:
    body = _api(liyang["observer"]).get(f"/api/v1/youthaid/cases/{followed.pk}").json()
    assert body["masked_id"] == liyang["person"].masked_id
    assert "birth_date" not in body and body["birth_year"] == 2010 and "2010-05-01" not in json.dumps(body)
    assert body["name"] == "王*溧" and body["needs"] == ""
    body = _api(liyang["caseworker"]).get(f"/api/v1/youthaid/cases/{followed.pk}").json()
    assert body["name"] == "王小溧" and body["needs"] == "需要台灯"  # the visit brought the needs up to date


def test_a_parent_registered_outside_the_case_workers_area_is_shown_masked(
        liyang: dict[str, Any], prepare: Any, wujin_youth: Resident) -> None:
    """The profile links parents by ID number city-wide; the case page must not turn that into a
    look-up of any number's name."""
    youth = prepare(surviving_parent=wujin_youth.resident_id)
    page = _client(liyang["caseworker"]).get(f"/youthaid/cases/{youth.pk}/").content.decode()
    assert "陈小武" not in page and "陈*武" in page
    assert "王建国" in page  # the deceased father, registered in the case worker's area


def test_an_auditor_sees_the_youths_name_masked_in_the_audit_trail(liyang: dict[str, Any], prepare: Any,
                                                                    make_user: Any) -> None:
    youth = prepare()
    auditor = make_user("auditor_ly", {"auditor": [liyang["city"]["liyang"]]})
    items = _api(auditor).get("/api/v1/audit?object_type=youthaid.youth").json()["items"]
    assert items and {i["object_repr"] for i in items} == {"王*溧"}
    page = _client(auditor).get("/audit/").content.decode()
    assert "王小溧" not in page and "王*溧" in page
    page = _client(auditor).get(f"/audit/youthaid.youth/{youth.pk}/").content.decode()
    assert "王小溧" not in page and "王*溧" in page
    assert AuditEntry.objects.filter(object_id=str(youth.pk), object_repr="王小溧").exists()  # stored whole
