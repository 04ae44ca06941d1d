"""排查整治 totals at scale.

BENCH_REMEDIATION_FIRMS firms (BENCH_SIZE=city: 50,000), one 危污乱散低 case each with its stage history
(screened → determined → planned → accepted → closed for four in five, the rest open) and a plan with a
pollutant figure, spread over Wujin's towns.

(a) Totals as of a past date (figures.totals: each case's one StatusChange valid then, at <= D < until,
    the plans summed in the database) against the ORM way without `until` (the last change per case by a
    correlated subquery, figures.stage_at_by_subquery) and the plain way (every change up to the date and
    every plan into Python); same data, same run, all checked equal. Target: < 1 s.
(b) The dashboard panel (figures and charts, as the dashboard asks for them, the user loaded anew each
    time) for the campaign office (city-wide), reading the totals' snapshot (tally.py, rebuilt once after
    the bulk load as the nightly job does; its rebuild time printed): p95 < 200 ms, its median beside the
    same panel computed live from the history (figures.totals, the way before the snapshot), both checked
    equal first.
(c) The by-street roll-up (通报预警) at the same date (figures' two grouped queries rolled up from places to
    streets in Python) against the plain way: every change up to the date and every case's place read into
    Python and rolled up there; same data, same run.
(d) A street patrol's list page (/remediation/: its street's cases, the rebound checks due and the overdue
    milestones), with BENCH_REMEDIATION_INSPECTIONS inspections (city: 200,000, the issue's figure) and the
    +30/+90/+180 rebound checks of every closed case in the database: p95 of BENCH_REMEDIATION_REQUESTS
    requests against 200 ms, its median beside the list's queries alone.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from typing import Any

from bench.common import median_seconds, note, progress, report, sized, target

FIRMS = sized("BENCH_REMEDIATION_FIRMS", tiny=300, small=5000, city=50_000)
INSPECTIONS = sized("BENCH_REMEDIATION_INSPECTIONS", tiny=1200, small=20_000, city=200_000)
REQUESTS = sized("BENCH_REMEDIATION_REQUESTS", tiny=5, small=30, city=60)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2024, 1, 8, 10, tzinfo=SHANGHAI)
AS_OF = dt.datetime(2024, 6, 30, 23, 59, tzinfo=SHANGHAI)
STAGES = ("screened", "determined", "planned", "accepted", "closed")


def _build() -> dict[str, Any]:
    from longcheng.kernel import demo
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.kernel.places.models import Place
    from longcheng.modules.remediation import history
    from longcheng.modules.remediation.models import (
        Case,
        Inspection,
        Plan,
        PollutantFigure,
        ReboundCheck,
        Site,
        StatusChange,
    )

    demo.build_places(log=lambda *a, **k: None)
    root = Place.objects.get(code="320400")
    streets = list(Place.objects.filter(parent__name="武进区", level="street").order_by("code"))
    firms = Organisation.objects.bulk_create([
        Organisation(kind="enterprise", name=f"企业{i}", uscc=f"9132041200{i:08d}", place=streets[i % len(streets)])
        for i in range(FIRMS)], batch_size=2000)
    sites = Site.objects.bulk_create([Site(firm=f, place=f.place, address=f"路{f.pk}号", area_mu=Decimal(10))
                                      for f in firms if f.place is not None], batch_size=2000)
    cases = Case.objects.bulk_create([
        Case(campaign="wuluan", site=s, firm_id=s.firm_id, place_id=s.place_id, opened_at=START,
             status="closed" if i % 5 else "planned") for i, s in enumerate(sites)], batch_size=2000)
    changes = []
    for i, case in enumerate(cases):
        for n, stage in enumerate(STAGES if i % 5 else STAGES[:3]):
            changes.append(StatusChange(case=case, src="", dst=stage, at=START + dt.timedelta(days=(i % 300) + 7 * n)))
    StatusChange.objects.bulk_create(history.chain(changes), batch_size=5000)
    plans = Plan.objects.bulk_create([Plan(case=c, remedy="close", lead_agency="ecology", responsible="x",
                                           area_mu=Decimal("7.5"), created_at=START) for c in cases], batch_size=2000)
    PollutantFigure.objects.bulk_create([PollutantFigure(plan=p, pollutant="cod", before_kg=1000, after_kg=300)
                                         for p in plans], batch_size=2000)
    user = User.objects.create_user(username="bench_office", password="x")
    RoleAssignment.objects.create(user=user, role="remediation_office").places.set([root])
    patrol = User.objects.create_user(username="bench_patrol", password="x", two_factor_exempt=True)
    RoleAssignment.objects.create(user=patrol, role="remediation_inspector").places.set([streets[0]])
    Inspection.objects.bulk_create([
        Inspection(case=cases[i % len(cases)], inspector=patrol, at=START + dt.timedelta(hours=i % 5000),
                   scores={"danger": 2, "pollution": 1}, reasons={"danger": "无消防通道"}) for i in range(INSPECTIONS)],
        batch_size=5000)
    ReboundCheck.objects.bulk_create([
        ReboundCheck(case=c, place_id=c.place_id, days=d, due_on=AS_OF.date() + dt.timedelta(days=d + i % 60))
        for i, c in enumerate(cases) if c.status == "closed" for d in (30, 90, 180)], batch_size=5000)
    return {"office": user, "patrol": patrol, "street": streets[0]}


def _plain_streets() -> dict[str, tuple[int, int]]:
    """The plain by-street roll-up: every change up to the date and every case's place into Python."""
    from longcheng.kernel.places.models import Place
    from longcheng.modules.remediation.models import Case, StatusChange

    last: dict[int, tuple[dt.datetime, int, str]] = {}
    for case_id, at, pk, dst in StatusChange.objects.filter(at__lte=AS_OF).values_list("case_id", "at", "pk", "dst"):
        if case_id not in last or (at, pk) > last[case_id][:2]:
            last[case_id] = (at, pk, dst)
    streets = {p.path: p.path for p in Place.objects.filter(level="street")}
    out: dict[str, tuple[int, int]] = {}
    for case_id, path in Case.objects.values_list("pk", "place__path"):
        if case_id not in last or last[case_id][2] == "dismissed":
            continue
        street = next((s for s in streets if path.startswith(s)), None)
        if street is not None:
            closed, open_ = out.get(street, (0, 0))
            out[street] = (closed + 1, open_) if last[case_id][2] == "closed" else (closed, open_ + 1)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(round(0.95 * len(ordered))) - 1, 0)]


def _streets(user: Any) -> None:
    from django.db.models import Count

    from longcheng.modules.remediation import figures
    from longcheng.modules.remediation.campaigns import FINISHED
    from longcheng.modules.remediation.models import Milestone

    def ours() -> Any:
        staged = figures._stage_at(figures.cases_for(user).order_by(), AS_OF)
        groups = list(staged.values("place__path", "stage_then").annotate(n=Count("pk")).order_by())
        still_open = staged.exclude(stage_then__in=FINISHED).values("pk")
        return figures._streets(groups, Milestone.objects.filter(plan__case__in=still_open), AS_OF)[0]

    rows = ours()
    assert {r.place.path: (r.closed, r.open) for r in rows} == _plain_streets()
    seconds, baseline = median_seconds(ours), median_seconds(_plain_streets)
    report("remediation", f"by-street roll-up as of a past date, {len(rows)} streets, {FIRMS:,} firms",
           seconds * 1000, baseline * 1000, "ms", "plain: all changes and places into Python")


def _patrol_list(world: dict[str, Any]) -> None:
    from django.test import Client

    from longcheng.modules.remediation import access, figures

    client = Client()
    client.force_login(world["patrol"])
    assert client.get("/remediation/").status_code == 200  # warm
    pages, plain = [], []
    for _ in range(REQUESTS):
        begin = time.perf_counter()
        assert client.get("/remediation/").status_code == 200
        pages.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        list(access.cases_for(world["patrol"]).order_by("-opened_at", "-pk")[:50])
        list(access.rebound_checks_due(world["patrol"], "remediation.inspect")[:51])
        list(figures.overdue_milestones(world["patrol"])[:51])
        plain.append(time.perf_counter() - begin)
    note(f"{INSPECTIONS:,} inspections; the patrol's street: {world['street'].name}")
    target("remediation", f"a street patrol's list page p95, {FIRMS:,} firms", _p95(pages) * 1000, 200, "ms")
    report("remediation", "a street patrol's list page median", statistics.median(pages) * 1000,
           statistics.median(plain) * 1000, "ms", "the list's queries alone")


def _plain_totals() -> tuple[int, Decimal, int]:
    """The plain baseline: every change up to the date and every plan, added up in Python."""
    from longcheng.modules.remediation.models import Plan, PollutantFigure, StatusChange

    last: dict[int, tuple[dt.datetime, int, str]] = {}
    for case_id, at, pk, dst in StatusChange.objects.filter(at__lte=AS_OF).values_list("case_id", "at", "pk", "dst"):
        if case_id not in last or (at, pk) > last[case_id][:2]:
            last[case_id] = (at, pk, dst)
    closed = {case for case, (_at, _pk, dst) in last.items() if dst == "closed"}
    mu = sum((area for case, area in Plan.objects.values_list("case_id", "area_mu") if case in closed), Decimal(0))
    cut = sum(b - a for case, b, a in PollutantFigure.objects.values_list("plan__case_id", "before_kg", "after_kg")
              if case in closed)
    return len(closed), mu, cut


def run() -> None:
    from longcheng.modules.remediation import figures

    progress(f"remediation: building {FIRMS:,} firms with their cases and histories")
    world = _build()
    user = world["office"]
    ours = figures.totals(user, AS_OF)
    subquery = figures.totals(user, AS_OF, staging=figures.stage_at_by_subquery)
    plain = _plain_totals()
    assert (ours.closed, ours.mu, sum(ours.cut_kg.values())) == plain, (ours, plain)
    assert (ours.by_stage, ours.mu, ours.cut_kg) == (subquery.by_stage, subquery.mu, subquery.cut_kg)
    note(f"{FIRMS:,} firms; as of {AS_OF:%Y-%m-%d}: {ours.closed:,} closed")
    seconds = median_seconds(lambda: figures.totals(user, AS_OF))
    by_subquery = median_seconds(lambda: figures.totals(user, AS_OF, staging=figures.stage_at_by_subquery))
    baseline = median_seconds(_plain_totals)
    report("remediation", f"totals as of a past date, {FIRMS:,} firms", seconds * 1000, by_subquery * 1000, "ms",
           "the last change per case by a correlated subquery (the ORM way, no until)")
    report("remediation", f"totals as of a past date (plain), {FIRMS:,} firms", seconds * 1000, baseline * 1000,
           "ms", "plain: all rows into Python")
    target("remediation", "totals as of a past date", seconds * 1000, 1000, "ms")
    _dashboard(user)
    _streets(user)
    _patrol_list(world)


def _panel_times(user: Any, live: bool) -> list[float]:
    """The panel as the dashboard draws it (figures, then charts: the totals once), each request with the
    user loaded anew; `live` computes the totals from the history instead of the snapshot."""
    from unittest import mock

    from longcheng.kernel.access.models import User
    from longcheng.modules.remediation import figures

    times = []
    with mock.patch.object(figures, "snapshot_totals", lambda u: figures.totals(u)) if live else _nothing():
        figures.panel_charts(User.objects.get(pk=user.pk))  # warm: the first call loads the catalogues
        for _ in range(max(REQUESTS // 2, 5)):
            fresh = User.objects.get(pk=user.pk)  # the dashboard loads the user anew on every request
            begin = time.perf_counter()
            figures.panel_figures(fresh)
            figures.panel_charts(fresh)
            times.append(time.perf_counter() - begin)
    return times


def _nothing() -> Any:
    import contextlib

    return contextlib.nullcontext()


def _dashboard(user: Any) -> None:
    """The panel from the snapshot, p95 against 200 ms and its median against the live panel's."""
    from longcheng.modules.remediation import figures, tally

    build = tally.rebuild()
    note(f"totals' snapshot rebuilt in {build.seconds * 1000:,.0f} ms (the nightly job)")
    fresh = figures.snapshot_totals(user)
    live = figures.totals(user)
    assert (fresh.by_stage, fresh.closed_by_remedy, fresh.mu, fresh.cut_kg) == (
        live.by_stage, live.closed_by_remedy, live.mu, live.cut_kg), (fresh, live)
    assert [(r.place.pk, r.closed, r.open, r.overdue) for r in fresh.streets] == [
        (r.place.pk, r.closed, r.open, r.overdue) for r in live.streets]
    ours, before = _panel_times(user, live=False), _panel_times(user, live=True)
    target("remediation", f"dashboard panel p95, {FIRMS:,} firms", _p95(ours) * 1000, 200, "ms")
    report("remediation", "dashboard panel median", statistics.median(ours) * 1000,
           statistics.median(before) * 1000, "ms", "the same panel computed live from the history")
    note(f"live panel p95 {_p95(before) * 1000:,.0f} ms")


if __name__ == "__main__":
    from bench.common import setup_django

    setup_django()
    run()
