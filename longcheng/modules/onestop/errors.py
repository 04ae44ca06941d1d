"""onestop's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    PRECHECK_FAILED = "precheck_failed"
    NOT_OWN_ENTERPRISE = "not_own_enterprise"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_FIELD = "unknown_field"
    TASK_NOT_OPEN = "task_not_open"
    CASE_NOT_ACTIVE = "case_not_active"
    ALREADY_ANSWERED = "already_answered"
    ENTERPRISE_CLOSED = "enterprise_closed"
    OTHER_CASES_OPEN = "other_cases_open"
