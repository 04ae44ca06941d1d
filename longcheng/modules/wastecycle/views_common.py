"""What wastecycle's pages share: a POST through its form and its action, and a refusal shown on the
page again, next to the field, with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect

from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import named, refusal

Again = Callable[[dict[str, forms.Form], dict[str, Any] | None, int], HttpResponse]


def shown(error: KernelError, form: forms.Form) -> dict[str, Any]:
    """The refusal as the page shows it; the message also goes beside the field when the form has it."""
    message = named(error, form, {"key": "ticket_key", "klass": "grams"})
    field = {"key": "ticket_key", "klass": "grams"}.get(error.field or "", error.field or "")
    if field in form.fields and not form.has_error(field):
        form.add_error(field, str(error.message))
    return {"field": f"{getattr(form, 'key', 'form')}-{field or 'form'}", "message": message}


def post(form: forms.Form, call: Callable[[dict[str, Any]], Any], again: Again, done: Callable[[Any], str]) -> HttpResponse:
    """Validate, act, redirect; refused: the page again (400, or the refusal's 409/422) with the form as typed.
    A 403 or 404 is not a refusal to show: it goes up as such."""
    try:
        if not form.is_valid():
            raise refusal(form)
        result = call(form.cleaned_data)
    except KernelError as exc:
        if exc.status in (403, 404):
            raise
        status = exc.status if exc.status in (400, 409, 422) else 400
        return again({getattr(form, "key", "form"): form}, shown(exc, form), status)
    return redirect(done(result))
