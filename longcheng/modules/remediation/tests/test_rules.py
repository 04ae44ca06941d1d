"""remediation's pure rules and the campaign declarations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from longcheng.modules.remediation import campaigns, rules
from longcheng.modules.remediation.campaigns import CAMPAIGNS, Campaign, DeclarationError

WULUAN = CAMPAIGNS["wuluan"]
LINE = {"tax_fen_per_mu": 100, "output_fen_per_mu": 1000}


def test_shipped_campaigns() -> None:
    assert list(CAMPAIGNS) == ["wuluan", "hidden_factory", "fire_door", "gas_switch"]
    assert [a.code for a in WULUAN.axes] == ["danger", "pollution", "disorder", "scattered", "low"]
    assert set(WULUAN.remedies) == {"close", "relocate", "upgrade", "merge", "transform"}


def test_a_declaration_that_cannot_work_is_refused() -> None:
    with pytest.raises(DeclarationError):
        campaigns.declare(Campaign("bad", "bad", "firm", (), (), ("teleport",), {}))
    with pytest.raises(DeclarationError):
        campaigns.declare(Campaign("bad", "bad", "firm", (), (), (), {"screened": ("nowhere",)}))
    assert "bad" not in CAMPAIGNS


def test_transitions_and_scores() -> None:
    assert rules.transition_problem(WULUAN, "screened", "determined") is None
    assert rules.transition_problem(WULUAN, "screened", "closed")
    assert rules.transition_problem(CAMPAIGNS["fire_door"], "screened", "determined")
    scores = {"danger": 2, "pollution": 0, "disorder": 0, "scattered": 0, "low": 0}
    assert (rules.scores_problem(WULUAN, scores, {}) or ("",))[0] == "reason_danger"
    assert rules.scores_problem(WULUAN, scores, {"danger": "无消防通道"}) is None
    assert (rules.scores_problem(WULUAN, {**scores, "low": 4}, {"danger": "x"}) or ("",))[0] == "score_low"
    assert rules.is_target(WULUAN, scores) and not rules.is_target(WULUAN, {**scores, "danger": 1})


def test_low_yield_against_the_thresholds() -> None:
    assert rules.low_yield_score(tax_fen=1000, output_fen=10000, area_mu=Decimal(10), thresholds=LINE) == 0
    assert rules.low_yield_score(tax_fen=999, output_fen=10000, area_mu=Decimal(10), thresholds=LINE) == 2
    assert rules.low_yield_score(tax_fen=0, output_fen=0, area_mu=Decimal(10), thresholds=LINE) == 3
    assert rules.low_yield_score(tax_fen=0, output_fen=0, area_mu=Decimal(0), thresholds=LINE) == 0


def test_evidence_closure_and_rebound_dates() -> None:
    assert rules.missing_evidence("close", ["site_photo"]) == [("utility_cutoff",)]
    assert rules.missing_evidence("close", ["site_photo", "utility_cutoff"]) == []
    assert rules.missing_evidence("upgrade", ["permit"]) == []
    assert rules.missing_evidence("relocate", ["site_photo"]) == [("park_record",)]
    assert rules.closure_problem(rebound=False, accepted_by=None, closer=1)
    assert rules.closure_problem(rebound=False, accepted_by=1, closer=1) is None
    assert rules.closure_problem(rebound=True, accepted_by=1, closer=1)
    assert rules.closure_problem(rebound=True, accepted_by=1, closer=2) is None
    assert rules.rebound_dates(dt.date(2024, 1, 31), (30, 90, 180)) == [
        dt.date(2024, 3, 1), dt.date(2024, 4, 30), dt.date(2024, 7, 29)]
