"""wastecycle's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_WEIGHED = "already_weighed"
    ATTENDANCE_CONFLICT = "attendance_conflict"
    TICKET_KEY_REUSED = "ticket_key_reused"
    BAD_WEIGHTS = "bad_weights"
    ALREADY_REVERSED = "already_reversed"
    NOT_REVERSIBLE = "not_reversible"
    BATCH_DONE = "batch_done"
    BATCH_NOT_HOT_ENOUGH = "batch_not_hot_enough"
    BATCH_NOT_DONE = "batch_not_done"
    LOT_EXISTS = "lot_exists"
    LOT_NOT_TESTED = "lot_not_tested"
    LOT_FAILED = "lot_failed"
    LOT_NOT_RELEASED = "lot_not_released"
    LOT_EXHAUSTED = "lot_exhausted"
    TICKET_NOT_KITCHEN = "ticket_not_perishable"
    DUPLICATE_BATCH = "duplicate_batch"
    DUPLICATE_COLLECTOR = "duplicate_collector"
    ALREADY_RECEIVED = "already_received"
    WEIGHED_PER_PUPIL = "weighed_per_pupil"
    NOT_PER_PUPIL = "not_per_pupil"
    RUN_SHIPPED = "run_shipped"
