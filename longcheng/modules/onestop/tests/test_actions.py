"""The actions: a relocation from 武进区 to 溧阳市 end to end, the other services' fan-out, and every
refusal leaving the database as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import Conflict, KernelError, NotFound, PermissionDenied
from longcheng.kernel.notify.models import Message

from .. import actions, clock
from ..models import Case, CaseStatus, Correction, Pause, Task, TaskStatus
from .conftest import MONDAY, RELOCATION_DATA, at, make_uscc, tasks_of

TUESDAY = MONDAY + dt.timedelta(days=1)


def _statuses(case: Any) -> dict[str, str]:
    return {code: t.status for code, t in tasks_of(case).items()}


def test_relocation_end_to_end(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    c, city, firm, applicant = world["clock"], world["city"], world["firm"], world["applicant"]
    mr_wujin, mr_liyang, clerk = world["clerk"]["market_regulation"], world["mr_liyang"], world["clerk"]

    case = submitted()  # Monday 09:00
    assert case.status == CaseStatus.SUBMITTED and case.due_at == at(TUESDAY, 12)  # 1.5 working days
    tasks = tasks_of(case)
    # Five departments start at once; the change of registration waits for the file and the move-in.
    assert _statuses(case) == {"file_out": "open", "move_in": "open", "tax": "open", "social_security": "open",
                               "housing_fund": "open", "change_registration": "blocked"}
    assert tasks["change_registration"].opened_at is None and tasks["change_registration"].due_at is None
    assert tasks["move_in"].place == city["liyang"] and tasks["change_registration"].place == city["liyang"]
    assert tasks["file_out"].place == city["wujin"] and tasks["tax"].place == city["wujin"]
    assert tasks["move_in"].due_at == at(MONDAY, 12)
    assert [t.code for t in actions.queue(mr_wujin, "market_regulation")] == ["file_out"]
    assert [t.code for t in actions.queue(mr_liyang, "market_regulation")] == ["move_in"]
    assert [t.code for t in actions.queue(clerk["tax"], "tax")] == ["tax"]
    assert list(actions.queue(clerk["tax"], "market_regulation")) == []

    # 溧阳 asks for a correction at 10:00: the move-in's clock and the case's stop.
    c.set(at(MONDAY, 10))
    corr = actions.do_ask_correction(tasks["move_in"], "请补充新址租赁合同", acting_user=mr_liyang)
    assert tasks_of(case)["move_in"].status == TaskStatus.CORRECTION
    assert Pause.objects.filter(case=case, ended_at__isnull=True).count() == 2  # the task's and the case's
    assert Message.objects.filter(recipient_user=applicant, related_id=str(case.pk)).count() == 1
    assert list(actions.queue(mr_liyang, "market_regulation")) == []  # not in the queue while waiting

    # Meanwhile the other departments act, in parallel.
    c.set(at(MONDAY, 10, 30))
    actions.do_accept(tasks["file_out"], {}, acting_user=mr_wujin)
    for office in ("tax", "social_security", "housing_fund"):
        actions.do_accept(tasks[office], {"note": "已办结"}, acting_user=clerk[office])
    assert _statuses(case)["change_registration"] == TaskStatus.BLOCKED  # the move-in is not done

    # The applicant answers on Tuesday 10:00: one working day paused; due times move by that much.
    c.set(at(TUESDAY, 10))
    actions.do_answer_correction(corr, "已上传租赁合同", acting_user=applicant)
    move_in = tasks_of(case)["move_in"]
    case.refresh_from_db()
    assert move_in.status == TaskStatus.OPEN and move_in.paused_days == Decimal("1")
    assert move_in.due_at == at(TUESDAY, 12)  # was Monday 12:00
    assert case.paused_days == Decimal("1") and case.due_at == at(TUESDAY + dt.timedelta(days=1), 12)
    assert not Pause.objects.filter(case=case, ended_at__isnull=True).exists()

    c.set(at(TUESDAY, 10, 30))
    actions.do_accept(move_in, {}, acting_user=mr_liyang)
    change = tasks_of(case)["change_registration"]
    assert change.status == TaskStatus.OPEN and change.opened_at == at(TUESDAY, 10, 30)
    assert change.due_at == at(TUESDAY, 17, 30)
    assert [t.code for t in actions.queue(mr_liyang, "market_regulation")] == ["change_registration"]
    assert list(actions.queue(mr_wujin, "market_regulation")) == []

    # The last task completes the case and moves the enterprise, audited with before and after.
    c.set(at(TUESDAY, 14))
    actions.do_accept(change, {"registration_authority": "溧阳市市场监督管理局"}, acting_user=mr_liyang)
    case.refresh_from_db()
    firm.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.completed_at == at(TUESDAY, 14)
    assert case.outcome == {"registration_authority": "溧阳市市场监督管理局"}
    assert firm.place == city["liyang_town"] and firm.address == RELOCATION_DATA["new_address"]
    moved = AuditEntry.objects.get(action="onestop.relocation", object_id=str(firm.pk))
    assert moved.before == {"place": "320412104", "address": "武进区遥观镇人民东路6号"}
    assert moved.after == {"place": "320481100", "address": RELOCATION_DATA["new_address"]}
    assert moved.actor == mr_liyang
    assert set(AuditEntry.objects.filter(action__startswith="onestop.").values_list("action", flat=True)) >= {
        "onestop.start", "onestop.submit", "onestop.ask_correction", "onestop.answer_correction", "onestop.accept",
        "onestop.open_task", "onestop.complete", "onestop.relocation"}
    # 1.5 working days from Monday 09:00 to Tuesday 14:00, less the day paused.
    assert clock.elapsed_working_days(case) == Decimal("0.5")
    assert not clock.overdue(case)


def test_completion_is_one_transaction(world: dict[str, Any], submitted: Callable[..., Any], counts: Any) -> None:
    """If moving the enterprise fails (the kernel's organisation action refuses an address longer
    than the directory holds), the last task is not done either and nothing is audited."""
    long_address = "溧阳市溧城街道" + "燕山中路" * 60  # a form text may be 500 characters, an address 200
    case = submitted(data={**RELOCATION_DATA, "new_address": long_address})
    tasks = tasks_of(case)
    clerk, mr_liyang = world["clerk"], world["mr_liyang"]
    actions.do_accept(tasks["file_out"], {}, acting_user=clerk["market_regulation"])
    actions.do_accept(tasks["move_in"], {}, acting_user=mr_liyang)
    for office in ("tax", "social_security", "housing_fund"):
        actions.do_accept(tasks[office], {}, acting_user=clerk[office])
    before = counts()
    audit_before = list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True))
    with pytest.raises(KernelError) as err:
        actions.do_accept(tasks["change_registration"], {"registration_authority": "溧阳市市场监督管理局"},
                          acting_user=mr_liyang)
    assert err.value.field == "address"
    assert counts() == before
    assert list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)) == audit_before
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.outcome == {} and case.completed_at is None
    assert tasks_of(case)["change_registration"].status == TaskStatus.OPEN
    world["firm"].refresh_from_db()
    assert world["firm"].place == world["city"]["yaoguan"]
    assert world["firm"].address == "武进区遥观镇人民东路6号"


def test_a_result_must_give_what_the_task_writes(world: dict[str, Any], submitted: Callable[..., Any],
                                                 counts: Any) -> None:
    case = submitted("startup", {"business_scope": "精密机械制造", "registered_capital": 1_000_000_00})
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_accept(tasks_of(case)["licence"], {}, acting_user=world["clerk"]["market_regulation"])
    assert (err.value.field, err.value.code) == ("licence_no", "required")
    assert counts() == before


def test_startup_licence_first_then_everyone_in_parallel(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    clerk = world["clerk"]
    case = submitted("startup", {"business_scope": "精密机械制造", "registered_capital": 1_000_000_00})
    assert [code for code, s in _statuses(case).items() if s == "open"] == ["licence"]
    actions.do_accept(tasks_of(case)["licence"], {"licence_no": "91320412MA1X2Y3KQ"}, acting_user=clerk[
        "market_regulation"])
    statuses = _statuses(case)
    assert all(s == "open" for s in statuses.values() if s != "done") and len(statuses) == 7
    opened = {t.opened_at for t in Task.objects.filter(case=case).exclude(code="licence")}
    assert len(opened) == 1  # all at the same moment
    tasks = tasks_of(case)
    for code, office in (("seal", "public_security"), ("invoice_tax", "tax"), ("social_security", "social_security"),
                         ("housing_fund", "housing_fund"), ("bank_account", "bank")):
        actions.do_accept(tasks[code], {}, acting_user=clerk[office])
    case.refresh_from_db()
    # Power supply is optional: the case completes without it and the open task is closed.
    assert case.status == CaseStatus.COMPLETED and case.outcome == {"licence_no": "91320412MA1X2Y3KQ"}
    assert _statuses(case)["power_supply"] == TaskStatus.CLOSED


def test_deregistration_waits_for_the_clearances(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted("deregistration", {"reason": "dissolution", "liquidation_date": "2026-09-30"})
    statuses = _statuses(case)
    assert len(statuses) == 8
    assert {c for c, s in statuses.items() if s == "open"} == {"tax_clearance", "social_security", "housing_fund",
                                                               "customs", "commerce_filing"}
    clerk = world["clerk"]
    tasks = tasks_of(case)
    actions.do_accept(tasks["tax_clearance"], {"clearance_no": "清税-001"}, acting_user=clerk["tax"])
    actions.do_accept(tasks["social_security"], {}, acting_user=clerk["social_security"])
    assert _statuses(case)["deregistration"] == TaskStatus.BLOCKED
    actions.do_accept(tasks["housing_fund"], {}, acting_user=clerk["housing_fund"])
    assert _statuses(case)["deregistration"] == TaskStatus.OPEN
    assert _statuses(case)["seal_cancellation"] == TaskStatus.BLOCKED


def test_a_completed_deregistration_closes_the_enterprise(world: dict[str, Any], submitted: Callable[..., Any],
                                                          counts: Any, admin: Any) -> None:
    from longcheng.kernel.orgs.models import Organisation

    case = submitted("deregistration", {"reason": "dissolution", "liquidation_date": "2026-09-30"})
    clerk, tasks = world["clerk"], tasks_of(case)
    actions.do_accept(tasks["tax_clearance"], {"clearance_no": "清税-001"}, acting_user=clerk["tax"])
    for code, office in (("social_security", "social_security"), ("housing_fund", "housing_fund"),
                         ("deregistration", "market_regulation"), ("seal_cancellation", "public_security")):
        actions.do_accept(tasks[code], {}, acting_user=clerk[office])
    assert Organisation.objects.get(pk=world["firm"].pk).closed_on is None  # the bank account is still open
    world["clock"].set(at(MONDAY, 15))
    actions.do_accept(tasks["bank_closure"], {}, acting_user=clerk["bank"])
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert _statuses(case)["customs"] == TaskStatus.CLOSED  # optional, not needed to finish
    firm = Organisation.objects.get(pk=world["firm"].pk)
    assert firm.closed_on == MONDAY.date()
    audit = AuditEntry.objects.get(action="onestop.deregistration", object_id=str(firm.pk))
    assert (audit.before, audit.after) == ({"closed_on": None}, {"closed_on": "2026-10-12"})
    from django.test import Client

    directory = Client()
    directory.force_login(admin)
    directory.cookies["django_language"] = "en"
    page = directory.get("/orgs/", {"q": str(firm.uscc)}).content.decode()
    assert f'id="org-closed-{firm.pk}"' in page and "deregistered 2026-10-12" in page
    # A closed enterprise applies for nothing more, and the refusal writes nothing.
    before = counts()
    with pytest.raises(Conflict) as err:
        actions.do_start("relocation", str(firm.uscc), RELOCATION_DATA, acting_user=world["applicant"])
    assert (err.value.code, err.value.field) == ("enterprise_closed", "uscc")
    assert counts() == before


def test_rejection_ends_the_case(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    actions.do_ask_correction(tasks["file_out"], "材料不全", acting_user=world["clerk"]["market_regulation"])
    actions.do_reject(tasks["tax"], "存在未结税务事项", acting_user=world["clerk"]["tax"])
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.reject_reason == "存在未结税务事项"
    assert _statuses(case) == {"file_out": "closed", "move_in": "closed", "tax": "rejected",
                               "social_security": "closed", "housing_fund": "closed", "change_registration": "closed"}
    assert not Pause.objects.filter(case=case, ended_at__isnull=True).exists()
    corr = Correction.objects.get(task=tasks["file_out"])
    with pytest.raises(Conflict):
        actions.do_answer_correction(corr, "补好了", acting_user=world["applicant"])


# --- refusals -------------------------------------------------------------------------------------


def test_an_invalid_credit_code_is_refused(world: dict[str, Any], counts: Any, english: Any) -> None:
    before = counts()
    bad = world["firm"].uscc[:-1] + ("0" if world["firm"].uscc[-1] != "0" else "1")
    with pytest.raises(KernelError) as err:
        actions.do_start("relocation", bad, RELOCATION_DATA, acting_user=world["applicant"])
    assert (err.value.field, err.value.code) == ("uscc", "invalid_uscc")
    assert "check character" in str(err.value.message)
    assert counts() == before


def test_an_enterprise_not_the_users_own_is_refused(world: dict[str, Any], make_user: Any,
                                                                 counts: Any) -> None:
    before = counts()
    with pytest.raises(PermissionDenied) as err:  # another enterprise's code
        actions.do_start("relocation", world["other"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    assert (err.value.field, err.value.code) == ("uscc", "not_own_enterprise")
    # Another enterprise's staff, whatever the place their role is held in.
    elsewhere = make_user("elsewhere", {"enterprise_user": [world["city"]["liyang"]]}, organisation=world["other"])
    with pytest.raises(PermissionDenied):
        actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=elsewhere)
    # (Own enterprise with the role held elsewhere is allowed: the account follows its enterprise,
    # test_users_findings_2.test_an_applicant_whose_enterprise_moved_out_of_the_district_keeps_their_enterprise.)
    # A valid code no enterprise has.
    with pytest.raises(PermissionDenied):
        actions.do_start("relocation", make_uscc("91320412MA9X9Y9KQ"), RELOCATION_DATA, acting_user=world["applicant"])
    # No applicant role at all.
    with pytest.raises(PermissionDenied):
        actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["clerk"]["tax"])
    assert counts() == before
    # Someone else's case cannot be submitted either.
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    with pytest.raises(NotFound):
        actions.do_submit(case, acting_user=world["other_applicant"])
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFT


def test_failing_prechecks_list_every_blocker_and_write_nothing(world: dict[str, Any], counts: Any,
                                                                english: Any) -> None:
    clerk, firm = world["clerk"], world["firm"]
    actions.do_set_standing(firm, tax_arrears_fen=1_234_500, acting_user=clerk["tax"])
    actions.do_set_standing(firm, abnormal_list=True, open_penalty=True, acting_user=clerk["market_regulation"])
    actions.do_set_standing(firm, social_arrears_fen=88_000, acting_user=clerk["social_security"])
    data = {**RELOCATION_DATA, "new_address": "武进区湖塘镇某路1号"}  # not in the receiving district
    case = actions.do_start("relocation", firm.uscc, data, acting_user=world["applicant"])
    before = counts()
    with pytest.raises(actions.PrecheckFailed) as err:
        actions.do_submit(case, acting_user=world["applicant"])
    blockers = err.value.blockers
    assert [b.check for b in blockers] == ["tax_arrears", "social_arrears", "abnormal_list", "open_penalty",
                                           "relocation_target"]
    assert err.value.code == "precheck_failed"
    assert "12,345.00" in blockers[0].message and blockers[0].remedy
    assert blockers[4].field == "new_address" and "溧阳市" in blockers[4].message
    assert all(b.message in str(err.value.message) for b in blockers)
    assert counts() == before
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.submitted_at is None and not Task.objects.exists()
    # Cleared: the tax is paid, the list and penalty settled, the address fixed.
    actions.do_set_standing(firm, tax_arrears_fen=0, acting_user=clerk["tax"])
    actions.do_set_standing(firm, social_arrears_fen=0, acting_user=clerk["social_security"])
    actions.do_set_standing(firm, abnormal_list=False, open_penalty=False, acting_user=clerk["market_regulation"])
    actions.do_update_draft(case, {"new_address": RELOCATION_DATA["new_address"]}, acting_user=world["applicant"])
    assert actions.do_submit(case, acting_user=world["applicant"]).status == CaseStatus.SUBMITTED


@pytest.mark.parametrize(("new_place", "field"), [("320400", "new_place"), ("320412104001", "new_place")])
def test_relocation_target_must_be_another_district_of_the_city(world: dict[str, Any], new_place: str,
                                                                field: str) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, {**RELOCATION_DATA, "new_place": new_place},
                            acting_user=world["applicant"])
    with pytest.raises(actions.PrecheckFailed) as err:
        actions.do_submit(case, acting_user=world["applicant"])
    assert [b.field for b in err.value.blockers] == [field]


def test_standing_is_kept_by_its_own_office(world: dict[str, Any], counts: Any) -> None:
    before = counts()
    with pytest.raises(PermissionDenied) as err:
        actions.do_set_standing(world["firm"], abnormal_list=True, acting_user=world["clerk"]["tax"])
    assert err.value.field == "abnormal_list"
    with pytest.raises(KernelError) as bad:
        actions.do_set_standing(world["firm"], tax_arrears_fen=-1, acting_user=world["clerk"]["tax"])
    assert bad.value.field == "tax_arrears_fen"
    assert counts() == before


def test_a_task_not_in_the_users_queue_is_refused(world: dict[str, Any], submitted: Callable[..., Any],
                                                  counts: Any) -> None:
    case = submitted()
    tasks = tasks_of(case)
    clerk, mr_liyang = world["clerk"], world["mr_liyang"]
    before, statuses = counts(), _statuses(case)
    refusals = [
        (tasks["file_out"], clerk["tax"], NotFound),  # another office
        (tasks["file_out"], mr_liyang, NotFound),  # the right office, another district
        (tasks["move_in"], clerk["market_regulation"], NotFound),  # 溧阳's task, not 武进's
        (tasks["change_registration"], clerk["market_regulation"], NotFound),
        (tasks["change_registration"], mr_liyang, Conflict),  # in scope, but still waiting
        (tasks["tax"], world["applicant"], NotFound),
    ]
    for task, user, error in refusals:
        with pytest.raises(error):
            actions.do_accept(task, {"registration_authority": "x"}, acting_user=user)
        with pytest.raises(error):
            actions.do_ask_correction(task, "请补正", acting_user=user)
        with pytest.raises(error):
            actions.do_reject(task, "不予受理", acting_user=user)
    actions.do_accept(tasks["tax"], {}, acting_user=clerk["tax"])
    with pytest.raises(Conflict):  # done already
        actions.do_accept(tasks["tax"], {}, acting_user=clerk["tax"])
    after = counts()
    assert after["AuditEntry"] == before["AuditEntry"] + 1 and after["Task"] == before["Task"]
    assert _statuses(case) == {**statuses, "tax": "done"}


def test_a_correction_answered_twice_is_refused(world: dict[str, Any], submitted: Callable[..., Any],
                                                counts: Any) -> None:
    c = world["clock"]
    case = submitted()
    c.set(at(MONDAY, 10))
    corr = actions.do_ask_correction(tasks_of(case)["tax"], "请补充财务报表", acting_user=world["clerk"]["tax"])
    with pytest.raises(Conflict):  # one open correction per task (the database guarantees it too)
        actions.do_ask_correction(tasks_of(case)["tax"], "再补一份", acting_user=world["clerk"]["tax"])
    c.set(at(MONDAY, 15))
    with pytest.raises(NotFound):  # only the applicant answers
        actions.do_answer_correction(corr, "已补充", acting_user=world["other_applicant"])
    actions.do_answer_correction(corr, "已补充", acting_user=world["applicant"])
    tax = tasks_of(case)["tax"]
    assert tax.paused_days == Decimal("0.5") and tax.due_at == at(TUESDAY, 12)
    before = counts()
    c.set(at(MONDAY, 16))
    with pytest.raises(Conflict) as err:
        actions.do_answer_correction(corr, "再次补充", acting_user=world["applicant"])
    assert (err.value.code, err.value.field) == ("already_answered", "answer")
    assert counts() == before
    corr.refresh_from_db()
    assert corr.answer == "已补充"
    assert tasks_of(case)["tax"].due_at == at(TUESDAY, 12)


def test_the_queue_is_one_query_oldest_due_first(world: dict[str, Any], submitted: Callable[..., Any],
                                                 django_assert_num_queries: Any) -> None:
    c, clerk = world["clock"], world["clerk"]
    first = submitted()
    c.set(at(MONDAY, 14))
    second = actions.do_submit(actions.do_start("relocation", world["other"].uscc, RELOCATION_DATA,
                                                acting_user=world["other_applicant"]),
                               acting_user=world["other_applicant"])
    assert has_perm(clerk["tax"], "onestop.handle.tax")  # the scope is read once per request
    with django_assert_num_queries(1):
        rows = [(t.case_id, t.case.enterprise.name) for t in actions.queue(clerk["tax"], "tax")]
    assert [r[0] for r in rows] == [first.pk, second.pk]


def test_the_database_keeps_one_task_per_code_and_one_open_correction(world: dict[str, Any],
                                                                      submitted: Callable[..., Any]) -> None:
    from django.db import IntegrityError, transaction

    from longcheng.kernel.workdays.api import SHANGHAI

    case = submitted()
    task = tasks_of(case)["tax"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(case=case, code="tax", department="tax", place=task.place, limit_days=1)
    Correction.objects.create(task=task, request="一", asked_by=world["clerk"]["tax"], asked_at=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(task=task, request="二", asked_by=world["clerk"]["tax"], asked_at=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(service="relocation", enterprise=world["firm"], place=world["firm"].place,
                            applicant=world["applicant"], status="submitted",
                            submitted_at=dt.datetime(2026, 10, 12, tzinfo=SHANGHAI))



def test_the_merged_queue_pages_every_department_in_due_order(world: dict[str, Any], make_user: Any) -> None:
    """A clerk handling two districts sees the sending side (file_out) of Wujin and the receiving
    side (move_in) of Liyang interleaved by due time, page by page, each task once."""
    from longcheng.kernel.orgs.models import Organisation

    city = world["city"]
    both = make_user("mr_both", {"onestop_clerk_market_regulation": [city["wujin"], city["liyang"]]})
    third = Organisation.objects.create(kind="enterprise", name="常州湖塘电子有限公司", uscc=make_uscc("91320412MA3D4E5FG"),
                                        place=city["yaoguan"], address="武进区遥观镇湖塘路9号")
    applicants = [(world["firm"], world["applicant"]), (world["other"], world["other_applicant"]),
                  (third, make_user("third_applicant", {"enterprise_user": [city["wujin"]]}, organisation=third))]
    for hour, (firm, user) in zip((9, 10, 11), applicants, strict=True):
        world["clock"].set(at(MONDAY, hour))
        actions.do_submit(actions.do_start("relocation", firm.uscc, RELOCATION_DATA, acting_user=user),
                          acting_user=user)
    expected = list(Task.objects.filter(status=TaskStatus.OPEN,
                                        department__in=["market_regulation_out", "market_regulation_in"])
                    .order_by("due_at", "pk").values_list("pk", flat=True))
    assert len(expected) == 6
    pages = [actions.queue_slice(both, ["market_regulation"], start, start + 4) for start in (0, 4)]
    assert [t.pk for t in pages[0]] + [t.pk for t in pages[1]] == expected
    assert {t.department for t in pages[0]} == {"market_regulation_out", "market_regulation_in"}
    # A narrower scope: only Liyang's receiving side; nothing for an office the user does not handle.
    assert {t.code for t in actions.queue_slice(world["mr_liyang"], ["market_regulation"], 0, 50)} == {"move_in"}
    assert actions.queue_slice(world["mr_liyang"], ["tax"], 0, 50) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_departments_deciding_one_case_at_the_same_moment_open_what_waited_for_them(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    """Five departments accept their tasks of one case in five connections at once: the case's lock
    serialises them, and exactly one of them (the last of file_out and move_in) opens the change of
    registration."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass (SQLite has one writer)")
    case = submitted()
    tasks = tasks_of(case)
    clerk = world["clerk"]
    work = [(tasks["file_out"], clerk["market_regulation"]), (tasks["move_in"], world["mr_liyang"]),
            (tasks["tax"], clerk["tax"]), (tasks["social_security"], clerk["social_security"]),
            (tasks["housing_fund"], clerk["housing_fund"])]
    start, failures = threading.Barrier(len(work)), []

    def decide(task: Any, user: Any) -> None:
        try:
            start.wait()
            actions.do_accept(task.pk, {}, acting_user=user)
        except Exception as exc:  # reported below, with the others
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=pair) for pair in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert _statuses(case) == {"file_out": "done", "move_in": "done", "tax": "done", "social_security": "done",
                               "housing_fund": "done", "change_registration": "open"}
    assert AuditEntry.objects.filter(action="onestop.open_task").count() == 1
    assert AuditEntry.objects.filter(action="onestop.accept").count() == 5
