"""ecorestore's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE_CASE = "duplicate_case"
    STAGE_ORDER = "stage_order"
    NOT_ELIGIBLE = "not_eligible"
    NO_RATE = "no_rate"
    OUTSIDE_ZONE = "outside_zone"
    OUTSIDE_WINDOW = "outside_window"
    SHIFT_STATE = "shift_state"
    OBLIGATION_CLOSED = "obligation_closed"
    CERTIFICATE_REFUSED = "certificate_refused"
    ASSESSMENT_REFUSED = "assessment_refused"
