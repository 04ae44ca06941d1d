"""ecorestore's pure decisions: arguments in, an answer out, no I/O (tested without a database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import pgettext

# The order of 环法规〔2022〕31号: a stage may only move to the next ones listed here.
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    "screening": ("investigation",),
    "investigation": ("negotiation",),
    "negotiation": ("agreement", "lawsuit"),
    "agreement": ("restoration",),
    "lawsuit": ("restoration",),
    "restoration": ("assessment",),
    "assessment": ("disclosed",),
    "disclosed": (),
}
# Where a case starts: a court has already judged (the lawsuit stage); the others start at screening.
FIRST_STAGE = {"court": "lawsuit", "procuratorate": "screening", "negotiation": "screening"}
# Calendar days each stage has (the initial check within 30 days; negotiation commonly 90 days).
STAGE_DAYS = {"screening": 30, "negotiation": 90}
# Stages in which part of the amount may be converted to labour: after the amount is settled.
CONVERTIBLE_STAGES = ("agreement", "lawsuit", "restoration")
# A check-in is accepted this long before the shift starts (people arrive early) and until it ends.
EARLY_CHECK_IN = dt.timedelta(minutes=30)


def stage_problem(current: str, target: str) -> str | None:
    if target not in NEXT_STAGES.get(current, ()):
        return pgettext("ecorestore", "A case moves only in the order of the rules: this stage cannot follow the current one.")
    return None


def stage_due(stage: str, entered: dt.date, days: dict[str, int] | None = None) -> dt.date | None:
    limit = (days or STAGE_DAYS).get(stage)
    return entered + dt.timedelta(days=limit) if limit else None


@dataclass(frozen=True)
class RateRow:
    valid_from: dt.date
    fen_per_hour: int


def rate_on(rates: list[RateRow], day: dt.date) -> RateRow | None:
    """The rate in force on a day: the latest that started on or before it."""
    started = [r for r in rates if r.valid_from <= day]
    return max(started, key=lambda r: r.valid_from) if started else None


@dataclass(frozen=True)
class Conversion:
    hours: int
    fen_per_hour: int
    amount_offset_fen: int  # hours × rate, exactly
    remainder_fen: int  # what stays money


def convert(amount_fen: int, fen_per_hour: int) -> Conversion:
    """Whole hours only: the part of the amount that is not a whole hour stays money, so the
    amount offset is always hours × rate, to the fen."""
    hours = amount_fen // fen_per_hour
    offset = hours * fen_per_hour
    return Conversion(hours, fen_per_hour, offset, amount_fen - offset)


@dataclass(frozen=True)
class ThresholdRow:
    valid_from: dt.date
    fast_lane_below_fen: int
    max_convert_fen: int | None


def threshold_on(rows: Sequence[ThresholdRow], day: dt.date | None) -> ThresholdRow | None:
    """The thresholds in force on a day: the latest version that started on or before it."""
    started = [r for r in rows if day is not None and r.valid_from <= day]
    return max(started, key=lambda r: r.valid_from) if started else None


def conversion_problem(*, party_kind: str, consent: bool, hardship: str, amount_fen: int, convertible_fen: int,
                       fen_per_hour: int | None, stage: str, damage_fen: int = 0,
                       threshold: ThresholdRow | None = None) -> tuple[str, str] | None:
    """Why this conversion is refused, as (field, message), or None. Below the fast lane's amount of
    damage no hardship evidence is asked; above the cap no more converts."""
    fast_lane = threshold is not None and damage_fen < threshold.fast_lane_below_fen
    if stage not in CONVERTIBLE_STAGES:
        return "stage", pgettext("ecorestore", "Labour may be agreed only once an agreement or a judgement settles the amount.")
    if party_kind != "person":
        return "party_kind", pgettext("ecorestore", "Labour in lieu of payment is for natural persons only.")
    if not consent:
        return "consent", pgettext("ecorestore", "The party's consent is required.")
    if not fast_lane and len(hardship.strip()) < 4:
        return "hardship", pgettext("ecorestore", "Record the evidence of hardship (at least 4 characters).")
    if fen_per_hour is None:
        return "amount", pgettext("ecorestore", "No conversion rate was in force on the decision date.")
    if amount_fen <= 0 or amount_fen > convertible_fen:
        return "amount", pgettext("ecorestore", "The amount must be more than zero and at most what is still owed in money.")
    if threshold is not None and threshold.max_convert_fen is not None and amount_fen > threshold.max_convert_fen:
        return "amount", pgettext("ecorestore", "The amount is above what the thresholds in force let convert to labour.")
    if amount_fen < fen_per_hour:
        return "amount", pgettext("ecorestore", "The amount is less than one hour of labour at the rate in force.")
    return None


def inside_outline(point: tuple[float, float], outline: list[list[float]]) -> bool:
    """Ray casting in (lat, lon) degrees: a zone of a park is flat enough for this."""
    if len(outline) < 3:
        return False
    lat, lon = point
    inside = False
    for i in range(len(outline)):
        y1, x1 = outline[i]
        y2, x2 = outline[i - 1]
        if (y1 > lat) != (y2 > lat):
            cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < cross:
                inside = not inside
    return inside


def check_in_problem(*, state: str, now: dt.datetime, starts_at: dt.datetime, ends_at: dt.datetime,
                     point: tuple[float, float] | None, outline: list[list[float]]) -> tuple[str, str] | None:
    """Why a check-in is refused, as (field, message), or None."""
    if state != "booked":
        return "shift", pgettext("ecorestore", "This shift is not waiting for a check-in.")
    if now < starts_at - EARLY_CHECK_IN:
        return "time", pgettext("ecorestore", "Too early: check-in opens 30 minutes before the shift starts.")
    if now > ends_at:
        return "time", pgettext("ecorestore", "Too late: the shift has ended.")
    if point is None:
        return "location", pgettext("ecorestore", "The phone's location is required to check in.")
    if not inside_outline(point, outline):
        return "location", pgettext("ecorestore", "Outside the zone: check-in is only possible inside the zone's outline.")
    return None


def hours_to_credit(*, checked_in_at: dt.datetime, checked_out_at: dt.datetime, starts_at: dt.datetime,
                    ends_at: dt.datetime, hours_left: int) -> int:
    """Whole hours worked within the booked window, never more than the obligation still owes."""
    start = max(checked_in_at, starts_at)
    end = min(checked_out_at, ends_at)
    worked = max(int((end - start).total_seconds()) // 3600, 0)
    return min(worked, hours_left)


def breach_reversion(*, hours_owed: int, hours_credited: int, fen_per_hour: int) -> int:
    """The unperformed part, back to money: exactly the hours not credited at the obligation's rate."""
    return (hours_owed - hours_credited) * fen_per_hour


def certificate_problem(*, stage: str, obligations: list[tuple[str, int, int]], unsigned_shifts: int,
                        works: Sequence[WorkRow] = (), today: dt.date | None = None) -> str | None:
    """obligations: (state, hours_owed, hours_credited) each; works: the obligations in kind.
    Why no certificate yet, or None."""
    if stage != "restoration":
        return pgettext("ecorestore", "A certificate is issued only while the case is in restoration.")
    if not obligations and not works:
        return pgettext("ecorestore", "The case has no labour obligation.")
    work = work_short(works, today)
    if work:
        return work
    if unsigned_shifts:
        return pgettext("ecorestore", "A shift is not signed off yet.")
    if any(state == "breached" for state, _, _ in obligations):
        return pgettext("ecorestore", "An obligation was breached: its rest is owed in money.")
    if any(credited < owed for _, owed, credited in obligations):
        return pgettext("ecorestore", "An obligation is short of its hours.")
    return None


# Obligations in kind: units and what one unit is.
WORK_KINDS = ("trees", "fish", "area")
# Trees are tended at most two years after planting (补植复绿 practice: one to two growing seasons).
MAX_TEND_MONTHS = 24


@dataclass(frozen=True)
class WorkRow:
    state: str
    owed: int
    done: int
    tended_until: dt.date | None  # trees: the end of tending; None when nothing to tend


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def tended_until(done_on: dt.date | None, tend_months: int) -> dt.date | None:
    return add_months(done_on, tend_months) if done_on is not None and tend_months else None


def work_problem(*, kind: str, quantity: int, fen_per_unit: int, tend_months: int, convertible_fen: int,
                 stage: str) -> tuple[str, str] | None:
    """Why this obligation in kind is refused, as (field, message), or None."""
    if stage not in CONVERTIBLE_STAGES:
        return "stage", pgettext("ecorestore", "Restoration in kind may be agreed only once an agreement or a "
                                               "judgement settles the amount.")
    if kind not in WORK_KINDS:
        return "kind", pgettext("ecorestore", "Choose the kind of restoration.")
    if quantity <= 0:
        return "quantity", pgettext("ecorestore", "The quantity must be more than zero.")
    if kind != "trees" and tend_months:
        return "tend_months", pgettext("ecorestore", "Only trees are tended after planting.")
    if not 0 <= tend_months <= MAX_TEND_MONTHS:
        return "tend_months", pgettext("ecorestore", "Tending lasts 0 to 24 months.")
    if quantity * fen_per_unit > convertible_fen:
        return "fen_per_unit", pgettext("ecorestore", "The value of the work is more than what is still owed in money.")
    return None


def delivery_problem(*, state: str, quantity: int, left: int) -> tuple[str, str] | None:
    if state != "open":
        return "work", pgettext("ecorestore", "This obligation is closed.")
    if quantity <= 0 or quantity > left:
        return "quantity", pgettext("ecorestore", "The quantity must be more than zero and at most what is still owed.")
    return None


def work_short(works: Sequence[WorkRow], today: dt.date | None) -> str | None:
    if any(w.state == "breached" for w in works):
        return pgettext("ecorestore", "An obligation was breached: its rest is owed in money.")
    if any(w.done < w.owed for w in works):
        return pgettext("ecorestore", "An obligation in kind is short of its quantity.")
    if today is not None and any(w.tended_until and w.tended_until > today for w in works):
        return pgettext("ecorestore", "The planted trees are still in their tending period.")
    return None


def assessment_problem(*, stage: str, has_trees: bool, has_area: bool, survival_percent: int | None,
                       area_m2: int | None, assessor: str) -> tuple[str, str] | None:
    """Why this effect assessment is refused, as (field, message), or None."""
    if stage != "assessment":
        return "stage", pgettext("ecorestore", "The effect is assessed after the completion certificate.")
    if len(assessor.strip()) < 2:
        return "assessor", pgettext("ecorestore", "Name the assessor.")
    if has_trees and survival_percent is None:
        return "survival_percent", pgettext("ecorestore", "Trees were planted: give their survival rate.")
    if survival_percent is not None and not 0 <= survival_percent <= 100:
        return "survival_percent", pgettext("ecorestore", "A survival rate is between 0 and 100 per cent.")
    if has_area and area_m2 is None:
        return "area_restored_m2", pgettext("ecorestore", "An area was to be restored: give the area restored.")
    return None
