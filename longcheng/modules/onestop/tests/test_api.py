"""onestop's API with bearer tokens: a relocation from 武进区 to 溧阳市 from the draft to completion,
and refusals that name the field and leave the database as it was."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from ..models import Case, CaseStatus, Correction, Task, TaskStatus
from .conftest import MONDAY, RELOCATION_DATA, at, tasks_of

BASE = "/api/v1/onestop"
TUESDAY = MONDAY + dt.timedelta(days=1)


def _client(user: Any) -> Client:
    from longcheng.kernel.access.models import ApiToken

    _t, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json")


def test_services_declare_forms_tasks_and_limits(world: dict[str, Any]) -> None:
    r = _client(world["applicant"]).get(BASE + "/services")
    assert r.status_code == 200
    by_code = {s["code"]: s for s in r.json()}
    assert set(by_code) == {"relocation", "deregistration", "startup"}
    relocation = by_code["relocation"]
    assert relocation["limit_days"] == 1.5
    assert [f["name"] for f in relocation["form"]] == ["new_place", "new_address", "moving_date", "reason"]
    tasks = {t["code"]: t for t in relocation["tasks"]}
    assert tasks["change_registration"]["after"] == ["file_out", "move_in"]
    assert tasks["move_in"]["side"] == "receiving" and tasks["tax"]["limit_days"] == 1.0
    assert Client().get(BASE + "/services").status_code == 401


def test_relocation_through_the_api(world: dict[str, Any]) -> None:
    c, city, firm = world["clock"], world["city"], world["firm"]
    applicant = _client(world["applicant"])
    clerks = {office: _client(user) for office, user in world["clerk"].items()}
    liyang = _client(world["mr_liyang"])
    head = _client(world["head_wujin"])

    r = _post(applicant, "/cases", {"service": "relocation", "uscc": firm.uscc, "data": RELOCATION_DATA})
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["tasks"] == []
    r = _post(applicant, f"/cases/{case_id}/prechecks")
    assert r.status_code == 200 and r.json() == {"blockers": []}

    r = _post(applicant, f"/cases/{case_id}/submit")  # Monday 09:00
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "submitted" and body["working_days_left"] == 1.5
    states = {t["code"]: t["status"] for t in body["tasks"]}
    assert states["change_registration"] == "blocked" and states["file_out"] == "open"
    move_in = next(t for t in body["tasks"] if t["code"] == "move_in")
    assert move_in["place_code"] == "320481" and move_in["working_days_left"] == 0.5

    # Each clerk sees his office's task in his district; the 溧阳 clerk only the move-in.
    r = liyang.get(BASE + "/queue")
    assert r.status_code == 200 and [t["code"] for t in r.json()["items"]] == ["move_in"]
    assert [t["code"] for t in clerks["tax"].get(BASE + "/queue").json()["items"]] == ["tax"]
    r = clerks["tax"].get(BASE + "/queue?page=51&size=200")
    assert r.status_code == 400 and r.json()["field"] == "page"
    assert head.get(f"{BASE}/cases/{case_id}").status_code == 200  # a head sees cases in scope

    c.set(at(MONDAY, 10))
    r = _post(liyang, f"/tasks/{move_in['id']}/correction", {"request": "请补充新址租赁合同"})
    assert r.status_code == 201, r.content
    correction_id = r.json()["id"]
    detail = applicant.get(f"{BASE}/cases/{case_id}").json()
    assert detail["paused"] is True and detail["working_days_left"] is None

    c.set(at(MONDAY, 10, 30))
    tasks = tasks_of(Case.objects.get(pk=case_id))
    assert _post(clerks["market_regulation"], f"/tasks/{tasks['file_out'].pk}/accept").status_code == 200
    for office in ("tax", "social_security", "housing_fund"):
        r = _post(clerks[office], f"/tasks/{tasks[office].pk}/accept", {"result": {"note": "已办结"}})
        assert r.status_code == 200 and r.json()["status"] == "done"

    c.set(at(TUESDAY, 10))
    r = _post(applicant, f"/corrections/{correction_id}/answer", {"answer": "已上传租赁合同"})
    assert r.status_code == 200 and r.json()["answered_at"] is not None
    assert _post(liyang, f"/tasks/{move_in['id']}/accept").status_code == 200

    # The change of registration opened; it must give what it writes.
    change = tasks_of(Case.objects.get(pk=case_id))["change_registration"]
    assert change.status == TaskStatus.OPEN
    r = _post(liyang, f"/tasks/{change.pk}/accept", {"result": {}})
    assert r.status_code == 400 and r.json()["field"] == "registration_authority"
    c.set(at(TUESDAY, 14))
    r = _post(liyang, f"/tasks/{change.pk}/accept", {"result": {"registration_authority": "溧阳市市场监督管理局"}})
    assert r.status_code == 200

    detail = applicant.get(f"{BASE}/cases/{case_id}").json()
    assert detail["status"] == "completed" and detail["outcome"] == {"registration_authority": "溧阳市市场监督管理局"}
    assert all(t["status"] == "done" for t in detail["tasks"])
    assert detail["tasks"][1]["corrections"][0]["answer"] == "已上传租赁合同"
    firm.refresh_from_db()
    assert firm.place == city["liyang_town"]
    listed = applicant.get(BASE + "/cases").json()["items"]
    assert [x["id"] for x in listed] == [case_id]


def test_an_invalid_credit_code_names_the_field(world: dict[str, Any], counts: Any) -> None:
    before = counts()
    bad = world["firm"].uscc[:-1] + ("0" if world["firm"].uscc[-1] != "0" else "1")
    r = _post(_client(world["applicant"]), "/cases", {"service": "relocation", "uscc": bad, "data": RELOCATION_DATA})
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["field"]) == ("invalid_uscc", "uscc")
    assert counts() == before


def test_an_enterprise_not_the_users_own_is_refused(world: dict[str, Any], make_user: Any,
                                                   counts: Any) -> None:
    before = counts()
    r = _post(_client(world["applicant"]), "/cases",
              {"service": "relocation", "uscc": world["other"].uscc, "data": RELOCATION_DATA})
    assert r.status_code == 403 and (r.json()["code"], r.json()["field"]) == ("not_own_enterprise", "uscc")
    # Another enterprise's staff (the place of their role does not matter: the account follows its own
    # enterprise, issue 15 finding 14).
    elsewhere = make_user("elsewhere", {"enterprise_user": [world["city"]["liyang"]]}, organisation=world["other"])
    r = _post(_client(elsewhere), "/cases", {"service": "relocation", "uscc": world["firm"].uscc,
                                             "data": RELOCATION_DATA})
    assert r.status_code == 403 and r.json()["field"] == "uscc"
    # A clerk holds no onestop.apply: refused before anything is read.
    r = _post(_client(world["clerk"]["tax"]), "/cases", {"service": "relocation", "uscc": "x", "data": {}})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert counts() == before
    # Another enterprise's case is not found, for reading and for submitting.
    r = _post(_client(world["applicant"]), "/cases", {"service": "relocation", "uscc": world["firm"].uscc,
                                                      "data": RELOCATION_DATA})
    case_id = r.json()["id"]
    other = _client(world["other_applicant"])
    assert other.get(f"{BASE}/cases/{case_id}").status_code == 404
    assert _post(other, f"/cases/{case_id}/submit").status_code == 404
    assert _post(other, f"/cases/{case_id}/prechecks").status_code == 404
    assert _client(world["mr_liyang"]).get(f"{BASE}/cases/{case_id}").status_code == 404  # 溧阳's view scope
    assert Case.objects.get(pk=case_id).status == CaseStatus.DRAFT


def test_failing_prechecks_give_every_blocker_and_write_nothing(world: dict[str, Any], counts: Any,
                                                                english: Any) -> None:
    from .. import actions

    clerk, firm = world["clerk"], world["firm"]
    actions.do_set_standing(firm, tax_arrears_fen=1_234_500, acting_user=clerk["tax"])
    actions.do_set_standing(firm, abnormal_list=True, acting_user=clerk["market_regulation"])
    applicant = _client(world["applicant"])
    data = {**RELOCATION_DATA, "new_address": "武进区湖塘镇某路1号"}
    case_id = _post(applicant, "/cases", {"service": "relocation", "uscc": firm.uscc, "data": data}).json()["id"]
    r = _post(applicant, f"/cases/{case_id}/prechecks")
    assert [b["check"] for b in r.json()["blockers"]] == ["tax_arrears", "abnormal_list", "relocation_target"]
    before = counts()
    r = _post(applicant, f"/cases/{case_id}/submit")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "precheck_failed"
    assert [b["check"] for b in body["blockers"]] == ["tax_arrears", "abnormal_list", "relocation_target"]
    assert "12,345.00" in body["blockers"][0]["message"] and body["blockers"][0]["remedy"]
    assert body["blockers"][2]["field"] == "new_address"
    assert counts() == before
    assert Case.objects.get(pk=case_id).status == CaseStatus.DRAFT and not Task.objects.exists()


def test_a_task_not_in_the_clerks_queue_is_not_found(world: dict[str, Any], submitted: Any, counts: Any) -> None:
    case = submitted()
    tasks = tasks_of(case)
    before = counts()
    wujin_mr = _client(world["clerk"]["market_regulation"])
    tax = _client(world["clerk"]["tax"])
    for client, task in ((wujin_mr, tasks["move_in"]), (tax, tasks["file_out"]),
                         (_client(world["mr_liyang"]), tasks["file_out"])):
        for path, body in (("accept", {}), ("correction", {"request": "补"}), ("reject", {"reason": "不符"})):
            r = _post(client, f"/tasks/{task.pk}/{path}", body)
            assert r.status_code == 404, (path, r.content)
            assert r.json()["code"] == "not_found"
    assert _post(wujin_mr, "/tasks/999999/accept").status_code == 404
    # Without any clerk role: refused before the task is looked at.
    r = _post(_client(world["applicant"]), f"/tasks/{tasks['file_out'].pk}/accept")
    assert r.status_code == 403
    assert _client(world["applicant"]).get(BASE + "/queue").status_code == 403
    assert counts() == before
    assert {t.code: t.status for t in Task.objects.filter(case=case)} == {
        code: t.status for code, t in tasks.items()}


def test_a_correction_is_answered_once(world: dict[str, Any], submitted: Any, counts: Any) -> None:
    case = submitted()
    clerk = _client(world["clerk"]["tax"])
    r = _post(clerk, f"/tasks/{tasks_of(case)['tax'].pk}/correction", {"request": "请补充完税证明"})
    correction_id = r.json()["id"]
    applicant = _client(world["applicant"])
    r = _post(applicant, f"/corrections/{correction_id}/answer", {"answer": ""})
    assert r.status_code == 400 and r.json()["field"] == "answer"
    assert _post(applicant, f"/corrections/{correction_id}/answer", {"answer": "已补充"}).status_code == 200
    before = counts()
    r = _post(applicant, f"/corrections/{correction_id}/answer", {"answer": "再补充"})
    assert r.status_code == 409 and (r.json()["code"], r.json()["field"]) == ("already_answered", "answer")
    assert counts() == before
    assert Correction.objects.get(pk=correction_id).answer == "已补充"
    # Someone else's correction is not found.
    assert _post(_client(world["other_applicant"]), f"/corrections/{correction_id}/answer",
                 {"answer": "x"}).status_code == 404


def test_rejection_through_the_api(world: dict[str, Any], submitted: Any) -> None:
    case = submitted()
    r = _post(_client(world["clerk"]["tax"]), f"/tasks/{tasks_of(case)['tax'].pk}/reject", {"reason": "存在未结税务事项"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    detail = _client(world["applicant"]).get(f"{BASE}/cases/{case.pk}").json()
    assert detail["status"] == "rejected" and detail["reject_reason"] == "存在未结税务事项"
    r = _post(_client(world["clerk"]["social_security"]), f"/tasks/{tasks_of(case)['social_security'].pk}/accept")
    assert r.status_code == 409 and r.json()["code"] == "task_not_open"


def test_submit_at_once_writes_nothing_when_a_precheck_fails(world: dict[str, Any], counts: Any) -> None:
    from .. import actions

    firm = world["firm"]
    applicant = _client(world["applicant"])
    actions.do_set_standing(firm, open_penalty=True, acting_user=world["clerk"]["market_regulation"])
    before = counts()
    r = _post(applicant, "/cases", {"service": "relocation", "uscc": firm.uscc, "data": RELOCATION_DATA,
                                    "submit": True})
    assert r.status_code == 422 and [b["check"] for b in r.json()["blockers"]] == ["open_penalty"]
    assert counts() == before  # no draft, no audit row
    incomplete = {k: v for k, v in RELOCATION_DATA.items() if k != "new_address"}
    r = _post(applicant, "/cases", {"service": "relocation", "uscc": firm.uscc, "data": incomplete, "submit": True})
    assert r.status_code == 400 and (r.json()["code"], r.json()["field"]) == ("required", "new_address")
    assert counts() == before
    actions.do_set_standing(firm, open_penalty=False, acting_user=world["clerk"]["market_regulation"])
    r = _post(applicant, "/cases", {"service": "relocation", "uscc": firm.uscc, "data": RELOCATION_DATA,
                                    "submit": True})
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "submitted" and len(r.json()["tasks"]) == 6


def test_a_batch_of_acceptances_is_all_or_nothing(world: dict[str, Any], make_user: Any, counts: Any) -> None:
    """Two relocations: the tax clerk finishes both tax tasks in one request; a batch with one task
    outside the queue or a missing result writes nothing and names the item; the Liyang clerk's
    batch of both move-ins and, later, both changes of registration completes both cases."""
    from longcheng.kernel.orgs.models import Organisation

    from .. import actions

    applicants = [(world["firm"], world["applicant"]), (world["other"], world["other_applicant"])]
    cases = [actions.do_submit(actions.do_start("relocation", firm.uscc, RELOCATION_DATA, acting_user=user),
                               acting_user=user) for firm, user in applicants]
    tasks = [tasks_of(case) for case in cases]
    tax = _client(world["clerk"]["tax"])
    before = counts()
    r = _post(tax, "/tasks/accept", {"items": [{"task": tasks[0]["tax"].pk}, {"task": tasks[1]["file_out"].pk}]})
    assert r.status_code == 404 and r.json()["field"] == "items[1].task"
    r = _post(tax, "/tasks/accept", {"items": [{"task": tasks[0]["tax"].pk}, {"task": tasks[0]["tax"].pk}]})
    assert r.status_code == 400 and r.json()["field"] == "items"
    liyang = _client(world["mr_liyang"])
    r = _post(liyang, "/tasks/accept", {"items": [{"task": tasks[0]["move_in"].pk}, {"task": tasks[1]["change_registration"].pk}]})
    assert r.status_code == 409 and r.json()["field"] == "items[1].task"
    assert counts() == before
    assert {t.status for t in Task.objects.filter(case__in=cases, code__in=["tax", "move_in"])} == {TaskStatus.OPEN}

    r = _post(tax, "/tasks/accept", {"items": [{"task": tasks[0]["tax"].pk}, {"task": tasks[1]["tax"].pk}]})
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": [tasks[0]["tax"].pk, tasks[1]["tax"].pk], "completed_cases": []}
    wujin_mr = _client(world["clerk"]["market_regulation"])
    for client, code in ((wujin_mr, "file_out"), (liyang, "move_in"), (_client(world["clerk"]["social_security"]),
                         "social_security"), (_client(world["clerk"]["housing_fund"]), "housing_fund")):
        r = _post(client, "/tasks/accept", {"items": [{"task": t[code].pk} for t in tasks]})
        assert r.status_code == 200, (code, r.content)
    batch = {"items": [{"task": t["change_registration"].pk, "result": {}} for t in tasks]}
    r = _post(liyang, "/tasks/accept", batch)
    assert r.status_code == 400 and r.json()["field"] == "items[0].registration_authority"
    for item in batch["items"]:
        item["result"] = {"registration_authority": "溧阳市市场监督管理局"}
    r = _post(liyang, "/tasks/accept", batch)
    assert r.status_code == 200 and r.json()["completed_cases"] == sorted(c.pk for c in cases)
    for case, (firm, _user) in zip(cases, applicants, strict=True):
        case.refresh_from_db()
        assert case.status == CaseStatus.COMPLETED and case.outcome["registration_authority"] == "溧阳市市场监督管理局"
        moved = Organisation.objects.select_related("place").get(pk=firm.pk).place
        assert moved is not None and moved.code == RELOCATION_DATA["new_place"]


def test_a_document_is_uploaded_through_the_api(world: dict[str, Any], submitted: Any, counts: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = submitted("deregistration", {"reason": "dissolution", "liquidation_date": "2026-09-30"})
    applicant = _client(world["applicant"])
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    before = counts()
    r = applicant.post(f"{BASE}/cases/{case.pk}/documents",
                       {"code": "liquidation_report", "file": SimpleUploadedFile("report.gif", b"GIF89a....")})
    assert r.status_code == 400 and r.json()["field"] == "file"
    assert counts() == before
    r = applicant.post(f"{BASE}/cases/{case.pk}/documents",
                       {"code": "liquidation_report", "file": SimpleUploadedFile("清算报告.png", png)})
    assert r.status_code == 201, r.content
    assert {k: r.json()[k] for k in ("code", "name", "size")} == {"code": "liquidation_report", "name": "清算报告.png",
                                                                   "size": len(png)}
    detail = applicant.get(f"{BASE}/cases/{case.pk}").json()
    assert [d["code"] for d in detail["documents"]] == ["liquidation_report"]
    other = _client(world["other_applicant"])
    r = other.post(f"{BASE}/cases/{case.pk}/documents", {"code": "resolution", "file": SimpleUploadedFile("r.png", png)})
    assert r.status_code == 404
