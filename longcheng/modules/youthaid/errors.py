"""youthaid's refusal codes: the `code` of its KernelErrors, stable for API clients (the kernel's
generic codes — required, invalid_date, not_found … — are used where they say it all)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_REPORTED = "already_reported"
    CASE_CLOSED = "case_closed"
    NOT_APPEALABLE = "not_appealable"
    CASE_NOT_MONITORED = "case_not_monitored"
    EVENT_RECORDED = "event_already_recorded"
    NOT_ELIGIBLE = "not_eligible"
    YEARLY_CAP = "yearly_cap"
    APPLICATION_DECIDED = "application_not_pending"
    NOTHING_TO_PAY = "nothing_to_pay"
    NO_BANK_ACCOUNT = "no_bank_account"
    PAYMENT_NOT_PAID = "payment_not_paid"
    PAYMENT_NOT_RETURNED = "payment_not_returned"
    VOLUNTEER_REGISTERED = "volunteer_registered"
    ALREADY_PAIRED = "already_paired"
    PAIRING_ENDED = "pairing_ended"
    ROOM_STEP_REFUSED = "room_step_refused"
    FUND_NOT_OPEN = "fund_not_open"
