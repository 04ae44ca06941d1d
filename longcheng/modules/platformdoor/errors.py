"""platformdoor's refusal codes: the `code` of its KernelErrors, stable for API clients."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE_ITEM = "duplicate_item"
