"""Issue 15, the 一件事 findings 13-19 as their users found them: each pinned here (each test failed
on the code before its fix)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from .. import actions
from ..models import Case, CaseStatus, Document
from .conftest import MONDAY, RELOCATION_DATA, tasks_of

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def complete_relocation(world: dict[str, Any], case: Any) -> Any:
    """Every task of a relocation accepted, by the office on its side (溧阳市 receives)."""
    clerk = world["clerk"]
    by = {"file_out": clerk["market_regulation"], "move_in": world["mr_liyang"], "tax": clerk["tax"],
          "social_security": clerk["social_security"], "housing_fund": clerk["housing_fund"]}
    for code, user in by.items():
        actions.do_accept(tasks_of(case)[code], {}, acting_user=user)
    actions.do_accept(tasks_of(case)["change_registration"], {"registration_authority": "溧阳市市场监督管理局"},
                      acting_user=world["mr_liyang"])
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    return case


# --- 14: the account follows its enterprise ------------------------------------------------------------


def test_an_applicant_whose_enterprise_moved_out_of_the_district_keeps_their_enterprise(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    from longcheng.kernel.orgs.models import Organisation

    case = complete_relocation(world, submitted())
    firm = Organisation.objects.select_related("place").get(pk=world["firm"].pk)
    assert firm.place is not None and firm.place.code == RELOCATION_DATA["new_place"]  # now in 溧阳市; the role is held in 武进区
    applicant = client_for(world["applicant"])
    # The old application, and the list of them, are still the applicant's.
    assert f'id="case-{case.pk}"' in applicant.get("/onestop/").content.decode()
    assert applicant.get(f"/onestop/applications/{case.pk}/").status_code == 200
    # A new application for the moved enterprise can be started and submitted.
    draft = actions.do_start("deregistration", str(firm.uscc), {"reason": "dissolution", "liquidation_date": "2026-09-30"},
                             acting_user=world["applicant"])
    assert draft.place == firm.place
    r = applicant.post(f"/onestop/applications/{draft.pk}/save/", {"reason": "merger",
                                                                  "liquidation_date": "2026-09-30"})
    assert r.status_code == 302 and Case.objects.get(pk=draft.pk).data["reason"] == "merger"
    # Another enterprise's applicant still sees none of it.
    other = client_for(world["other_applicant"])
    assert other.get(f"/onestop/applications/{draft.pk}/").status_code == 404
    assert f'id="case-{case.pk}"' not in other.get("/onestop/").content.decode()


# --- 16: nothing typed is lost --------------------------------------------------------------------------


def test_the_pre_check_saves_the_draft(world: dict[str, Any]) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    applicant = client_for(world["applicant"])
    typed = {**RELOCATION_DATA, "reason": "新的理由：靠近客户", "moving_date": "2026-10-28"}
    r = applicant.post(f"/onestop/applications/{case.pk}/check/", typed)
    assert r.status_code == 200 and 'id="checks-passed"' in r.content.decode()
    stored = Case.objects.get(pk=case.pk).data
    assert (stored["reason"], stored["moving_date"]) == ("新的理由：靠近客户", "2026-10-28")
    # The page read afresh shows the saved values.
    page = applicant.get(f"/onestop/applications/{case.pk}/").content.decode()
    assert "新的理由：靠近客户" in page and 'value="2026-10-28"' in page


def test_an_upload_keeps_the_unsaved_edits_of_the_draft(world: dict[str, Any], counts: Any) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    applicant = client_for(world["applicant"])
    page = applicant.get(f"/onestop/applications/{case.pk}/").content.decode()
    # The upload belongs to the draft's form, so the browser sends the typed values with the file.
    button = page.split('id="attach-premises"')[1].split(">")[0]
    assert 'form="draft-form"' in button and 'name="code" value="premises"' in button
    assert 'name="file_premises"' in page
    typed = {**RELOCATION_DATA, "reason": "未保存的新理由"}
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/",
                       {**typed, "code": "premises", "file_premises": SimpleUploadedFile("租赁合同.pdf", PDF)})
    assert r.status_code == 302
    assert Case.objects.get(pk=case.pk).data["reason"] == "未保存的新理由"
    assert Document.objects.get(case=case).name == "租赁合同.pdf"
    # A refused upload (no file) writes nothing, and the page shows what was typed.
    before = counts()
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/", {**typed, "reason": "又改了", "code": "premises"})
    body = r.content.decode()
    assert r.status_code == 400 and "Choose a file." in body and 'value="又改了"' in body
    assert counts() == before and Case.objects.get(pk=case.pk).data["reason"] == "未保存的新理由"


# --- 17: a moving date in the past ------------------------------------------------------------------------


def test_a_moving_date_in_the_past_is_a_blocker(world: dict[str, Any], counts: Any, english: Any) -> None:
    yesterday = (MONDAY.date() - dt.timedelta(days=1)).isoformat()
    before = counts()
    with pytest.raises(actions.PrecheckFailed) as err:
        actions.do_start("relocation", world["firm"].uscc, {**RELOCATION_DATA, "moving_date": yesterday},
                         acting_user=world["applicant"], submit=True)
    [blocker] = err.value.blockers
    assert (blocker.check, blocker.field) == ("moving_date", "moving_date")
    assert f"The moving date {yesterday} is in the past" in blocker.message
    assert counts() == before
    # Today is fine.
    case = actions.do_start("relocation", world["firm"].uscc, {**RELOCATION_DATA, "moving_date": MONDAY.date().isoformat()},
                            acting_user=world["applicant"], submit=True)
    assert case.status == CaseStatus.SUBMITTED


def test_the_pre_check_page_names_a_past_moving_date(world: dict[str, Any]) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    r = client_for(world["applicant"], "zh-hans").post(f"/onestop/applications/{case.pk}/check/",
                                                       {**RELOCATION_DATA, "moving_date": "2026-10-01"})
    body = r.content.decode()
    assert r.status_code == 422 and 'data-check="moving_date"' in body and "checks-passed" not in body


# --- 19: the clerk's queue searched by enterprise and filtered by service ----------------------------------


def _queue_ids(client: Client, query: str) -> list[str]:
    body = client.get(f"/onestop/queue/{query}").content.decode()
    return [chunk.split('"')[0] for chunk in body.split('id="queue-task-')[1:]]


def test_the_queue_is_searched_by_enterprise_and_filtered_by_service(
        world: dict[str, Any], submitted: Callable[..., Any], make_user: Any, monkeypatch: Any) -> None:
    from longcheng.kernel.orgs.models import Organisation

    from .. import views_desk
    from .conftest import make_uscc

    firm_case = submitted()  # relocation of 龙城精密机械
    other_case = actions.do_start("relocation", world["other"].uscc, RELOCATION_DATA,
                                  acting_user=world["other_applicant"], submit=True)
    third = Organisation.objects.create(kind="enterprise", name="常州湖塘电子有限公司", uscc=make_uscc("91320412MA3C4D5EF"),
                                        place=world["city"]["yaoguan"], address="武进区遥观镇湖塘路3号")
    third_applicant = make_user("third", {"enterprise_user": [world["city"]["wujin"]]}, organisation=third)
    third_case = actions.do_start("deregistration", str(third.uscc), {"reason": "dissolution", "liquidation_date": "2026-09-30"},
                                  acting_user=third_applicant, submit=True)
    tax = {c.pk: str(next(t.pk for t in c.tasks.all() if t.department == "tax"))
           for c in (firm_case, other_case, third_case)}
    clerk = client_for(world["clerk"]["tax"])
    assert sorted(_queue_ids(clerk, "")) == sorted(tax.values())
    # By name (a part of it), by credit code, by service; and the two together.
    assert _queue_ids(clerk, "?q=剑湖") == [tax[other_case.pk]]
    assert _queue_ids(clerk, f"?q={world['firm'].uscc.lower()}") == [tax[firm_case.pk]]
    assert sorted(_queue_ids(clerk, "?service=relocation")) == sorted([tax[firm_case.pk], tax[other_case.pk]])
    assert _queue_ids(clerk, "?service=deregistration&q=常州") == [tax[third_case.pk]]
    assert _queue_ids(clerk, "?service=startup") == []
    page = clerk.get("/onestop/queue/?q=剑湖&service=relocation").content.decode()
    assert 'name="q" id="q" value="剑湖"' in page and '<option value="relocation" selected>' in page
    # An unknown service is ignored, not a 500.
    assert sorted(_queue_ids(clerk, "?service=nonsense")) == sorted(tax.values())
    # The search keeps the queue's scope: a tax clerk of 溧阳市 finds none of 武进区's tasks.
    liyang_tax = client_for(make_user("tax_liyang", {"onestop_clerk_tax": [world["city"]["liyang"]]}))
    assert _queue_ids(liyang_tax, "?q=龙城") == [] and _queue_ids(liyang_tax, "?service=relocation") == []
    # The paging links keep the search and the filter.
    monkeypatch.setattr(views_desk, "PAGE_SIZE", 1)
    first = clerk.get("/onestop/queue/?service=relocation").content.decode()
    link = first.split('class="pager"')[1].split("</div>")[0]
    assert "service=relocation" in link and "page=2" in link
    ids = _queue_ids(clerk, "?service=relocation") + _queue_ids(clerk, "?service=relocation&page=2")
    assert sorted(ids) == sorted([tax[firm_case.pk], tax[other_case.pk]])
    # The step forms post back with the same query.
    assert 'action="/onestop/tasks/' in first and "?service=relocation" in first.split('class="accept-form"')[0]


# --- the applicant's dashboard --------------------------------------------------------------------------


def test_the_applicants_dashboard_shows_their_own_applications(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    actions.do_ask_correction(tasks_of(case)["tax"], "请补充完税证明", acting_user=world["clerk"]["tax"])
    client = client_for(world["applicant"], "zh-hans")
    page = client.get("/").content.decode()
    assert "暂无与您角色相关的数据" not in page
    panel = page.split("我的一件事申请")[1].split("</section>")[0]
    assert f'href="/onestop/applications/{case.pk}/"' in panel and f"企业迁移登记 #{case.pk}" in panel
    figures = {label: value for value, label in (
        (chunk.split('<div class="v">')[1].split("</div>")[0].strip(), chunk.split('<div class="l">')[1].split("</div>")[0])
        for chunk in panel.split('class="figure"')[1:])}
    assert figures["正在办理的申请"] == "1" and figures["待您答复的补正"] == "1" and figures["未提交的草稿"] == "0"
    # Another enterprise's applicant sees none of it.
    other = client_for(world["other_applicant"], "zh-hans").get("/").content.decode()
    assert f"/onestop/applications/{case.pk}/" not in other


# --- 18: a clock that runs into a year without a calendar -------------------------------------------------


def test_a_clock_running_into_an_unloaded_year_shows_deadline_unknown(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    from longcheng.kernel.workdays import api as wd

    from .conftest import at

    wd.invalidate_year()
    assert not wd.has_year(2027)
    world["clock"].set(at(dt.date(2026, 12, 31), 15))  # 1.5 working days run into 2027
    case = submitted("relocation", {**RELOCATION_DATA, "moving_date": "2027-01-15"})  # refused before: no calendar
    assert case.status == CaseStatus.SUBMITTED and case.due_at is None
    tax = tasks_of(case)["tax"]
    assert tax.status == "open" and tax.due_at is None
    unknown = "办理时限未知：2027年的日历尚未载入"
    for page in (client_for(world["applicant"], "zh-hans").get(f"/onestop/applications/{case.pk}/"),
                 client_for(world["applicant"], "zh-hans").get("/onestop/"),
                 client_for(world["clerk"]["tax"], "zh-hans").get(f"/onestop/cases/{case.pk}/"),
                 client_for(world["clerk"]["tax"], "zh-hans").get("/onestop/queue/"),
                 client_for(world["head_wujin"], "zh-hans").get("/")):
        assert page.status_code == 200
    for page in (client_for(world["applicant"]).get(f"/onestop/applications/{case.pk}/"),
                 client_for(world["clerk"]["tax"]).get("/onestop/queue/")):
        assert "deadline unknown: calendar for 2027 not loaded" in page.content.decode()
    assert unknown in client_for(world["clerk"]["tax"], "zh-hans").get(f"/onestop/cases/{case.pk}/").content.decode()


# --- 13: raw keys shown to people ---------------------------------------------------------------------------

RAW = ("registration_authority", "clearance_no", "licence_no", "onestop.", "_fen", "relocation #", " / move_in",
       "{'", "': ")


def _visible(html: str) -> str:
    """The page's text as people read it: no tags, attributes, scripts or styles."""
    import re

    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_accept_forms_results_and_the_audit_trail_are_in_words(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = submitted()
    actions.do_set_standing(world["firm"], tax_arrears_fen=0, acting_user=world["clerk"]["tax"])
    for code, user in (("file_out", world["clerk"]["market_regulation"]), ("move_in", world["mr_liyang"])):
        actions.do_accept(tasks_of(case)[code], {}, acting_user=user)
    change = tasks_of(case)["change_registration"]
    liyang = client_for(world["mr_liyang"], "zh-hans")
    queue = liyang.get("/onestop/queue/").content.decode()
    label = queue.split(f'for="result-{change.pk}-registration_authority">')[1].split("</label>")[0]
    assert label == "登记机关 *"
    # A refused accept names the result by its label.
    r = liyang.post(f"/onestop/tasks/{change.pk}/accept/", {"result_registration_authority": " "})
    assert r.status_code == 400 and "登记机关" in _visible(r.content.decode())
    actions.do_accept(change, {"registration_authority": "溧阳市市场监督管理局"}, acting_user=world["mr_liyang"])
    for code, office in (("tax", "tax"), ("social_security", "social_security"), ("housing_fund", "housing_fund")):
        actions.do_accept(tasks_of(case)[code], {}, acting_user=world["clerk"][office])
    pages = {
        "applicant": client_for(world["applicant"], "zh-hans").get(f"/onestop/applications/{case.pk}/"),
        "applicant list": client_for(world["applicant"], "zh-hans").get("/onestop/"),
        "staff": client_for(world["mr_liyang"], "zh-hans").get(f"/onestop/cases/{case.pk}/"),
    }
    for name, response in pages.items():
        text = _visible(response.content.decode())
        assert response.status_code == 200 and not [raw for raw in RAW if raw in text], name
    applicant = pages["applicant"].content.decode()
    assert "<dt>登记机关</dt><dd>溧阳市市场监督管理局</dd>" in applicant
    staff = pages["staff"].content.decode()
    trail = _visible(staff.split('id="audit"')[1].split("</table>")[0])
    assert "提交申请" in trail and "环节通过" in trail  # the actions' labels
    assert f"企业迁移登记 #{case.pk} · 迁入申请" in trail  # the objects by name
    assert "登记机关: 溧阳市市场监督管理局" in trail  # the change, labelled
    assert "onestop." not in trail and "move_in" not in trail


def test_every_result_a_task_writes_has_a_label_in_both_languages() -> None:
    import re

    from django.utils import translation

    from ..catalogue import (
        RESULTS,
        STARTUP,
        DeclarationError,
        ServiceSpec,
        TaskSpec,
        register_service,
        services,
    )

    keys = {key for s in services() for t in s.tasks for key in t.writes}
    assert keys == {"registration_authority", "clearance_no", "licence_no"} and keys <= set(RESULTS)
    for key in keys:
        with translation.override("zh-hans"):
            assert re.search(r"[\u4e00-\u9fff]", str(RESULTS[key])), key
        with translation.override("en"):
            assert "_" not in str(RESULTS[key]), key
    with pytest.raises(DeclarationError, match="no label"):
        register_service(ServiceSpec("sample", "S", STARTUP.form, (), (TaskSpec("a", "A", "tax", STARTUP.limit_days,
                                                                                writes=("permit_no",)),),
                                     STARTUP.limit_days))
