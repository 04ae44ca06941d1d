"""cleanaudit's pure decisions: arguments in, an answer out, no I/O (tested without a database).

Stage gates, the material-balance closure, indicators from the firm's own figures, an option's payback,
NPV and IRR, the scoring sheet, the firm's grade, and the deadlines of a round (working days through a
function passed in, so the kernel's calendar is read by the caller)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import pgettext, pgettext_lazy

from .stages import ARTEFACTS, CYCLE_YEARS, INDUSTRY_CYCLE, STAGE_BY_CODE, STAGES

BALANCE_TOLERANCE = Decimal("0.05")  # ±5 %: inputs against outputs, products and losses
PASS_MARK = Decimal(60)
ASSESS_WORKING_DAYS = 22  # the bureau assesses within a month: 22 working days
ACCEPT_MONTHS = 12  # medium/high-cost options in and 验收 applied for within 12 months of 评估
START_MONTHS = 2  # file materials and start within 2 months of the list
REGISTER_MONTHS = 1  # register (备案) within 1 month of the list
FOUR = Decimal("0.0001")

Problem = tuple[str, str]  # (field, message)


# --- the seven stages -------------------------------------------------------------------------------


def next_stage(code: str) -> str | None:
    """The stage after `code`, or None after the last (the round goes to assessment)."""
    number = STAGE_BY_CODE[code].number
    return STAGES[number].code if number < len(STAGES) else None


@dataclass(frozen=True)
class OptionFacts:
    cost_class: str
    status: str
    investment: int  # fen
    saving: int  # fen a year
    life_years: int
    measured: int | None = None  # fen a year


@dataclass(frozen=True)
class RoundFacts:
    """What a gate reads: the artefact kinds on file, whether the figures and balance are in, the options."""

    artefacts: frozenset[str]
    has_before: bool = False
    has_after: bool = False
    balance: tuple[Decimal, Decimal, Decimal, Decimal] | None = None  # inputs, products, by-products, losses
    options: tuple[OptionFacts, ...] = ()
    registered: bool = False  # the registration (备案) is filed: 筹划与组织 cannot close before it


def balance_gap(inputs: Decimal, products: Decimal, byproducts: Decimal, losses: Decimal) -> Decimal:
    """How far the balance is from closing, as a fraction of the inputs (0.03 is 3 %)."""
    if inputs <= 0:
        return Decimal(1)
    return (abs(inputs - products - byproducts - losses) / inputs).quantize(FOUR, ROUND_HALF_UP)


def balance_problem(balance: tuple[Decimal, Decimal, Decimal, Decimal] | None,
                    tolerance: Decimal = BALANCE_TOLERANCE) -> Problem | None:
    if balance is None:
        return "balance", pgettext("cleanaudit", "The material balance is not in yet.")
    if balance[0] <= 0:
        return "inputs_t", pgettext("cleanaudit", "The inputs of the material balance must be above 0.")
    gap = balance_gap(*balance)
    if gap > tolerance:
        return "balance", pgettext(
            "cleanaudit", "The material balance does not close: outputs differ from inputs by %(gap)s %% "
                          "(at most %(tol)s %%).") % {"gap": _pct(gap), "tol": _pct(tolerance)}
    return None


def _pct(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}"


def _stage_checks(stage: str, facts: RoundFacts, tolerance: Decimal) -> list[Problem]:
    found: list[Problem] = []
    live = [o for o in facts.options if o.status != "dropped"]
    if stage == STAGES[0].code and not facts.registered:
        found.append(("registration", pgettext("cleanaudit", "The registration (备案) is not filed yet.")))
    if stage == "preaudit" and not facts.has_before:
        found.append(("figures", pgettext("cleanaudit", "The baseline figures (before) are not in yet.")))
    # The balance is checked where it is drawn up and again when the round applies for 评估 (closing the
    # last stage): a balance edited afterwards cannot slip an open one past the rule.
    if stage in ("audit", STAGES[-1].code):
        problem = balance_problem(facts.balance, tolerance)
        if problem:
            found.append(problem)
    if stage == "options" and not live:
        found.append(("options", pgettext("cleanaudit", "At least one option is required.")))
    if stage == "feasibility" and any(o.cost_class == "high" and o.status == "proposed" for o in live):
        found.append(("options", pgettext(
            "cleanaudit", "Every medium/high-cost option must be adopted or dropped after its feasibility study.")))
    if stage == "implementation":
        if any(o.cost_class == "low" and o.status != "implemented" for o in live):
            found.append(("options", pgettext(
                "cleanaudit", "Every no/low-cost option must be implemented (or dropped) during the audit.")))
        if not facts.has_after:
            found.append(("figures", pgettext("cleanaudit", "The figures after the options are not in yet.")))
    return found


def gate_problems(stage: str, facts: RoundFacts, tolerance: Decimal = BALANCE_TOLERANCE) -> list[Problem]:
    """Why `stage` cannot close yet (empty: it may). The artefacts first, then the stage's figures."""
    missing = [("artefact_" + kind, pgettext("cleanaudit", "Missing: %(what)s.") % {"what": ARTEFACTS[kind]})
               for kind in STAGE_BY_CODE[stage].artefacts if kind not in facts.artefacts]
    return missing + _stage_checks(stage, facts, tolerance)


def acceptance_problem(*, assessed: bool, options: Sequence[OptionFacts]) -> Problem | None:
    """验收 needs 评估 合格 and every adopted medium/high-cost option implemented with its effect measured."""
    if not assessed:
        return "status", pgettext("cleanaudit", "No acceptance before the assessment (评估) has passed.")
    for option in options:
        if option.cost_class == "high" and option.status in ("adopted", "implemented") and (
                option.status != "implemented" or option.measured is None):
            return "options", pgettext(
                "cleanaudit", "Every adopted medium/high-cost option must be implemented and its effect measured.")
    return None


# --- indicators -------------------------------------------------------------------------------------

INDICATORS: dict[str, Promise] = {
    "energy_per_output": pgettext_lazy("cleanaudit", "Energy per unit of output (tce)"),
    "water_per_output": pgettext_lazy("cleanaudit", "Water per unit of output (m³)"),
    "materials_per_output": pgettext_lazy("cleanaudit", "Materials per unit of output (t)"),
    "co2_per_output": pgettext_lazy("cleanaudit", "CO₂ per unit of output (t)"),
    "energy_per_wan": pgettext_lazy("cleanaudit", "Energy per 10,000 yuan of value added (tce)"),
    "water_per_wan": pgettext_lazy("cleanaudit", "Water per 10,000 yuan of value added (m³)"),
    "materials_per_wan": pgettext_lazy("cleanaudit", "Materials per 10,000 yuan of value added (t)"),
    "co2_per_wan": pgettext_lazy("cleanaudit", "CO₂ per 10,000 yuan of value added (t)"),
}
FLOWS = ("energy", "water", "materials", "co2")


def _ratio(amount: Decimal, base: Decimal) -> Decimal | None:
    return (amount / base).quantize(FOUR, ROUND_HALF_UP) if base > 0 else None


FEN_PER_WAN = 1_000_000  # 10,000 yuan in fen


def intensities(flows: Mapping[str, Decimal], *, output: Decimal, value_added_fen: int) -> dict[str, Decimal | None]:
    """Each flow (energy tce, water m³, materials t, CO₂ t) per unit of output and per 10,000 yuan of value
    added (the value added is integer fen), to 4 decimals; None where the base is 0."""
    wan = Decimal(value_added_fen) / FEN_PER_WAN
    out: dict[str, Decimal | None] = {}
    for flow in FLOWS:
        out[f"{flow}_per_output"] = _ratio(flows[flow], output)
        out[f"{flow}_per_wan"] = _ratio(flows[flow], wan)
    return out


def change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """The relative change from before to after (-0.125 is 12.5 % less), or None."""
    if before is None or after is None or before == 0:
        return None
    return ((after - before) / before).quantize(FOUR, ROUND_HALF_UP)


def level_of(value: Decimal, levels: tuple[Decimal, Decimal, Decimal]) -> int | None:
    """The indicator level a consumption reaches: 1 (international leading), 2 (domestic advanced),
    3 (domestic basic) or None (below level III). Lower consumption is better."""
    for number, limit in enumerate(levels, start=1):
        if value <= limit:
            return number
    return None


def industry_level(values: Mapping[str, Decimal | None],
                   benchmarks: Mapping[str, tuple[tuple[Decimal, Decimal, Decimal], bool]]) -> int | None:
    """The firm's level against its industry's indicators (levels, restrictive): level I or II when every
    restrictive (限定性) indicator reaches it and at least 85 % of all indicators do; level III when every
    indicator reaches III; None otherwise (a missing figure reaches no level)."""
    reached = {}
    for indicator in benchmarks:
        value = values.get(indicator)
        reached[indicator] = level_of(value, benchmarks[indicator][0]) if value is not None else None
    if not benchmarks:
        return None
    for level in (1, 2):
        meets = [name for name, got in reached.items() if got is not None and got <= level]
        restrictive_ok = all(name in meets for name, (_levels, restrictive) in benchmarks.items() if restrictive)
        if restrictive_ok and Decimal(len(meets)) / len(benchmarks) >= Decimal("0.85"):
            return level
    return 3 if all(got is not None for got in reached.values()) else None


# --- options ----------------------------------------------------------------------------------------


def payback_years(investment_fen: int, saving_fen: int) -> Decimal | None:
    if saving_fen <= 0:
        return None
    return (Decimal(investment_fen) / Decimal(saving_fen)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def npv(investment_fen: int, saving_fen: int, years: int, rate: Decimal) -> int:
    """Net present value in whole fen (half up): the investment now, the same yearly saving at the end of
    each year, discounted."""
    total = Decimal(-investment_fen)
    factor = Decimal(1)
    for _year in range(years):
        factor /= 1 + rate
        total += saving_fen * factor
    return int(total.quantize(Decimal(1), ROUND_HALF_UP))


def irr(investment_fen: int, saving_fen: int, years: int) -> Decimal | None:
    """The rate at which the NPV is 0, to 4 decimals (0.1524 is 15.24 %); None when the savings never
    repay the investment. Bisection: the NPV falls as the rate rises, so there is one root."""
    if investment_fen <= 0 or saving_fen <= 0 or years < 1 or saving_fen * years <= investment_fen:
        return None

    def value(rate: Decimal) -> Decimal:
        total, factor = Decimal(-investment_fen), Decimal(1)
        for _year in range(years):
            factor /= 1 + rate
            total += saving_fen * factor
        return total

    low, high = Decimal(0), Decimal(1)
    while value(high) > 0:
        high *= 2
    for _step in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if value(mid) > 0 else (low, mid)
    return ((low + high) / 2).quantize(FOUR, ROUND_HALF_UP)


def option_problem(*, title: str, cost_class: str, investment: int | None, saving: int | None,
                   life_years: int | None) -> Problem | None:
    if not title.strip() or len(title.strip()) > 200:
        return "title", pgettext("cleanaudit", "An option needs a title of at most 200 characters.")
    if cost_class not in ("low", "high"):
        return "cost_class", pgettext("cleanaudit", "Choose no/low cost or medium/high cost.")
    if investment is None or investment < 0:
        return "investment_fen", pgettext("cleanaudit", "The investment is an amount in yuan, 0 or more.")
    if saving is None or saving < 0:
        return "yearly_saving_fen", pgettext("cleanaudit", "The yearly savings are an amount in yuan, 0 or more.")
    if life_years is None or not 1 <= life_years <= 50:
        return "life_years", pgettext("cleanaudit", "The life of an option is 1 to 50 years.")
    return None


def figures_problem(values: Mapping[str, Decimal | int | None]) -> Problem | None:
    for name, value in values.items():
        if value is None or value < 0:
            return name, pgettext("cleanaudit", "A figure of 0 or more is required.")
    for name in ("output", "value_added_fen"):
        if name in values and not (values[name] or 0) > 0:
            return name, pgettext("cleanaudit", "Output and value added must be above 0: the indicators divide by them.")
    return None


# --- the scoring sheet and the grade ----------------------------------------------------------------


@dataclass(frozen=True)
class SheetItem:
    code: str
    label: Promise
    weight: int


SHEETS: dict[str, tuple[SheetItem, ...]] = {
    "assessment": (
        SheetItem("process", pgettext_lazy("cleanaudit", "Audit process complete and in order"), 20),
        SheetItem("focus", pgettext_lazy("cleanaudit", "Audit focus and targets sound"), 15),
        SheetItem("balance", pgettext_lazy("cleanaudit", "Material balance true and closed"), 20),
        SheetItem("options", pgettext_lazy("cleanaudit", "Options sound, low-cost ones done"), 25),
        SheetItem("report", pgettext_lazy("cleanaudit", "Report authentic and matching the plant"), 20),
    ),
    "acceptance": (
        SheetItem("implemented", pgettext_lazy("cleanaudit", "Medium/high-cost options implemented"), 40),
        SheetItem("effect", pgettext_lazy("cleanaudit", "Targets attained, effect measured"), 40),
        SheetItem("continuous", pgettext_lazy("cleanaudit", "Continuous cleaner production in place"), 20),
    ),
}
VETOES: dict[str, Promise] = {
    "no_capacity": pgettext_lazy("cleanaudit", "No audit capacity"),
    "wrong_focus": pgettext_lazy("cleanaudit", "Wrong audit focus or targets"),
    "eliminated_process": pgettext_lazy("cleanaudit", "An eliminated process still in use"),
    "fabricated": pgettext_lazy("cleanaudit", "Report not matching the plant (fabricated)"),
}


def score(kind: str, scores: Mapping[str, int], vetoes: Iterable[str]) -> tuple[Decimal, bool] | Problem:
    """The sheet's total and whether it passes (no veto item hit and at least PASS_MARK), or the first
    (field, message) at fault."""
    total = 0
    for item in SHEETS[kind]:
        points = scores.get(item.code)
        if points is None or not 0 <= points <= item.weight:
            return f"score_{item.code}", pgettext("cleanaudit", "%(item)s: 0 to %(weight)s points.") % {
                "item": item.label, "weight": item.weight}
        total += points
    hits = list(vetoes)
    unknown = [v for v in hits if v not in VETOES]
    if unknown:
        return "vetoes", pgettext("cleanaudit", "No such veto item.")
    return Decimal(total), not hits and total >= PASS_MARK


def grade(*, assessment_total: Decimal | None, vetoes: int, accepted: bool, overdue: bool) -> str:
    """A: accepted with at least 85 at assessment, no veto, never overdue; B: at least 70 and no veto;
    C: the rest. A and B may audit themselves next time; C must engage a consultancy."""
    if assessment_total is None or vetoes:
        return "C"
    if accepted and assessment_total >= 85 and not overdue:
        return "A"
    return "B" if assessment_total >= 70 else "C"


INSPECTIONS_A_YEAR = {"A": Decimal("0.5"), "B": Decimal(1), "C": Decimal(2)}


def may_self_audit(last_grade: str) -> bool:
    return last_grade in ("", "A", "B")


def consultancy_problem(*, legal_qa: bool, balance_equipment: bool, technicians: bool, auditors: bool) -> Problem | None:
    """A consultancy is engaged only when it meets all four conditions."""
    if not (legal_qa and balance_equipment and technicians and auditors):
        return "consultancy", pgettext(
            "cleanaudit", "This consultancy does not meet the four conditions (legal person with a quality system, "
                          "balance-test equipment, industry technicians, experienced auditors).")
    return None


# --- deadlines --------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Term:
    """The deadlines of one year's list (models.ListTerm; DEFAULT_TERM where the bureau set none)."""

    register_months: int = REGISTER_MONTHS
    start_months: int = START_MONTHS
    assess_working_days: int = ASSESS_WORKING_DAYS
    accept_months: int = ACCEPT_MONTHS


DEFAULT_TERM = Term()
TERM_DEFAULTS = {"register_months": REGISTER_MONTHS, "start_months": START_MONTHS,
                 "assess_working_days": ASSESS_WORKING_DAYS, "accept_months": ACCEPT_MONTHS}
TERM_LIMITS = {"register_months": (1, 12), "start_months": (1, 12), "assess_working_days": (1, 120),
               "accept_months": (1, 36)}


def term_problem(values: Mapping[str, int | None]) -> Problem | None:
    """A year's deadlines: each within its limits, and registration no later than the start."""
    for name, (low, high) in TERM_LIMITS.items():
        value = values.get(name)
        if value is None or not low <= value <= high:
            return name, pgettext("cleanaudit", "A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if (values["register_months"] or 0) > (values["start_months"] or 0):
        return "register_months", pgettext("cleanaudit", "Registration may not be due after the start.")
    return None


def registration_due(listed_on: dt.date, term: Term = DEFAULT_TERM) -> dt.date:
    """Register (备案) within the term's months of the list (1 by default)."""
    return add_months(listed_on, term.register_months)


def stage_due(stage: str, listed_on: dt.date, term: Term = DEFAULT_TERM) -> dt.date:
    """Planning must be done (materials filed, audit started) within the term's months of the list (2 by
    default); every other stage, and the application for 评估, within the list's year."""
    if stage == STAGES[0].code:
        return add_months(listed_on, term.start_months)
    return dt.date(listed_on.year, 12, 31)


def assessment_due(applied: dt.datetime, add_working_days: Callable[[dt.datetime, int], dt.datetime],
                   term: Term = DEFAULT_TERM) -> dt.date:
    """The bureau assesses within the term's working days of the application (22 by default; the kernel's
    calendar)."""
    return add_working_days(applied, term.assess_working_days).date()


def acceptance_due(assessed_on: dt.date, term: Term = DEFAULT_TERM) -> dt.date:
    return add_months(assessed_on, term.accept_months)


def is_overdue(due_on: dt.date | None, today: dt.date, done: bool) -> bool:
    return due_on is not None and not done and today > due_on


def next_audit_year(*, industry: str, trigger: str, accepted_year: int) -> int | None:
    """The year a firm accepted in `accepted_year` is due on the list again: 2, 3 or 5 years on by its
    industry's cycle; None for a voluntary audit (no repeat is required)."""
    if trigger == "voluntary":
        return None
    return accepted_year + CYCLE_YEARS[INDUSTRY_CYCLE.get(industry, "polluting")]


def in_force(versions: Iterable[tuple[dt.date, int]], on: dt.date) -> tuple[dt.date, int] | None:
    """Of an indicator's versions (effective_from, version), the one in force on `on`: the latest
    effective_from not after it (the higher version on a tie); None before the first."""
    started = [v for v in versions if v[0] <= on]
    return max(started) if started else None


def benchmark_problem(level_1: Decimal | None, level_2: Decimal | None, level_3: Decimal | None) -> Problem | None:
    """An indicator's levels: consumptions above 0, level I the strictest (lowest), so I <= II <= III."""
    for name, value in (("level_1", level_1), ("level_2", level_2), ("level_3", level_3)):
        if value is None or not value > 0:
            return name, pgettext("cleanaudit", "A level is a number above 0.")
    assert level_1 is not None and level_2 is not None and level_3 is not None
    if level_2 < level_1:
        return "level_2", pgettext("cleanaudit", "Level II may not be stricter (lower) than level I.")
    if level_3 < level_2:
        return "level_3", pgettext("cleanaudit", "Level III may not be stricter (lower) than level II.")
    return None
