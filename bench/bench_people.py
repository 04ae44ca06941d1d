"""People at city scale: the demo builder against the plain ORM's best bulk path for the same rows
(bulk_create of the same generated residents and households, in the same batches; rolled back), and
a community worker's scoped resident list against the same query without the scope filter."""

from __future__ import annotations

import time

from bench.common import median_seconds, progress, report, sized

RESIDENTS = sized("BENCH_RESIDENTS", tiny=2000, small=20_000, city=1_000_000)


class _Rollback(Exception):
    """Raised to undo the baseline's rows, so the list pages are measured on the builder's city."""


def run() -> None:
    from longcheng.kernel import demo

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    demo.build_staff(log=quiet)

    progress(f"demo builder: {RESIDENTS} residents in batches")
    begin = time.perf_counter()
    demo.build_residents(residents=RESIDENTS, log=quiet)
    bulk_rate = RESIDENTS / (time.perf_counter() - begin)

    bulk_baseline = _bulk_baseline()
    report("people", f"demo residents created per second ({RESIDENTS:,})", bulk_rate, bulk_baseline, "rows/s",
           "bulk_create of the same rows", higher_is_better=True)
    _list_pages()


def _bulk_baseline() -> float:
    from django.db import transaction

    from longcheng.kernel import demo
    from longcheng.kernel.people.models import Household, Resident
    from longcheng.kernel.places.models import Level, Place

    progress(f"baseline: bulk_create of {RESIDENTS} residents generated the same way (rolled back)")
    grids = list(Place.objects.filter(level=Level.GRID).select_related("parent").order_by("code"))
    begin = time.perf_counter()
    try:
        with transaction.atomic():
            pool = demo.NamePool()
            for start in range(RESIDENTS, 2 * RESIDENTS, demo.BATCH):
                rows = list(demo._residents(start, min(2 * RESIDENTS, start + demo.BATCH), grids, pool))
                with transaction.atomic():
                    Household.objects.bulk_create([h for _r, h in rows if h is not None], batch_size=2000)
                    current = None
                    for person, household in rows:
                        current = household or current
                        person.household = current
                    Resident.objects.bulk_create([r for r, _h in rows], batch_size=2000)
            bulk_baseline = RESIDENTS / (time.perf_counter() - begin)
            raise _Rollback
    except _Rollback:
        pass
    return bulk_baseline


def _list_pages() -> None:
    from django.test import Client

    from longcheng.kernel.access.models import User
    from longcheng.kernel.access.scope import restrict
    from longcheng.kernel.people.models import Resident

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
