"""cleanaudit's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_LISTED = "already_listed"
    CONSULTANCY_UNQUALIFIED = "consultancy_unqualified"
    SELF_AUDIT_NOT_ALLOWED = "self_audit_not_allowed"
    GATE = "stage_gate"
    WRONG_STAGE = "wrong_stage"
    BALANCE_OPEN = "balance_does_not_close"
    FIGURES = "invalid_figures"
    OPTION = "invalid_option"
    NOT_PARTY = "not_party"
    THREAD_CLOSED = "thread_closed"
    EMPTY_MESSAGE = "empty_message"
    SCORE = "invalid_score"
    NOT_ASSESSED = "not_assessed"
    WRONG_SIDE = "wrong_side"
    BENCHMARK = "invalid_benchmark"
    TERM = "invalid_term"
    ALREADY_REGISTERED = "already_registered"
