"""The rules, on their own (no database): the decision, a bypass's force, rates, drift."""

from __future__ import annotations

import datetime as dt

from .. import rules

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def test_any_zone_not_clear_and_not_bypassed_forbids_the_departure() -> None:
    assert rules.decide(True, {1: "clear", 2: "clear"}, []).permitted is True
    for state in ("blocked", "fault"):
        verdict = rules.decide(True, {1: "clear", 2: state}, [])
        assert (verdict.permitted, verdict.all_clear, verdict.blocked) == (False, False, (2,))
    assert rules.decide(True, {1: "clear", 2: "blocked"}, [2]).permitted is True
    assert rules.decide(True, {1: "blocked", 2: "blocked"}, [2]).permitted is False
    assert rules.decide(False, {1: "clear"}, []).permitted is False


def test_a_bypass_needs_two_people_and_time_left() -> None:
    later = NOW + dt.timedelta(hours=1)
    assert rules.bypass_in_force(1, 2, later, None, NOW) is True
    assert rules.bypass_in_force(1, None, later, None, NOW) is False
    assert rules.bypass_in_force(1, 1, later, None, NOW) is False
    assert rules.bypass_in_force(1, 2, NOW, None, NOW) is False
    assert rules.bypass_in_force(1, 2, later, NOW, NOW) is False


def test_rates_per_thousand_dwells_and_drift() -> None:
    assert rules.rate_per_thousand(2, 8) == 250.0
    assert rules.rate_per_thousand(1, 3) == 333.33
    assert rules.rate_per_thousand(0, 0) is None
    assert rules.drifting((4, 100), (2, 100)) is True
    assert rules.drifting((3, 100), (2, 100)) is False
    assert rules.drifting((2, 100), (0, 100)) is False  # too few to be a trend
    assert rules.drifting((3, 100), (0, 0)) is True


def test_a_bypass_request_names_the_field_it_breaks() -> None:
    hour = NOW + dt.timedelta(hours=1)
    assert rules.bypass_problem(1, None, hour, NOW, "", 8)[0] == "reason"  # type: ignore[index]
    assert rules.bypass_problem(1, None, NOW, NOW, "维修", 8)[0] == "expires_at"  # type: ignore[index]
    assert rules.bypass_problem(1, None, NOW + dt.timedelta(hours=9), NOW, "维修", 8)[0] == "expires_at"  # type: ignore[index]
    assert rules.bypass_problem(1, 1, hour, NOW, "维修", 8)[0] == "approver"  # type: ignore[index]
    assert rules.bypass_problem(1, 2, hour, NOW, "维修", 8) is None
