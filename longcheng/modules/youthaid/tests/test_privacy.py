"""Findings 1, 5 and 8 of the privacy review for youth aid: a reporter acts within their own area and
the report form is no oracle on the registry; an observer sees names masked everywhere and no notes;
the case API gives no birth date beside the masked ID (kernel.privacy, docs/security.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.kernel.people.models import Relationship, Resident

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


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    """The values of every row a report could write: a refusal leaves them as they were."""
    return {"residents": list(Resident.objects.order_by("pk").values_list("pk", "resident_id", "name", "place_id",
                                                                            "died_on")),
            "youths": list(Youth.objects.order_by("pk").values_list("pk", "person_id", "status")),
            "reports": list(Report.objects.order_by("pk").values_list("pk", "youth_id", "reporter_id", "note")),
            "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "action", "object_id"))}


@pytest.fixture
def elsewhere(liyang: dict[str, Any], rid: Any) -> dict[str, tuple[str, str]]:
    """(ID number, name typed by the reporter) for each thing the registry may hold outside a Liyang
    reporter's area, and for a number nobody holds."""
    a = liyang["city"]["a"]
    made = {
        "unknown": (rid("320412", "20120707", 81), "陈小未"),
        "registered": (rid("320412", "20120606", 71), "陈小武"),
        "dead": (rid("320412", "20110303", 73), "孙小故"),
        "mismatch": (rid("320412", "20110404", 75), "周小错"),
    }
    # An over-age number is not here: its age is in the number itself, and it is told so whether the
    # registry holds it or not (test_users_findings_6_9.py).
    for key, born, registered_name, died in (("registered", dt.date(2012, 6, 6), "陈小武", None),
                                              ("dead", dt.date(2011, 3, 3), "孙小故", dt.date(2025, 1, 1)),
                                              ("mismatch", dt.date(2011, 4, 4), "周小对", None)):
        Resident.objects.create(resident_id=made[key][0], name=registered_name, gender="M", birth_date=born,
                                place=a, died_on=died)
    return made


REPORT_NOTE = "父亲去世，家里困难"


def test_the_report_action_answers_the_same_for_every_number_outside_the_area(
        liyang: dict[str, Any], elsewhere: dict[str, tuple[str, str]]) -> None:
    before = _rows()
    answers = {}
    for key, (number, name) in elsewhere.items():
        with pytest.raises(KernelError) as refused:
            actions.do_report(resident_id=number, name=name, channel="school", note=REPORT_NOTE,
                              acting_user=liyang["reporter"])
        answers[key] = (refused.value.status, refused.value.as_dict())
    assert len({json.dumps(a, sort_keys=True) for a in answers.values()}) == 1, answers
    status, body = answers["unknown"]
    assert (status, body["code"], body["field"]) == (404, "not_found", "resident_id")
    assert _rows() == before


def test_the_report_api_answers_the_same_for_every_number_outside_the_area(
        liyang: dict[str, Any], elsewhere: dict[str, tuple[str, str]]) -> None:
    api = _api(liyang["reporter"])
    before = _rows()
    answers = {}
    for key, (number, name) in elsewhere.items():
        response = api.post("/api/v1/youthaid/reports", content_type="application/json", data=json.dumps(
            {"resident_id": number, "name": name, "channel": "school", "note": REPORT_NOTE}))
        answers[key] = (response.status_code, response.content)
    assert len(set(answers.values())) == 1, answers
    assert answers["unknown"][0] == 404 and json.loads(answers["unknown"][1])["field"] == "resident_id"
    assert _rows() == before


def test_the_report_page_answers_the_same_for_every_number_outside_the_area(
        liyang: dict[str, Any], elsewhere: dict[str, tuple[str, str]]) -> None:
    page = _client(liyang["reporter"])
    before = _rows()
    answers = {}
    for key, (number, name) in elsewhere.items():
        response = page.post("/youthaid/report/", {"resident_id": number, "name": name, "channel": "school",
                                                   "note": REPORT_NOTE})
        html = response.content.decode()
        # The page echoes what was typed; with that taken out, every answer is the same page.
        html = html.replace(number, "NUMBER").replace(name, "NAME")
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        answers[key] = (response.status_code, html)
    assert len(set(answers.values())) == 1, {k: v[0] for k, v in answers.items()}
    assert answers["unknown"][0] == 404
    shown = answers["unknown"][1]
    assert "No youth with this ID number is registered in your area" in shown or "您所在区域没有登记此身份证号码的青少年" in shown
    assert _rows() == before


def test_inside_the_area_the_form_still_says_what_is_wrong(liyang: dict[str, Any], english: Any) -> None:
    """Facts about a person inside the reporter's area may still be told: the reporter may see them."""
    reporter = liyang["reporter"]
    with pytest.raises(KernelError) as wrong_name:
        actions.do_report(resident_id=liyang["person"].resident_id, name="王小明", channel="school",
                          note=REPORT_NOTE, acting_user=reporter)
    assert wrong_name.value.field == "name"
    with pytest.raises(KernelError) as dead:
        actions.do_report(resident_id=liyang["father"].resident_id, name="王建国", channel="school",
                          note=REPORT_NOTE, acting_user=reporter)
    assert "up to 25 years old" in str(dead.value.message)  # the father is 45: the age is judged first
    assert not Youth.objects.exists()


def test_a_reporter_still_reports_in_their_own_area(liyang: dict[str, Any]) -> None:
    report = actions.do_report(resident_id=liyang["person"].resident_id, name="王小溧", channel="school",
                               note="父亲去世，家里困难", acting_user=liyang["reporter"])
    assert report.youth.person == liyang["person"]
    assert (report.reporter, report.note) == (liyang["reporter"], "父亲去世，家里困难")


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
    Relationship.objects.create(person=liyang["person"], relative=wujin_youth, kind="other")
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


def test_the_profile_links_by_number_only_in_the_area_or_among_the_youths_relatives(
        liyang: dict[str, Any], prepare: Any, elsewhere: dict[str, tuple[str, str]]) -> None:
    """A case worker typing numbers into the parent fields learns nothing of residents who are neither
    theirs nor the youth's: an unknown number and one registered elsewhere get the same answer."""
    youth = prepare()
    cw = liyang["caseworker"]
    before = _rows()
    answers = set()
    for key in ("unknown", "registered", "dead"):
        with pytest.raises(KernelError) as refused:
            actions.do_update_profile(youth, acting_user=cw, reason="核实", guardian=elsewhere[key][0])
        answers.add(json.dumps(refused.value.as_dict(), sort_keys=True))
    wujin = Resident.objects.get(resident_id=elsewhere["registered"][0])
    with pytest.raises(KernelError) as by_pk:
        actions.do_update_profile(youth, acting_user=cw, reason="核实", guardian=str(wujin.pk))
    answers.add(json.dumps(by_pk.value.as_dict(), sort_keys=True))
    assert len(answers) == 1 and json.loads(answers.pop())["field"] == "guardian"
    assert _rows() == before and Youth.objects.get(pk=youth.pk).guardian_id != wujin.pk
    # A relative in the registry is linked wherever they live.
    Relationship.objects.create(person=liyang["person"], relative=wujin, kind="other", is_guardian=True)
    actions.do_update_profile(youth, acting_user=cw, reason="核实", guardian=wujin.resident_id)
    assert Youth.objects.get(pk=youth.pk).guardian_id == wujin.pk
