"""People at city scale: the demo builder's bulk path against row-by-row ORM creates, and a
community worker's scoped resident list against the same query without the scope filter."""

from __future__ import annotations

import os
import time

from bench.common import median_seconds, progress, report

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "100000"))


def run() -> None:
    from django.test import Client

    from longcheng.kernel import demo
    from longcheng.kernel.access.scope import restrict
    from longcheng.kernel.people.models import Resident
    from longcheng.kernel.places.models import Level, Place

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    demo.build_staff(log=quiet)

    progress(f"demo builder: {RESIDENTS} residents in batches")
    begin = time.perf_counter()
    demo.build_residents(residents=RESIDENTS, log=quiet)
    bulk_rate = RESIDENTS / (time.perf_counter() - begin)

    progress("baseline: 2000 residents created one by one")
    grids = list(Place.objects.filter(level=Level.GRID).select_related("parent").order_by("code"))
    rows = [r for r, _h in demo._residents(RESIDENTS, RESIDENTS + 2000, grids, demo.NamePool())]
    begin = time.perf_counter()
    for r in rows:
        r.save()
    slow_rate = len(rows) / (time.perf_counter() - begin)
    report("people", "demo residents created per second", bulk_rate, slow_rate, "rows/s", "one save() per row",
           higher_is_better=True)

    from longcheng.kernel.access.models import User

    worker = User.objects.get(username="community_worker")
    total = Resident.objects.count()
    progress(f"resident list page for a community worker among {total} residents")

    def scoped() -> None:
        qs = restrict(Resident.objects.select_related("place"), worker, "people.view").order_by("name")
        qs.count()
        list(qs[:50])

    def unscoped() -> None:
        qs = Resident.objects.select_related("place").order_by("name")
        qs.count()
        list(qs[:50])

    report("people", f"first list page + count, {total} residents", median_seconds(scoped, repeat=7) * 1e3,
           median_seconds(unscoped, repeat=7) * 1e3, "ms", "whole city, no scope")

    client = Client()
    client.force_login(worker)
    page = median_seconds(lambda: client.get("/residents/"), repeat=7)
    client.force_login(User.objects.get(username="admin"))
    city_page = median_seconds(lambda: client.get("/residents/"), repeat=7)
    report("people", "resident list page (HTTP), community worker", page * 1e3, city_page * 1e3, "ms",
           "same page as city admin")
