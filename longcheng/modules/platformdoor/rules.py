"""platformdoor's pure decisions: arguments in, an answer out, no I/O (tested without a database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import pgettext

CLEAR, BLOCKED, FAULT = "clear", "blocked", "fault"
DETECTOR_STATES = (CLEAR, BLOCKED, FAULT)
# Dwells counted per rate: false alarms per this many dwells.
PER_DWELLS = 1000
# A detector is drifting worse when its recent rate is at least this many times its earlier one
# (with at least DRIFT_MIN false alarms recently, so that one stray alarm is no trend).
DRIFT_FACTOR, DRIFT_MIN = 2.0, 3


@dataclass(frozen=True)
class Verdict:
    """A dwell's departure decision: every zone clear (the bypassed ones left out), the zones that
    were not, and whether a departure would be permitted."""

    all_clear: bool
    blocked: tuple[int, ...]
    permitted: bool


def bypass_in_force(requested_by: int | None, approved_by: int | None, expires_at: dt.datetime,
                    ended_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Two named people (the approver not the requester), before its expiry, not ended."""
    if requested_by is None or approved_by is None or requested_by == approved_by:
        return False
    return ended_at is None and now < expires_at


def decide(loop_closed: bool, zones: Mapping[int, str], bypassed: Iterable[int]) -> Verdict:
    """`zones`: detector id → the worst state seen while armed (clear, blocked, fault). A zone not
    clear and not bypassed forbids the departure, as does an open loop."""
    covered = set(bypassed)
    blocked = tuple(sorted(pk for pk, state in zones.items() if state != CLEAR and pk not in covered))
    return Verdict(all_clear=not blocked, blocked=blocked, permitted=loop_closed and not blocked)


def worse(a: str, b: str) -> str:
    """The worse of two detector states (blocked over fault over clear: a blocked zone is the hazard)."""
    order = {CLEAR: 0, FAULT: 1, BLOCKED: 2}
    return a if order.get(a, 1) >= order.get(b, 1) else b


def rate_per_thousand(false_alarms: int, dwells: int) -> float | None:
    """False alarms per 1,000 dwells, exact to two places; None without a dwell."""
    if dwells <= 0:
        return None
    return round(false_alarms * PER_DWELLS / dwells, 2)


def drifting(recent: tuple[int, int], earlier: tuple[int, int]) -> bool:
    """(false alarms, dwells) of the recent window and of the one before: flagged for maintenance
    when the rate has at least doubled on enough alarms (or appeared from none)."""
    now_rate, before = rate_per_thousand(*recent), rate_per_thousand(*earlier)
    if now_rate is None or recent[0] < DRIFT_MIN:
        return False
    return before is None or before == 0 or now_rate >= DRIFT_FACTOR * before


def bypass_problem(requester: int, approver: int | None, expires_at: dt.datetime, now: dt.datetime,
                   reason: str, max_hours: int) -> tuple[str, str] | None:
    """Why a bypass cannot be asked for or approved: (field, message), or None."""
    if not reason.strip():
        return "reason", pgettext("platformdoor", "Give the reason for the bypass.")
    if expires_at <= now:
        return "expires_at", pgettext("platformdoor", "The expiry must be in the future.")
    if expires_at > now + dt.timedelta(hours=max_hours):
        return "expires_at", pgettext("platformdoor", "A bypass lasts at most %(hours)d hours.") % {"hours": max_hours}
    if approver is not None and approver == requester:
        return "approver", pgettext("platformdoor", "The approver must be another person than the requester.")
    return None
