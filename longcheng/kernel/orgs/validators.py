from __future__ import annotations

from django.utils.translation import gettext as _
from stdnum.cn import uscc

from longcheng.kernel.errors import ErrorCode, KernelError


def validate_uscc(value: str | None, *, field: str = "uscc") -> str:
    """Return the normalised unified social credit code or name the GB 32100 rule it breaks."""
    number = uscc.compact(value or "")
    code = ErrorCode.INVALID_USCC
    if not number:
        raise KernelError(_("The unified social credit code is required."), code=ErrorCode.REQUIRED, field=field)
    if len(number) != 18:
        raise KernelError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(number)},
            code=code, field=field,
        )
    if not number[:8].isdigit():
        raise KernelError(
            _("Characters 1 to 8 (registration authority, kind and region) must be digits."), code=code, field=field
        )
    if any(c not in uscc._alphabet for c in number[8:]):
        raise KernelError(
            _("Characters 9 to 18 may use digits and capital letters except I, O, S, V and Z."), code=code, field=field
        )
    if uscc.calc_check_digit(number) != number[17]:
        raise KernelError(
            _("The check character (the 18th) does not match the first 17 (GB 32100)."), code=code, field=field
        )
    return number
