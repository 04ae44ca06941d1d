"""龙e处 (accidents) at peak hour.

(a) The officer's queue page /accidents/queue/ over BENCH_ACCIDENTS_REPORTS submitted reports
    (default 2,000: a peak-hour replay; bulk-inserted reports with their two parties), fetched
    QUEUE_REQUESTS times by a city-wide officer with Django's test Client: p95 against the 200 ms
    target, and the median beside the plain way to read the same rows measured in the same run (the
    queue's one query, first 200 rows as values, no view, no template).
(b) The drivers' last steps through the actions, SUBMITS times: a photo stored (content check, hash,
    reuse look-up, file written) and the report submitted (the rule table's proposal): p95 against
    the 300 ms target.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.common import progress, report, setup_django, sized, target

REPORTS = sized("BENCH_ACCIDENTS_REPORTS", tiny=50, small=2_000, city=2_000)
QUEUE_REQUESTS = sized("BENCH_ACCIDENTS_REQUESTS", tiny=3, small=30, city=60)
SUBMITS = sized("BENCH_ACCIDENTS_SUBMITS", tiny=3, small=30, city=100)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(round(0.95 * len(ordered))) - 1, 0)]


def _world() -> dict[str, Any]:
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.places.models import Level, Place
    from longcheng.modules.accidents.models import Insurer

    root = Place.objects.filter(depth=0).first()
    if root is None:
        root = Place(code="320400", name="常州市", level=Level.CITY, parent=None, depth=0)
        root.path = root.compute_path()
        root.save()
    district = Place.objects.filter(code="320412").first()
    if district is None:
        district = Place(code="320412", name="武进区", level=Level.DISTRICT, parent=root, depth=1)
        district.path = district.compute_path()
        district.save()
    users = {}
    for name, role in (("bench_officer", "accidents_officer"), ("bench_a", "accidents_driver"),
                       ("bench_b", "accidents_driver")):
        users[name], made = User.objects.get_or_create(username=name, defaults={"two_factor_exempt": True})
        if made:
            RoleAssignment.objects.create(user=users[name], role=role).places.set([root])
    insurer, _ = Insurer.objects.get_or_create(code="bench", defaults={"name": "基准保险"})
    return {"root": root, "district": district, "insurer": insurer, **users}


def _bulk_reports(world: dict[str, Any], n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from longcheng.modules.accidents.models import Party, Report

    now = timezone.now()
    with transaction.atomic():
        made = Report.objects.bulk_create([
            Report(place=world["district"], status="submitted" if i % 5 else "dispute", pairing_code=f"B{i:010d}",
                   lat=31.7, lon=119.9, started_at=now, submitted_at=now, proposed_a="full" if i % 5 else "")
            for i in range(n)], batch_size=500)
        Party.objects.bulk_create([Party(report=r, side=s, user=world["bench_a" if s == "A" else "bench_b"],
                                         plate="苏D12345", insurer=world["insurer"])
                                   for r in made for s in ("A", "B")], batch_size=1000)


def _queue(world: dict[str, Any]) -> None:
    from django.test import Client

    from longcheng.modules.accidents.models import Report

    progress(f"(a) {REPORTS} submitted reports")
    _bulk_reports(world, REPORTS)
    client = Client()
    client.force_login(world["bench_officer"])
    client.get("/accidents/queue/")  # warm
    pages, plain = [], []
    for _ in range(QUEUE_REQUESTS):
        begin = time.perf_counter()
        assert client.get("/accidents/queue/").status_code == 200
        pages.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        list(Report.objects.filter(status__in=["submitted", "dispute"]).order_by("submitted_at", "pk")
             .values("pk", "place__name", "status", "submitted_at")[:200])
        plain.append(time.perf_counter() - begin)
    target("accidents", "officer's queue page p95", _p95(pages) * 1000, 200, "ms")
    report("accidents", "officer's queue page median", statistics.median(pages) * 1000,
           statistics.median(plain) * 1000, "ms", "the queue's query alone")


def _submits(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from longcheng.modules.accidents import actions
    from longcheng.modules.accidents.demo import synthetic_resident_id
    from longcheng.modules.accidents.seed import EXCLUSIONS

    progress(f"(b) {SUBMITS} submissions with a photo")
    answers = {code: False for code, *_ in EXCLUSIONS}
    details = {"name": "基准", "phone": "13800000000", "licence_no": synthetic_resident_id(7), "licence_class": "C1",
               "insurer": world["insurer"], "policy_no": "P1", "loss_fen": 100}
    timings, plain = [], []
    for i in range(SUBMITS):
        a, b = world["bench_a"], world["bench_b"]
        rep = actions.do_start_report(place=world["district"], lat=31.7, lon=119.9, answers=answers,
                                      third_party_property=False, acting_user=a)
        actions.do_join_report(code=rep.pairing_code, answers=answers, acting_user=b)
        for user, plate in ((a, "苏D11111"), (b, "苏D22222")):
            actions.do_confirm_party(rep, {**details, "plate": plate}, acting_user=user)
        actions.do_tick_circumstances(rep, ["rear_end"], acting_user=a)
        actions.do_tick_circumstances(rep, [], acting_user=b)
        photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + f"bench-{i}".encode() * 20_000)
        begin = time.perf_counter()
        actions.do_add_photo(rep, shot="front", upload=photo, taken_at=rep.started_at, lat=31.7, lon=119.9,
                             acting_user=a)
        actions.do_submit_report(rep, acting_user=a)
        timings.append(time.perf_counter() - begin)
        plain.append(_plain_submit(rep, a, i))
    target("accidents", "photo stored and report submitted p95", _p95(timings) * 1000, 300, "ms")
    report("accidents", "photo stored and report submitted median", statistics.median(timings) * 1000,
           statistics.median(plain) * 1000, "ms", "plain ORM: file saved, row inserted, report updated")


def _plain_submit(rep: Any, user: Any, i: int) -> float:
    """The baseline: the same bytes stored and the same rows written with the plain ORM, in one
    transaction, with no checks (content type, hash, reuse look-up, time and place, rule table,
    audit rows): what the actions' safety costs is the difference."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from longcheng.modules.accidents.models import Photo, Report

    party = rep.parties.get(user=user)
    upload = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + f"plain-{i}".encode() * 20_000)
    begin = time.perf_counter()
    with transaction.atomic():
        photo = Photo(report=rep, party=party, shot="back", sha256="0" * 64, taken_at=rep.started_at, lat=31.7,
                      lon=119.9)
        photo.file.save(f"plain-{rep.pk}.jpg", upload, save=False)
        photo.save()
        Report.objects.filter(pk=rep.pk).update(submitted_at=timezone.now())
    return time.perf_counter() - begin


def run() -> None:
    setup_django()
    import tempfile

    from django.test.utils import override_settings

    with tempfile.TemporaryDirectory(prefix="accidents-bench-") as media, override_settings(MEDIA_ROOT=media):
        world = _world()
        _queue(world)
        _submits(world)
