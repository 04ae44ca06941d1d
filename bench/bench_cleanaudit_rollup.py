"""清洁生产审核 park roll-up at scale.

BENCH_CLEANAUDIT_FIRMS firms (BENCH_SIZE=city: 5,000, the issue's size), four rounds each (20,000), the
last accepted with figures before and after and four options, spread over Wujin's towns.

(a) The roll-up the park sees (figures.rollup: counts, overdue, options by cost class, savings and the
    park's intensities, summed in the database) against the plain way: every round, option and figure
    row into Python and added up there; same data, same run. Target (issue 17): p95 < 200 ms, over
    BENCH_CLEANAUDIT_RUNS calls (the median beside the baseline's).
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
                   industry="coatings", mode="self", status="accepted" if year < 2026 else "audit")
        for f in firms for year in YEARS], batch_size=5000)
    done = [r for r in rounds if r.year == 2025]
    Figures.objects.bulk_create([
        Figures(round=r, period=p, energy_tce=Decimal(1000 - 100 * n), water_m3=Decimal(50000), materials_t=Decimal(800),
                co2_t=Decimal(2600), value_added_fen=5000 * 1_000_000, output=Decimal(2000))
        for r in done for n, p in enumerate(("before", "after"))], batch_size=5000)
    Option.objects.bulk_create([
        Option(round=r, title="方案", cost_class="low" if n < 3 else "high", status="implemented",
               investment_fen=1_000_000 * (n + 1), yearly_saving_fen=2_000_000, life_years=5)
        for r in done for n in range(4)], batch_size=5000)
    user = User.objects.create_user(username="bench_park", password="x")
    RoleAssignment.objects.create(user=user, role="cleanaudit_park").places.set([wujin])
    return user


def _plain(today: dt.date) -> tuple[int, int, int]:
    """The plain baseline: every round and option into Python, added up there."""
    from longcheng.modules.cleanaudit.models import AuditRound, Option

    statuses = list(AuditRound.objects.values_list("status", flat=True))
    saving = sum(s for s, st in Option.objects.values_list("yearly_saving_fen", "status") if st == "implemented")
    return len(statuses), statuses.count("accepted"), saving


def run() -> None:
    from longcheng.modules.cleanaudit import figures

    progress(f"cleanaudit: building {FIRMS:,} firms with {FIRMS * len(YEARS):,} rounds")
    user = _build()
    today = dt.date(2026, 6, 1)
    ours = figures.rollup(user, today=today)
    plain = _plain(today)
    assert (ours.rounds, ours.accepted, ours.savings_fen) == plain, (ours, plain)
    note(f"{FIRMS:,} firms, {ours.rounds:,} rounds, {ours.accepted:,} accepted")
    seconds = median_seconds(lambda: figures.rollup(user, today=today))
    baseline = median_seconds(lambda: _plain(today))
    report("cleanaudit", f"park roll-up, {ours.rounds:,} rounds", seconds * 1000, baseline * 1000, "ms",
           "plain: all rows into Python")
    p95 = _p95(lambda: figures.rollup(user, today=today))
    target("cleanaudit", f"park roll-up p95 ({RUNS} calls), {ours.rounds:,} rounds", p95 * 1000, 200, "ms")
