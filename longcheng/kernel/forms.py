"""Form fields and helpers every module's pages share, so that a page parses a yuan amount, a
record id or a text the same way as the kernel's own forms, and a refusal names the field.

`YuanField` reads yuan text into integer fen through the ledger's `parse_yuan` (bounded by
`MAX_AMOUNT_FEN`) and shows fen as yuan text in the input; `refusal(form)` turns the first error of
a bound Django form into the `KernelError` pages and the API already render ("理由：至少 4 个字").

An action's own refusal names the field by its key (`KernelError.field`); `named(error, form)` puts
the label the user sees in front of its message, the key matched to the form's input directly, by an
alias, or without a `_fen` / `_id` suffix. `attempt(form, act)` is a page step: the form checked, the action run, a refusal returned for the page
to show again. `text()` is the one rule for a typed text, its messages
written to follow a label: "至少 4 个字", "必填", "最多 100 个字"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.ledger.money import parse_yuan

T = TypeVar("T")


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


def attempt(form: forms.Form, act: Callable[[dict[str, Any]], T]) -> tuple[T | None, KernelError | None]:
    """A page step: validate `form` and run `act(form.cleaned_data)`. Returns (its result, None), or
    (None, the refusal) for the page to show again with what was typed: the form's first error
    (`refusal`) or the action's own. Not found and not allowed (403/404) are raised, as their own
    pages, never shown inside the page of an object the user may not see."""
    try:
        if not form.is_valid():
            raise refusal(form)
        return act(form.cleaned_data), None
    except KernelError as exc:
        if exc.status in (403, 404):
            raise
        return None, exc


def text(value: Any, *, field: str, required: bool = True, minimum: int = 1, limit: int = 2000) -> str:
    """A typed text, stripped: refused when required and shorter than `minimum` ("At least 4
    characters.", or "Required." for a minimum of one), or longer than `limit`. The messages name the
    rule only: a page shows them after the field's label (`named`), the API with the field's key."""
    cleaned = str(value or "").strip()
    if required and len(cleaned) < minimum:
        message = _("At least %(n)d characters.") % {"n": minimum} if minimum > 1 else _("Required.")
        raise KernelError(message, code=ErrorCode.REQUIRED, field=field)
    if len(cleaned) > limit:
        raise KernelError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return cleaned


def label_of(form: forms.Form, key: str | None, aliases: dict[str, str] | None = None) -> str:
    """The label of the input holding `key` (an action's field key): the input of that name, of its
    alias, or of the name without `_fen` / `_id`; "" when the form has none."""
    if not key:
        return ""
    name = (aliases or {}).get(key, key)
    for candidate in (name, name.removesuffix("_fen"), name.removesuffix("_id")):
        field = form.fields.get(candidate)
        if field is not None and field.label:
            return str(field.label)
    return ""


def named(error: KernelError, form: forms.Form | None, aliases: dict[str, str] | None = None) -> str:
    """A refusal's message as a page shows it: after the label of the field at fault ("理由：至少 4 个字"),
    unless it names the field already (a form's own refusal does) or the form has no such input."""
    message = str(error.message)
    label = label_of(form, error.field, aliases) if form is not None else ""
    if not label or message.startswith(label):
        return message
    return _("%(field)s: %(message)s") % {"field": label, "message": message}


def clean(field: forms.Field, value: Any, *, name: str) -> Any:
    """One value through one form field, for a page that reads a single input: the field's
    cleaned value, or its refusal as a KernelError naming the field."""
    form = forms.Form({name: value})
    form.fields[name] = field
    if not form.is_valid():
        raise refusal(form)
    return form.cleaned_data[name]
