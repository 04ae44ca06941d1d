"""cleanaudit's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: a coatings firm of 上书房社区 (city["a"]) whose staff are the matrix's cleanaudit_firm accounts,
its self-audit round at 筹划与组织 with its work plan filed, a guidance thread on it, and an option."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World

VIEW, GUIDE = "cleanaudit.view", "cleanaudit.guide"
REVIEW, RESPOND = "cleanaudit.review", "cleanaudit.respond"
EITHER = (VIEW, RESPOND)


def _world(world: World) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.cleanaudit.models import Artefact, AuditRound, Message, Option, StageRecord, Thread

    place = world["city"]["a"]
    firm = Organisation.objects.create(kind="enterprise", name="常州上书房涂料厂（测试）", uscc="91320412MA1CLEAN0",
                                       place=place)
    for (role, _where), user in [(("cleanaudit_firm", ""), world["users"]["cleanaudit_firm"]),
                                 *world["accounts"].items()]:
        if role == "cleanaudit_firm":
            user.organisation = firm
            user.save(update_fields=["organisation"])
    now = timezone.now()
    audit = AuditRound.objects.create(firm=firm, place=place, year=2026, listed_on=dt.date(2026, 1, 31),
                                      trigger="energy", industry="coatings", mode="self")
    StageRecord.objects.create(round=audit, stage="planning", opened_at=now, due_on=dt.date(2026, 3, 31))
    staff = world["users"]["cleanaudit_firm"]
    plan = Artefact.objects.create(round=audit, stage="planning", kind="plan", title="工作计划", added_by=staff,
                                   added_at=now, file=ContentFile(b"%PDF-1.4 plan\n", name="plan.pdf"),
                                   file_name="plan.pdf")
    thread = Thread.objects.create(round=audit, stage="planning", artefact=plan, subject="计划", opened_by=staff,
                                   opened_at=now)
    Message.objects.create(thread=thread, author=staff, side="firm", body="请指导", at=now)
    option = Option.objects.create(round=audit, title="跑冒滴漏治理", cost_class="low", investment_fen=0,
                                   yearly_saving_fen=1000)
    return {"firm": firm, "round": audit, "thread": thread, "option": option, "plan": plan}


def _round(w: World) -> list[Any]:
    return [w["cleanaudit"]["round"].pk]


def _pk(w: World) -> dict[str, Any]:
    return {"pk": w["cleanaudit"]["round"].pk}


def _import(w: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"统一社会信用代码,审核原因,行业,审核方式\n{w['cleanaudit']['firm'].uscc},高耗能,涂料,自行审核\n"
    return {"year": "2027", "listed_on": "2027-01-31",
            "file": SimpleUploadedFile("list.csv", text.encode(), content_type="text/csv")}


FIGURES = {"period": "before", "energy_tce": "10", "water_m3": "10", "materials_t": "10", "co2_t": "10",
           "value_added_fen": "10", "output": "10", "output_unit": "t"}
OPTION = {"title": "余热回收", "cost_class": "high", "investment_fen": "100000", "yearly_saving_fen": "30000",
          "life_years": "5"}
SCORES = {"score_process": "18", "score_focus": "14", "score_balance": "18", "score_options": "22",
          "score_report": "18"}

PAGES = [
    Page("cleanaudit:rounds", VIEW),
    Page("cleanaudit:mine", RESPOND),
    Page("cleanaudit:rollup", VIEW),
    Page("cleanaudit:list", REVIEW, post=lambda w: {
        "firm": w["cleanaudit"]["firm"].pk, "year": "2027", "listed_on": "2027-01-31", "trigger": "energy",
        "industry": "coatings", "mode": "self"}),
    Page("cleanaudit:import", REVIEW, post=_import),
    Page("cleanaudit:round", EITHER, _round, within="a", view_permission=None),
    Page("cleanaudit:report", EITHER, _round, within="a", view_permission=None),
    Page("cleanaudit:artefact_file", EITHER, lambda w: [w["cleanaudit"]["plan"].pk], within="a",
         view_permission=None),
    Page("cleanaudit:benchmarks", VIEW, post_permission=REVIEW, post=lambda w: {
        "industry": "coatings", "indicator": "energy_per_output", "level_1": "0.2", "level_2": "0.3",
        "level_3": "0.4"}),
    Page("cleanaudit:terms", VIEW, post_permission=REVIEW, post=lambda w: {
        "year": "2027", "register_months": "1", "start_months": "2", "assess_working_days": "22", "accept_months": "12"}),
    Page("cleanaudit:register", RESPOND, _round, within="a", get=False, post=lambda w: {}),
    Page("cleanaudit:artefact", RESPOND, _round, within="a", get=False,
         post=lambda w: {"kind": "team", "title": "审核小组"}),
    Page("cleanaudit:figures", RESPOND, _round, within="a", get=False, post=lambda w: FIGURES),
    Page("cleanaudit:balance", RESPOND, _round, within="a", get=False, post=lambda w: {
        "inputs_t": "100", "products_t": "90", "byproducts_t": "5", "losses_t": "5"}),
    Page("cleanaudit:option", RESPOND, _round, within="a", get=False, post=lambda w: OPTION),
    Page("cleanaudit:option_status", RESPOND, lambda w: [w["cleanaudit"]["option"].pk], within="a", get=False,
         post=lambda w: {"status": "implemented"}),
    Page("cleanaudit:close_stage", RESPOND, _round, within="a", get=False, post=lambda w: {}),
    Page("cleanaudit:thread", EITHER, _round, within="a", get=False, view_permission=None, post=lambda w: {
        "stage": "planning", "subject": "问题", "body": "请问"}),
    Page("cleanaudit:reply", EITHER, lambda w: [w["cleanaudit"]["thread"].pk], within="a", get=False,
         view_permission=None, post=lambda w: {"body": "答复"}),
    Page("cleanaudit:close_thread", EITHER, lambda w: [w["cleanaudit"]["thread"].pk], within="a", get=False,
         view_permission=None, post=lambda w: {}),
    Page("cleanaudit:visit", GUIDE, _round, within="a", get=False, post=lambda w: {"on": "2026-03-02"}),
    Page("cleanaudit:review", REVIEW, lambda w: [w["cleanaudit"]["round"].pk, "assessment"], within="a", get=False,
         post=lambda w: SCORES),
]

API = [
    Api("GET", "/api/v1/cleanaudit/rounds", VIEW),
    Api("GET", "/api/v1/cleanaudit/mine", RESPOND),
    Api("GET", "/api/v1/cleanaudit/rollup", VIEW),
    Api("GET", "/api/v1/cleanaudit/rounds/{pk}", EITHER, _pk, within="a"),
    Api("POST", "/api/v1/cleanaudit/rounds", REVIEW, within="a", body=lambda w: {
        "firm": w["cleanaudit"]["firm"].pk, "year": 2027, "listed_on": "2027-01-31", "trigger": "energy",
        "industry": "coatings", "mode": "self"}),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/artefacts", RESPOND, _pk, within="a",
        body=lambda w: {"kind": "team", "title": "审核小组"}),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/figures", RESPOND, _pk, within="a", body=lambda w: FIGURES),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/options", RESPOND, _pk, within="a", body=lambda w: {
        "title": "余热回收", "cost_class": "high", "investment_fen": 10_000_000, "yearly_saving_fen": 3_000_000,
        "life_years": 5}),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/close-stage", RESPOND, _pk, within="a"),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/threads", EITHER, _pk, within="a", body=lambda w: {
        "stage": "planning", "subject": "问题", "body": "请问"}),
    Api("POST", "/api/v1/cleanaudit/threads/{pk}/replies", EITHER, lambda w: {"pk": w["cleanaudit"]["thread"].pk},
        within="a", body=lambda w: {"body": "答复"}),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/reviews", REVIEW, _pk, within="a", body=lambda w: {
        "kind": "assessment", "scores": {"process": 18, "focus": 14, "balance": 18, "options": 22, "report": 18}}),
]

def _upload(w: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "team", "title": "审核小组", "file": SimpleUploadedFile(
        "team.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")}


TERM = {"register_months": 1, "start_months": 2, "assess_working_days": 22, "accept_months": 12}

API += [
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/artefacts/upload", RESPOND, _pk, within="a", multipart=True,
        body=_upload),
    Api("GET", "/api/v1/cleanaudit/artefacts/{pk}/file", EITHER, lambda w: {"pk": w["cleanaudit"]["plan"].pk},
        within="a"),
    Api("GET", "/api/v1/cleanaudit/rounds/{pk}/report.pdf", EITHER, _pk, within="a"),
    Api("POST", "/api/v1/cleanaudit/rounds/{pk}/registration", RESPOND, _pk, within="a"),
    Api("GET", "/api/v1/cleanaudit/benchmarks", VIEW),
    Api("POST", "/api/v1/cleanaudit/benchmarks", REVIEW, body=lambda w: {
        "industry": "coatings", "indicator": "energy_per_output", "level_1": "0.2", "level_2": "0.3",
        "level_3": "0.4"}),
    Api("GET", "/api/v1/cleanaudit/terms", EITHER),
    Api("PUT", "/api/v1/cleanaudit/terms/{year}", REVIEW, lambda w: {"year": 2027}, body=lambda w: TERM),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
