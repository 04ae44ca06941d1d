"""platformdoor's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    ALARM_CLOSED = "alarm_closed"
    CAUSE_REQUIRED = "cause_required"
    SAME_PERSON = "bypass_same_person"
    BYPASS_DECIDED = "bypass_decided"
    BYPASS_INVALID = "bypass_invalid"
    BYPASS_TARGET = "bypass_target"
    TEST_DONE = "test_done"
