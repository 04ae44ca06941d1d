"""remediation's pure decisions: arguments in, an answer out, no I/O (tested without a database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import pgettext

from .campaigns import REMEDIES, STAGES, Campaign

MAX_SCORE = 3
REASON_LIMIT = 500


def transition_problem(campaign: Campaign, src: str, dst: str) -> str | None:
    """Why a case of this campaign cannot move from src to dst, or None."""
    if campaign.allows(src, dst):
        return None
    return pgettext("remediation", "A case of this campaign cannot move from “%(src)s” to “%(dst)s”.") % {
        "src": STAGES.get(src, src), "dst": STAGES.get(dst, dst)}


def low_yield_score(*, tax_fen: int, output_fen: int, area_mu: Decimal, thresholds: Mapping[str, int]) -> int:
    """低: 0 when tax and output per mu reach the district's thresholds, 2 when one falls short, 3 when
    both do. A site of no recorded area is not judged (0)."""
    if area_mu <= 0:
        return 0
    short = int(tax_fen / area_mu < thresholds["tax_fen_per_mu"])
    short += int(output_fen / area_mu < thresholds["output_fen_per_mu"])
    return (0, 2, 3)[short]


def scores_problem(campaign: Campaign, scores: Mapping[str, int],
                   reasons: Mapping[str, str]) -> tuple[str, str] | None:
    """(field, message) for the first axis whose score is missing or out of range, or scores above 0
    with no reason; None when every axis of the campaign is scored."""
    for axis in campaign.axes:
        score = scores.get(axis.code)
        if score is None or not 0 <= score <= MAX_SCORE:
            return f"score_{axis.code}", pgettext("remediation", "%(axis)s: a score from 0 to 3 is required.") % {
                "axis": axis.label}
        reason = (reasons.get(axis.code) or "").strip()
        if score > 0 and not reason:
            return f"reason_{axis.code}", pgettext("remediation", "%(axis)s: say why it scores above 0.") % {
                "axis": axis.label}
        if len(reason) > REASON_LIMIT:
            return f"reason_{axis.code}", pgettext("remediation", "At most 500 characters.")
    return None


def is_target(campaign: Campaign, scores: Mapping[str, int]) -> bool:
    return any(scores.get(axis.code, 0) >= campaign.target_score for axis in campaign.axes)


def missing_evidence(remedy: str, present: Iterable[str]) -> list[tuple[str, ...]]:
    """The groups of the remedy's evidence not yet satisfied (empty: 销号 may go ahead)."""
    kinds = set(present)
    return [group for group in REMEDIES[remedy].needs if not kinds.intersection(group)]


def closure_problem(*, rebound: bool, accepted_by: int | None, closer: int) -> str | None:
    """A rebound is closed by two people: the bureau that accepted it and another who closes it."""
    if accepted_by is None:
        return pgettext("remediation", "The bureau has not accepted the remediation yet.")
    if rebound and accepted_by == closer:
        return pgettext("remediation", "A rebound is closed by someone other than the person who accepted it.")
    return None


def rebound_dates(closed_on: dt.date, days: Iterable[int]) -> list[dt.date]:
    return [closed_on + dt.timedelta(days=d) for d in days]


def milestone_problem(title: str, due_on: dt.date | None, today: dt.date) -> tuple[str, str] | None:
    if not title.strip():
        return "milestone", pgettext("remediation", "A milestone needs a title.")
    if len(title.strip()) > 200:
        return "milestone", pgettext("remediation", "At most 200 characters.")
    if due_on is None or due_on < today:
        return "due_on", pgettext("remediation", "A deadline from today on is required.")
    return None
