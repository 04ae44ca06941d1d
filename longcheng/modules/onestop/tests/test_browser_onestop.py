"""In the browser, the whole way: an enterprise's staff member applies to move the enterprise from
武进区 to 溧阳市 (form, check, submit); the departments' clerks act at the same moment from their own
queues; 溧阳市's market regulation asks for a correction, which the applicant answers; the remaining
tasks are accepted, the case completes within its working-day limit and the enterprise's place
changes. Runs in the PostgreSQL pass (the live server's threads each need their own connection, and
parallel departments are serialised by the case row lock). Chinese locale: selected by ids."""

from __future__ import annotations

import os
from typing import Any

import pytest

from conftest import DESK, PHONE, new_page, recheck, sign_in, track

from .conftest import MONDAY, RELOCATION_DATA, at

pytestmark = [pytest.mark.browser, pytest.mark.service, pytest.mark.postgres]

TUESDAY = MONDAY.replace(day=13)


def _page_for(first: Any, url: str, username: str) -> Any:
    """A page of its own browser context (own cookies) and the first page's size, signed in as
    `username`; the pages it visits are tracked (page.visited) to be re-checked at the end."""
    page = new_page(first.context.browser, first.viewport_size)
    page.visited = track(page)
    return sign_in(page, url, username)


def _open_form(page: Any, task_pk: int, kind: str) -> None:
    """Unfold the accept/correct/reject form of a task's row in the queue."""
    page.locator(f"#queue-task-{task_pk} details:has(form.{kind}-form) summary").click()


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_relocation_in_the_browser_with_parallel_departments_and_a_correction(
        live_server: Any, browser_page: Any, world: dict[str, Any], size: dict[str, int]) -> None:
    """Every page each person visits is opened again at the end: no sideways scroll at 1366 × 900 or
    390 × 844, no raw key."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    from longcheng.kernel.audit.models import AuditEntry

    from ..models import Case, CaseStatus, Correction, Document, Task, TaskStatus

    clock, firm, city = world["clock"], world["firm"], world["city"]
    url = live_server.url
    os.makedirs("var/screenshots", exist_ok=True)

    # The applicant fills in the form drawn from the declaration, checks it and submits it.
    clock.set(at(MONDAY, 9))
    applicant = browser_page
    applicant.set_viewport_size(size)
    applicant.visited = track(applicant)
    sign_in(applicant, url, "applicant")
    applicant.goto(f"{url}/onestop/")
    applicant.click("#start-relocation")
    applicant.wait_for_selector("#start-form")
    applicant.select_option("#f-new_place", RELOCATION_DATA["new_place"])
    applicant.fill("#f-new_address", RELOCATION_DATA["new_address"])
    applicant.fill("#f-moving_date", RELOCATION_DATA["moving_date"])
    applicant.fill("#f-reason", RELOCATION_DATA["reason"])
    with applicant.expect_navigation():
        applicant.click("#save-draft")
    case = Case.objects.get(enterprise=firm, service="relocation")
    assert case.status == CaseStatus.DRAFT and case.data == RELOCATION_DATA
    with applicant.expect_navigation():
        applicant.click("#check")
    assert applicant.locator("#checks-passed").count() == 1, applicant.locator("main").inner_text()[:2000]
    with applicant.expect_navigation():
        applicant.click("#submit")
    applicant.wait_for_selector("#case-status[data-status=submitted]")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    tasks = {t.code: t for t in Task.objects.filter(case=case)}
    assert {c for c, t in tasks.items() if t.status == TaskStatus.OPEN} == {
        "file_out", "move_in", "tax", "social_security", "housing_fund"}

    # Each department sees its task, with the application as the enterprise gave it.
    clerk = world["clerk"]
    pages = {
        "file_out": _page_for(applicant, url, clerk["market_regulation"].username),
        "move_in": _page_for(applicant, url, world["mr_liyang"].username),
        "tax": _page_for(applicant, url, clerk["tax"].username),
        "social_security": _page_for(applicant, url, clerk["social_security"].username),
        "housing_fund": _page_for(applicant, url, clerk["housing_fund"].username),
    }
    for code, page in pages.items():
        page.goto(f"{url}/onestop/queue/")
        row = page.locator(f"#queue-task-{tasks[code].pk}")
        assert row.count() == 1, code
        assert RELOCATION_DATA["new_address"] in row.inner_text(), code
        assert page.locator("[id^=queue-task-]").count() == 1, code  # only its own task

    # 溧阳市 asks for a correction of the move-in at 10:00: its clock and the case's stop.
    clock.set(at(MONDAY, 10))
    liyang = pages["move_in"]
    _open_form(liyang, tasks["move_in"].pk, "correct")
    liyang.fill(f"#request-{tasks['move_in'].pk}", "请上传新址租赁合同")
    with liyang.expect_navigation():
        liyang.click(f"#correct-{tasks['move_in'].pk}")
    correction = Correction.objects.get(task=tasks["move_in"])

    # Four departments accept at the same moment (requests in flight together).
    clock.set(at(MONDAY, 10, 30))
    parallel = ("file_out", "tax", "social_security", "housing_fund")
    for code in parallel:
        _open_form(pages[code], tasks[code].pk, "accept")
        pages[code].fill(f"#note-{tasks[code].pk}", "已办结")
    for code in parallel:
        pages[code].click(f"#accept-{tasks[code].pk}", no_wait_after=True)
    for code in parallel:
        pages[code].wait_for_selector(".flash li.success")
        assert pages[code].locator(f"#queue-task-{tasks[code].pk}").count() == 0, code
    states = dict(Task.objects.filter(case=case).values_list("code", "status"))
    assert states == {"file_out": "done", "tax": "done", "social_security": "done", "housing_fund": "done",
                      "move_in": "correction", "change_registration": "blocked"}

    # The applicant sees the correction and answers it in the browser at 14:00.
    clock.set(at(MONDAY, 14))
    applicant.goto(f"{url}/onestop/applications/{case.pk}/")
    assert applicant.locator("#task-move_in[data-status=correction]").count() == 1
    lease = b"%PDF-1.4\n% lease of the new premises\ntrailer<<>>\n%%EOF\n"
    applicant.set_input_files("#file-premises", files=[{"name": "新址租赁合同.pdf", "mimeType": "application/pdf",
                                                        "buffer": lease}])
    with applicant.expect_navigation():
        applicant.click("#attach-premises")
    document = Document.objects.get(case=case, code="premises")
    assert document.name == "新址租赁合同.pdf" and document.size == len(lease)
    applicant.fill(f"#answer-{correction.pk}", "已上传租赁合同")
    with applicant.expect_navigation():
        applicant.click(f"#answer-submit-{correction.pk}")
    correction.refresh_from_db()
    assert correction.answered_at is not None and correction.answer == "已上传租赁合同"
    applicant.wait_for_selector("#task-move_in[data-status=open]")

    # 溧阳市 reads the lease on the case page, then accepts the move-in on Tuesday morning; the
    # change of registration opens and is done.
    liyang.goto(f"{url}/onestop/cases/{case.pk}/")
    link = liyang.locator("#document-premises a.document-link")
    assert link.inner_text() == "新址租赁合同.pdf"
    with liyang.expect_download() as download:
        link.click()
    assert open(download.value.path(), "rb").read() == lease
    clock.set(at(TUESDAY, 9, 30))
    liyang.goto(f"{url}/onestop/queue/")
    _open_form(liyang, tasks["move_in"].pk, "accept")
    with liyang.expect_navigation():
        liyang.click(f"#accept-{tasks['move_in'].pk}")
    change = Task.objects.get(case=case, code="change_registration")
    assert change.status == TaskStatus.OPEN
    clock.set(at(TUESDAY, 10))
    liyang.goto(f"{url}/onestop/queue/")
    _open_form(liyang, change.pk, "accept")
    liyang.fill(f"#result-{change.pk}-registration_authority", "溧阳市市场监督管理局")
    with liyang.expect_navigation():
        liyang.click(f"#accept-{change.pk}")

    case.refresh_from_db()
    firm.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.completed_at is not None and case.due_at is not None and case.completed_at <= case.due_at
    assert case.outcome == {"registration_authority": "溧阳市市场监督管理局"}
    assert firm.place == city["liyang_town"] and firm.address == RELOCATION_DATA["new_address"]
    assert AuditEntry.objects.filter(action="onestop.relocation", object_id=str(firm.pk)).count() == 1
    applicant.goto(f"{url}/onestop/applications/{case.pk}/")
    applicant.wait_for_selector("#case-status[data-status=completed]")
    assert "溧阳市市场监督管理局" in applicant.locator("#outcome").inner_text()
    applicant.screenshot(path=f"var/screenshots/onestop-case-{size['width']}.png", full_page=True)
    # The staff's case page shows the timeline.
    liyang.goto(f"{url}/onestop/cases/{case.pk}/")
    assert liyang.locator("#audit tbody tr").count() >= 10
    liyang.screenshot(path=f"var/screenshots/onestop-staff-case-{size['width']}.png", full_page=True)

    # The head of the Wujin window follows the figures and opens the case.
    head = _page_for(applicant, url, world["head_wujin"].username)
    for path in ("/", "/onestop/figures/", "/onestop/queue/", f"/onestop/cases/{case.pk}/"):
        head.goto(f"{url}{path}")
        assert head.locator("h1").count() == 1, path
    for page in (applicant, *pages.values(), head):
        recheck(page, page.visited)
    for page in (*pages.values(), head):
        page.context.close()
