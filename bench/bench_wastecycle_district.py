"""光盘行动 district report at scale.

BENCH_WASTECYCLE_SCHOOLS schools of BENCH_WASTECYCLE_CLASSES classes (city: 1,000 × 30, the issue's
30,000 classes), lunch and breakfast weighed with their attendance on BENCH_WASTECYCLE_DAYS school days
(city: one month, 20 days: 1.2 million weighings; the issue's year is 12 such months, not built here),
one class in ten without attendance.

(a) The district's monthly report (reports.district_report: each school's days, `SchoolDay`, kept by the
    actions, summed by school and month in the database) against two baselines of the same data and run:
    the plain way (every weighing and every attendance row into Python, joined there by class, day and
    meal, and summed by school) and the ORM way it replaced (the weighings themselves grouped by school
    in the database). Target (issue 21): p95 < 300 ms (p95 and median of twenty runs are printed).
(b) What the roll-up costs: rollup.rebuild of the month (the bulk path, demo and migration) and one
    refresh_school_day (what each weighing, attendance or correction adds to its transaction).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections import defaultdict
from typing import Any

from bench.common import median_seconds, note, progress, report, sized, target

SCHOOLS = sized("BENCH_WASTECYCLE_SCHOOLS", tiny=10, small=100, city=1000)
CLASSES = sized("BENCH_WASTECYCLE_CLASSES", tiny=6, small=30, city=30)
DAYS = sized("BENCH_WASTECYCLE_DAYS", tiny=5, small=20, city=20)
FIRST = dt.date(2026, 11, 2)


def _build() -> None:
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.kernel.places.models import Level, Place
    from longcheng.modules.wastecycle.models import Attendance, SchoolClass, Weighing

    town = Place(code="320412104", name="遥观镇", level=Level.STREET)
    town.path = town.compute_path()
    town.save()
    schools = Organisation.objects.bulk_create([Organisation(kind="school", name=f"学校{s:04d}", place=town)
                                                for s in range(SCHOOLS)], batch_size=2000)
    orgs = Organisation.objects.bulk_create([Organisation(kind="school", name=f"{c}班", place=town, parent=school)
                                             for school in schools for c in range(CLASSES)], batch_size=5000)
    classes = SchoolClass.objects.bulk_create([
        SchoolClass(org=org, grade=org.parent, school=org.parent, grade_no=n % 6 + 1, name=org.name, place=town)
        for n, org in enumerate(orgs)], batch_size=5000)
    days = [FIRST + dt.timedelta(days=d) for d in range(DAYS * 7 // 5 + 2) if (FIRST + dt.timedelta(days=d)).weekday() < 5]
    for day in days[:DAYS]:
        Weighing.objects.bulk_create([Weighing(klass=k, day=day, meal=m, grams=1000 + n % 900,
                                               diners=30 + n % 10 if n % 10 else None)
                                      for n, k in enumerate(classes) for m in ("breakfast", "lunch")], batch_size=10000)
        Attendance.objects.bulk_create([Attendance(klass=k, day=day, meal=m, diners=30 + n % 10)
                                        for n, k in enumerate(classes) if n % 10 for m in ("breakfast", "lunch")],
                                       batch_size=10000)


def _plain(start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """The plain baseline: every weighing and attendance row into Python, joined and summed there."""
    from longcheng.modules.wastecycle.models import Attendance, Weighing

    diners = {(k, d, m): n for k, d, m, n in Attendance.objects.filter(day__gte=start, day__lte=end).values_list(
        "klass_id", "day", "meal", "diners")}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for school, k, d, m, g in Weighing.objects.filter(day__gte=start, day__lte=end).values_list(
            "klass__school__name", "klass_id", "day", "meal", "grams"):
        if (k, d, m) in diners:
            out[school][0] += g
            out[school][1] += diners[(k, d, m)]
    return {s: (g, n) for s, (g, n) in out.items()}


def _grouped_weighings(start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """The ORM baseline: the way the report read before the roll-up, the weighings grouped by school."""
    from django.db.models import Sum

    from longcheng.modules.wastecycle.models import Weighing

    rows = (Weighing.objects.filter(day__gte=start, day__lte=end, diners__isnull=False)
            .values("klass__school__name").annotate(g=Sum("grams"), d=Sum("diners")).order_by())
    return {r["klass__school__name"]: (r["g"], r["d"]) for r in rows}


def _timings(fn: Any, runs: int) -> tuple[float, float]:
    """(median, p95) in ms of `runs` calls."""
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def run() -> None:
    from django.db import transaction

    from longcheng.modules.wastecycle import reports, rollup
    from longcheng.modules.wastecycle.models import SchoolClass, SchoolDay

    progress(f"wastecycle: building {SCHOOLS:,} schools × {CLASSES} classes, {DAYS} days of two meals")
    _build()
    start, end = FIRST, FIRST + dt.timedelta(days=40)
    rebuild = median_seconds(lambda: rollup.rebuild(start, end), repeat=3)
    days = SchoolDay.objects.all()
    ours = {r.school: (r.grams, r.diners) for r in reports.district_report(days, start, end)}
    assert ours == _plain(start, end) == _grouped_weighings(start, end), "the report and the plain sums differ"
    meals = SCHOOLS * CLASSES * DAYS * 2
    note(f"{SCHOOLS:,} schools, {SCHOOLS * CLASSES:,} classes, {meals:,} weighings, {days.count():,} school days")
    median, p95 = _timings(lambda: reports.district_report(days, start, end), 20)
    grouped = median_seconds(lambda: _grouped_weighings(start, end))
    baseline = median_seconds(lambda: _plain(start, end))
    metric = f"district report, {meals:,} weighings"
    report("wastecycle", metric, median, baseline * 1000, "ms", "plain: every row into Python, joined there")
    report("wastecycle", metric, median, grouped * 1000, "ms", "ORM: the weighings grouped by school")
    target("wastecycle", f"{metric} (p95 of 20)", p95, 300, "ms")
    klass = SchoolClass.objects.first()
    assert klass is not None

    def refresh() -> None:
        with transaction.atomic():
            rollup.refresh_school_day(klass, FIRST)

    note(f"roll-up: rebuild of the month {rebuild * 1000:,.0f} ms (median of 3); one school's day refreshed "
         f"{median_seconds(refresh, number=20) * 1000:.2f} ms (median of 5 × 20)")
