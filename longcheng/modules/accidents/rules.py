"""accidents's pure decisions: arguments in, an answer out, no I/O (tested without a database)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

FULL, EQUAL, NONE = "full", "equal", "none"
COMPLEMENT = {FULL: NONE, NONE: FULL, EQUAL: EQUAL}

# 交强险 property limit (at fault): 2,000 yuan, the 互碰自赔 ceiling per vehicle.
SELF_PAY_LIMIT_FEN = 200_000
PHOTO_RADIUS_M = 300
# A photo may have been taken a little before the report was started (the driver photographs
# first, then opens the app), but not before the accident could have happened.
PHOTO_GRACE = timedelta(minutes=30)
REVIEW_TARGET = timedelta(minutes=15)


def refusal(answers: Mapping[str, bool], order: Iterable[str]) -> str | None:
    """The first exclusion (in the listed order) answered "yes", or None when quick handling is
    allowed. An exclusion left unanswered counts as "yes": failing closed."""
    for code in order:
        if answers.get(code, True):
            return code
    return None


@dataclass(frozen=True)
class Proposal:
    liability_a: str  # "" for a dispute
    liability_b: str
    rules: tuple[str, ...]

    @property
    def dispute(self) -> bool:
        return not self.liability_a


def _side(ticks: Iterable[str], table: Mapping[str, str]) -> tuple[str | None, bool]:
    """(the one outcome a party's ticks give, whether they agree among themselves)."""
    outcomes = {table[t] for t in ticks if t in table}
    if len(outcomes) > 1:
        return None, False
    return (outcomes.pop() if outcomes else None), True


def propose(ticks_a: Iterable[str], ticks_b: Iterable[str], table: Mapping[str, str]) -> Proposal:
    """The rule table's liability for both sides, or a dispute (empty outcomes) when the ticks do
    not give one consistent answer: no side owning a fault (同等 needs both sides), a party's own ticks disagreeing, or the two
    sides' outcomes not complementary (both 全部, one 同等 and the other not)."""
    ticks_a, ticks_b = sorted(set(ticks_a)), sorted(set(ticks_b))
    a, ok_a = _side(ticks_a, table)
    b, ok_b = _side(ticks_b, table)
    codes = tuple(t for t in [*ticks_a, *ticks_b] if t in table)
    if not (ok_a and ok_b) or (FULL not in (a, b) and (a, b) != (EQUAL, EQUAL)):
        # Someone must own the fault: 全部 ticked by one side, or 同等 by both.
        return Proposal("", "", codes)
    a = a if a is not None else COMPLEMENT[str(b)]
    b = b if b is not None else COMPLEMENT[a]
    if COMPLEMENT[a] != b:
        return Proposal("", "", codes)
    return Proposal(a, b, codes)


def mutual_self_pay(liabilities: Iterable[str], losses_fen: Iterable[int], *, injury: bool,
                    third_party_property: bool) -> bool:
    """互碰自赔: every party at fault, each vehicle's loss within the compulsory insurance's
    property limit, nobody injured, no third party's property damaged."""
    liabilities, losses = list(liabilities), list(losses_fen)
    return (bool(liabilities) and all(x in (FULL, EQUAL) for x in liabilities)
            and all(0 <= loss <= SELF_PAY_LIMIT_FEN for loss in losses)
            and not injury and not third_party_property)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def photo_problems(taken_at: datetime | None, lat: float | None, lon: float | None, *,
                   started_at: datetime, scene: tuple[float, float], now: datetime) -> list[str]:
    """What is wrong with a photo's time and place against the report: codes, empty when sound."""
    problems = []
    if taken_at is None:
        problems.append("no_time")
    elif taken_at < started_at - PHOTO_GRACE:
        problems.append("older_than_report")
    elif taken_at > now + timedelta(minutes=5):
        problems.append("in_the_future")
    if lat is None or lon is None:
        problems.append("no_place")
    elif distance_m(lat, lon, *scene) > PHOTO_RADIUS_M:
        problems.append("too_far")
    return problems


def review_minutes(submitted_at: datetime, now: datetime) -> int:
    """Whole minutes on the officer's clock."""
    return max(int((now - submitted_at).total_seconds() // 60), 0)


def overdue(submitted_at: datetime, now: datetime) -> bool:
    return now - submitted_at > REVIEW_TARGET


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1) of values, or None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]
