"""SMS through an operator gateway: a mainland mobile number; signature and template are configured."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from pydantic import BaseModel

from longcheng.kernel.errors import ErrorCode, KernelError

NEEDS_USER = False
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class Config(BaseModel):
    signature: str = "龙城平台"
    template_code: str = "LC_NOTICE"


def validate_address(address: str) -> str:
    number = (address or "").replace(" ", "").removeprefix("+86")
    if not MOBILE.match(number):
        raise KernelError(_("An SMS goes to an 11-digit mobile number starting with 1."),
                          code=ErrorCode.INVALID_PHONE, field="address")
    return number
