"""In-app messages: shown in the recipient's inbox; needs a user account, no address."""

from __future__ import annotations

from pydantic import BaseModel

NEEDS_USER = True


class Config(BaseModel):
    pass


def validate_address(address: str) -> str:
    return ""
