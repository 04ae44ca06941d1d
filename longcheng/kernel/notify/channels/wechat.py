"""WeChat template messages: an official-account openid (28 characters of letters, digits, - and _)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from pydantic import BaseModel

from longcheng.kernel.errors import KernelError

NEEDS_USER = False
OPENID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class Config(BaseModel):
    template_id: str = "LC_TEMPLATE"


def validate_address(address: str) -> str:
    if not OPENID.match(address or ""):
        raise KernelError(_("A WeChat message goes to an openid (letters, digits, - and _)."), field="address")
    return address
