"""onestop's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: a submitted relocation of an enterprise of 遥观镇 whose staff accounts are the matrix's
enterprise_user accounts, with an open tax task (handled in 武进区), an open correction and a document.
An applicant's access follows their enterprise, not the place of their role (issue 15, finding 14):
the enterprise_user accounts held beside 武进区 (in 溧阳市) are another enterprise's staff, so "beside"
tests a stranger to the case."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.route_matrix import BESIDE, Api, Page, Routes, World

OFFICES = ("market_regulation", "tax", "social_security", "housing_fund", "power_supply", "public_security", "bank",
           "customs", "commerce")
HANDLE = tuple(f"onestop.handle.{office}" for office in OFFICES)
APPLY, VIEW = "onestop.apply", "onestop.view"


def _world(world: World) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.onestop.models import Case, Correction, Document, Task

    city = world["city"]
    enterprise = Organisation.objects.create(kind="enterprise", name="常州龙城精工有限公司（测试）",
                                             uscc="91320412MA1MATRIX0", place=city["yaoguan"])
    stranger = Organisation.objects.create(kind="enterprise", name="常州溧阳别家有限公司（测试）",
                                           uscc="91320481MA1MATRIX9", place=city["liyang_town"])
    applicants = [(world["users"]["enterprise_user"], "root"),
                  *((user, place) for (role, place), user in world["accounts"].items() if role == "enterprise_user")]
    for user, place in applicants:
        user.organisation = stranger if place == BESIDE[WHERE] else enterprise
        user.save(update_fields=["organisation"])
    applicant = world["users"]["enterprise_user"]
    now = timezone.now()
    case = Case.objects.create(service="relocation", enterprise=enterprise, place=city["yaoguan"],
                               applicant=applicant, status="submitted", submitted_at=now, due_at=now)
    task = Task.objects.create(case=case, code="tax", department="tax", place=city["wujin"], status="open",
                               limit_days=1, opened_at=now, due_at=now)
    other = Task.objects.create(case=case, code="file_out", department="market_regulation_out", place=city["wujin"],
                                status="correction", limit_days=1, opened_at=now, due_at=now)
    correction = Correction.objects.create(task=other, request="请补充租赁合同", asked_by=world["users"]["city_admin"],
                                           asked_at=now)
    document = Document.objects.create(case=case, code="premises", name="lease.pdf", size=14, uploaded_by=applicant,
                                       file=ContentFile(b"%PDF-1.4 lease", name="lease.pdf"))
    return {"case": case, "task": task, "correction": correction, "document": document}


def _case(world: World) -> dict[str, Any]:
    return {"pk": world["onestop"]["case"].pk}


def _task(world: World) -> dict[str, Any]:
    return {"pk": world["onestop"]["task"].pk}


WHERE = "wujin"  # the case's 遥观镇 and the task's handling district

PAGES = [
    Page("onestop:applications", APPLY),
    Page("onestop:start", APPLY, lambda w: ["relocation"], post=lambda w: {"reason": "扩大产能"}),
    Page("onestop:application", APPLY, lambda w: [w["onestop"]["case"].pk], within=WHERE),
    # Each change has its own url, taking POSTs only (urls.py); the case is submitted, so the
    # draft's steps are refused to its own applicants too (409).
    *(Page(f"onestop:application_{step}", APPLY, lambda w: [w["onestop"]["case"].pk], within=WHERE, get=False,
           post=lambda w: {"reason": "换一个理由"}) for step in ("save", "check", "submit")),
    Page("onestop:attach", APPLY, lambda w: [w["onestop"]["case"].pk], within=WHERE, get=False,
         post=lambda w: {"code": "premises"}),
    Page("onestop:withdraw", APPLY, lambda w: [w["onestop"]["case"].pk], within=WHERE, get=False,
         post=lambda w: {}),
    Page("onestop:answer", APPLY, lambda w: [w["onestop"]["correction"].pk], within=WHERE, get=False,
         post=lambda w: {"answer": "已补充"}),
    Page("onestop:queue", VIEW),
    Page("onestop:task_accept", HANDLE, lambda w: [w["onestop"]["task"].pk], within=WHERE, get=False,
         view_permission=VIEW, post=lambda w: {"note": "已办结"}),
    Page("onestop:task_correct", HANDLE, lambda w: [w["onestop"]["task"].pk], within=WHERE, get=False,
         view_permission=VIEW, post=lambda w: {"request": "请补充材料"}),
    Page("onestop:task_reject", HANDLE, lambda w: [w["onestop"]["task"].pk], within=WHERE, get=False,
         view_permission=VIEW, post=lambda w: {"reason": "材料不符"}),
    Page("onestop:case", VIEW, lambda w: [w["onestop"]["case"].pk], within=WHERE),
    Page("onestop:figures", VIEW),
    # The standing of the world's enterprise; only the offices keeping a fact record it.
    Page("onestop:standing", VIEW, query=lambda w: "?uscc=91320412MA1MATRIX0", post=lambda w: {"tax_arrears_fen": "1.00"},
         post_permission=tuple(f"onestop.handle.{office}" for office in ("tax", "social_security",
                                                                          "market_regulation"))),
    Page("onestop:document", (APPLY, VIEW), lambda w: [w["onestop"]["document"].pk], within=WHERE,
         view_permission=None),
]

API = [
    Api("GET", "/api/v1/onestop/services", None),
    Api("POST", "/api/v1/onestop/cases", APPLY,
        body=lambda w: {"service": "relocation", "uscc": "91320412MA1MATRIX0", "data": {}}),
    Api("GET", "/api/v1/onestop/cases", (APPLY, VIEW)),
    Api("GET", "/api/v1/onestop/cases/{pk}", (APPLY, VIEW), _case, within=WHERE),
    Api("POST", "/api/v1/onestop/cases/{pk}/prechecks", APPLY, _case, within=WHERE),
    Api("POST", "/api/v1/onestop/cases/{pk}/submit", APPLY, _case, within=WHERE),
    Api("POST", "/api/v1/onestop/cases/{pk}/withdraw", APPLY, _case, within=WHERE),
    Api("POST", "/api/v1/onestop/cases/{pk}/documents", APPLY, _case, within=WHERE),
    Api("POST", "/api/v1/onestop/corrections/{pk}/answer", APPLY, lambda w: {"pk": w["onestop"]["correction"].pk},
        within=WHERE, body=lambda w: {"answer": "已补充"}),
    Api("GET", "/api/v1/onestop/queue", VIEW),
    Api("POST", "/api/v1/onestop/tasks/{pk}/accept", HANDLE, _task, within=WHERE, body=lambda w: {"result": {}}),
    Api("POST", "/api/v1/onestop/tasks/accept", HANDLE, within=WHERE,
        body=lambda w: {"items": [{"task": w["onestop"]["task"].pk, "result": {}}]}),
    Api("POST", "/api/v1/onestop/tasks/{pk}/correction", HANDLE, _task, within=WHERE,
        body=lambda w: {"request": "请补充材料"}),
    Api("POST", "/api/v1/onestop/tasks/{pk}/reject", HANDLE, _task, within=WHERE, body=lambda w: {"reason": "材料不符"}),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
