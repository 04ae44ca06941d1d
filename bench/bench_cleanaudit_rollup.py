"""清洁生产审核 park roll-up at scale.

BENCH_CLEANAUDIT_FIRMS firms (BENCH_SIZE=city: 5,000, the issue's size), four rounds each (20,000), the
last accepted with figures before and after and four options, spread over Wujin's towns.

(a) The roll-up the park sees (figures.rollup: counts with the overdue alongside, options by cost class
    with the savings alongside, and the park's intensities: three aggregate queries, each over the scope
    once) against the plain ORM version it replaced (six queries: statuses, overdue by a join on the
    stages with DISTINCT, options by cost class, savings, and the intensities through a GROUP BY/HAVING
    subquery), the same answer, same data, same run. Target (issue 17): p95 < 200 ms, over
    BENCH_CLEANAUDIT_RUNS calls.
(b) Beside it, the plainest way: every round and option row into Python (statuses and savings only).

BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL (a database of its own), SQLite otherwise.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from bench.common import median_seconds, note, progress, report, sized, target

FIRMS = sized("BENCH_CLEANAUDIT_FIRMS", tiny=100, small=1000, city=5000)
YEARS = (2023, 2024, 2025, 2026)
RUNS = sized("BENCH_CLEANAUDIT_RUNS", tiny=5, small=20, city=40)


def _p95(fn: object) -> float:
    times = []
    for _ in range(RUNS):
        begin = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - begin)
    ordered = sorted(times)
    return ordered[max(int(round(0.95 * len(ordered))) - 1, 0)]


def _build() -> object:
    from longcheng.kernel import demo
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.kernel.places.models import Place
    from longcheng.modules.cleanaudit.models import AuditRound, Figures, Option

    demo.build_places(log=lambda *a, **k: None)
    wujin = Place.objects.get(name="武进区", level="district")
    streets = list(Place.objects.filter(parent=wujin, level="street").order_by("code"))
    firms = Organisation.objects.bulk_create([
        Organisation(kind="enterprise", name=f"企业{i}", uscc=f"9132041277{i:08d}", place=streets[i % len(streets)])
        for i in range(FIRMS)], batch_size=2000)
    rounds = AuditRound.objects.bulk_create([
        AuditRound(firm=f, place=f.place, year=year, listed_on=dt.date(year, 1, 31), trigger="energy",
                   industry="coatings", mode="self", status="accepted" if year < 2026 else "audit",
                   registration_due=dt.date(year, 2, 28),
                   registered_on=None if year == 2026 and n % 20 == 0 else dt.date(year, 2, 20))
        for n, f in enumerate(firms) for year in YEARS], batch_size=5000)
    _stages(rounds)
    done = [r for r in rounds if r.year == 2025]
    Figures.objects.bulk_create([
        Figures(round=r, period=p, energy_tce=Decimal(1000 - 100 * n), water_m3=Decimal(50000), materials_t=Decimal(800),
                co2_t=Decimal(2600), value_added_fen=5000 * 1_000_000, output=Decimal(2000))
        for r in done for n, p in enumerate(("before", "after"))], batch_size=5000)
    Option.objects.bulk_create([
        Option(round=r, title="方案", cost_class="low" if n < 3 else "high", status="implemented",
               investment_fen=1_000_000 * (n + 1), yearly_saving_fen=2_000_000, life_years=5)
        for r in done for n in range(4)], batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":  # as a live database would have: the planner's statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.create_user(username="bench_park", password="x")
    RoleAssignment.objects.create(user=user, role="cleanaudit_park").places.set([wujin])
    return user


def _stages(rounds: list) -> None:
    """Each round's stage rows: the finished rounds' seven closed, this year's three (the third open, due
    at the year's end), a fifth of this year's still at 筹划与组织, past its day (overdue)."""
    from longcheng.modules.cleanaudit.models import StageRecord
    from longcheng.modules.cleanaudit.stages import STAGES

    rows = []
    for n, audit in enumerate(rounds):
        opened = dt.datetime(audit.year, 2, 1, tzinfo=dt.UTC)
        upto = 7 if audit.year < 2026 else 1 if n % 10 == 3 else 3
        for i, stage in enumerate(STAGES[:upto]):
            last = i == upto - 1 and audit.year == 2026
            rows.append(StageRecord(round=audit, stage=stage.code, opened_at=opened,
                                    due_on=dt.date(audit.year, 3, 31) if i == 0 else dt.date(audit.year, 12, 31),
                                    closed_at=None if last else opened))
    StageRecord.objects.bulk_create(rows, batch_size=5000)


def _plain(today: dt.date) -> tuple[int, int, int]:
    """The plain baseline: every round and option into Python, added up there."""
    from longcheng.modules.cleanaudit.models import AuditRound, Option

    statuses = list(AuditRound.objects.values_list("status", flat=True))
    saving = sum(s for s, st in Option.objects.values_list("yearly_saving_fen", "status") if st == "implemented")
    return len(statuses), statuses.count("accepted"), saving


def _orm_rollup(user: object, today: dt.date) -> tuple[int, int, int, int, dict[str, object]]:
    """The roll-up as it was before the queries were folded (the same-run baseline): six round trips,
    each repeating the scope; the overdue through a join on the stages and DISTINCT."""
    from django.db.models import Count, Q, Sum

    from longcheng.modules.cleanaudit import access, rules
    from longcheng.modules.cleanaudit.figures import FLOW_FIELDS, ZERO
    from longcheng.modules.cleanaudit.models import Figures, Option

    rounds = access.rounds_for(user)
    by_status = dict(rounds.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    overdue = rounds.filter(Q(stages__closed_at__isnull=True, stages__due_on__lt=today)
                            | Q(registered_on__isnull=True, registration_due__lt=today)
                            | Q(status__in=("assessment", "assessed"), review_due__lt=today)).distinct().count()
    options = Option.objects.filter(round__in=rounds)
    classes = list(options.order_by().values("cost_class").annotate(
        n=Count("pk"), investment=Sum("investment_fen"), implemented=Count("pk", filter=Q(status="implemented"))))
    done = options.filter(status="implemented").aggregate(saving=Sum("yearly_saving_fen"))
    both = Figures.objects.filter(round__in=rounds).values("round").annotate(n=Count("pk")).filter(n=2).values("round")
    sums = {row["period"]: row for row in Figures.objects.filter(round__in=both).values("period").annotate(
        value_added=Sum("value_added_fen"), **{flow: Sum(name) for flow, name in FLOW_FIELDS.items()})}
    park = {period: rules.intensities({f: row[f] or ZERO for f in FLOW_FIELDS}, output=ZERO,
                                      value_added_fen=int(row["value_added"] or 0))["energy_per_wan"]
            for period, row in sums.items()}
    return sum(by_status.values()), by_status.get("accepted", 0), int(done["saving"] or 0), overdue, {
        "classes": len(classes), **park}


def run() -> None:
    from longcheng.modules.cleanaudit import figures

    progress(f"cleanaudit: building {FIRMS:,} firms with {FIRMS * len(YEARS):,} rounds")
    user = _build()
    today = dt.date(2026, 6, 1)
    ours = figures.rollup(user, today=today)
    plain = _plain(today)
    assert (ours.rounds, ours.accepted, ours.savings_fen) == plain, (ours, plain)
    orm = _orm_rollup(user, today)
    assert orm[:4] == (ours.rounds, ours.accepted, ours.savings_fen, ours.overdue), (orm, ours)
    assert (orm[4].get("before"), orm[4].get("after")) == (ours.before.get("energy_per_wan"),
                                                          ours.after.get("energy_per_wan")), (orm, ours)
    from django.db import connection

    note(f"{FIRMS:,} firms, {ours.rounds:,} rounds, {ours.accepted:,} accepted, {ours.overdue:,} overdue; "
         f"{connection.vendor}")
    seconds = median_seconds(lambda: figures.rollup(user, today=today))
    previous = median_seconds(lambda: _orm_rollup(user, today))
    baseline = median_seconds(lambda: _plain(today))
    report("cleanaudit", f"park roll-up, {ours.rounds:,} rounds", seconds * 1000, previous * 1000, "ms",
           "plain ORM version (6 queries)")
    report("cleanaudit", f"park roll-up, {ours.rounds:,} rounds", seconds * 1000, baseline * 1000, "ms",
           "plain: all rows into Python")
    p95 = _p95(lambda: figures.rollup(user, today=today))
    target("cleanaudit", f"park roll-up p95 ({RUNS} calls), {ours.rounds:,} rounds", p95 * 1000, 200, "ms")
