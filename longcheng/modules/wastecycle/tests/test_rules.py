"""wastecycle's pure rules, without a database."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from longcheng.modules.wastecycle import rules

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_grams_per_diner_is_exact_and_needs_attendance() -> None:
    assert rules.grams_per_diner(1000, 3) == Fraction(1000, 3)
    assert rules.shown_grams(rules.grams_per_diner(1000, 3)) == "333.3"
    assert rules.shown_grams(Fraction(1, 20)) == "0.1"  # 0.05 rounds half up
    assert rules.grams_per_diner(500, None) is None and rules.grams_per_diner(500, 0) is None
    assert rules.shown_grams(None) == "—"


def test_a_class_without_attendance_is_not_ranked() -> None:
    ranked = rules.rank([(1, 3000, 40), (2, 100, None), (3, 1000, 40), (4, 2000, 0)])
    assert [r.key for r in ranked] == [3, 1]
    assert ranked[0].per_diner == Fraction(25)


def test_most_improved() -> None:
    assert rules.most_improved({1: Fraction(80), 2: Fraction(60)}, {1: Fraction(50), 2: Fraction(55)}) == 1
    assert rules.most_improved({1: Fraction(50)}, {1: Fraction(60)}) is None


def test_the_temperature_record_needs_the_heat_for_the_days_without_gaps() -> None:
    hot = [(T0 + dt.timedelta(hours=6 * i), 560) for i in range(21)]  # 5 days at 56 °C
    gap = dt.timedelta(hours=12)
    assert rules.hot_enough(hot, min_tenths=550, min_days=5, max_gap=gap)
    assert not rules.hot_enough(hot[:-1], min_tenths=550, min_days=5, max_gap=gap)  # 4 days 18 h
    cooled = [*hot[:10], (hot[10][0], 540), *hot[11:]]
    assert not rules.hot_enough(cooled, min_tenths=550, min_days=5, max_gap=gap)
    holes = hot[:8] + hot[11:]  # 18 h without a reading
    assert not rules.hot_enough(holes, min_tenths=550, min_days=5, max_gap=gap)
    assert rules.hot_enough(holes, min_tenths=550, min_days=5, max_gap=dt.timedelta(hours=24))


def test_nyt525_limits() -> None:
    good = {"organic_matter": "45", "nutrients": "5", "moisture": "30", "ph": "5.5", "arsenic": "15",
            "mercury": "2", "lead": "50", "chromium": "150", "cadmium": "3"}
    assert rules.lot_failures(good, rules.NYT525_2012) == []
    assert rules.lot_failures({**good, "organic_matter": "44.9", "cadmium": "3.1", "ph": "8.6"}, rules.NYT525_2012) == [
        "organic_matter", "ph", "cadmium"]
    assert rules.lot_failures({**good, "lead": "x"}, rules.NYT525_2012) == ["lead"]
    assert "mercury" in rules.lot_failures({k: v for k, v in good.items() if k != "mercury"}, rules.NYT525_2012)


# NY/T 525-2021 at its limits exactly (REFERENCES.md): organic matter 30 %, nutrients 4.0 %, moisture
# 30 %, pH 5.5–8.5, germination index 70 %, faecal coliforms 100 /g, ascaris egg mortality 95 %, and the
# heavy metals As 15, Hg 2, Pb 50, Cr 150, Cd 3 mg/kg.
AT_2021_LIMITS = {"organic_matter": "30", "nutrients": "4.0", "moisture": "30", "ph": "8.5", "germination": "70",
                  "arsenic": "15", "mercury": "2", "lead": "50", "chromium": "150", "cadmium": "3",
                  "coliforms": "100", "ascaris": "95"}


def test_the_2021_edition_is_in_force_with_its_limits() -> None:
    assert rules.NYT525_EDITION == "NY/T 525-2021" and rules.NYT525_EDITIONS[rules.NYT525_EDITION] is rules.NYT525
    assert set(rules.NYT525) == set(AT_2021_LIMITS)
    assert rules.lot_failures(AT_2021_LIMITS) == []
    # Soil of 35 % organic matter and 4.5 % nutrients passes 2021 and would have failed 2012.
    lower = {**AT_2021_LIMITS, "organic_matter": "35", "nutrients": "4.5"}
    assert rules.lot_failures(lower) == []
    assert rules.lot_failures(lower, rules.NYT525_2012) == ["organic_matter", "nutrients"]


@pytest.mark.parametrize(("measure", "value"), [
    ("organic_matter", "29.9"), ("nutrients", "3.99"), ("moisture", "30.1"), ("ph", "5.4"), ("ph", "8.51"),
    ("germination", "69.9"), ("coliforms", "101"), ("ascaris", "94.9"), ("arsenic", "15.01"), ("mercury", "2.1"),
    ("lead", "50.5"), ("chromium", "151"), ("cadmium", "3.01"),
])
def test_one_measure_past_its_2021_limit_fails_the_lot_on_that_measure(measure: str, value: str) -> None:
    assert rules.lot_failures({**AT_2021_LIMITS, measure: value}) == [measure]


def test_the_balance_closes_within_tolerance_or_shows_the_difference() -> None:
    inflow = {"kitchen": 60_000, "market": 40_000, "other": 100_000}
    closing = rules.balance(inflow, {"soil": 35_000, "residue": 5_000, "shipped": 98_000},
                            {"moisture": 60_000, "leachate": 2_000}, 0, 30)
    assert (closing.difference, closing.closes) == (0, True)
    near = rules.balance(inflow, {"soil": 35_000, "residue": 5_000, "shipped": 92_000},
                         {"moisture": 60_000, "leachate": 2_000}, 0, 30)
    assert (near.difference, near.closes) == (6_000, True)  # 3 % of 200 t
    off = rules.balance(inflow, {"soil": 35_000, "residue": 5_000, "shipped": 91_999},
                        {"moisture": 60_000, "leachate": 2_000}, 0, 30)
    assert (off.difference, off.closes) == (6_001, False)
    stocked = rules.balance(inflow, {"soil": 35_000, "residue": 5_000, "shipped": 88_000},
                            {"moisture": 60_000, "leachate": 2_000}, 10_000, 0)
    assert (stocked.difference, stocked.closes) == (0, True)


def test_shipment_gap_and_missed_months() -> None:
    assert not rules.ship_gap_flagged(10_000, 9_800, 20)
    assert rules.ship_gap_flagged(10_000, 9_799, 20)
    assert rules.ship_gap_flagged(10_000, 10_201, 20)
    assert not rules.ship_gap_flagged(10_000, None, 20)
    months = [dt.date(2026, 1, 9), dt.date(2026, 2, 3), dt.date(2026, 4, 28)]
    assert rules.missed_months(months, dt.date(2026, 1, 1), dt.date(2026, 5, 15)) == [
        dt.date(2026, 3, 1), dt.date(2026, 5, 1)]


def test_ticket_weights() -> None:
    assert rules.net_problem(12_000, 8_000, T0, T0 + dt.timedelta(minutes=20)) is None
    problems = [rules.net_problem(8_000, 8_000, T0, T0),
                rules.net_problem(12_000, 8_000, T0, T0 - dt.timedelta(minutes=1)), rules.net_problem(0, 0, T0, T0)]
    assert [p[0] if p else None for p in problems] == ["tare_kg", "tare_at", "gross_kg"]
