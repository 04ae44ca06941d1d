"""homesafety's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    STEP_REFUSED = "alarm_step_refused"  # the alarm has moved on (another operator was quicker)
    ALREADY_ENROLLED = "already_enrolled"
    DUPLICATE_SERIAL = "duplicate_device_serial"
