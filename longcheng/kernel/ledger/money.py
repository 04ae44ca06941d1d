"""Money is integer fen; yuan appear only at the edges (forms, pages, exports)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError

# The largest amount of one line of an entry, and of any amount typed in: 10^12 fen (10 billion
# yuan), far above any real payment and far inside a 64-bit column (see ledger.actions).
MAX_AMOUNT_FEN = 10**12


def parse_yuan(text: object, *, field: str = "amount", allow_zero: bool = False) -> int:
    """'1,234.56' → 123456 fen. Refuses fractions of a fen, negatives, and anything not a number."""
    raw = str(text if text is not None else "").strip().replace(",", "").replace("¥", "").replace("元", "")
    if not raw:
        raise KernelError(_("An amount is required."), code=ErrorCode.REQUIRED, field=field)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise KernelError(_("An amount is a number of yuan such as 1234.56."), code=ErrorCode.INVALID_AMOUNT,
                          field=field) from None
    if not value.is_finite():
        raise KernelError(_("An amount is a number of yuan such as 1234.56."), code=ErrorCode.INVALID_AMOUNT,
                          field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise KernelError(_("An amount must be more than zero."), code=ErrorCode.INVALID_AMOUNT, field=field)
    if value > Decimal(MAX_AMOUNT_FEN) / 100:  # compared before multiplying: 1E+999999 × 100 overflows
        raise KernelError(_("An amount may not exceed %(limit)s.") % {"limit": format_fen(MAX_AMOUNT_FEN)},
                          code=ErrorCode.INVALID_AMOUNT, field=field)
    fen = value * 100
    if fen != fen.to_integral_value():
        raise KernelError(_("An amount has at most two decimal places (whole fen)."),
                          code=ErrorCode.INVALID_AMOUNT, field=field)
    return int(fen)


def format_fen(fen: int | None) -> str:
    """123456 → ¥1,234.56; -5 → -¥0.05."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))
