"""Error codes, not strings.

Every refusal the platform makes is a KernelError with a stable machine code, a translated message
and, where one field is at fault, the field's name. The API renders it as {code, message, field};
pages show the message next to the field. Modules subclass it with their own code enums.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    INVALID_RESIDENT_ID = "invalid_resident_id"
    DUPLICATE_RESIDENT = "duplicate_resident"
    INVALID_USCC = "invalid_uscc"
    DUPLICATE_USCC = "duplicate_uscc"
    INVALID_PHONE = "invalid_phone"
    INVALID_DATE = "invalid_date"
    INVALID_AMOUNT = "invalid_amount"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    UNBALANCED_ENTRY = "unbalanced_entry"
    CALENDAR_DATA_MISSING = "calendar_data_missing"
    INVALID_DURATION = "invalid_duration"
    CONSENT_REQUIRED = "consent_required"
    INVALID_PLACE = "invalid_place"


class KernelError(Exception):
    """A refusal with a stable code, a human message and the field at fault (if one is)."""

    status = 400
    default_code: str = ErrorCode.INVALID

    def __init__(self, message: Any, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": str(self.code), "message": str(self.message), "field": self.field}


MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds


def parse_id(value: object, *, field: str) -> int:
    """A record id typed into a form or a query string: digits within a 64-bit key, or a refusal
    naming the field (never a ValueError or a database overflow, which would be a 500)."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise KernelError(_("Choose a valid record."), code=ErrorCode.INVALID, field=field)
    return int(text)


class NotFound(KernelError):
    """Raised for objects that do not exist *and* for objects outside the user's scope, so that a
    stranger cannot tell the two apart."""

    status = 404
    default_code = ErrorCode.NOT_FOUND

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(message or _("Not found."), **kwargs)


class PermissionDenied(KernelError):
    status = 403
    default_code = ErrorCode.PERMISSION_DENIED

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(message or _("You do not have permission to do this."), **kwargs)


class Conflict(KernelError):
    status = 409
    default_code = ErrorCode.CONFLICT
