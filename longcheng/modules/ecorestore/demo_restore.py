"""The demo's restoration in kind, effect assessments, missed shift and the park's money, built through
the real actions on the cases demo.py made: fish released and trees planted (and tended) on the
certified cases, assessed and two of them disclosed; trees still being planted on a case in progress;
one booked shift never checked in (the morning job marks it missed); restoration fees and recovered
compensation into the base's fund, and what they paid for."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from longcheng.kernel.access.models import User

from . import actions, actions_money, actions_restore, jobs
from .actions_money import NewReceipt, NewSpend
from .actions_restore import NewAssessment, NewWork
from .models import Base, Case, Obligation, Zone, ZoneKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def in_kind(case: Case, plan: str, zones: dict[str, Zone], actors: dict[str, User], day: dt.date) -> None:
    """Before the certificate: trees for a logging case, fish for a fishing case, delivered in batches."""
    trees = "林木" in case.title
    if plan not in ("certified", "performing") or (plan == "performing" and not trees):
        return
    zone = zones[ZoneKind.REPLANTING] if trees else zones[ZoneKind.FISH_RELEASE]
    work = actions_restore.do_add_work(case, NewWork(
        kind="trees" if trees else "fish", zone=zone, quantity=60 if trees else 5000,
        fen_per_unit=5000 if trees else 30, due_on=day + dt.timedelta(days=150), tend_months=6 if trees else 0),
        acting_user=actors["prosecutor"])
    batches = (30, 20) if plan == "performing" else ((30, 30) if trees else (2000, 3000))
    for n, quantity in enumerate(batches):
        actions_restore.do_record_delivery(work, quantity=quantity, on=day + dt.timedelta(days=14 * (n + 1)),
                                           acting_user=actors["supervisor"])


def miss_one(obligation: Obligation, zone: Zone, actors: dict[str, User], day: dt.date) -> None:
    """A shift booked and never checked in (marked missed by the job at the end of the demo)."""
    start = dt.datetime.combine(day, dt.time(8, 0), SHANGHAI)
    actions.do_book_shift(obligation, zone=zone, starts_at=start, hours=4, acting_user=actors["prosecutor"])


def assess(case: Case, actors: dict[str, User], day: dt.date, disclose: bool) -> None:
    trees = case.works.filter(kind="trees").exists()
    checked = day + dt.timedelta(days=300)
    actions_restore.do_record_assessment(case, NewAssessment(
        checked_on=checked, assessor="江苏省环境科学研究院", satisfactory=True, survival_percent=92 if trees else None,
        notes="补植苗木长势良好；放流鱼苗经抽样存活" if trees else "放流批次、数量与协议一致"),
        acting_user=actors["prosecutor"])
    if disclose:
        actions.do_advance_case(case, to_stage="disclosed", on=checked + dt.timedelta(days=10),
                                acting_user=actors["prosecutor"])


def money(base: Base, actors: dict[str, User]) -> None:
    prosecutor = actors["prosecutor"]
    breached = Obligation.objects.filter(case__party_kind="person", state="breached").select_related("case").first()
    receipts: list[tuple[str, int, str, dt.date, Any]] = [
        ("fee", 300_000, "常州某金属制品厂", dt.date(2025, 3, 18), None),
        ("compensation", 100_000, "当事人甲某", dt.date(2025, 1, 20), Case.objects.order_by("pk").first()),
    ]
    if breached is not None and breached.reverted_fen:
        receipts.append(("compensation", breached.reverted_fen, breached.case.party_name, dt.date(2025, 5, 8),
                         breached.case))
    for what, amount, payer, on, case in receipts:
        actions_money.do_record_receipt(base, NewReceipt(kind=what, amount_fen=amount, payer=payer, received_on=on,
                                                         case=case), acting_user=prosecutor)
    zones = {z.kind: z for z in base.zones.all()}
    spends: tuple[tuple[str, str, int, str, dt.date, str | None], ...] = (
            ("fry", "鲢鳙鱼苗 5000 尾（增殖放流）", 45_000, "武进区水产技术推广站", dt.date(2025, 4, 2), ZoneKind.FISH_RELEASE),
            ("seedlings", "香樟、女贞苗木 120 株", 60_000, "常州某苗木专业合作社", dt.date(2025, 4, 15), ZoneKind.REPLANTING),
            ("assessment", "补植复绿修复效果评估", 80_000, "江苏省环境科学研究院", dt.date(2025, 6, 30), None))
    for purpose, text, amount, payee, on, where in spends:
        actions_money.do_record_spend(base, NewSpend(purpose=purpose, description=text, amount_fen=amount,
                                                     payee=payee, spent_on=on, zone=zones.get(where) if where else None),
                                      acting_user=prosecutor)


def finish(base: Base, actors: dict[str, User]) -> None:
    money(base, actors)
    jobs.mark_missed_shifts()
