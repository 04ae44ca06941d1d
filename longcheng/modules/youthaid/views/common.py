"""What the youth aid pages share: the permissions, the refused step's page and the fund's balances."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError

from .. import actions
from ..forms import refused

VIEW, MANAGE, REVIEW, PAY, FUND = actions.VIEW, actions.MANAGE, actions.REVIEW, actions.PAY, actions.FUND
CONFIGURE = "youthaid.configure"
QUEUE_SIZE = 200


# --- small helpers -------------------------------------------------------------------------------------------


def _shown_again(request: StaffRequest, error: KernelError, form: forms.Form, template: str,
                 context: dict[str, Any], *, never_echoed: tuple[str, ...] = ()) -> HttpResponse:
    """A refused step of a page: the page again with the message naming the field and the rule, the
    typed values kept (`typed`, but never an ID or bank number: `never_echoed`) and nothing written;
    out of scope stays a 404 page."""
    if error.status == 404:
        raise error
    messages.error(request, refused(error, form))
    context["typed"] = {key: form.data.get(key, "") for key in form.fields if key not in never_echoed}
    return render(request, template, context, status=error.status if error.status in (400, 403, 409, 422) else 400)


def _balances() -> dict[str, int]:
    figures = actions.fund_figures(actions.youth_fund())  # the fund page's and the API's base
    return {"available": figures.available_fen, "committed": figures.committed_fen}



def _youth_name(user: Any, youth: Any) -> str:
    person = youth.person
    return privacy.show(user, privacy.Kind.MINOR, person.name, person.place.path if person.place else None)
