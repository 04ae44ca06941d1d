"""A case's stage on a past date through the `until` ranges (history.valid_at) gives the same totals as the
last change per case found by a correlated subquery, on random histories written in any order."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Q

from longcheng.modules.remediation import figures, history
from longcheng.modules.remediation.campaigns import STAGES
from longcheng.modules.remediation.models import Case, StatusChange

from .conftest import to_accepted

START = dt.datetime(2024, 1, 8, 10, tzinfo=dt.UTC)


def _ranges_whole(case: Case) -> bool:
    """Each change holds until the next by (at, pk), the last one open."""
    rows = list(StatusChange.objects.filter(case=case).order_by("at", "pk").values_list("at", "until"))
    return all(until == (rows[i + 1][0] if i + 1 < len(rows) else None) for i, (_at, until) in enumerate(rows))


def _random_history(case: Case, rng: random.Random) -> None:
    """Changes at random moments (some backdated between earlier ones, some at the very same moment)."""
    moments = [START + dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 3)) for _ in range(rng.randint(1, 7))]
    for at in moments:
        history.record_change(case, rng.choice(list(STAGES)), at)


def _key(result: figures.Totals) -> Any:
    return (result.by_stage, result.closed_by_remedy, result.mu, result.cut_kg,
            [(r.place.pk, r.closed, r.open, r.overdue) for r in result.streets])


def test_ranges_and_subquery_agree_on_random_histories(world: dict[str, Any]) -> None:
    site = world["sites"][2]  # 溧阳: another street, opened directly (the Wujin patrol may not inspect it)
    cases = [to_accepted(world, n) for n in range(2)] + [
        Case.objects.create(campaign="wuluan", site=site, firm_id=site.firm_id, place_id=site.place_id, opened_at=START)]
    rng = random.Random(16)
    for _round in range(4):
        StatusChange.objects.filter(case__in=cases).delete()
        for case in cases:
            _random_history(case, rng)
            assert _ranges_whole(case)
        for day in range(-2, 64, 3):
            moment = START + dt.timedelta(days=day, hours=rng.randint(0, 4))
            ours = figures.totals(world["office"], moment)
            plain = figures.totals(world["office"], moment, staging=figures.stage_at_by_subquery)
            assert _key(ours) == _key(plain), moment
        # No case ever has two changes valid at once.
        for change in StatusChange.objects.filter(case__in=cases):
            valid = StatusChange.objects.filter(history.valid_at(change.at), case=change.case_id)
            assert valid.count() == 1


def test_the_actions_keep_the_ranges(world: dict[str, Any]) -> None:
    case = to_accepted(world, 0)
    assert _ranges_whole(case)
    assert StatusChange.objects.filter(case=case, until=None).count() == 1
    current = StatusChange.objects.get(Q(until=None), case=case)
    assert current.dst == case.status


def test_chain_fills_unsaved_changes_in_order(world: dict[str, Any]) -> None:
    case = to_accepted(world, 1)
    StatusChange.objects.filter(case=case).delete()
    changes = history.chain([StatusChange(case=case, dst=stage, at=START + dt.timedelta(days=n))
                             for n, stage in enumerate(("screened", "determined", "planned"))])
    StatusChange.objects.bulk_create(changes)
    assert _ranges_whole(case)
