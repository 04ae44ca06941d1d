"""ecorestore's share of the demo city: the 宋剑湖 base (opened 2024-06-05, 7.5 km² of water and
wetland) with its seven zones as grids under 剑湖社区, the conversion rates, and a year of cases built
through the real actions — illegal fishing judged by the court, illegal logging brought by the
procuratorate, a small discharge settled by negotiation — some complete with certificates, one
breached, the rest at every stage. Idempotent: a second run finds the base and adds nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from longcheng.kernel.access.models import User
from longcheng.kernel.places.models import Level, Place

from . import actions, demo_restore
from .models import Base, Case, Rate, Zone, ZoneKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE_NAME = "宋剑湖三法衔接生态保护区"
# The seven functional zones of the source page, west to east along the lake (synthetic outlines).
ZONES = [
    (ZoneKind.FISH_RELEASE, "增殖放流区", "每批鱼苗 5000 尾"),
    (ZoneKind.LABOUR, "劳务代偿区", "巡护、清理岸线，每班 4 小时"),
    (ZoneKind.BIRDS, "鸟类观测区", "观测记录，每班 2 小时"),
    (ZoneKind.REGREENING, "低碳复绿区", "养护绿地"),
    (ZoneKind.LAW_CORRIDOR, "普法长廊", "普法讲解志愿服务"),
    (ZoneKind.REPLANTING, "补植复绿区", "每亩补植 60 株，管护 12 个月"),
    (ZoneKind.MINOR_OFFENCE, "轻罪治理区", "社会服务"),
]
LAT, LON, STEP = 31.7600, 120.0500, 0.0040
COURT, PROCURATORATE = "常州经开区人民法院", "常州经开区人民检察院"
# (number, title, source, organ, damage in fen, party kind, where it ends)
CASES = [
    ("经开检民公〔2024〕1号", "非法捕捞水产品（禁渔期电鱼）", "court", COURT, 880_000, "person", "certified"),
    ("经开检民公〔2024〕2号", "非法捕捞水产品（地笼网）", "court", COURT, 352_000, "person", "certified"),
    ("经开检民公〔2024〕3号", "滥伐林木 12 株", "procuratorate", PROCURATORATE, 660_000, "person", "certified"),
    ("经开检民公〔2024〕4号", "非法捕捞水产品", "court", COURT, 440_000, "person", "breached"),
    ("经开检民公〔2024〕5号", "滥伐林木", "procuratorate", PROCURATORATE, 1_320_000, "person", "performing"),
    ("经开磋〔2025〕1号", "小作坊雨水口排放废水", "negotiation", PROCURATORATE, 2_500_000, "firm", "negotiation"),
    ("经开检民公〔2025〕1号", "非法捕捞水产品", "court", COURT, 264_000, "person", "performing"),
    ("经开检民公〔2025〕2号", "非法占用湿地倾倒建筑垃圾", "procuratorate", PROCURATORATE, 3_800_000, "firm",
     "investigation"),
    ("经开检民公〔2025〕3号", "非法捕捞（线索）", "procuratorate", PROCURATORATE, 100_000, "person", "screening"),
]


def _square(i: int) -> list[list[float]]:
    lon = LON + i * STEP
    return [[LAT, lon], [LAT, lon + STEP * 0.9], [LAT + STEP, lon + STEP * 0.9], [LAT + STEP, lon]]


def _base(community: Place) -> Base:
    base = Base.objects.create(name=BASE_NAME, place=community, area_km2=7.5)
    for i, (kind, name, offers) in enumerate(ZONES):
        place = Place(code=f"{community.code}-SJH{i + 1}", name=name, level=Level.GRID, parent=community,
                      official_code=False)
        place.path, place.depth = place.compute_path(), community.depth + 1
        place.save()
        Zone.objects.create(base=base, place=place, kind=kind, name=name, outline=_square(i), offers=offers,
                            capacity_per_day=20)
    Rate.objects.get_or_create(valid_from=dt.date(2022, 4, 1),
                               defaults={"fen_per_hour": 2200, "basis": "江苏省一类地区非全日制小时最低工资 22 元"})
    Rate.objects.get_or_create(valid_from=dt.date(2025, 10, 1),
                               defaults={"fen_per_hour": 2450, "basis": "演示数据：调整后的小时最低工资"})
    return base


def _perform(case: Case, plan: str, zones: dict[str, Zone], actors: dict[str, User], day: dt.date,
             disclose: bool) -> None:
    prosecutor, supervisor = actors["prosecutor"], actors["supervisor"]
    zone = zones[ZoneKind.LABOUR]
    obligation = actions.do_convert_to_labour(case, amount_fen=min(actions.money_owed(case), 88_000), consent=True,
                                              hardship="低保家庭证明、村委会出具的经济困难证明", due_on=day + dt.timedelta(days=120),
                                              acting_user=prosecutor)
    centre = (zone.outline[0][0] + STEP / 2, zone.outline[0][1] + STEP / 2)
    shifts = {"certified": 10, "breached": 3, "performing": 4}[plan]
    for n in range(shifts):
        start = dt.datetime.combine(day + dt.timedelta(days=7 * (n + 1)), dt.time(8, 0), SHANGHAI)
        shift = actions.do_book_shift(obligation, zone=zone, starts_at=start, hours=4, acting_user=prosecutor)
        actions.do_check_in_shift(shift, lat=centre[0], lon=centre[1], acting_user=supervisor, now=start)
        actions.do_check_out_shift(shift, acting_user=supervisor, now=start + dt.timedelta(hours=4))
        actions.do_sign_off_shift(shift, acting_user=supervisor)
        obligation.refresh_from_db()
        if obligation.hours_left == 0:
            break
    if plan == "performing" and case.party_user_id:
        demo_restore.miss_one(obligation, zone, actors, day + dt.timedelta(days=7 * (shifts + 1)))
    demo_restore.in_kind(case, plan, zones, actors, day)
    if plan == "breached":
        actions.do_record_breach(obligation, reason="连续两次无故未到岗，剩余部分转为金钱赔偿", acting_user=prosecutor)
    elif plan == "certified":
        actions.do_issue_certificate(case, acting_user=prosecutor)
        demo_restore.assess(case, actors, day, disclose)


def _case(row: tuple[Any, ...], i: int, place: Place, zones: dict[str, Zone], actors: dict[str, User]) -> None:
    number, title, source, organ, damage, kind, plan = row
    opened = dt.date(2024, 6, 10) + dt.timedelta(days=40 * i)
    decided = opened + dt.timedelta(days=20) if source == "court" else None
    heads = {"service_loss": damage * 6 // 10, "restoration_cost": damage * 3 // 10,
             "assessment_cost": damage - damage * 6 // 10 - damage * 3 // 10}
    party = actors["party"] if i == 4 else None  # the demo party account follows one case in progress
    case = actions.do_open_case(actions.NewCase(
        number=number, title=title, source=source, source_organ=organ, legal_basis="《生态环境损害赔偿管理规定》（环法规〔2022〕31号）",
        place=place, party_name="当事人" + "甲乙丙丁戊己庚辛壬"[i] + "某", party_kind=kind, opened_on=opened, heads=heads,
        decided_on=decided, assessment_report=f"鉴定评估报告 {number}", party_user=party), acting_user=actors["prosecutor"])
    path = {"screening": [], "investigation": ["investigation"], "negotiation": ["investigation", "negotiation"]}
    steps = path.get(plan, [] if source == "court" else ["investigation", "negotiation", "agreement"]) + (
        ["restoration"] if plan in ("certified", "breached", "performing") else [])
    for n, stage in enumerate(steps):
        actions.do_advance_case(case, to_stage=stage, on=opened + dt.timedelta(days=10 * (n + 1)),
                                acting_user=actors["prosecutor"])
    if plan in ("certified", "breached", "performing"):
        case.refresh_from_db()
        _perform(case, plan, zones, actors, case.decided_on or opened, disclose=i < 2)


@transaction.atomic
def build(*, log: Callable[[str], None] = print, progress: Callable[[int], None] | None = None,
          **options: Any) -> None:
    if Base.objects.filter(name=BASE_NAME).exists():
        log(f"  ecorestore: {Case.objects.count()} cases already")
        return
    community = Place.objects.filter(name="剑湖社区").order_by("depth", "code").first()
    actors = {key: User.objects.filter(username=f"ecorestore_{key}").first()
              for key in ("prosecutor", "supervisor", "party")}
    if community is None or None in actors.values():
        log("  ecorestore: no 剑湖社区 or no demo accounts; skipped")
        return
    base = _base(community)
    zones = {zone.kind: zone for zone in base.zones.all()}
    for i, row in enumerate(CASES):
        _case(row, i, community, zones, actors)  # type: ignore[arg-type]
        if progress:
            progress(1)
    demo_restore.finish(base, actors)  # type: ignore[arg-type]
    log(f"  ecorestore: the 宋剑湖 base with {len(ZONES)} zones, {Case.objects.count()} cases")
