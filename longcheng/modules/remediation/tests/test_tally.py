"""The dashboard's snapshot (tally.py) equals the totals computed live from the history after every kind of
change the actions make, for every viewer's scope and campaign; a bulk load around the actions is healed by a
rebuild; before the first rebuild the dashboard computes live."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from longcheng.modules.remediation import actions, figures, jobs, tally
from longcheng.modules.remediation.models import (
    Case,
    Milestone,
    Plan,
    ReboundCheck,
    StatusChange,
    Tally,
    TallyBuild,
)

from .conftest import inspect, to_accepted

VIEWERS = ("office", "bureau", "patrol", "patrol_liyang")


def _key(result: figures.Totals) -> Any:
    return (result.by_stage, result.closed_by_remedy, result.mu, {k: v for k, v in result.cut_kg.items() if v},
            result.islands, [(r.place.pk, r.closed, r.open, r.overdue, r.warned) for r in result.streets])


def _agree(world: dict[str, Any]) -> None:
    for name in VIEWERS:
        for campaign in (None, "wuluan", "fire_door"):
            live = figures.totals(world[name], campaign=campaign)
            assert _key(figures.snapshot_totals(world[name], campaign=campaign)) == _key(live), (name, campaign)


def test_the_snapshot_follows_every_move(world: dict[str, Any]) -> None:
    tally.rebuild()
    _agree(world)
    closed = to_accepted(world, 0, mu="10.25", cut=(5000, 1200))
    actions.do_close_case(closed.pk, acting_user=world["office"])
    _agree(world)
    relocated = to_accepted(world, 1, remedy="relocate", mu="3.5", cut=(900, 100))
    actions.do_close_case(relocated.pk, acting_user=world["office"])
    dismissed = inspect(world, 0, campaign="fire_door").case
    actions.do_determine_case(dismissed.pk, target=False, acting_user=world["bureau"])
    _agree(world)
    check = ReboundCheck.objects.get(case=closed, days=30)
    actions.do_record_rebound_check(check.pk, found_running=True, acting_user=world["patrol"])
    now = figures.snapshot_totals(world["office"])
    assert (now.closed, now.mu, now.cut_kg) == (1, Decimal("3.50"), {"cod": 800})
    assert now.by_stage == {"closed": 1, "reopened": 1, "dismissed": 1}
    _agree(world)
    tally.rebuild()
    _agree(world)


def test_a_bulk_load_drifts_until_the_rebuild(world: dict[str, Any]) -> None:
    tally.rebuild()
    site = world["sites"][2]
    case = Case.objects.create(campaign="wuluan", site=site, firm_id=site.firm_id, place_id=site.place_id,
                               opened_at=timezone.now(), status="closed")
    StatusChange.objects.create(case=case, dst="closed", at=timezone.now() - dt.timedelta(hours=1))
    Plan.objects.create(case=case, remedy="upgrade", lead_agency="ecology", responsible="x", area_mu=Decimal("2"),
                        created_at=timezone.now())
    assert figures.snapshot_totals(world["office"]).closed == 0
    assert figures.totals(world["office"]).closed == 1
    jobs.rebuild_totals_snapshot()  # the periodic job (run at once in the tests)
    assert TallyBuild.objects.count() == 2
    _agree(world)
    assert figures.snapshot_totals(world["patrol_liyang"]).closed_by_remedy == {"upgrade": 1}


def test_live_until_the_first_rebuild_and_no_empty_rows_read(world: dict[str, Any]) -> None:
    case = inspect(world, 0).case
    assert not tally.built() and Tally.objects.get(stage="screened").cases == 1
    Tally.objects.all().delete()  # the rows are not read before a rebuild: the totals are live
    assert figures.snapshot_totals(world["office"]).by_stage == {"screened": 1}
    tally.rebuild()
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    assert Tally.objects.get(stage="screened").cases == 0
    assert figures.snapshot_totals(world["office"]).by_stage == {"determined": 1}
    assert figures.current_totals(world["office"]).by_stage == {"determined": 1}


def test_the_panels_overdue_milestones_are_the_lists(world: dict[str, Any]) -> None:
    tally.rebuild()
    late = to_accepted(world, 0)
    to_accepted(world, 1)
    Milestone.objects.filter(plan__case=late).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    for name in VIEWERS:
        shown = figures.panel_figures(world[name])[5]  # "Overdue milestones"
        assert shown.value == figures.overdue_milestones(world[name]).count(), name
    assert figures.snapshot_totals(world["office"]).overdue == 1
    assert figures.snapshot_totals(world["patrol_liyang"]).overdue == 0
