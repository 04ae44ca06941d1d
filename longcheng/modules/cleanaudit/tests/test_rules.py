"""cleanaudit's rules, against hand-worked cases: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import translation

from longcheng.modules.cleanaudit import rules
from longcheng.modules.cleanaudit.rules import OptionFacts, RoundFacts
from longcheng.modules.cleanaudit.stages import STAGES

ALL = frozenset({"team", "plan", "targets", "balance_report", "screening", "feasibility", "implementation",
                 "continuous_plan"})


def test_the_seven_stages_in_order() -> None:
    assert [s.code for s in STAGES] == ["planning", "preaudit", "audit", "options", "feasibility",
                                        "implementation", "continuous"]
    assert rules.next_stage("planning") == "preaudit" and rules.next_stage("continuous") is None


def test_a_stage_does_not_close_without_its_artefacts() -> None:
    problems = rules.gate_problems("planning", RoundFacts(artefacts=frozenset({"team"}), registered=True))
    assert [field for field, _ in problems] == ["artefact_plan"]
    assert [f for f, _ in rules.gate_problems("planning", RoundFacts(artefacts=frozenset({"team", "plan"})))] == [
        "registration"]
    assert rules.gate_problems("planning", RoundFacts(artefacts=frozenset({"team", "plan"}), registered=True)) == []
    assert [f for f, _ in rules.gate_problems("preaudit", RoundFacts(artefacts=ALL))] == ["figures"]
    assert rules.gate_problems("preaudit", RoundFacts(artefacts=ALL, has_before=True)) == []


def test_the_material_balance_closes_within_five_percent() -> None:
    assert rules.balance_gap(D(1000), D(900), D(40), D(30)) == D("0.0300")
    assert rules.gate_problems("audit", RoundFacts(artefacts=ALL, balance=(D(1000), D(900), D(40), D(30)))) == []
    wrong = rules.gate_problems("audit", RoundFacts(artefacts=ALL, balance=(D(1000), D(800), D(40), D(30))))
    assert [f for f, _ in wrong] == ["balance"] and "13.0" in wrong[0][1]
    assert rules.balance_problem((D(1000), D(950), D(0), D(0))) is None  # exactly 5 % closes
    assert rules.balance_problem((D(1000), D(949), D(0), D(0))) is not None
    assert rules.balance_problem(None) is not None


def test_options_feasibility_and_implementation_gates() -> None:
    low = OptionFacts("low", "implemented", 200_000, 500_000, 1)
    high = OptionFacts("high", "proposed", 10_000_000, 3_000_000, 5)
    assert [f for f, _ in rules.gate_problems("options", RoundFacts(artefacts=ALL))] == ["options"]
    assert rules.gate_problems("options", RoundFacts(artefacts=ALL, options=(low,))) == []
    assert [f for f, _ in rules.gate_problems("feasibility", RoundFacts(artefacts=ALL, options=(low, high)))] == [
        "options"]
    adopted = OptionFacts("high", "adopted", 10_000_000, 3_000_000, 5)
    assert rules.gate_problems("feasibility", RoundFacts(artefacts=ALL, options=(low, adopted))) == []
    pending_low = OptionFacts("low", "adopted", 0, 10_000, 1)
    assert [f for f, _ in rules.gate_problems("implementation", RoundFacts(artefacts=ALL, options=(pending_low,)))] == [
        "options", "figures"]


@translation.override("en")
def test_no_acceptance_before_the_assessment_passed() -> None:
    done = OptionFacts("high", "implemented", 10_000_000, 3_000_000, 5, measured=2_800_000)
    assert rules.acceptance_problem(assessed=False, options=[done]) == (
        "status", "No acceptance before the assessment (评估) has passed.")
    assert rules.acceptance_problem(assessed=True, options=[done]) is None
    unmeasured = OptionFacts("high", "implemented", 10_000_000, 3_000_000, 5)
    assert rules.acceptance_problem(assessed=True, options=[unmeasured])[0] == "options"  # type: ignore[index]


def test_intensities_per_unit_of_output_and_per_ten_thousand_yuan() -> None:
    flows = {"energy": D("1250"), "water": D("84000"), "materials": D("5200"), "co2": D("3100")}
    got = rules.intensities(flows, output=D("4000"), value_added_fen=8_000_000_000)  # 8,000 × 10,000 yuan
    assert got["energy_per_output"] == D("0.3125") and got["energy_per_wan"] == D("0.1563")
    assert got["water_per_output"] == D("21.0000") and got["water_per_wan"] == D("10.5000")
    assert got["materials_per_output"] == D("1.3000") and got["co2_per_wan"] == D("0.3875")
    assert rules.intensities(flows, output=D(0), value_added_fen=0)["energy_per_output"] is None
    assert rules.change(D("0.3125"), D("0.2500")) == D("-0.2000")


def test_npv_irr_and_payback_of_a_high_cost_option() -> None:
    # 100,000 yuan now, 30,000 a year for 5 years: annuity factor at 10 % is 3.790787 -> 113,723.60.
    # In fen: 10,000,000 now, 3,000,000 a year -> 1,372,360 fen (13,723.60 yuan).
    assert rules.npv(10_000_000, 3_000_000, 5, D("0.10")) == 1_372_360
    assert rules.irr(10_000_000, 3_000_000, 5) == D("0.1524")  # the table's 15.24 %
    assert rules.payback_years(10_000_000, 3_000_000) == D("3.33")
    assert rules.irr(10_000_000, 2_000_000, 5) is None  # never repaid
    assert rules.npv(10_000, 0, 3, D("0.08")) == -10_000
    # Two years, 0 %: the NPV is the plain sum; half a fen rounds up.
    assert rules.npv(100_000, 60_000, 2, D(0)) == 20_000
    assert rules.npv(0, 1, 1, D(1)) == 1  # 0.5 fen -> 1


def test_indicator_levels_with_a_restrictive_indicator() -> None:
    assert rules.level_of(D("0.30"), (D("0.25"), D("0.32"), D("0.40"))) == 2
    assert rules.level_of(D("0.41"), (D("0.25"), D("0.32"), D("0.40"))) is None
    marks = {"energy_per_output": ((D("0.25"), D("0.32"), D("0.40")), True),
             "water_per_output": ((D(15), D(20), D(30)), False)}
    assert rules.industry_level({"energy_per_output": D("0.2"), "water_per_output": D(14)}, marks) == 1
    assert rules.industry_level({"energy_per_output": D("0.3"), "water_per_output": D(14)}, marks) == 2
    # The restrictive indicator only at level III: the firm is level III, however good the rest.
    assert rules.industry_level({"energy_per_output": D("0.35"), "water_per_output": D(14)}, marks) == 3
    assert rules.industry_level({"energy_per_output": D("0.5"), "water_per_output": D(14)}, marks) is None


@translation.override("en")
def test_the_scoring_sheet_and_its_veto_items() -> None:
    full = {"process": 18, "focus": 12, "balance": 16, "options": 20, "report": 18}
    assert rules.score("assessment", full, []) == (D(84), True)
    assert rules.score("assessment", full, ["fabricated"]) == (D(84), False)
    assert rules.score("assessment", {**full, "report": 21}, []) == (
        "score_report", "Report authentic and matching the plant: 0 to 20 points.")
    assert rules.score("assessment", {k: 10 for k in full}, []) == (D(50), False)
    assert rules.score("assessment", full, ["nonsense"])[0] == "vetoes"


def test_grade_a_b_c() -> None:
    assert rules.grade(assessment_total=D(90), vetoes=0, accepted=True, overdue=False) == "A"
    assert rules.grade(assessment_total=D(90), vetoes=0, accepted=True, overdue=True) == "B"
    assert rules.grade(assessment_total=D(72), vetoes=0, accepted=False, overdue=False) == "B"
    assert rules.grade(assessment_total=D(95), vetoes=1, accepted=False, overdue=False) == "C"
    assert rules.grade(assessment_total=D(65), vetoes=0, accepted=True, overdue=False) == "C"
    assert rules.may_self_audit("B") and not rules.may_self_audit("C")


def test_deadlines() -> None:
    listed = dt.date(2026, 1, 31)
    assert rules.stage_due("planning", listed) == dt.date(2026, 3, 31)
    assert rules.stage_due("audit", listed) == dt.date(2026, 12, 31)
    assert rules.acceptance_due(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert rules.is_overdue(dt.date(2026, 3, 31), dt.date(2026, 4, 1), done=False)
    assert not rules.is_overdue(dt.date(2026, 3, 31), dt.date(2026, 4, 1), done=True)
    calls = []

    def add(start: dt.datetime, days: int) -> dt.datetime:
        calls.append(days)
        return start + dt.timedelta(days=days)
    assert rules.assessment_due(dt.datetime(2026, 5, 1, 9), add) == dt.date(2026, 5, 23) and calls == [22]


def test_consultancy_conditions() -> None:
    assert rules.consultancy_problem(legal_qa=True, balance_equipment=True, technicians=True, auditors=True) is None
    assert rules.consultancy_problem(legal_qa=True, balance_equipment=False, technicians=True,
                                     auditors=True)[0] == "consultancy"  # type: ignore[index]
