"""The one-stop pages through the Django test client: the applicant's form drawn from the declaration,
the pre-check and the submission, the departments' queue and their acts on tasks, corrections, the
staff's case page, the figures and the dashboard panel — and what others may not see or do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from longcheng.kernel.audit.models import AuditEntry

from .. import actions, views
from ..models import Case, CaseStatus, Correction, Task, TaskStatus
from .conftest import MONDAY, RELOCATION_DATA, at, make_uscc, tasks_of


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def applicant(world: dict[str, Any]) -> Client:
    return client_for(world["applicant"])


def test_pages_render_for_the_right_roles_and_are_denied_to_others(
        world: dict[str, Any], submitted: Callable[..., Any], make_user: Any) -> None:
    case = submitted()
    pages = {
        "applicant": ["/onestop/", "/onestop/start/relocation/", f"/onestop/applications/{case.pk}/"],
        "clerk": ["/onestop/queue/", "/onestop/figures/", f"/onestop/cases/{case.pk}/"],
    }
    applicant, clerk = client_for(world["applicant"]), client_for(world["clerk"]["tax"])
    head = client_for(world["head_wujin"])
    for url in pages["applicant"]:
        assert applicant.get(url).status_code == 200, url
        assert clerk.get(url).status_code == 403, url
        assert head.get(url).status_code == 403, url
    for url in pages["clerk"]:
        assert clerk.get(url).status_code == 200, url
        assert head.get(url).status_code == 200, url
        assert applicant.get(url).status_code == 403, url
    nobody = client_for(make_user("nobody"))
    for url in pages["applicant"] + pages["clerk"]:
        assert nobody.get(url).status_code == 403, url
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    # Another enterprise's staff does not find this application; an unknown service is not found.
    other = client_for(world["other_applicant"])
    assert other.get(f"/onestop/applications/{case.pk}/").status_code == 404
    assert applicant.get("/onestop/start/no_such_service/").status_code == 404
    # A head of one community does not see a case of the town above it.
    narrow = client_for(make_user("head_a", {"onestop_head": [world["city"]["a"]]}))
    assert narrow.get(f"/onestop/cases/{case.pk}/").status_code == 404
    # The receiving district's head sees it (the move-in task is in Liyang).
    assert client_for(world["head_liyang"]).get(f"/onestop/cases/{case.pk}/").status_code == 200


def test_the_form_is_drawn_from_the_declaration_and_money_is_stored_in_fen(
        world: dict[str, Any], applicant: Client, english: Any) -> None:
    page = text_of(applicant.get("/onestop/start/relocation/"))
    for name in ("new_place", "new_address", "moving_date", "reason"):
        assert f'name="{name}"' in page
    assert 'type="date" name="moving_date"' in page
    assert '<option value="320481100">' in page and '<option value="320481">' in page  # streets and districts
    assert '<option value="320412104001">' not in page  # not communities
    page = text_of(applicant.get("/onestop/start/startup/"))
    assert 'name="registered_capital"' in page and '<option value="low">' in page

    response = applicant.post("/onestop/start/startup/", {"business_scope": "精密机械加工",
                                                           "registered_capital": "1,000,000.50"})
    case = Case.objects.get(service="startup")
    assert response.status_code == 302 and response["Location"] == f"/onestop/applications/{case.pk}/"
    assert case.status == CaseStatus.DRAFT and case.data == {"business_scope": "精密机械加工",
                                                             "registered_capital": 100_000_050}
    # The draft shows the amount in yuan again.
    assert 'value="1000000.50"' in text_of(applicant.get(f"/onestop/applications/{case.pk}/"))

    # A malformed amount names its field and writes nothing.
    before = AuditEntry.objects.count()
    response = applicant.post("/onestop/start/deregistration/", {"reason": "dissolution",
                                                                  "liquidation_date": "2026-10-01",
                                                                  "remaining_assets": "12.345"})
    assert response.status_code == 400
    assert 'id="error-remaining_assets"' in text_of(response) and "two decimal places" in text_of(response)
    assert not Case.objects.filter(service="deregistration").exists() and AuditEntry.objects.count() == before
    # What was typed comes back, so nothing has to be typed again.
    assert 'value="2026-10-01"' in text_of(response) and 'value="12.345"' in text_of(response)


def test_a_failing_precheck_shows_every_blocker_and_writes_nothing(
        world: dict[str, Any], applicant: Client, counts: Callable[[], dict[str, int]]) -> None:
    firm, clerk = world["firm"], world["clerk"]
    actions.do_set_standing(firm, tax_arrears_fen=123_456, acting_user=clerk["tax"])
    actions.do_set_standing(firm, abnormal_list=True, acting_user=clerk["market_regulation"])
    data = {**RELOCATION_DATA, "new_address": "溧城街道燕山中路18号"}  # does not name the receiving district
    applicant.post("/onestop/start/relocation/", data)
    case = Case.objects.get(enterprise=firm)
    saved = dict(case.data)
    before = counts()

    for step in ("check", "submit"):
        response = applicant.post(f"/onestop/applications/{case.pk}/{step}/",
                                  {**data, "reason": "换一个理由"}, HTTP_ACCEPT_LANGUAGE="en")
        page = text_of(response)
        assert response.status_code == 422, step
        assert page.count('class="blocker"') == 3, step
        for check in ("tax_arrears", "abnormal_list", "relocation_target"):
            assert f'data-check="{check}"' in page, (step, check)
        assert "1,234.56 yuan of tax" in page and "Pay the tax owed" in page
        assert "abnormal operations" in page and "removed from the list" in page
        assert "not in 溧阳市, the receiving district" in page and "starting with the district" in page
        assert 'value="换一个理由"' in page  # what was typed is shown again
        case.refresh_from_db()
        if step == "check":  # the pre-check saves the draft (issue 15, finding 16), nothing else
            assert counts() == {**before, "AuditEntry": before["AuditEntry"] + 1}, step
            assert case.data == {**saved, "reason": "换一个理由"}
            before, saved = counts(), dict(case.data)
        assert counts() == before, step
        assert case.status == CaseStatus.DRAFT and case.data == saved and not Task.objects.exists()

    # Cleared: the check passes, then the submission fans out into the tasks.
    actions.do_set_standing(firm, tax_arrears_fen=0, acting_user=clerk["tax"])
    actions.do_set_standing(firm, abnormal_list=False, acting_user=clerk["market_regulation"])
    response = applicant.post(f"/onestop/applications/{case.pk}/check/", RELOCATION_DATA)
    assert response.status_code == 200 and 'id="checks-passed"' in text_of(response)
    response = applicant.post(f"/onestop/applications/{case.pk}/submit/", RELOCATION_DATA)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.data["new_address"] == RELOCATION_DATA["new_address"]
    assert Task.objects.filter(case=case, status=TaskStatus.OPEN).count() == 5
    page = text_of(applicant.get(f"/onestop/applications/{case.pk}/"))
    assert 'id="task-move_in" data-status="open"' in page and 'id="task-change_registration" data-status="blocked"' in page


def test_the_queue_lists_only_tasks_in_scope_oldest_due_first(world: dict[str, Any],
                                                               submitted: Callable[..., Any]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    mr_wujin = text_of(client_for(world["clerk"]["market_regulation"]).get("/onestop/queue/"))
    assert f'id="queue-task-{tasks["file_out"].pk}"' in mr_wujin
    assert f'id="queue-task-{tasks["move_in"].pk}"' not in mr_wujin and f'id="queue-task-{tasks["tax"].pk}"' not in mr_wujin
    assert "常州龙城精密机械有限公司" in mr_wujin and "溧城街道" in mr_wujin  # the application data, not retyped
    mr_liyang = text_of(client_for(world["mr_liyang"]).get("/onestop/queue/"))
    assert f'id="queue-task-{tasks["move_in"].pk}"' in mr_liyang and f'id="queue-task-{tasks["file_out"].pk}"' not in mr_liyang
    tax = text_of(client_for(world["clerk"]["tax"]).get("/onestop/queue/?partial=1"))
    assert "<html" not in tax and f'id="queue-task-{tasks["tax"].pk}"' in tax
    assert tax.count('id="queue-task-') == 1
    head = text_of(client_for(world["head_wujin"]).get("/onestop/queue/"))
    assert 'id="watch-list"' in head and "queue-task-" not in head and 'id="no-office"' not in head

    # Oldest due first, and flags from the loaded due times: at 11:40 the 12:00 tasks are due soon,
    # at 12:30 overdue.
    world["clock"].set(at(MONDAY, 11, 40))
    page = text_of(client_for(world["mr_liyang"]).get("/onestop/queue/"))
    assert "due soon" in page and "overdue" not in page
    world["clock"].set(at(MONDAY, 12, 30))
    client = client_for(world["mr_liyang"])
    assert "overdue" in text_of(client.get("/onestop/queue/"))


def test_the_queue_costs_the_same_queries_for_one_row_or_many(world: dict[str, Any], make_user: Any,
                                                              submitted: Callable[..., Any]) -> None:
    from longcheng.kernel.orgs.models import Organisation

    clerk = client_for(world["clerk"]["tax"])
    submitted()
    with CaptureQueriesContext(connection) as one:
        assert clerk.get("/onestop/queue/").status_code == 200
    for n in range(4):
        firm = Organisation.objects.create(kind="enterprise", name=f"企业{n}", uscc=make_uscc(f"91320412MA3C{n}D5E6"),
                                           place=world["city"]["yaoguan"], address="武进区遥观镇")
        user = make_user(f"staff{n}", {"enterprise_user": [world["city"]["wujin"]]}, organisation=firm)
        case = actions.do_start("relocation", str(firm.uscc), RELOCATION_DATA, acting_user=user)
        actions.do_submit(case, acting_user=user)
    with CaptureQueriesContext(connection) as many:
        page = text_of(clerk.get("/onestop/queue/"))
    assert page.count('id="queue-task-') == 5
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_clerk_accepts_asks_a_correction_and_rejects_through_the_page(
        world: dict[str, Any], submitted: Callable[..., Any], counts: Callable[[], dict[str, int]]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    tax = client_for(world["clerk"]["tax"])
    response = tax.post(f"/onestop/tasks/{tasks['tax'].pk}/accept/", {"note": "已迁出"}, follow=True)
    assert response.status_code == 200 and "The task is done" in text_of(response)
    done = Task.objects.get(pk=tasks["tax"].pk)
    assert done.status == TaskStatus.DONE and done.result == {"note": "已迁出"}
    assert done.handled_by == world["clerk"]["tax"]
    assert AuditEntry.objects.filter(action="onestop.accept", object_id=str(done.pk)).count() == 1

    # The same task again: a clear message, nothing changed.
    before = counts()
    response = tax.post(f"/onestop/tasks/{tasks['tax'].pk}/accept/", {}, follow=True)
    assert "not open" in text_of(response) and counts() == before

    liyang = client_for(world["mr_liyang"])
    # An empty request names the rule and writes nothing.
    response = liyang.post(f"/onestop/tasks/{tasks['move_in'].pk}/correct/", {"request": " "},
                           follow=True)
    assert "This field is required" in text_of(response) and counts() == before
    liyang.post(f"/onestop/tasks/{tasks['move_in'].pk}/correct/", {"request": "请补充租赁合同"})
    correction = Correction.objects.get(task=tasks["move_in"])
    assert correction.request == "请补充租赁合同"
    assert Task.objects.get(pk=tasks["move_in"].pk).status == TaskStatus.CORRECTION

    social = client_for(world["clerk"]["social_security"])
    social.post(f"/onestop/tasks/{tasks['social_security'].pk}/reject/", {"reason": "社保登记信息不符"})
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.reject_reason == "社保登记信息不符"
    assert Task.objects.get(pk=tasks["social_security"].pk).status == TaskStatus.REJECTED
    assert Task.objects.get(pk=tasks["housing_fund"].pk).status == TaskStatus.CLOSED
    page = text_of(client_for(world["applicant"]).get(f"/onestop/applications/{case.pk}/"))
    assert "社保登记信息不符" in page and 'id="case-status" data-status="rejected"' in page


def test_the_declared_result_is_required_and_written_back(world: dict[str, Any],
                                                          submitted: Callable[..., Any],
                                                          counts: Callable[[], dict[str, int]]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    clerk, mr_liyang = world["clerk"], world["mr_liyang"]
    actions.do_accept(tasks["file_out"], {}, acting_user=clerk["market_regulation"])
    actions.do_accept(tasks["move_in"], {}, acting_user=mr_liyang)
    page = text_of(client_for(mr_liyang).get("/onestop/queue/"))
    change = tasks["change_registration"]
    assert f'name="result_registration_authority" id="result-{change.pk}-registration_authority"' in page
    before = counts()
    response = client_for(mr_liyang).post(f"/onestop/tasks/{change.pk}/accept/", {}, follow=True)
    assert "Registration authority" in text_of(response) and counts() == before
    client_for(mr_liyang).post(f"/onestop/tasks/{change.pk}/accept/",
                               {"result_registration_authority": "溧阳市市场监督管理局"})
    case.refresh_from_db()
    assert case.outcome == {"registration_authority": "溧阳市市场监督管理局"}
    page = text_of(client_for(world["applicant"]).get(f"/onestop/applications/{case.pk}/"))
    assert "溧阳市市场监督管理局" in page


def test_acting_on_a_task_outside_the_queue_is_not_found(world: dict[str, Any], submitted: Callable[..., Any],
                                                          counts: Callable[[], dict[str, int]]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    before = counts()
    tries = [
        (world["clerk"]["tax"], tasks["file_out"], "accept"),  # another office
        (world["clerk"]["market_regulation"], tasks["move_in"], "accept"),  # another district
        (world["clerk"]["market_regulation"], tasks["move_in"], "reject"),
        (world["mr_liyang"], tasks["file_out"], "correct"),
    ]
    for user, task, step in tries:
        response = client_for(user).post(f"/onestop/tasks/{task.pk}/{step}/", {"reason": "x", "request": "x"})
        assert response.status_code == 404, (user, task.code, step)
    assert client_for(world["clerk"]["tax"]).post("/onestop/tasks/999999/accept/", {}).status_code == 404
    # Without any onestop permission: refused before anything.
    assert client_for(world["applicant"]).post(f"/onestop/tasks/{tasks['tax'].pk}/accept/", {}).status_code == 403
    assert counts() == before
    assert {t.status for t in Task.objects.filter(case=case)} == {TaskStatus.OPEN, TaskStatus.BLOCKED}


def test_the_applicant_answers_a_correction_once(world: dict[str, Any], submitted: Callable[..., Any],
                                                 applicant: Client, counts: Callable[[], dict[str, int]]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    correction = actions.do_ask_correction(tasks["move_in"], "请补充租赁合同", acting_user=world["mr_liyang"])
    page = text_of(applicant.get(f"/onestop/applications/{case.pk}/"))
    assert f'id="answer-{correction.pk}"' in page and "请补充租赁合同" in page
    assert 'id="task-move_in" data-status="correction"' in page

    world["clock"].set(at(MONDAY, 14))
    url = f"/onestop/corrections/{correction.pk}/answer/"
    response = applicant.post(url, {"answer": "已上传"}, follow=True)
    assert "Your answer is sent" in text_of(response)
    correction.refresh_from_db()
    assert correction.answer == "已上传" and correction.answered_by == world["applicant"]
    assert Task.objects.get(pk=tasks["move_in"].pk).status == TaskStatus.OPEN

    before = counts()
    response = applicant.post(url, {"answer": "再答一次"}, follow=True)
    assert "already been answered" in text_of(response)
    assert counts() == before
    correction.refresh_from_db()
    assert correction.answer == "已上传"
    # Someone else's correction, or one of another case, is not found.
    other = client_for(world["other_applicant"])
    assert other.post(url, {"answer": "x"}).status_code == 404
    assert counts() == before


def test_the_staff_case_page_shows_the_timeline(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    correction = actions.do_ask_correction(tasks["move_in"], "请补充租赁合同", acting_user=world["mr_liyang"])
    world["clock"].set(at(MONDAY, 15))
    actions.do_answer_correction(correction, "已上传", acting_user=world["applicant"])
    page = text_of(client_for(world["head_wujin"]).get(f"/onestop/cases/{case.pk}/"))
    # The trail in words (issue 15, finding 13): the actions' labels, not their codes.
    for action in ("Application started", "Application submitted", "Correction requested", "Correction answered"):
        assert f"<td>{action}</td>" in page, action
    assert "onestop." not in page
    assert "请补充租赁合同" in page and "已上传" in page
    assert page.count('id="task-') == 6
    case.refresh_from_db()
    assert f'id="elapsed">{views.clock.elapsed_working_days(case)}<' in page


def test_figures_and_the_dashboard_panel(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    tasks = tasks_of(case)
    clerk, mr_liyang = world["clerk"], world["mr_liyang"]
    world["clock"].set(at(MONDAY, 10))
    actions.do_accept(tasks["file_out"], {}, acting_user=clerk["market_regulation"])
    actions.do_accept(tasks["move_in"], {}, acting_user=mr_liyang)
    for office in ("tax", "social_security", "housing_fund"):
        actions.do_accept(tasks[office], {}, acting_user=clerk[office])
    world["clock"].set(at(MONDAY, 15))
    actions.do_accept(tasks_of(case)["change_registration"], {"registration_authority": "溧阳市市场监督管理局"},
                      acting_user=mr_liyang)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED

    head = world["head_wujin"]
    rows = {r["code"]: r for r in views.by_service(head)}
    assert rows["relocation"]["done"] == 1 and rows["relocation"]["rate"] == 100.0
    assert rows["relocation"]["mean"] == views.clock.elapsed_working_days(case) == views.relocation_mean(head)
    offices = {r["code"]: r for r in views.by_office(head)}
    assert offices["tax"]["done"] == 1 and offices["tax"]["rate"] == 100.0
    page = text_of(client_for(head).get("/onestop/figures/"))
    assert page.count("<svg") >= 2 and 'data-service="relocation"' in page

    figures = views.panel_figures(head)
    assert [f.value for f in figures] == [0, 0, 0, "100.0%"]
    chart = views.panel_charts(head)[0]
    assert chart.series[next(iter(chart.series))] == [10.0, 1.5, float(rows["relocation"]["mean"])]
    home = client_for(head).get("/")
    assert home.status_code == 200


def test_panel_counts_open_due_soon_and_overdue(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    submitted()  # Monday 09:00, due Tuesday 12:00
    head = world["head_wujin"]
    assert [f.value for f in views.panel_figures(head)][:3] == [1, 0, 0]
    world["clock"].set(at(MONDAY.replace(day=13), 9, 30))  # Tuesday morning: less than half a day left
    assert [f.value for f in views.panel_figures(head)][:3] == [1, 1, 0]
    world["clock"].set(at(MONDAY.replace(day=13), 14))
    assert [f.value for f in views.panel_figures(head)][:3] == [1, 0, 1]
    # Outside the scope: nothing.
    assert [f.value for f in views.panel_figures(world["applicant"])][:3] == [0, 0, 0]


def test_the_heads_list_shows_overdue_and_due_soon_tasks_of_the_area(world: dict[str, Any],
                                                                      submitted: Callable[..., Any]) -> None:
    """Submitted Monday 09:00: nothing is late at once; at 12:30 the half-day tasks are overdue —
    Wujin's head sees the file transfer (handled in Wujin), Liyang's the move-in — and after the
    escalation job the time it went out. A clerk without the head's role has no such list."""
    from .. import clock

    case = submitted()
    tasks = tasks_of(case)
    head = client_for(world["head_wujin"])
    assert 'id="watch-empty"' in text_of(head.get("/onestop/queue/"))
    world["clock"].set(at(MONDAY, 12, 30))
    page = text_of(head.get("/onestop/queue/"))
    row = page[page.index(f'id="watch-task-{tasks["file_out"].pk}"'):]
    assert "overdue" in row[:row.index("</tr>")]
    assert f'id="watch-task-{tasks["move_in"].pk}"' not in page
    liyang = text_of(client_for(world["head_liyang"]).get("/onestop/queue/"))
    assert f'id="watch-task-{tasks["move_in"].pk}"' in liyang and f'id="watch-task-{tasks["file_out"].pk}"' not in liyang
    assert clock.escalate_overdue() >= 2
    page = text_of(head.get("/onestop/queue/"))
    row = page[page.index(f'id="watch-task-{tasks["file_out"].pk}"'):]
    assert "2026-10-12 12:30" in row[:row.index("</tr>")]
    assert 'id="watch-list"' not in text_of(client_for(world["clerk"]["tax"]).get("/onestop/queue/"))


def test_the_tax_clerk_records_arrears_and_the_precheck_blocks_at_once(world: dict[str, Any],
                                                                        counts: Any) -> None:
    """The standing page: the tax clerk finds the enterprise, sees all four facts, edits only the tax
    arrears (a posted abnormal-list flag is ignored); bad amounts name the fact and change nothing;
    the pre-check reads the new figure; a head sees the facts without a form."""
    from ..models import EnterpriseStanding

    firm = world["firm"]
    tax = client_for(world["clerk"]["tax"])
    page = text_of(tax.get("/onestop/standing/", {"uscc": firm.uscc}))
    assert 'id="standing-enterprise"' in page and 'id="input-tax_arrears_fen"' in page
    assert 'id="input-abnormal_list"' not in page and 'id="fact-abnormal_list"' in page
    before = counts()
    r = tax.post(f"/onestop/standing/?uscc={firm.uscc}", {"tax_arrears_fen": "12.345"}, follow=True)
    assert "Tax owed (yuan): An amount has at most two decimal places" in text_of(r)
    r = tax.post(f"/onestop/standing/?uscc={firm.uscc}", {"tax_arrears_fen": "-5"}, follow=True)
    assert "Tax owed (yuan)" in text_of(r)
    assert counts() == before
    r = tax.post(f"/onestop/standing/?uscc={firm.uscc}", {"tax_arrears_fen": "1,234.50", "abnormal_list": "on"})
    assert r.status_code == 302
    standing = EnterpriseStanding.objects.get(enterprise=firm)
    assert (standing.tax_arrears_fen, standing.abnormal_list) == (123_450, False)
    assert AuditEntry.objects.filter(action="onestop.set_standing", object_id=str(standing.pk)).count() == 1
    case = actions.do_start("relocation", firm.uscc, RELOCATION_DATA, acting_user=world["applicant"])
    assert [b.check for b in actions.run_prechecks(case)] == ["tax_arrears"]
    head = text_of(client_for(world["head_wujin"]).get("/onestop/standing/", {"uscc": firm.uscc}))
    assert "¥1,234.50" in head and 'id="standing-form"' in head and "input-tax_arrears_fen" not in head
    assert 'id="standing-save"' not in head
    liyang = text_of(client_for(world["mr_liyang"]).get("/onestop/standing/", {"uscc": firm.uscc}))
    assert 'id="standing-error"' in liyang and 'id="standing-enterprise"' not in liyang


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_supporting_documents_are_uploaded_checked_and_read_only_by_those_who_see_the_case(
        world: dict[str, Any], submitted: Callable[..., Any], counts: Any, make_user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..models import Document

    case = submitted()
    applicant = client_for(world["applicant"])
    page = text_of(applicant.get(f"/onestop/applications/{case.pk}/"))
    assert 'id="document-premises"' in page and 'id="attach-premises"' in page
    before = counts()
    # A text file named .pdf, an undeclared kind, no file: refused with the reason, nothing stored.
    for code, upload, expected in (
            ("premises", SimpleUploadedFile("lease.pdf", b"not really a pdf"),
             "The file must be one of: PDF, JPEG, PNG (checked by its content, not its name)."),
            ("passport", SimpleUploadedFile("p.pdf", PDF), "Choose one of the documents this service asks for."),
            ("premises", None, "Choose a file.")):
        body: dict[str, Any] = {"code": code}
        if upload is not None:
            body["file"] = upload
        assert expected in text_of(applicant.post(f"/onestop/applications/{case.pk}/attach/", body, follow=True))
    assert counts() == before and not Document.objects.exists()
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/",
                       {"code": "premises", "file": SimpleUploadedFile("租赁合同.pdf", PDF)})
    assert r.status_code == 302
    doc = Document.objects.get(case=case)
    assert (doc.code, doc.name, doc.size, doc.uploaded_by_id) == ("premises", "租赁合同.pdf", len(PDF), world["applicant"].pk)
    assert AuditEntry.objects.filter(action="onestop.attach", object_id=str(doc.pk)).exists()
    # Read back by the applicant and by the clerks whose queue holds the case; 404 for others.
    for user in (world["applicant"], world["clerk"]["tax"], world["mr_liyang"], world["head_wujin"]):
        r = client_for(user).get(f"/onestop/documents/{doc.pk}/")
        assert r.status_code == 200 and r.getvalue() == PDF, user
    assert f'href="/onestop/documents/{doc.pk}/"' in text_of(client_for(world["clerk"]["tax"]).get(f"/onestop/cases/{case.pk}/"))
    from longcheng.kernel.orgs.models import Organisation

    stranger_firm = Organisation.objects.create(kind="enterprise", name="常州别家公司", uscc=make_uscc("91320412MA9C8Y7XW"),
                                                place=world["city"]["yaoguan"], address="武进区遥观镇")
    stranger = make_user("stranger", {"enterprise_user": [world["city"]["wujin"]]}, organisation=stranger_firm)
    outsider = make_user("outsider", {"onestop_head": [world["city"]["a"]]})  # a community: neither side
    for user in (stranger, outsider):
        assert client_for(user).get(f"/onestop/documents/{doc.pk}/").status_code == 404
    # Another enterprise cannot add to this case either.
    r = client_for(stranger).post(f"/onestop/applications/{case.pk}/attach/",
                                  {"code": "premises", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert r.status_code == 404 and Document.objects.count() == 1


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def test_an_html_polyglot_is_refused_and_a_download_is_a_safe_audited_attachment(
        world: dict[str, Any], submitted: Callable[..., Any], counts: Any) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..models import Document

    case = submitted()
    applicant = client_for(world["applicant"])
    before = counts()
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/",
                       {"code": "premises", "file": SimpleUploadedFile("lease.html", POLYGLOT,
                                                                                         content_type="text/html")},
                       follow=True)
    assert "checked by its content" in text_of(r)
    assert counts() == before and not Document.objects.exists()
    # A file stored before the check (or put there by hand) is still never sent as HTML.
    old = Document(case=case, code="premises", name="lease.html", size=len(POLYGLOT), uploaded_by=world["applicant"])
    old.file.save("lease.html", ContentFile(POLYGLOT), save=True)
    r = client_for(world["clerk"]["tax"]).get(f"/onestop/documents/{old.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"].startswith("attachment") and r["X-Content-Type-Options"] == "nosniff"
    applicant.post(f"/onestop/applications/{case.pk}/attach/",
                   {"code": "premises", "file": SimpleUploadedFile("租赁合同.pdf", PDF)})
    doc = Document.objects.exclude(pk=old.pk).get()
    r = applicant.get(f"/onestop/documents/{doc.pk}/")
    assert r["Content-Type"] == "application/pdf" and r["Content-Disposition"].startswith("attachment")
    reads = AuditEntry.objects.filter(action="onestop.download", is_read=True).order_by("id")
    assert [(a.actor, a.object_id, (a.after or {}).get("case")) for a in reads] == [
        (world["clerk"]["tax"], str(old.pk), case.pk), (world["applicant"], str(doc.pk), case.pk)]
