"""The one-stop form data checked against a service's declaration: each value by its kind, each
refusal naming the field and the rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError

from .catalogue import ServiceSpec
from .errors import ErrorCode as Code
from .prechecks import read_place
from .rules import _text

# --- the form -------------------------------------------------------------------------------------


def _clean_value(kind: str, value: Any, name: str, choices: tuple[tuple[str, Any], ...]) -> Any:
    if kind == "text":
        return _text(value, name)
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise KernelError(_("Give a date as YYYY-MM-DD."), code=ErrorCode.INVALID_DATE, field=name) from None
    if kind == "place":
        code = str(value).strip()
        if read_place(code) is None:
            raise KernelError(_("There is no place with this code."), code=ErrorCode.INVALID_PLACE, field=name)
        return code
    if kind == "money":
        if isinstance(value, bool) or not (isinstance(value, int) or str(value).strip().isdigit()):
            raise KernelError(_("An amount is a whole number of fen, zero or more."), code=ErrorCode.INVALID_AMOUNT,
                              field=name)
        return int(value)
    if str(value) not in {c for c, _label in choices}:
        raise KernelError(_("Choose one of the listed options."), field=name)
    return str(value)


def clean_form(spec: ServiceSpec, data: Mapping[str, Any], *, complete: bool) -> dict[str, Any]:
    """The form data checked against the declaration. `complete`: every required field must be there
    (submission); otherwise (a draft) missing fields are allowed."""
    if not isinstance(data, Mapping):
        raise KernelError(_("The form data must be an object of fields."), field="data")
    known = {f.name for f in spec.form}
    for name in data:
        if name not in known:
            raise KernelError(_("%(name)s is not a field of this form.") % {"name": name},
                              code=Code.UNKNOWN_FIELD, field=str(name))
    cleaned: dict[str, Any] = {}
    for f in spec.form:
        value = data.get(f.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if complete and f.required:
                raise KernelError(_("%(label)s is required.") % {"label": f.label}, code=ErrorCode.REQUIRED,
                                  field=f.name)
            continue
        cleaned[f.name] = _clean_value(f.kind, value, f.name, f.choices)
    return cleaned
