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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.errors import KernelError
from longcheng.kernel.ledger.money import format_fen, parse_yuan
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.orgs.validators import validate_uscc
from longcheng.kernel.web.decorators import staff_view

from . import actions
from .catalogue import OFFICES
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


@staff_view(VIEW)
def standing(request: StaffRequest) -> HttpResponse:
    user = request.user
    offices = actions.offices_of(user)
    keeps = sorted({office for office in actions.STANDING_OWNERS.values() if office in offices})
    query = (request.GET.get("uscc") or request.POST.get("uscc") or "").strip()
    enterprise, editable, error = None, [], ""
    if query:
        try:
            number = validate_uscc(query, field="uscc")
            found = Organisation.objects.select_related("place").filter(uscc=number, kind="enterprise").first()
            if found is not None and found.place is not None and place_in_scope(user, VIEW, found.place.path):
                enterprise, editable = found, _editable(user, offices, found)
            else:
                error = _("No enterprise with this credit code in your area.")
        except KernelError as exc:
            error = exc.message
    if request.method == "POST" and enterprise is not None:
        try:
            facts: dict[str, Any] = {}
            for name in editable:
                if name.endswith("_fen"):
                    raw = request.POST.get(name, "").strip()
                    facts[name] = parse_yuan(raw, field=name, allow_zero=True) if raw else 0
                else:
                    facts[name] = request.POST.get(name) == "on"
            actions.do_set_standing(enterprise, acting_user=user, **facts)
            messages.success(request, _("The standing is recorded; the pre-checks use it at once."))
            return redirect(f"{reverse('onestop:standing')}?uscc={enterprise.uscc}")
        except KernelError as exc:
            label = FACT_LABELS.get(exc.field or "", "")
            # Through translation so Chinese gets its full-width colon.
            messages.error(request, _("%(field)s: %(message)s") % {"field": label, "message": exc.message}
                           if label else exc.message)
    current = EnterpriseStanding.objects.filter(enterprise=enterprise).first() if enterprise else None
    rows = []
    for name, office in actions.STANDING_OWNERS.items():
        value = getattr(current, name) if current is not None else (0 if name.endswith("_fen") else False)
        rows.append({"name": name, "label": FACT_LABELS[name], "office": OFFICES[office].label,
                     "money": name.endswith("_fen"), "value": value,
                     "shown": format_fen(value) if name.endswith("_fen") else value,
                     "input": f"{value // 100}.{value % 100:02d}" if name.endswith("_fen") else "",
                     "editable": name in editable})
    return render(request, "onestop/standing.html", {
        "keeps": [OFFICES[o].label for o in keeps], "query": query, "enterprise": enterprise, "error": error,
        "rows": rows, "any_editable": bool(editable), "updated_at": getattr(current, "updated_at", None),
    })
