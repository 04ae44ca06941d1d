"""Issue 15, findings 1-5 of the users' test of youth aid (倾溧助): the living-aid limit of a hardship
grade holds across a youth's applications of the year; an observer sees guardians' names masked;
dream rooms have a budget ceiling and a reviewer can return or reject; parents and guardians are
linked on a page; a payment batch says what it left out and why."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError

from .. import actions, rules
from ..models import Application, AppStatus, Youth


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def _apply(liyang: dict[str, Any], youth: Youth, amount_fen: int) -> Application:
    return actions.do_apply(youth, aid_type="living", amount_fen=amount_fen, reason="生活费用难以承担",
                            acting_user=liyang["caseworker"])


# --- finding 1: the hardship grade's amount is the youth's yearly limit across applications -------------------


def test_the_yearly_limit_is_the_grade_amount_for_living_aid_and_the_cap_otherwise(aid_types: dict[str, Any]) -> None:
    living, medical = aid_types["living"], aid_types["medical"]
    assert [rules.yearly_limit(living, g) for g in (1, 2, 3)] == [100_000, 200_000, 300_000]
    assert rules.yearly_limit(medical, 2) == medical.yearly_cap_fen == 2_000_000


@pytest.mark.parametrize(("grade", "first", "second"), [(2, 200_000, 100_000), (1, 100_000, 100_000)])
def test_a_second_living_application_beyond_the_grade_is_refused(
        liyang: dict[str, Any], activate: Callable[..., Any], grade: int, first: int, second: int,
        counts: Callable[[], dict[str, int]], english: Any) -> None:
    youth = activate(hardship_grade=grade)
    _apply(liyang, youth, first)
    before = counts()
    with pytest.raises(KernelError) as refused:
        _apply(liyang, youth, second)
    assert refused.value.field == "requested_fen" and refused.value.code == "yearly_cap"
    assert f"grade {grade}" in str(refused.value) and "at most ¥0.00 more" in str(refused.value)
    assert counts() == before
    assert Application.objects.filter(youth=youth).count() == 1


def test_approving_two_living_applications_beyond_the_grade_is_refused(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, grant: Callable[..., Any],
        english: Any) -> None:
    """Two applications filed while the grade was 3 (3,000 a year); the grade drops to 2 before the
    second is approved: the grade's 2,000 is what is left to grant, not the type's 3,000."""
    youth = activate(hardship_grade=3)
    grant(youth, "living", 150_000)
    second = _apply(liyang, youth, 150_000)
    actions.do_recommend(second, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
    actions.do_update_profile(youth, acting_user=liyang["caseworker"], reason="低保等级复核", hardship_grade=2)
    with pytest.raises(KernelError) as refused:
        actions.do_decide(second, approve=True, reason="", acting_user=liyang["reviewer"])
    assert refused.value.field == "approved_fen" and "at most ¥500.00 more" in str(refused.value)
    second.refresh_from_db()
    assert second.status == AppStatus.RECOMMENDED and second.approved_fen is None
    assert AuditEntry.objects.filter(action="youthaid.decide").count() == 1  # the first grant's only


def test_a_lowered_grade_lowers_what_is_left_on_the_case_page_and_for_the_next_application(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, grant: Callable[..., Any]) -> None:
    youth = activate(hardship_grade=3)
    grant(youth, "living", 200_000)
    actions.do_update_profile(youth, acting_user=liyang["caseworker"], reason="低保等级复核", hardship_grade=1)
    page = text(client_for(liyang["caseworker"]).get(f"/youthaid/cases/{youth.pk}/"))
    row = re.search(r"<tr><td>Living assistance</td>(.*?)</tr>", page)
    assert row is not None
    assert "¥1,000.00" in row.group(1) and "¥3,000.00" not in row.group(1) and "none" in row.group(1)
    with pytest.raises(KernelError):
        _apply(liyang, youth, 100_000)


def test_the_case_page_and_the_apply_step_agree(liyang: dict[str, Any], activate: Callable[..., Any]) -> None:
    """The page said nothing more may be asked while the step took a second application."""
    youth = activate(hardship_grade=2)
    _apply(liyang, youth, 200_000)
    client = client_for(liyang["caseworker"])
    page = text(client.get(f"/youthaid/cases/{youth.pk}/"))
    row = re.search(r"<tr><td>Living assistance</td>(.*?)</tr>", page)
    assert row is not None and "¥2,000.00" in row.group(1) and "none" in row.group(1)
    response = client.post(f"/youthaid/cases/{youth.pk}/apply/", {"aid_type": "living", "amount": "1000",
                                                                  "reason": "生活费用难以承担"})
    assert response.status_code == 400 and "With hardship grade 2" in text(response)
    assert Application.objects.filter(youth=youth).count() == 1


def test_the_review_queue_shows_the_grades_limit_not_the_types_cap(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any) -> None:
    youth = activate(hardship_grade=1)
    app = _apply(liyang, youth, 100_000)
    actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
    page = text(client_for(liyang["reviewer"]).get("/youthaid/review/"))
    assert "/ ¥1,000.00" in page and "/ ¥3,000.00" not in page


# --- finding 2: the observer sees the guardian's name masked, those who serve the youth in full ---------------


@pytest.fixture
def guardian_named(liyang: dict[str, Any], prepare: Callable[..., Any]) -> Youth:
    """王小川 (12): the consent given by his mother and guardian 李秀兰, whose name the case worker
    also wrote in the visit notes, the needs, a life event and a screening note."""
    cw = liyang["caseworker"]
    youth = prepare(liyang["sibling"], needs="李秀兰一人抚养两个孩子")
    actions.do_screen(youth, acting_user=cw, note="李秀兰提供了死亡证明")
    actions.do_record_visit(youth, visited_on=dt.date.today(), situation="李秀兰夜班，孩子独自在家", risk="high",
                            needs="李秀兰希望有人辅导功课", acting_user=cw)
    actions.do_life_event(youth, kind="hardship", on=dt.date.today(), note="李秀兰失业", hardship_grade=3,
                          acting_user=cw)
    return youth


def test_an_observer_sees_the_guardians_name_masked_on_the_case_page(liyang: dict[str, Any],
                                                                    guardian_named: Youth) -> None:
    page = text(client_for(liyang["observer"], "zh-hans").get(f"/youthaid/cases/{guardian_named.pk}/"))
    assert "李秀兰" not in page
    assert page.count("李*兰") >= 2  # the consent list and the guardian's line
    for note in ("夜班", "辅导功课", "一人抚养", "失业", "死亡证明"):
        assert note not in page, note


@pytest.mark.parametrize("role", ["caseworker", "reviewer"])
def test_those_who_serve_the_youth_see_the_guardians_name(liyang: dict[str, Any], guardian_named: Youth,
                                                         role: str) -> None:
    page = text(client_for(liyang[role], "zh-hans").get(f"/youthaid/cases/{guardian_named.pk}/"))
    guardian = re.search(r"<dt>监护人</dt><dd>(.*?)</dd>", page)
    assert guardian is not None and "李秀兰" in guardian.group(1)
    assert "李秀兰夜班" in page and "李秀兰失业" in page


# --- finding 4: a guardian linked on the kernel's family page is one the case can take consent from ------------


def test_a_guardian_linked_on_the_family_page_can_give_the_consent(liyang: dict[str, Any], rid: Any,
                                                                   prepare: Callable[..., Any]) -> None:
    from longcheng.kernel.people.models import Relationship, Resident

    youth = prepare(liyang["sibling"])
    grandmother = Resident.objects.create(resident_id=rid("320481", "19580202", 62), name="周桂芳", gender="F",
                                          birth_date=dt.date(1958, 2, 2), place=liyang["town"])
    registrar = client_for(liyang["registrar"])
    page = text(registrar.get(f"/residents/{liyang['sibling'].pk}/"))
    assert f"/residents/{liyang['sibling'].pk}/family/" in page
    response = registrar.post(f"/residents/{liyang['sibling'].pk}/family/", {
        "relative": grandmother.resident_id, "kind": "grandparent", "is_guardian": "on"})
    assert response.status_code == 302
    assert Relationship.objects.get(person=liyang["sibling"], relative=grandmother).is_guardian
    page = text(client_for(liyang["caseworker"]).get(f"/youthaid/cases/{youth.pk}/"))
    giver = re.search(rf'<option value="{grandmother.pk}"[^>]*>([^<]*)</option>', page)
    assert giver is not None and "周桂芳" in giver.group(1)


# --- finding 5: a payment batch says what it left for the next one, and why ------------------------------------


def test_a_batch_says_how_many_approved_applications_it_left_out_and_why(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, grant: Callable[..., Any]) -> None:
    youth = activate(hardship_grade=3)
    grant(youth, "living", 100_000)
    grant(youth, "living", 200_000)  # the same youth and type: one payment per batch
    sibling = activate(liyang["sibling"], hardship_grade=1)
    grant(sibling, "living", 100_000)
    Youth.objects.filter(pk=sibling.pk).update(bank_account="")  # the account was found wrong and cleared
    client = client_for(liyang["reviewer"])
    page = text(client.get("/youthaid/batches/"))
    assert "2 approved applications were left for the next batch" in page  # said before the batch is made
    response = client.post("/youthaid/batches/create/", {"title": "十二月生活救助"}, follow=True)
    page = text(response)
    assert "Batch" in page and "1 payments" in page
    assert "2 approved applications were left for the next batch" in page
    assert "1 has no bank account recorded on its case" in page
    assert "1 is a second application of a youth and aid type already paid in this batch" in page
    entry = AuditEntry.objects.filter(action="youthaid.batch").get()
    assert entry.after is not None and (entry.after["without_account"], entry.after["same_type"]) == (1, 1)
    # Nothing is lost: the next batch takes the second application.
    page = text(client.get("/youthaid/batches/"))
    assert "1 approved application was left for the next batch" in page  # the youth without an account


def test_a_batch_that_leaves_nothing_out_says_nothing_about_it(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, grant: Callable[..., Any]) -> None:
    grant(activate(hardship_grade=2), "living", 200_000)
    response = client_for(liyang["reviewer"]).post("/youthaid/batches/create/", {"title": "十二月"}, follow=True)
    assert "1 payments" in text(response) and "left for the next batch" not in text(response)


# --- finding 3: a dream room's budget has a ceiling; the reviewer can return or reject with a reason ------------


def _room(liyang: dict[str, Any], youth: Youth, budget_fen: int = 800_000) -> Any:
    return actions.do_propose_room(youth, budget_fen=budget_fen, contractor="溧阳装修队",
                                   before_note="墙面潮湿，没有书桌", acting_user=liyang["caseworker"])


def test_a_room_budget_over_the_ceiling_is_refused_naming_the_field(
        liyang: dict[str, Any], activate: Callable[..., Any], settings: Any, english: Any,
        counts: Callable[[], dict[str, int]]) -> None:
    from ..models import RoomProject

    settings.YOUTHAID_ROOM_MAX_FEN = 3_000_000
    youth = activate()
    before = counts()
    with pytest.raises(KernelError) as refused:
        _room(liyang, youth, 410_000_000)  # 4,100,000 yuan
    assert refused.value.field == "budget_fen" and "at most ¥30,000.00" in str(refused.value)
    response = client_for(liyang["caseworker"]).post(f"/youthaid/cases/{youth.pk}/room/", {
        "budget": "4100000", "contractor": "溧阳装修队", "before_note": "墙面潮湿，没有书桌"})
    assert response.status_code == 400
    assert "Budget (yuan): A dream room&#x27;s budget is at most ¥30,000.00; ¥4,100,000.00 was asked." in text(response)
    assert counts() == before and not RoomProject.objects.exists()
    assert _room(liyang, youth, 3_000_000).budget_fen == 3_000_000  # at the ceiling: accepted


def test_the_reviewer_returns_a_room_for_changes_with_a_reason_and_the_case_worker_proposes_it_again(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, balances: Callable[..., Any]) -> None:
    from ..models import RoomProject, RoomStatus

    youth = activate()
    room = _room(liyang, youth)
    reviewer = client_for(liyang["reviewer"])
    page = text(reviewer.get("/youthaid/rooms/"))
    assert 'value="returned"' in page and 'value="rejected"' in page
    fund_before = balances(funded)
    response = reviewer.post("/youthaid/rooms/advance/", {"room": room.pk, "to": "returned", "reason": ""})
    assert response.status_code == 400 and "Reason" in text(response)
    assert RoomProject.objects.get(pk=room.pk).status == RoomStatus.PROPOSED
    reviewer.post("/youthaid/rooms/advance/", {"room": room.pk, "to": "returned", "reason": "请补充施工报价单"})
    room.refresh_from_db()
    assert (room.status, room.review_reason) == (RoomStatus.RETURNED, "请补充施工报价单")
    assert balances(funded) == fund_before  # nothing committed
    entry = AuditEntry.objects.filter(action="youthaid.room_status").latest("pk")
    assert entry.reason == "请补充施工报价单" and entry.after is not None and entry.after["status"] == "returned"
    assert "请补充施工报价单" in text(reviewer.get("/youthaid/rooms/"))
    worker = client_for(liyang["caseworker"])
    assert "请补充施工报价单" in text(worker.get(f"/youthaid/cases/{youth.pk}/"))
    # A returned room cannot be approved as it stands; the case worker proposes it again, changed.
    with pytest.raises(KernelError):
        actions.do_advance_room(room, to="approved", acting_user=liyang["reviewer"])
    worker.post(f"/youthaid/cases/{youth.pk}/room-advance/", {"room": room.pk, "to": "proposed", "budget": "7000"})
    room.refresh_from_db()
    assert (room.status, room.budget_fen) == (RoomStatus.PROPOSED, 700_000)


def test_the_reviewer_rejects_a_room_with_a_reason_and_it_goes_no_further(
        liyang: dict[str, Any], activate: Callable[..., Any], funded: Any, balances: Callable[..., Any]) -> None:
    from ..models import RoomProject, RoomStatus

    youth = activate()
    room = _room(liyang, youth)
    fund_before = balances(funded)
    with pytest.raises(KernelError) as refused:
        actions.do_advance_room(room, to="rejected", reason="", acting_user=liyang["reviewer"])
    assert refused.value.field == "reason"
    with pytest.raises(KernelError):  # the case worker cannot reject
        actions.do_advance_room(room, to="rejected", reason="预算不合理", acting_user=liyang["caseworker"])
    assert RoomProject.objects.get(pk=room.pk).status == RoomStatus.PROPOSED
    client_for(liyang["reviewer"]).post("/youthaid/rooms/advance/",
                                        {"room": room.pk, "to": "rejected", "reason": "已由其他项目资助装修"})
    room.refresh_from_db()
    assert (room.status, room.review_reason) == (RoomStatus.REJECTED, "已由其他项目资助装修")
    for to in ("approved", "proposed", "in_progress"):
        with pytest.raises(KernelError):
            actions.do_advance_room(room, to=to, acting_user=liyang["reviewer"])
    assert balances(funded) == fund_before
    page = text(client_for(liyang["caseworker"]).get(f"/youthaid/cases/{youth.pk}/"))
    assert "已由其他项目资助装修" in page and "Rejected" in page
