"""排查整治 totals at scale.

BENCH_REMEDIATION_FIRMS firms (BENCH_SIZE=city: 50,000), one 危污乱散低 case each with its stage history
(screened → determined → planned → accepted → closed for four in five, the rest open) and a plan with a
pollutant figure, spread over Wujin's towns.

(a) Totals as of a past date (figures.totals: the last StatusChange per case by a correlated subquery,
    the plans summed in the database) against the plain way: read every change up to the date and
    every plan into Python and add up there; same data, same run. Target: < 1 s.
(b) The dashboard panel's figures for the campaign office (city-wide): target p95-ish (median of 5)
    < 200 ms.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bench.common import median_seconds, note, progress, report, sized, target

FIRMS = sized("BENCH_REMEDIATION_FIRMS", tiny=300, small=5000, city=50_000)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2024, 1, 8, 10, tzinfo=SHANGHAI)
AS_OF = dt.datetime(2024, 6, 30, 23, 59, tzinfo=SHANGHAI)
STAGES = ("screened", "determined", "planned", "accepted", "closed")


def _build() -> object:
    from longcheng.kernel import demo
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.kernel.places.models import Place
    from longcheng.modules.remediation.models import Case, Plan, PollutantFigure, Site, StatusChange

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
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    plans = Plan.objects.bulk_create([Plan(case=c, remedy="close", lead_agency="ecology", responsible="x",
                                           area_mu=Decimal("7.5"), created_at=START) for c in cases], batch_size=2000)
    PollutantFigure.objects.bulk_create([PollutantFigure(plan=p, pollutant="cod", before_kg=1000, after_kg=300)
                                         for p in plans], batch_size=2000)
    user = User.objects.create_user(username="bench_office", password="x")
    RoleAssignment.objects.create(user=user, role="remediation_office").places.set([root])
    return user


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
    user = _build()
    ours = figures.totals(user, AS_OF)
    plain = _plain_totals()
    assert (ours.closed, ours.mu, sum(ours.cut_kg.values())) == plain, (ours, plain)
    note(f"{FIRMS:,} firms; as of {AS_OF:%Y-%m-%d}: {ours.closed:,} closed")
    seconds = median_seconds(lambda: figures.totals(user, AS_OF))
    baseline = median_seconds(_plain_totals)
    report("remediation", f"totals as of a past date, {FIRMS:,} firms", seconds * 1000, baseline * 1000, "ms",
           "plain: all rows into Python")
    target("remediation", "totals as of a past date", seconds * 1000, 1000, "ms")
    panel = median_seconds(lambda: figures.panel_figures(user))
    target("remediation", f"dashboard panel figures, {FIRMS:,} firms", panel * 1000, 200, "ms")


if __name__ == "__main__":
    from bench.common import setup_django

    setup_django()
    run()
