"""A voice call read out by the operator platform: a mainland mobile number, as for SMS."""

from __future__ import annotations

from pydantic import BaseModel

from .sms import validate_address  # noqa: F401  (the same rule: a mainland mobile number)

NEEDS_USER = False


class Config(BaseModel):
    caller_id: str = "051200000000"
    repeat: int = 2
