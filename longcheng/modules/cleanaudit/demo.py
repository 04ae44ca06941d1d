"""cleanaudit's share of the demo city: the Wujin park-level pilot of cleaner-production audits. 143 firms
passed acceptance (验收) in the 2025 round (the source's figure); the 2026 list has firms at every stage,
some awaiting assessment or acceptance, two failed, and a few overdue; realistic industries (coatings,
electroplating, machinery, textiles), self-audits and consultancies from a roster (one of which does not
meet the four conditions). The accepted firms' figures before and after give the park's intensity chart.

Built with bulk_create (a couple of seconds); idempotent: the demo's firms carry the short code prefix
`ca-demo-`, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from longcheng.kernel.access.models import User
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place
from longcheng.kernel.workdays.api import SHANGHAI

from . import rules
from .models import (
    Artefact,
    AuditRound,
    Balance,
    Benchmark,
    Consultancy,
    Figures,
    Message,
    Option,
    Review,
    StageRecord,
    Thread,
    Visit,
)
from .stages import STAGES

PREFIX = "ca-demo-"
ACCEPTED = 143
# The 2026 list: how many firms stand at each stage (the first few of planning and pre-audit overdue).
IN_PROGRESS = {"planning": 6, "preaudit": 5, "audit": 5, "options": 4, "feasibility": 4, "implementation": 4,
               "continuous": 3, "assessment": 4, "assessed": 3, "failed": 2}
INDUSTRIES = ("coatings", "electroplating", "machinery", "textiles")
NAMES = {"coatings": "涂料", "electroplating": "电镀", "machinery": "机械", "textiles": "纺织"}
TRIGGERS = ("discharge", "energy", "hazardous", "voluntary")
CONSULTANCIES = (("江苏清源环境咨询有限公司", True), ("常州绿创节能技术有限公司", True),
                 ("武进环科清洁生产咨询中心", True), ("某某环保信息咨询部", False))
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(body_prefix: str, n: int) -> str:
    from stdnum.cn import uscc

    body, rest = body_prefix, n
    for _ in range(17 - len(body_prefix)):
        body, rest = body + _USCC_CHARS[rest % 31], rest // 31
    return body + uscc.calc_check_digit(body)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _firms(streets: list[Place], total: int) -> list[Organisation]:
    existing = {o.code: o for o in Organisation.objects.filter(code__startswith=PREFIX)}
    new = []
    for n in range(total):
        code = f"{PREFIX}{n:04d}"
        if code not in existing:
            industry = INDUSTRIES[n % len(INDUSTRIES)]
            street = streets[n % len(streets)]
            new.append(Organisation(kind="enterprise", code=code, place=street, uscc=_uscc("91320412CA", n),
                                    name=f"常州{street.name[:2]}{NAMES[industry]}{n + 1:03d}厂"))
    Organisation.objects.bulk_create(new, batch_size=500)
    return list(Organisation.objects.filter(code__startswith=PREFIX).order_by("code"))


def _roster(wujin: Place) -> list[Consultancy]:
    out = []
    for n, (name, ok) in enumerate(CONSULTANCIES):
        org, _ = Organisation.objects.get_or_create(code=f"{PREFIX}c{n}", defaults={
            "kind": "enterprise", "name": name, "place": wujin, "uscc": _uscc("91320400CA", n)})
        c, _ = Consultancy.objects.get_or_create(org=org, defaults={
            "legal_qa": True, "balance_equipment": ok, "technicians": True, "auditors": ok})
        out.append(c)
    return out


# Indicator levels per industry (illustrative values, version 1): energy per unit of output is restrictive.
BENCHMARKS = {"energy_per_output": ((Decimal("0.3"), Decimal("0.6"), Decimal("1.5")), True),
              "water_per_output": ((Decimal(20), Decimal(50), Decimal(120)), False)}


def _benchmarks() -> None:
    for industry in INDUSTRIES:
        for indicator, ((one, two, three), restrictive) in BENCHMARKS.items():
            Benchmark.objects.get_or_create(industry=industry, indicator=indicator, version=1, defaults={
                "level_1": one, "level_2": two, "level_3": three, "restrictive": restrictive,
                "effective_from": dt.date(2016, 7, 1)})


def _figures(audit: AuditRound, rng: random.Random, after: bool) -> list[Figures]:
    energy, water = Decimal(rng.randint(300, 4000)), Decimal(rng.randint(20_000, 300_000))
    materials, va = Decimal(rng.randint(1_000, 20_000)), Decimal(rng.randint(2_000, 30_000))
    output = Decimal(rng.randint(500, 10_000))
    rows = [Figures(round=audit, period="before", energy_tce=energy, water_m3=water, materials_t=materials,
                    co2_t=energy * Decimal("2.6"), value_added_fen=int(va) * rules.FEN_PER_WAN, output=output)]
    if after:
        cut = Decimal(rng.randint(6, 16)) / 100  # 6–16 % less energy for the same work
        grow = Decimal(rng.randint(0, 8)) / 100
        rows.append(Figures(round=audit, period="after", energy_tce=(energy * (1 - cut)).quantize(Decimal(1)),
                            water_m3=(water * (1 - cut / 2)).quantize(Decimal(1)),
                            materials_t=(materials * (1 - cut / 3)).quantize(Decimal(1)),
                            co2_t=(energy * (1 - cut) * Decimal("2.6")).quantize(Decimal(1)),
                            value_added_fen=int((va * (1 + grow)).quantize(Decimal(1))) * rules.FEN_PER_WAN,
                            output=(output * (1 + grow)).quantize(Decimal(1))))
    return rows


def _options(audit: AuditRound, rng: random.Random, upto: int) -> list[Option]:
    """Three no/low-cost options (implemented once the options stage is passed) and one medium/high-cost."""
    done_low = upto > 4
    rows = [Option(round=audit, title=title, cost_class="low", investment_fen=rng.randint(0, 40) * 100_000,
                   yearly_saving_fen=rng.randint(10, 90) * 100_000, life_years=1,
                   energy_saved_tce=Decimal(rng.randint(5, 60)), water_saved_m3=Decimal(rng.randint(500, 8000)),
                   status="implemented" if done_low else "proposed")
            for title in ("跑冒滴漏治理", "空压机群控", "冷却水循环利用")]
    investment = rng.randint(40, 400) * 1_000_000  # fen: 400,000 to 4,000,000 yuan
    high_status = "implemented" if upto > 9 else "adopted" if upto >= 5 else "proposed"
    rows.append(Option(round=audit, title=("余热回收改造", "电镀线逆流漂洗改造", "水性涂料替代", "印染中水回用")[
        audit.pk % 4], cost_class="high", investment_fen=investment,
        yearly_saving_fen=investment // rng.randint(2, 5) // 100 * 100, life_years=8,
        energy_saved_tce=Decimal(rng.randint(50, 400)), water_saved_m3=Decimal(rng.randint(1000, 30000)),
        status=high_status,
        measured_saving_fen=investment // rng.randint(2, 6) // 100 * 100 if upto > 9 else None))
    return rows


def _stage_rows(audit: AuditRound, reached: int, start: dt.date, pace: int, firm_user: User) -> tuple[list, list]:
    """StageRecords for the stages before `reached` (closed) and the one at `reached` (open), and the
    artefacts of the closed ones."""
    records, artefacts = [], []
    for index, stage in enumerate(STAGES):
        if index > reached:
            break
        opened = start + dt.timedelta(days=pace * index)
        closed = _at(opened + dt.timedelta(days=pace)) if index < reached else None
        records.append(StageRecord(round=audit, stage=stage.code, opened_at=_at(opened),
                                   due_on=rules.stage_due(stage.code, audit.listed_on), closed_at=closed,
                                   closed_by=firm_user if closed else None))
        if closed:
            artefacts += [Artefact(round=audit, stage=stage.code, kind=kind, title=f"{audit.firm.name}{kind}",
                                   added_by=firm_user, added_at=closed) for kind in stage.artefacts]
    return records, artefacts


def _reviews(audit: AuditRound, rng: random.Random, bureau: User, *, accepted: bool, failed: bool) -> list[Review]:
    base = {"process": rng.randint(15, 20), "focus": rng.randint(12, 15), "balance": rng.randint(15, 20),
            "options": rng.randint(19, 25), "report": rng.randint(15, 20)}
    vetoes = ["fabricated"] if failed else []
    total = Decimal(sum(base.values()))
    rows = [Review(round=audit, kind="assessment", scores=base, vetoes=vetoes, total=total, passed=not failed,
                   reasons="报告物料平衡数据与现场台账不符" if failed else "", by=bureau,
                   at=_at(audit.assessed_on or audit.listed_on))]
    if accepted:
        sheet = {"implemented": rng.randint(32, 40), "effect": rng.randint(30, 40), "continuous": rng.randint(15, 20)}
        rows.append(Review(round=audit, kind="acceptance", scores=sheet, vetoes=[], total=Decimal(sum(sheet.values())),
                           passed=True, by=bureau, at=_at(audit.accepted_on or audit.listed_on)))
    return rows


STATUS_INDEX = {s.code: i for i, s in enumerate(STAGES)} | {"assessment": 7, "assessed": 8, "failed": 8,
                                                            "accepted": 10}


def _plan(firms: list[Organisation], roster: list[Consultancy]) -> list[AuditRound]:
    """The rounds to build: the 2025 pilot's accepted firms, then the 2026 list by stage."""
    rounds, n = [], 0
    statuses = ["accepted"] * ACCEPTED + [s for s, count in IN_PROGRESS.items() for _ in range(count)]
    for status in statuses:
        firm = firms[n]
        year = 2025 if status == "accepted" else 2026
        listed = dt.date(year, 1 + n % 3, 15 + n % 10)
        mode = "consultancy" if n % 3 == 0 else "self"
        audit = AuditRound(firm=firm, place=firm.place, year=year, listed_on=listed, trigger=TRIGGERS[n % 4],
                           industry=INDUSTRIES[n % 4], mode=mode, status=status,
                           consultancy=roster[n % 3] if mode == "consultancy" else None,
                           registration_due=rules.registration_due(listed))
        # Registered within the month, but for every other firm still at 筹划与组织 (overdue on it).
        if status != STAGES[0].code or n % 2:
            audit.registered_on = listed + dt.timedelta(days=10 + n % 15)
        if status in ("assessed", "accepted", "failed"):
            audit.assessed_on = dt.date(year, 10, 10 + n % 15)
        if status == "accepted":
            audit.accepted_on = dt.date(2025, 12, 1 + n % 20)
        if status == "assessment":
            audit.review_due = dt.date(2026, 11, 20) + dt.timedelta(days=n % 2 * 30)  # past due, or not yet
        if status == "assessed":
            audit.review_due = rules.acceptance_due(audit.assessed_on)  # type: ignore[arg-type]
        rounds.append(audit)
        n += 1
    return rounds


@transaction.atomic
def build(*, log: Any = print, progress: Callable[[int], None] | None = None, **options: Any) -> None:
    wujin = Place.objects.filter(name="武进区", level="district").first()
    bureau = User.objects.filter(username="cleanaudit_bureau").first()
    firm_user = User.objects.filter(username="cleanaudit_firm").first()
    expert = User.objects.filter(username="cleanaudit_expert").first()
    if wujin is None or bureau is None or firm_user is None or expert is None:
        log("  cleanaudit: skipped (the demo city's places and staff are not built)")
        return
    if AuditRound.objects.filter(firm__code__startswith=PREFIX).exists():
        log(f"  cleanaudit: {AuditRound.objects.count()} rounds (already built)")
        return
    streets = list(Place.objects.filter(parent=wujin, level="street").order_by("code")) or [wujin]
    firms = _firms(streets, ACCEPTED + sum(IN_PROGRESS.values()))
    roster = _roster(wujin)
    _benchmarks()
    rounds = AuditRound.objects.bulk_create(_plan(firms, roster), batch_size=500)
    _build_details(rounds, bureau, firm_user, expert)
    live = next(r for r in rounds if r.status == "options")
    firm_user.organisation_id = live.firm_id
    firm_user.save(update_fields=["organisation"])
    _guidance(live, firm_user, expert)
    log(f"  cleanaudit: {len(rounds)} rounds, {ACCEPTED} accepted")


def _build_details(rounds: list[AuditRound], bureau: User, firm_user: User, expert: User) -> None:
    rng = random.Random(17)
    records, artefacts, figures, balances, options, reviews, visits = [], [], [], [], [], [], []
    for audit in rounds:
        index = STATUS_INDEX[audit.status]
        pace = 20 if audit.status == "accepted" else 12
        # Firms still at 筹划与组织 in December are past its two-month deadline: the list's overdue few.
        start = audit.listed_on + dt.timedelta(days=10)
        stage_rows, files = _stage_rows(audit, min(index, 7), start, pace, firm_user)
        records += stage_rows
        artefacts += files
        if index >= 2:
            figures += _figures(audit, rng, after=index >= 6)
        if index >= 3:
            balances.append(Balance(round=audit, inputs_t=Decimal(1000), products_t=Decimal(rng.randint(880, 930)),
                                    byproducts_t=Decimal(30), losses_t=Decimal(rng.randint(20, 50))))
        if index >= 3:
            options += _options(audit, rng, index + (2 if audit.status == "accepted" else 0))
        if index >= 8:
            reviews += _reviews(audit, rng, bureau, accepted=audit.status == "accepted", failed=audit.status == "failed")
        if index >= 1 and audit.pk % 4 == 0:
            visits.append(Visit(round=audit, expert=expert, on=start + dt.timedelta(days=30), note="现场核查物料平衡"))
    batches: list[tuple[Any, list[Any]]] = [(StageRecord, records), (Artefact, artefacts), (Figures, figures),
                                            (Balance, balances), (Option, options), (Review, reviews),
                                            (Visit, visits)]
    for model, rows in batches:
        model.objects.bulk_create(rows, batch_size=1000)
    _grade(rounds)


def _grade(rounds: list[AuditRound]) -> None:
    totals = {r.round_id: r.total for r in Review.objects.filter(kind="assessment", round__in=rounds)}
    for audit in rounds:
        if audit.status in ("accepted", "assessed", "failed"):
            audit.grade = rules.grade(assessment_total=totals.get(audit.pk), vetoes=int(audit.status == "failed"),
                                      accepted=audit.status == "accepted", overdue=False)
    AuditRound.objects.bulk_update([r for r in rounds if r.grade], ["grade"], batch_size=500)


def _guidance(audit: AuditRound, firm_user: User, expert: User) -> None:
    at = _at(audit.listed_on + dt.timedelta(days=40))
    thread = Thread.objects.create(round=audit, stage="audit", subject="物料平衡中溶剂损耗偏高",
                                   opened_by=expert, opened_at=at)
    Message.objects.create(thread=thread, author=expert, side="expert", at=at,
                           body="涂装线溶剂损耗占输入的 4.8%，接近允许偏差上限，请核对废溶剂台账。")
    Message.objects.create(thread=thread, author=firm_user, side="firm", at=at + dt.timedelta(days=2),
                           body="已核对，补充了废溶剂委外处置量，平衡差额降至 2.1%。")
    thread.closed_at, thread.closed_by = at + dt.timedelta(days=3), expert
    thread.save(update_fields=["closed_at", "closed_by"])
    open_thread = Thread.objects.create(round=audit, stage="options", subject="中/高费方案：水性涂料替代的可行性",
                                        opened_by=firm_user, opened_at=at + dt.timedelta(days=20))
    Message.objects.create(thread=open_thread, author=firm_user, side="firm", at=open_thread.opened_at,
                           body="水性涂料替代需改造烘干段，投资约 180 万元，请专家指导经济可行性测算。")
