"""ecorestore: the supervisor's shift list (through the kernel's scope) against the same list asked
for directly by zone id (like with like: the rows one zone's supervisor may see, same order, same
size), and a phone check-in (the action: lock, the zone's outline, the audit row) against its target
of 150 ms, at a base with many booked shifts."""

from __future__ import annotations

import datetime as dt
import time

from bench.common import median_seconds, progress, report, sized, target

SHIFTS = sized("BENCH_ECORESTORE_SHIFTS", tiny=200, small=5000, city=50000)
CHECK_INS = sized("BENCH_ECORESTORE_CHECKINS", tiny=10, small=50, city=100)
OUTLINE = [[31.760, 120.070], [31.760, 120.075], [31.764, 120.075], [31.764, 120.070]]


def _world() -> tuple[object, object, list[object]]:
    from django.utils import timezone

    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.places.models import Level, Place
    from longcheng.modules.ecorestore.models import Base, Case, Obligation, Shift, Zone

    def place(code: str, level: str, parent: Place | None) -> Place:
        p = Place(code=code, name=code, level=level, parent=parent)
        p.path, p.depth = p.compute_path(), (parent.depth + 1 if parent else 0)
        p.save()
        return p

    city = place("B320400", Level.CITY, None)
    community = place("B3204C", Level.COMMUNITY, place("B3204S", Level.STREET, place("B3204D", Level.DISTRICT, city)))
    base = Base.objects.create(name="bench", place=community)
    zones = [Zone.objects.create(base=base, place=place(f"B-Z{i}", Level.GRID, community), kind="labour",
                                 name=f"zone {i}", outline=OUTLINE) for i in range(7)]
    case = Case.objects.create(number="B-1", title="bench", source="court", source_organ="court", legal_basis="-",
                               place=community, party_name="-", party_kind="person", stage="restoration",
                               opened_on=dt.date(2024, 6, 1), decided_on=dt.date(2024, 6, 1))
    obligation = Obligation.objects.create(case=case, hours_owed=10**6, fen_per_hour=2200, rate_from=dt.date(2022, 4, 1),
                                           amount_offset_fen=2200 * 10**6, hardship_evidence="bench",
                                           due_on=dt.date(2030, 1, 1))
    now = timezone.now()
    Shift.objects.bulk_create([Shift(obligation=obligation, zone=zones[i % 7], starts_at=now - dt.timedelta(hours=1) + dt.timedelta(seconds=i),
                                     ends_at=now + dt.timedelta(seconds=i, hours=3)) for i in range(SHIFTS)],
                              batch_size=2000)
    supervisor = User.objects.create(username="bench-supervisor", two_factor_exempt=True)
    RoleAssignment.objects.create(user=supervisor, role="ecorestore_supervisor").places.set([zones[1].place])
    return supervisor, zones[1], list(Shift.objects.filter(zone=zones[1]).order_by("pk")[:CHECK_INS])


def run() -> None:
    from longcheng.modules.ecorestore import access, actions
    from longcheng.modules.ecorestore.models import Shift

    progress(f"a base of 7 zones and {SHIFTS} shifts")
    supervisor, zone, shifts = _world()
    ours = median_seconds(lambda: list(access.shifts_for(supervisor).order_by("starts_at", "pk")[:200]))
    plain = median_seconds(lambda: list(Shift.objects.select_related("zone", "obligation__case").filter(
        zone_id=zone.pk).order_by("starts_at", "pk")[:200]))  # type: ignore[attr-defined]
    report("ecorestore", f"supervisor's shift list ({SHIFTS} shifts)", ours * 1000, plain * 1000, "ms",
           "the same rows by zone id, no scope")
    progress(f"{len(shifts)} check-ins inside the zone")
    times = []
    for shift in shifts:
        begin = time.perf_counter()
        actions.do_check_in_shift(shift, lat=31.762, lon=120.072, acting_user=supervisor)  # type: ignore[arg-type]
        times.append(time.perf_counter() - begin)
    times.sort()
    target("ecorestore", "phone check-in p95", times[int(len(times) * 0.95) - 1] * 1000 if times else 0.0, 150, "ms")
