"""The pure rules: conversion, the rate in force, stage order, the zone, credits and the breach."""

from __future__ import annotations

import datetime as dt

from longcheng.modules.ecorestore import rules

from .support import INSIDE, OUTLINE, OUTSIDE

UTC = dt.UTC
START = dt.datetime(2024, 7, 6, 8, 0, tzinfo=UTC)
END = START + dt.timedelta(hours=4)


def test_hours_times_rate_is_the_amount_offset_exactly() -> None:
    conversion = rules.convert(100_000, 2200)  # 1,000 yuan at 22 yuan an hour
    assert (conversion.hours, conversion.amount_offset_fen, conversion.remainder_fen) == (45, 99_000, 1_000)
    for amount, rate in ((1, 1), (2200, 2200), (987_654, 2450), (10**12, 2333)):
        c = rules.convert(amount, rate)
        assert c.hours * rate == c.amount_offset_fen and c.amount_offset_fen + c.remainder_fen == amount
        assert 0 <= c.remainder_fen < rate


def test_the_rate_in_force_on_the_decision_date() -> None:
    rates = [rules.RateRow(dt.date(2022, 4, 1), 2200), rules.RateRow(dt.date(2025, 10, 1), 2450)]
    assert rules.rate_on(rates, dt.date(2022, 3, 31)) is None
    assert rules.rate_on(rates, dt.date(2022, 4, 1)).fen_per_hour == 2200  # type: ignore[union-attr]
    assert rules.rate_on(rates, dt.date(2025, 9, 30)).fen_per_hour == 2200  # type: ignore[union-attr]
    assert rules.rate_on(rates, dt.date(2025, 10, 1)).fen_per_hour == 2450  # type: ignore[union-attr]


def test_stages_only_in_the_order_of_the_rules() -> None:
    path = ["screening", "investigation", "negotiation", "agreement", "restoration", "assessment", "disclosed"]
    for current, target in zip(path, path[1:], strict=False):
        assert rules.stage_problem(current, target) is None
    assert rules.stage_problem("negotiation", "lawsuit") is None
    for current, target in (("screening", "negotiation"), ("investigation", "restoration"),
                            ("restoration", "agreement"), ("disclosed", "screening"), ("screening", "screening")):
        assert rules.stage_problem(current, target), (current, target)
    assert rules.stage_due("screening", dt.date(2024, 6, 1)) == dt.date(2024, 7, 1)
    assert rules.stage_due("negotiation", dt.date(2024, 6, 1)) == dt.date(2024, 8, 30)
    assert rules.stage_due("agreement", dt.date(2024, 6, 1)) is None


def test_eligibility() -> None:
    ok = {"party_kind": "person", "consent": True, "hardship": "低保户证明", "amount_fen": 50_000,
          "convertible_fen": 300_000, "fen_per_hour": 2200, "stage": "lawsuit"}
    assert rules.conversion_problem(**ok) is None  # type: ignore[arg-type]
    for change, field in (({"party_kind": "firm"}, "party_kind"), ({"consent": False}, "consent"),
                          ({"hardship": " "}, "hardship"), ({"fen_per_hour": None}, "amount"),
                          ({"amount_fen": 300_001}, "amount"), ({"amount_fen": 2199}, "amount"),
                          ({"stage": "negotiation"}, "stage")):
        problem = rules.conversion_problem(**{**ok, **change})  # type: ignore[arg-type]
        assert problem and problem[0] == field, change


def test_check_in_inside_the_zone_and_the_window_only() -> None:
    base = {"state": "booked", "starts_at": START, "ends_at": END, "outline": OUTLINE}
    assert rules.check_in_problem(now=START, point=INSIDE, **base) is None  # type: ignore[arg-type]
    assert rules.check_in_problem(now=START - dt.timedelta(minutes=30), point=INSIDE, **base) is None  # type: ignore[arg-type]
    refusals = [
        ({"now": START, "point": OUTSIDE}, "location"),
        ({"now": START, "point": None}, "location"),
        ({"now": START - dt.timedelta(minutes=31), "point": INSIDE}, "time"),
        ({"now": END + dt.timedelta(seconds=1), "point": INSIDE}, "time"),
    ]
    for args, field in refusals:
        assert rules.check_in_problem(**base, **args)[0] == field  # type: ignore[arg-type, index]
    assert rules.check_in_problem(**{**base, "state": "signed"}, now=START, point=INSIDE)[0] == "shift"  # type: ignore[arg-type, index]
    assert not rules.inside_outline(INSIDE, OUTLINE[:2])


def test_credits_are_whole_hours_in_the_window_and_never_past_what_is_owed() -> None:
    def credit(cin: int, cout: int, left: int = 100) -> int:
        return rules.hours_to_credit(checked_in_at=START + dt.timedelta(minutes=cin),
                                     checked_out_at=START + dt.timedelta(minutes=cout),
                                     starts_at=START, ends_at=END, hours_left=left)
    assert credit(-20, 240) == 4  # early arrival does not count beyond the booked start
    assert credit(0, 400) == 4  # staying late counts only to the booked end
    assert credit(10, 240) == 3  # 3 h 50 min is three whole hours
    assert credit(0, 240, left=2) == 2


def test_a_breach_reverts_exactly_the_unperformed_part() -> None:
    assert rules.breach_reversion(hours_owed=45, hours_credited=12, fen_per_hour=2200) == 33 * 2200
    assert rules.breach_reversion(hours_owed=45, hours_credited=45, fen_per_hour=2200) == 0


def test_no_certificate_while_short_unsigned_or_breached() -> None:
    done = [("complete", 10, 10)]
    assert rules.certificate_problem(stage="restoration", obligations=done, unsigned_shifts=0) is None
    assert rules.certificate_problem(stage="restoration", obligations=done, unsigned_shifts=1)
    assert rules.certificate_problem(stage="restoration", obligations=[("open", 10, 9)], unsigned_shifts=0)
    assert rules.certificate_problem(stage="restoration", obligations=[("breached", 10, 4)], unsigned_shifts=0)
    assert rules.certificate_problem(stage="restoration", obligations=[], unsigned_shifts=0)
    assert rules.certificate_problem(stage="lawsuit", obligations=done, unsigned_shifts=0)
