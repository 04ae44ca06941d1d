"""The dashboard's snapshot of the current totals: per place and campaign, the cases at each stage (with the
closed ones' remedy and land) and the pollutants the closed ones cut, in two small tables (Tally, TallyCut).

Kept current by the actions: `shift` moves one case from its old stage's row to its new one's inside the
action's transaction (the case row is locked there). Rebuilt from the records by the nightly job
(jobs.rebuild_totals_snapshot), by the demo after its bulk inserts, and by hand after any bulk load, so a
drift (rows written around the actions) lasts a day at most. Until a first rebuild (no TallyBuild row) the
dashboard computes its totals live. The totals at a past date are always computed from the history
(figures.totals); `tests/test_tally.py` checks the snapshot equals them after every kind of change."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from longcheng.kernel.access.scope import restrict

from .campaigns import CLOSED
from .models import Case, Plan, PollutantFigure, Tally, TallyBuild, TallyCut
from .spec import VIEW

Key = tuple[int, str, str, str]  # place, campaign, stage, remedy


def shift(case: Case, src: str | None, dst: str) -> None:
    """Count `case` out of stage `src` (None for a new case) and into `dst`. Call it inside the action's
    transaction, the case locked; the closed stage also carries the plan's remedy, land and pollutants."""
    if src == dst:
        return
    if src:
        _count(case, src, -1)
    _count(case, dst, 1)


def _count(case: Case, stage: str, sign: int) -> None:
    plan = Plan.objects.filter(case=case).first() if stage == CLOSED else None
    key = {"place_id": case.place_id, "campaign": case.campaign, "stage": stage,
           "remedy": plan.remedy if plan else ""}
    Tally.objects.bulk_create([Tally(**key)], ignore_conflicts=True)
    Tally.objects.filter(**key).update(cases=F("cases") + sign, mu=F("mu") + sign * (plan.area_mu if plan else 0))
    if plan is None:
        return
    for pollutant, before, after in plan.pollutants.values_list("pollutant", "before_kg", "after_kg"):
        where = {"place_id": case.place_id, "campaign": case.campaign, "pollutant": pollutant}
        TallyCut.objects.bulk_create([TallyCut(**where)], ignore_conflicts=True)
        TallyCut.objects.filter(**where).update(kg=F("kg") + sign * (before - after))


def rebuild() -> TallyBuild:
    """Replace the snapshot by one computed from the cases and plans as they stand. The tables are locked
    first (PostgreSQL; SQLite has one writer at a time): an action moving a case meanwhile waits, then
    counts its move on top of the new rows, so none is lost or counted twice."""
    begin = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE remediation_tally, remediation_tallycut IN EXCLUSIVE MODE")
        Tally.objects.all().delete()
        TallyCut.objects.all().delete()
        Tally.objects.bulk_create(_stage_rows(), batch_size=2000)
        TallyCut.objects.bulk_create(_cut_rows(), batch_size=2000)
        return TallyBuild.objects.create(built_at=timezone.now(), seconds=time.perf_counter() - begin)


def _stage_rows() -> list[Tally]:
    rows: dict[Key, list[Any]] = {}
    for row in (Case.objects.order_by().values("place_id", "campaign", "status", "plan__remedy")
                .annotate(n=Count("pk"), mu=Sum("plan__area_mu", filter=Q(status=CLOSED)))):
        closed = row["status"] == CLOSED
        key = (row["place_id"], row["campaign"], row["status"], (row["plan__remedy"] or "") if closed else "")
        entry = rows.setdefault(key, [0, Decimal(0)])
        # SQLite sums decimals as floats: each group rounded back to the column's two places.
        entry[0] += row["n"]
        entry[1] += Decimal(str(round(float(row["mu"] or 0), 2))) if closed else 0
    return [Tally(place_id=k[0], campaign=k[1], stage=k[2], remedy=k[3], cases=n, mu=mu)
            for k, (n, mu) in rows.items()]


def _cut_rows() -> list[TallyCut]:
    rows = (PollutantFigure.objects.filter(plan__case__status=CLOSED).order_by()
            .values("plan__case__place_id", "plan__case__campaign", "pollutant")
            .annotate(kg=Sum(F("before_kg") - F("after_kg"))))
    return [TallyCut(place_id=r["plan__case__place_id"], campaign=r["plan__case__campaign"],
                     pollutant=r["pollutant"], kg=int(r["kg"] or 0)) for r in rows]


def built() -> bool:
    return TallyBuild.objects.exists()


def groups(user: Any, campaign: str | None = None) -> list[dict[str, Any]]:
    """The snapshot's rows in the user's scope, shaped as figures.totals' grouped rows."""
    rows = restrict(Tally.objects.filter(cases__gt=0), user, VIEW)
    if campaign:
        rows = rows.filter(campaign=campaign)
    return [{"place__path": path, "stage_then": stage, "plan__remedy": remedy or None, "n": n, "mu": mu}
            for path, stage, remedy, n, mu in rows.values_list("place__path", "stage", "remedy", "cases", "mu")]


def cuts(user: Any, campaign: str | None = None) -> dict[str, int]:
    rows = restrict(TallyCut.objects.all(), user, VIEW)
    if campaign:
        rows = rows.filter(campaign=campaign)
    out: dict[str, int] = {}
    for pollutant, kg in rows.values_list("pollutant", "kg"):
        out[pollutant] = out.get(pollutant, 0) + kg
    return {k: v for k, v in out.items() if v}
