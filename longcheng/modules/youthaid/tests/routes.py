"""youthaid's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: 陈晓雨 of 溧城街道 (city["liyang_town"]) with an approved living-assistance application,
its proof file, in a paid batch."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World


def _living() -> Any:
    """The living-assistance type (seeded by a migration, which a transactional test's flush removes)."""
    from longcheng.modules.youthaid.models import AidType

    kind, _created = AidType.objects.get_or_create(code="living", defaults={
        "name": "生活救助", "condition": "hardship", "min_fen": 100_000, "max_fen": 300_000,
        "yearly_cap_fen": 300_000, "grade_amounts": {"1": 100_000, "2": 200_000, "3": 300_000},
        "proof_required": False})
    return kind


def _world(world: World) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from stdnum.cn import ric

    from longcheng.kernel.people.models import Resident
    from longcheng.modules.youthaid import actions
    from longcheng.modules.youthaid.models import Application, Attachment, Payment, PaymentBatch, Youth

    city = world["city"]
    actions.do_open_fund(acting_user=None, place=city["liyang"])  # as the demo and the command line do
    person = Resident.objects.create(resident_id="32048120100501003" + ric.calc_check_digit("320481201005010030"), name="陈晓雨", gender="F",
                                     birth_date="2010-05-01", place=city["liyang_town"])
    youth = Youth.objects.create(person=person, status="active", hardship_grade=1)
    application = Application.objects.create(youth=youth, aid_type=_living(), year=2026, requested_fen=100_000,
                                             reason="生活困难", status="approved", approved_fen=100_000)
    attachment = Attachment(application=application, name="bill.txt", size=4)
    attachment.file.save("bill.txt", ContentFile(b"bill"), save=True)
    batch = PaymentBatch.objects.create(code="T-1", title="测试批次", count=1, total_fen=100_000)
    Payment.objects.create(batch=batch, application=application, youth=youth, aid_type=application.aid_type,
                           amount_fen=100_000)
    return {"youth": youth, "attachment": attachment, "batch": batch, "application": application}


def _youth(world: World) -> dict[str, Any]:
    return {"pk": world["youthaid"]["youth"].pk}


def _application(world: World) -> dict[str, Any]:
    return {"pk": world["youthaid"]["application"].pk}


WHERE = "liyang_town"

# (step, the permission its POST needs, its form): a holder without the permission changes nothing.
STEP_POSTS: list[tuple[str, str, Any]] = [
    ("consent", "youthaid.manage", lambda w: {"given_by": w["youthaid"]["youth"].person_id, "sensitive": "on"}),
    ("profile", "youthaid.manage", lambda w: {"reason": "家访核实", "risk": "low"}),
    ("reveal", "youthaid.bank", lambda w: {"fields": ["bank"], "reason": "发放助学金"}),
    ("sensitive", "youthaid.bank", lambda w: {"reason": "银行卡", "bank_name": "农业银行",
                                              "bank_account": "6228480402564890018"}),
    ("screen", "youthaid.manage", lambda w: {"note": "复核"}),
    ("appeal", "youthaid.manage", lambda w: {"note": "家庭情况有变化"}),
    ("visit", "youthaid.manage", lambda w: {"visited_on": "2026-11-01", "situation": "家中情况稳定", "risk": "low"}),
    ("life_event", "youthaid.manage", lambda w: {"kind": "new_hardship", "on": "2026-10-01", "note": "母亲失业",
                                                 "hardship_grade": "2"}),
    ("apply", "youthaid.manage", lambda w: {"aid_type": "living", "amount": "1000", "reason": "生活困难"}),
    ("recommend", "youthaid.manage", lambda w: {"application": w["youthaid"]["application"].pk, "recommend": "yes"}),
    ("pair", "youthaid.manage", lambda w: {"volunteer": "1"}),
    ("contact", "youthaid.manage", lambda w: {"on": "2026-10-01", "kind": "visit", "note": "一起吃饭"}),
    ("unpair", "youthaid.manage", lambda w: {"reason": "志愿者搬家"}),
    ("room", "youthaid.manage", lambda w: {"budget": "5000", "contractor": "溧阳装修队", "before_note": "墙面发霉"}),
    ("room_advance", "youthaid.manage", lambda w: {"room": "1", "to": "cancelled"}),
]

# (step, its form) on a payment batch: all need youthaid.pay.
BATCH_POSTS: list[tuple[str, Any]] = [
    ("pay", lambda w: {}),
    ("return", lambda w: {"payment": "1", "reason": "账户已销户"}),
    ("reissue", lambda w: {"payment": "1"}),
]

PAGES = [
    Page("youthaid:cases", "youthaid.view"),
    Page("youthaid:case", "youthaid.view", lambda w: [w["youthaid"]["youth"].pk], within=WHERE),
    # Each step of a case has its own url, taking POSTs only (views/cases.py, STEPS).
    *(Page(f"youthaid:case_{step}", "youthaid.view", lambda w: [w["youthaid"]["youth"].pk], within=WHERE,
           get=False, post_permission=needs, post=body)
      for step, needs, body in STEP_POSTS),
    Page("youthaid:report", "youthaid.report",
         post=lambda w: {"resident_id": "320481201005010035", "name": "赵一", "channel": "school",
                         "note": "父亲去世"}),
    Page("youthaid:attachment", "youthaid.view", lambda w: [w["youthaid"]["attachment"].pk], within=WHERE),
    Page("youthaid:review", "youthaid.review"),
    # The review, fund, rules and volunteers pages' steps, each its own url taking POSTs only.
    Page("youthaid:review_decide", "youthaid.review", get=False,
         post=lambda w: {"application": w["youthaid"]["application"].pk, "decision": "reject", "reason": "不符合"}),
    Page("youthaid:batches", "youthaid.pay"),
    Page("youthaid:batch_create", "youthaid.pay", get=False, post=lambda w: {"title": "测试批次"}),
    Page("youthaid:batch", "youthaid.pay", lambda w: [w["youthaid"]["batch"].pk]),
    # Each step of a batch has its own url, taking POSTs only (views/payments.py, BATCH_STEPS).
    *(Page(f"youthaid:batch_{step}", "youthaid.pay", lambda w: [w["youthaid"]["batch"].pk], get=False, post=body)
      for step, body in BATCH_POSTS),
    Page("youthaid:fund", "youthaid.view"),
    Page("youthaid:fund_donate", "youthaid.view", get=False, post_permission="youthaid.fund",
         post=lambda w: {"donor": "张先生", "amount": "100"}),
    Page("youthaid:rules", "youthaid.view"),
    Page("youthaid:rules_edit", "youthaid.view", get=False, post_permission="youthaid.configure",
         post=lambda w: {"code": "living", "min": "1000", "max": "3000", "cap": "3000", "grade_1": "1000",
                         "grade_2": "2000", "grade_3": "3000", "active": "on", "reason": "年度调整"}),
    Page("youthaid:volunteers", "youthaid.view"),
    Page("youthaid:volunteer_register", "youthaid.view", get=False, post_permission="youthaid.manage",
         post=lambda w: {"name": "周慧", "phone": "13912345678", "place": w["city"]["liyang_town"].pk}),
    Page("youthaid:volunteer_vet", "youthaid.view", get=False, post_permission="youthaid.manage",
         post=lambda w: {"volunteer": "1", "status": "vetted", "note": "已核实"}),
    Page("youthaid:rooms", "youthaid.view"),
    # The federation's step of a dream room (approve, sign off), POST only (views/rooms.py).
    Page("youthaid:room_advance", "youthaid.view", get=False, post_permission="youthaid.review",
         post=lambda w: {"room": "1", "to": "approved"}),
    Page("youthaid:figures", "youthaid.view"),
]

API = [
    Api("POST", "/api/v1/youthaid/reports", "youthaid.report",
        body=lambda w: {"resident_id": "320481201005010035", "name": "赵一", "channel": "school",
                        "note": "父亲去世"}),
    Api("GET", "/api/v1/youthaid/reports", "youthaid.report"),
    Api("GET", "/api/v1/youthaid/cases", "youthaid.view"),
    Api("GET", "/api/v1/youthaid/cases/{pk}", "youthaid.view", _youth, within=WHERE),
    Api("POST", "/api/v1/youthaid/cases/{pk}/screen", "youthaid.manage", _youth, within=WHERE),
    Api("POST", "/api/v1/youthaid/cases/{pk}/visits", "youthaid.manage", _youth, within=WHERE,
        body=lambda w: {"visited_on": "2026-11-01", "situation": "家中情况稳定", "risk": "low"}),
    Api("POST", "/api/v1/youthaid/cases/{pk}/life-events", "youthaid.manage", _youth, within=WHERE,
        body=lambda w: {"kind": "left_school", "on": "2026-11-01"}),
    Api("POST", "/api/v1/youthaid/cases/{pk}/applications", "youthaid.manage", _youth, within=WHERE,
        body=lambda w: {"aid_type": "living", "amount_fen": 100_000, "reason": "困难"}, multipart=True),
    Api("POST", "/api/v1/youthaid/applications/{pk}/recommendation", "youthaid.manage", _application,
        within=WHERE, body=lambda w: {"recommend": True, "note": "建议批准"}),
    Api("POST", "/api/v1/youthaid/applications/{pk}/decision", "youthaid.review", _application, within=WHERE,
        body=lambda w: {"approve": True, "reason": "同意"}),
    Api("POST", "/api/v1/youthaid/batches", "youthaid.pay", body=lambda w: {"title": "测试"}),
    Api("POST", "/api/v1/youthaid/batches/{pk}/pay", "youthaid.pay", lambda w: {"pk": w["youthaid"]["batch"].pk}),
    Api("GET", "/api/v1/youthaid/fund", "youthaid.view"),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
