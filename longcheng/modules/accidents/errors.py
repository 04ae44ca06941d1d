"""accidents's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_ELIGIBLE = "accident_not_eligible"
    BAD_PAIRING_CODE = "accident_bad_pairing_code"
    OWN_REPORT = "accident_own_report"
    WRONG_STEP = "accident_wrong_step"
    NOT_CONFIRMED = "accident_party_not_confirmed"
    UNKNOWN_SITUATION = "accident_unknown_situation"
    REASON_REQUIRED = "accident_reason_required"
    NOT_A_PARTY = "accident_not_a_party"
    BAD_LOSS = "accident_bad_loss"
    BAD_PLACE = "accident_bad_position"
    NOT_SIGNED = "accident_not_signed"
    RULE_EXISTS = "accident_rule_exists"
    RULE_STALE = "accident_rule_stale"
    RULE_UNCHANGED = "accident_rule_unchanged"
    BAD_SKETCH = "accident_bad_sketch"
