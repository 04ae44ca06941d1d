"""The departments' page for an enterprise's standing: what the pre-checks read (tax arrears, social
insurance arrears, the abnormal-operation list, a penalty not carried out). Anyone with onestop.view
sees the facts of an enterprise in scope (a head finds why an application is blocked); each fact is
kept by one office (actions.STANDING_OWNERS) and edited only by that office's clerks in their area,
through do_set_standing (checked, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal, yuan_text
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.web.decorators import staff_view

from . import actions
from .catalogue import OFFICES
from .forms import FindForm, StandingForm, named, typed
from .models import EnterpriseStanding
from .spec import VIEW, handle_permission

FACT_LABELS = {
    "tax_arrears_fen": gettext_lazy("Tax owed (yuan)"),
    "social_arrears_fen": gettext_lazy("Social insurance contributions owed (yuan)"),
    "abnormal_list": gettext_lazy("On the list of enterprises with abnormal operations"),
    "open_penalty": gettext_lazy("An administrative penalty not carried out"),
}


def _editable(user: Any, offices: list[str], enterprise: Organisation) -> list[str]:
    """The facts the user's offices keep, for an enterprise in the scope where he handles them."""
    place = enterprise.place
    return [name for name, office in actions.STANDING_OWNERS.items()
            if office in offices and place is not None and place_in_scope(user, handle_permission(office), place.path)]


def _find(user: Any, offices: list[str], find: FindForm) -> tuple[Organisation | None, list[str], str, int]:
    """The enterprise searched for, in the user's scope, with the facts he may edit; or the reason
    there is none and the status a POST to it answers."""
    if not find.is_bound:
        return None, [], "", 404
    if not find.is_valid():
        error = refusal(find)
        return None, [], str(error.message), error.status
    found = (Organisation.objects.select_related("place")
             .filter(uscc=find.cleaned_data["uscc"], kind="enterprise").first())
    if found is None or found.place is None or not place_in_scope(user, VIEW, found.place.path):
        return None, [], _("No enterprise with this credit code in your area."), 404
    return found, _editable(user, offices, found), "", 200


def _rows(current: EnterpriseStanding | None, editable: list[str], form: StandingForm | None) -> list[dict[str, Any]]:
    """Each fact as it stands, and for those the user edits the input: what was typed when a
    recording was refused, the current value otherwise."""
    values = typed(form) if form is not None else {}
    rows = []
    for name, office in actions.STANDING_OWNERS.items():
        money = name.endswith("_fen")
        value = getattr(current, name) if current is not None else (0 if money else False)
        shown_input = values[name] if name in values else (yuan_text(value) if money else "")
        checked = bool(form[name].value()) if form is not None and name in form.fields and not money else value
        rows.append({"name": name, "label": FACT_LABELS[name], "office": OFFICES[office].label, "money": money,
                     "value": value, "shown": format_fen(value) if money else value, "input": shown_input,
                     "checked": checked, "editable": name in editable})
    return rows


@staff_view(VIEW)
def standing(request: StaffRequest) -> HttpResponse:
    """Find an enterprise by its credit code (GET ?uscc=); record the facts of the user's offices
    (POST to the same address, the facts only)."""
    user = request.user
    offices = actions.offices_of(user)
    keeps = sorted({office for office in actions.STANDING_OWNERS.values() if office in offices})
    find = FindForm(request.GET or None)
    enterprise, editable, error, missing = _find(user, offices, find)
    form: StandingForm | None = None
    status = 200
    if request.method == "POST":
        if enterprise is None:
            status = missing  # nothing to record for: the page again with the reason
        else:
            form = StandingForm(request.POST, editable=editable, labels=FACT_LABELS)
            try:
                if not form.is_valid():
                    raise refusal(form)
                actions.do_set_standing(enterprise, acting_user=user, **form.facts())
            except KernelError as exc:
                if exc.status in (403, 404):
                    raise
                messages.error(request, named(exc, form))
                status = exc.status
            else:
                messages.success(request, _("The standing is recorded; the pre-checks use it at once."))
                return redirect(f"{reverse('onestop:standing')}?{urlencode({'uscc': enterprise.uscc or ''})}")
    current = EnterpriseStanding.objects.filter(enterprise=enterprise).first() if enterprise else None
    return render(request, "onestop/standing.html", {
        "keeps": [OFFICES[o].label for o in keeps], "query": typed(find)["uscc"], "enterprise": enterprise,
        "error": error, "rows": _rows(current, editable, form), "any_editable": bool(editable),
        "updated_at": getattr(current, "updated_at", None),
    }, status=status)
