"""remediation's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    UNKNOWN_CAMPAIGN = "unknown_campaign"
    TRANSITION = "transition_not_declared"
    OPEN_CASE_EXISTS = "open_case_exists"
    SCORES = "scores_invalid"
    NOT_A_TARGET = "not_a_target"
    REMEDY = "remedy_not_offered"
    PLAN_EXISTS = "plan_exists"
    EVIDENCE_MISSING = "evidence_missing"
    NOT_ACCEPTED = "not_accepted"
    REBOUND_FOUR_EYES = "rebound_needs_second_person"
    MILESTONE = "milestone_invalid"
    CHECK_DONE = "rebound_check_done"
    NOT_YOUR_FIRM = "not_your_firm"
    ISLAND = "island_invalid"
