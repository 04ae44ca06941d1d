"""Form fields and helpers every module's pages share, so that a page parses a yuan amount, a
record id or a text the same way as the kernel's own forms, and a refusal names the field.

`YuanField` reads yuan text into integer fen through the ledger's `parse_yuan` (bounded by
`MAX_AMOUNT_FEN`) and shows fen as yuan text in the input; `refusal(form)` turns the first error of
a bound Django form into the `KernelError` pages and the API already render ("理由：至少 4 个字")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.ledger.money import parse_yuan


def yuan_text(fen: int | None) -> str:
    """Fen as a plain yuan figure for an input field (`parse_yuan` reads it back unchanged)."""
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}"


class YuanField(forms.Field):
    """Yuan text ("1,234.56", "¥20", "300元") → integer fen, or None when left empty and not
    required. Refused: not a number, fractions of a fen, zero (unless `allow_zero`), negatives and
    more than the ledger's MAX_AMOUNT_FEN, with parse_yuan's own messages."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        try:
            return parse_yuan(text, field=str(self.label or "amount"), allow_zero=self.allow_zero)
        except KernelError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None

    def prepare_value(self, value: Any) -> Any:
        return yuan_text(value) if isinstance(value, int) else value


def refusal(form: forms.Form) -> KernelError:
    """The first error of a bound, invalid form as a KernelError naming the field, its message
    prefixed with the field's label ("理由：至少 4 个字")."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        first = errors.as_data()[0]
        text = " ".join(str(m) for m in first.messages)
        label = str(field.label) if field is not None and field.label else ""
        message = _("%(field)s: %(message)s") % {"field": label, "message": text} if label else text
        code = ErrorCode.REQUIRED if first.code == "required" else str(first.code or ErrorCode.INVALID)
        return KernelError(message, code=code, field=name if name != "__all__" else None)
    return KernelError(_("The form is not valid."), code=ErrorCode.INVALID)


def clean(field: forms.Field, value: Any, *, name: str) -> Any:
    """One value through one form field, for a page that reads a single input: the field's
    cleaned value, or its refusal as a KernelError naming the field."""
    form = forms.Form({name: value})
    form.fields[name] = field
    if not form.is_valid():
        raise refusal(form)
    return form.cleaned_data[name]
