"""Validation and masking of personal identifiers. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from longcheng.kernel.errors import ErrorCode, KernelError

_PHONE_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def validate_resident_id(value: str | None, *, field: str = "resident_id", today: dt.date | None = None) -> str:
    """Return the normalised 18-character resident ID number or raise a KernelError naming the rule
    it breaks (GB 11643: length, digits, birth date, region code, check character)."""
    number = ric.compact(value or "")
    code = ErrorCode.INVALID_RESIDENT_ID
    if not number:
        raise KernelError(_("The resident ID number is required."), code=ErrorCode.REQUIRED, field=field)
    if len(number) != 18:
        raise KernelError(
            _("A resident ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}, code=code, field=field
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise KernelError(
            _("The first 17 characters must be digits and the last a digit or X."), code=code, field=field
        )
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise KernelError(
            _("Characters 7 to 14 must be a real birth date (YYYYMMDD)."), code=code, field=field
        ) from None
    if birth > (today or dt.date.today()) or birth.year < 1880:
        raise KernelError(_("The birth date in the ID number cannot be in the future or before 1880."), code=code, field=field)
    if not is_known_region(number[:6]):
        raise KernelError(
            _("Characters 1 to 6 must be a region code of GB/T 2260."), code=code, field=field
        )
    if ric.calc_check_digit(number) != number[17]:
        raise KernelError(
            _("The check character (the 18th) does not match the first 17 (GB 11643)."), code=code, field=field
        )
    return number


def is_known_region(code: str) -> bool:
    """Whether a six-digit code was ever a GB/T 2260 region code.

    python-stdnum's get_birth_place() also demands that the code existed in the birth year, but a
    number keeps the code of the place where it was first issued: an elder born in 1950 may carry
    320483 (Wujin as a county-level city, 1995-2002). Rejecting that would lock real people out.
    """
    return any(props for _part, props in numdb.get("cn/loc").info(code))


def birth_date_of(number: str) -> dt.date:
    return ric.get_birth_date(number)


def gender_of(number: str) -> str:
    # The 17th character is the sequence code: odd for men, even for women (GB 11643).
    return "M" if int(number[16]) % 2 else "F"


def validate_phone(value: str | None, *, field: str = "phone", required: bool = False) -> str:
    phone = re.sub(r"[\s()]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        if required:
            raise KernelError(_("A phone number is required."), code=ErrorCode.REQUIRED, field=field)
        return ""
    if not (_PHONE_MOBILE.match(phone) or _PHONE_LANDLINE.match(phone)):
        raise KernelError(
            _("A phone number is an 11-digit mobile number starting with 1, or a landline with its area code."),
            code=ErrorCode.INVALID_PHONE,
            field=field,
        )
    return phone


def mask_resident_id(number: str) -> str:
    """3204**********123X: the region's first four and the last four, the rest hidden."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    return phone[:4] + "*" * max(len(phone) - 6, 0) + phone[-2:]


def mask_name(name: str) -> str:
    """张*明: used where a name is shown to someone who does not serve the person directly."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
