"""The pure decisions, without a database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from longcheng.modules.accidents import rules
from longcheng.modules.accidents.seed import LIABILITY_RULES

from .conftest import SCENE, T0

TABLE = {code: outcome for code, _zh, _en, outcome in LIABILITY_RULES}


def test_the_first_yes_refuses_and_an_unanswered_question_counts_as_yes() -> None:
    order = ["injury", "drink_drugs", "no_photo"]
    assert rules.refusal({"injury": False, "drink_drugs": False, "no_photo": False}, order) is None
    assert rules.refusal({"injury": False, "drink_drugs": True, "no_photo": True}, order) == "drink_drugs"
    assert rules.refusal({"injury": False, "drink_drugs": False}, order) == "no_photo"


def test_every_full_situation_ticked_by_one_side_gives_the_table_outcome() -> None:
    for code, outcome in TABLE.items():
        if outcome != "full":
            continue
        alone = rules.propose([code], [], TABLE)
        assert (alone.liability_a, alone.liability_b) == (outcome, rules.COMPLEMENT[outcome]), code
        mirrored = rules.propose([], [code], TABLE)
        assert (mirrored.liability_a, mirrored.liability_b) == (rules.COMPLEMENT[outcome], outcome), code


def test_consistent_and_conflicting_ticks() -> None:
    assert rules.propose(["rear_end"], ["hit_while_lawful"], TABLE) == rules.Proposal("full", "none",
                                                                                      ("rear_end", "hit_while_lawful"))
    assert rules.propose(["both_lane_change"], ["both_lane_change"], TABLE).liability_a == "equal"
    assert rules.propose(["rear_end"], ["reversing"], TABLE).dispute  # both say the other is innocent
    assert rules.propose(["both_lane_change"], [], TABLE).dispute  # equal needs both
    assert rules.propose(["rear_end", "hit_while_lawful"], [], TABLE).dispute  # a side contradicting itself
    assert rules.propose([], [], TABLE).dispute
    assert rules.propose(["hit_while_lawful"], [], TABLE).dispute  # nobody owns the fault
    assert rules.propose(["not_in_table"], [], TABLE).dispute


def test_mutual_self_pay_exactly_when_every_condition_holds() -> None:
    ok = {"injury": False, "third_party_property": False}
    assert rules.mutual_self_pay(["equal", "equal"], [200_000, 0], **ok)
    assert not rules.mutual_self_pay(["equal", "equal"], [200_001, 0], **ok)
    assert not rules.mutual_self_pay(["full", "none"], [1, 1], **ok)
    assert not rules.mutual_self_pay(["equal", "equal"], [1, 1], injury=True, third_party_property=False)
    assert not rules.mutual_self_pay(["equal", "equal"], [1, 1], injury=False, third_party_property=True)
    assert not rules.mutual_self_pay([], [], **ok)


def test_photo_time_and_place_checks() -> None:
    near = (SCENE[0] + 0.001, SCENE[1])  # about 111 m north
    far = (SCENE[0] + 0.01, SCENE[1])  # about 1.1 km
    check: Any = {"started_at": T0, "scene": SCENE, "now": T0 + timedelta(minutes=10)}
    assert rules.photo_problems(T0 + timedelta(minutes=2), *near, **check) == []
    assert rules.photo_problems(T0 - timedelta(days=3), *far, **check) == ["older_than_report", "too_far"]
    assert rules.photo_problems(None, None, None, **check) == ["no_time", "no_place"]
    assert rules.photo_problems(T0 + timedelta(hours=2), *near, **check) == ["in_the_future"]


def test_clock_and_percentiles() -> None:
    assert rules.review_minutes(T0, T0 + timedelta(minutes=16, seconds=59)) == 16
    assert rules.overdue(T0, T0 + timedelta(minutes=16)) and not rules.overdue(T0, T0 + timedelta(minutes=15))
    assert rules.percentile([5, 1, 3, 9], 0.5) == 3 and rules.percentile([5, 1, 3, 9], 0.9) == 9
    assert rules.percentile([], 0.5) is None
