"""Migration 0005 fills StatusChange.until for the rows already there: the database taken back to 0004,
histories written (changes out of order by pk, two at the same moment, a case with one change), then
migrated forward; each change must hold until the next of its case by (at, pk), the last one open. Then
0007 gives each rebound check already there its case's place.

A transactional test: SQLite cannot change a schema inside the test's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .conftest import make_uscc

BEFORE, AFTER = ("remediation", "0004_site_lat_lon"), ("remediation", "0005_status_change_until")
PLACED = ("remediation", "0008_rebound_check_place_required")
START = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)


def _migrate(target: list[tuple[str, str]]) -> Any:
    """The database migrated to `target`; returns the models as they stood there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def _histories(apps: Any, city: dict[str, Any]) -> dict[str, list[int]]:
    Organisation = apps.get_model("orgs", "Organisation")
    Site, Case = apps.get_model("remediation", "Site"), apps.get_model("remediation", "Case")
    StatusChange = apps.get_model("remediation", "StatusChange")
    made: dict[str, list[int]] = {}
    for n, name in enumerate(("long", "single")):
        firm = Organisation.objects.create(kind="enterprise", name=f"迁移测试{n}", place_id=city["a"].pk,
                                           uscc=make_uscc(f"91320412MA1R0G7H{n}"))
        site = Site.objects.create(firm=firm, place_id=city["a"].pk, address=f"测试路{n}号")
        case = Case.objects.create(campaign="wuluan", site=site, firm=firm, place_id=city["a"].pk, opened_at=START,
                                   status="closed")
        made[name] = []
        # Written out of order: the pk order is not the time order; two changes share one moment.
        days = (0, 9, 3, 3, 20) if name == "long" else (5,)
        for day in days:
            change = StatusChange.objects.create(case=case, dst="planned", at=START + dt.timedelta(days=day))
            made[name].append(change.pk)
        ReboundCheck = apps.get_model("remediation", "ReboundCheck")
        made[f"check_{name}"] = [ReboundCheck.objects.create(case=case, days=30, due_on=START.date()).pk]
    return made


@pytest.mark.django_db(transaction=True)
def test_0005_fills_until_for_the_rows_already_there(city: dict[str, Any]) -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        made = _histories(_migrate([BEFORE]), city)
        StatusChange = _migrate([AFTER]).get_model("remediation", "StatusChange")
        long = {c.pk: c for c in StatusChange.objects.filter(pk__in=made["long"])}
        at = {pk: long[pk].at for pk in made["long"]}
        first, nine, three_a, three_b, twenty = made["long"]
        assert [long[pk].until for pk in (first, three_a, three_b, nine, twenty)] == [
            at[three_a], at[three_b], at[nine], at[twenty], None]
        assert StatusChange.objects.get(pk=made["single"][0]).until is None
        ReboundCheck = _migrate([PLACED]).get_model("remediation", "ReboundCheck")
        checks = ReboundCheck.objects.filter(pk__in=made["check_long"] + made["check_single"])
        assert [c.place_id for c in checks] == [city["a"].pk, city["a"].pk]
    finally:
        _migrate(latest)
