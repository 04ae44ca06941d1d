"""remediation's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: a firm of 上书房社区 (city["a"]) whose staff are the matrix's remediation_firm accounts, its
site, a screened 危污乱散低 case, and a closed fire-door case with a rebound check due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World

VIEW, INSPECT, DETERMINE = "remediation.view", "remediation.inspect", "remediation.determine"
CLOSE, RESPOND = "remediation.close", "remediation.respond"
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)


def _world(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.remediation.models import (
        Case,
        Island,
        IslandMember,
        Manifest,
        Milestone,
        Plan,
        ReboundCheck,
        Site,
        StatusChange,
    )

    place = world["city"]["a"]
    firm = Organisation.objects.create(kind="enterprise", name="常州上书房五金厂（测试）", uscc="91320412MA1REMED00",
                                       place=place)
    for (role, _where), user in [(("remediation_firm", ""), world["users"]["remediation_firm"]),
                                 *world["accounts"].items()]:
        if role == "remediation_firm":
            user.organisation = firm
            user.save(update_fields=["organisation"])
    site = Site.objects.create(firm=firm, place=place, address="上书房路1号", parcel="P1", area_mu=8)
    now = timezone.now()
    case = Case.objects.create(campaign="wuluan", site=site, firm=firm, place=place, opened_at=now)
    StatusChange.objects.create(case=case, dst="screened", at=now)
    closed = Case.objects.create(campaign="fire_door", site=site, firm=firm, place=place, opened_at=now,
                                 status="closed", closed_at=now)
    check = ReboundCheck.objects.create(case=closed, days=30, due_on=now.date() + dt.timedelta(days=30))
    island = Island.objects.create(name="上书房表面处理中心", kind="surface", place=place, capacity=500,
                                   capacity_unit="t_per_day", opened_on=now.date())
    member = IslandMember.objects.create(island=island, firm=firm, case=closed, joined_on=now.date())
    Manifest.objects.create(member=member, number="ZY-MATRIX-1", month=now.date().replace(day=1), material="surface",
                            volume_t=12)
    planned = Case.objects.create(campaign="gas_switch", site=site, firm=firm, place=place, opened_at=now,
                                  status="planned")
    plan = Plan.objects.create(case=planned, remedy="piped_gas", lead_agency="ecology", responsible="王科长",
                               created_at=now)
    milestone = Milestone.objects.create(plan=plan, title="管道燃气接入", due_on=now.date())
    return {"site": site, "case": case, "check": check, "island": island, "milestone": milestone, "member": member,
            "planned": planned}


def _island(w: World) -> list[Any]:
    return [w["remediation"]["island"].pk]


def _island_form(w: World, name: str) -> dict[str, Any]:
    return {"name": name, "kind": "surface", "place": w["city"]["a"].code, "capacity": "100",
            "capacity_unit": "t_per_day", "opened_on": "2024-03-01"}


def _case(w: World) -> list[Any]:
    return [w["remediation"]["case"].pk]


def _evidence(w: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "site_photo", "file": SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")}


PLAN = {"remedy": "close", "lead_agency": "ecology", "responsible": "张主任", "area_mu": "5", "milestone": "两断三清",
        "working_days": "10"}
INSPECTION = {"score_danger": "2", "reason_danger": "无消防通道", "score_pollution": "0", "score_disorder": "0",
              "score_scattered": "0", "score_low": "0"}

PAGES = [
    Page("remediation:cases", VIEW),
    Page("remediation:sites", VIEW),
    Page("remediation:totals", VIEW),
    Page("remediation:islands", VIEW),
    Page("remediation:island", VIEW, _island, within="a"),
    Page("remediation:island_new", DETERMINE, post=lambda w: _island_form(w, "新建绿岛")),
    Page("remediation:island_edit", DETERMINE, _island, within="a", post=lambda w: _island_form(w, "改名绿岛")),
    Page("remediation:island_member_add", DETERMINE, _island, within="a", get=False, post=lambda w: {
        "firm": w["remediation"]["site"].firm.uscc, "joined_on": "2030-01-01"}),
    Page("remediation:island_member_end", DETERMINE, _island, within="a", get=False, post=lambda w: {
        "member": w["remediation"]["member"].pk, "left_on": "2099-01-01"}),
    Page("remediation:island_manifest_add", DETERMINE, _island, within="a", get=False, post=lambda w: {
        "member": w["remediation"]["member"].pk, "number": "ZY-MATRIX-2", "month": "2099-01", "material": "surface",
        "volume_t": "3"}),
    Page("remediation:milestone_add", DETERMINE, lambda w: [w["remediation"]["planned"].pk], within="a", get=False,
         post=lambda w: {"title": "管道验收", "working_days": "5"}),
    Page("remediation:inspect", INSPECT, lambda w: [w["remediation"]["site"].pk, "wuluan"], within="a",
         post=lambda w: INSPECTION),
    Page("remediation:case", VIEW, _case, within="a"),
    Page("remediation:determine", DETERMINE, _case, within="a", get=False, post=lambda w: {"target": "yes"}),
    Page("remediation:plan", DETERMINE, _case, within="a", get=False, post=lambda w: PLAN),
    Page("remediation:evidence", VIEW, _case, within="a", get=False, post=_evidence,
         post_permission=(INSPECT, DETERMINE)),
    Page("remediation:accept", DETERMINE, _case, within="a", get=False, post=lambda w: {"note": ""}),
    Page("remediation:close", CLOSE, _case, within="a", get=False, post=lambda w: {"note": ""}),
    Page("remediation:rebound_check", INSPECT, lambda w: [w["remediation"]["check"].pk], within="a", get=False,
         post=lambda w: {"found_running": "yes"}),
    Page("remediation:milestone_done", VIEW, lambda w: [w["remediation"]["milestone"].pk], within="a", get=False,
         post=lambda w: {}, post_permission=DETERMINE),
    Page("remediation:import_register", DETERMINE),
    Page("remediation:my_cases", RESPOND),
    Page("remediation:my_case", RESPOND, _case, within="a", post=_evidence),
]


def _pk(w: World) -> dict[str, Any]:
    return {"pk": w["remediation"]["case"].pk}


API = [
    Api("GET", "/api/v1/remediation/islands", VIEW),
    Api("GET", "/api/v1/remediation/cases", VIEW),
    Api("GET", "/api/v1/remediation/mine", RESPOND),
    Api("GET", "/api/v1/remediation/totals", VIEW),
    Api("GET", "/api/v1/remediation/cases/{pk}", VIEW, _pk, within="a"),
    Api("POST", "/api/v1/remediation/inspections", INSPECT, within="a", body=lambda w: {
        "site": w["remediation"]["site"].pk, "campaign": "wuluan",
        "scores": {"danger": 2, "pollution": 0, "disorder": 0, "scattered": 0, "low": 0},
        "reasons": {"danger": "无消防通道"}}),
    Api("POST", "/api/v1/remediation/cases/{pk}/determine", DETERMINE, _pk, within="a", body=lambda w: {"target": True}),
    Api("POST", "/api/v1/remediation/cases/{pk}/plan", DETERMINE, _pk, within="a", body=lambda w: {
        "remedy": "close", "lead_agency": "ecology", "responsible": "张主任", "milestones": [
            {"title": "两断三清", "working_days": 10}]}),
    Api("POST", "/api/v1/remediation/cases/{pk}/accept", DETERMINE, _pk, within="a", body=lambda w: {}),
    Api("POST", "/api/v1/remediation/cases/{pk}/close", CLOSE, _pk, within="a", body=lambda w: {}),
    Api("POST", "/api/v1/remediation/cases/{pk}/milestones", DETERMINE,
        lambda w: {"pk": w["remediation"]["planned"].pk}, within="a",
        body=lambda w: {"title": "管道验收", "working_days": 5}),
    Api("POST", "/api/v1/remediation/cases/{pk}/evidence", (INSPECT, DETERMINE, RESPOND), _pk, within="a", multipart=True,
        body=lambda w: {"kind": "site_photo", **_evidence(w)}),
    Api("POST", "/api/v1/remediation/milestones/{pk}/done", DETERMINE,
        lambda w: {"pk": w["remediation"]["milestone"].pk}, within="a"),
    Api("POST", "/api/v1/remediation/rebound-checks/{pk}", INSPECT, lambda w: {"pk": w["remediation"]["check"].pk},
        within="a", body=lambda w: {"found_running": True}),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
