"""Green islands (绿岛): each island's capacity, its member firms and what they send, month by month,
from the transfer manifests. The bureau records them here: an island (new or corrected), a firm
joining or leaving, a month's manifest; each step one Django form and one action
(`actions_islands`), a refusal shown on the page again with what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, place_in_scope
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import attempt
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.codes import place_by_code
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from . import actions_islands, figures
from .forms import IslandForm, ManifestForm, MemberEndForm, MemberForm, for_island
from .models import Island
from .spec import DETERMINE, VIEW


@staff_view(VIEW)
def islands(request: StaffRequest) -> HttpResponse:
    return render(request, "remediation/islands.html", {"rows": figures.island_rows(request.user),
                                                        "can_add": has_perm(request.user, DETERMINE)})


def _visible(request: StaffRequest, pk: int, permission: str = VIEW) -> Island:
    found = figures.islands_for(request.user).filter(pk=pk).first()
    if found is None or not place_in_scope(request.user, permission, found.place.path):
        raise NotFound()
    return found


def _context(request: StaffRequest, found: Island, **extra: Any) -> dict[str, Any]:
    months = figures.monthly_volumes(found)
    chart = Chart(pgettext("remediation", "Sent to the island by month (t)"), "bar",
                  [m.strftime("%Y-%m") for m, _t in months],
                  {pgettext("remediation", "t"): [float(t) for _m, t in months]})
    members = found.members.select_related("firm", "case").order_by("joined_on", "pk")
    return {"island": found, "members": members, "months": months, "chart": render_chart(chart) if months else "",
            "may_edit": place_in_scope(request.user, DETERMINE, found.place.path),
            "member_form": MemberForm(), "end_form": for_island(MemberEndForm(), found),
            "manifest_form": for_island(ManifestForm(), found), **extra}


@staff_view(VIEW)
def island(request: StaffRequest, pk: int) -> HttpResponse:
    return render(request, "remediation/island.html", _context(request, _visible(request, pk)))


def _organisation(code: str, *, field: str) -> Organisation | None:
    """An organisation by its unified social credit code (None for an empty text)."""
    code = code.strip().upper()
    if not code:
        return None
    found = Organisation.objects.filter(uscc=code).first()
    if found is None:
        raise KernelError(pgettext("remediation", "No organisation has this credit code."), code="invalid",
                          field=field)
    return found


def _island_in(data: dict[str, Any]) -> actions_islands.IslandIn:
    place = place_by_code(data["place"], field="place")
    if place is None:
        raise KernelError(pgettext("remediation", "No place with this code in your area."), code="required",
                          field="place")
    return actions_islands.IslandIn(
        name=data["name"], kind=data["kind"], place=place, capacity=data["capacity"],
        capacity_unit=data["capacity_unit"], opened_on=data["opened_on"],
        operator=_organisation(data["operator"], field="operator"))


def _edit(request: StaffRequest, found: Island | None) -> HttpResponse:
    initial = {}
    if found is not None:
        initial = {"name": found.name, "kind": found.kind, "place": found.place.code, "capacity": found.capacity,
                   "capacity_unit": found.capacity_unit, "opened_on": found.opened_on,
                   "operator": found.operator.uscc if found.operator else ""}
    form = IslandForm(request.POST or None, initial=initial)
    error: KernelError | None = None
    if request.method == "POST":
        saved, error = attempt(form, lambda data: actions_islands.do_save_island(
            found.pk if found else None, _island_in(data), acting_user=request.user))
        if saved is not None:
            return redirect("remediation:island", saved.pk)
    return render(request, "remediation/island_form.html", {"form": form, "island": found, "error": error},
                  status=error.status if error else 200)


@staff_view(DETERMINE)
def island_new(request: StaffRequest) -> HttpResponse:
    return _edit(request, None)


@staff_view(DETERMINE)
def island_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _edit(request, _visible(request, pk, DETERMINE))


def _step(request: StaffRequest, found: Island, form: forms.Form, key: str, act: Any) -> HttpResponse:
    """A step posted from the island's page: done, back to the page; refused, the page with the form as typed."""
    _done, error = attempt(form, act)
    if error is None:
        return redirect("remediation:island", found.pk)
    return render(request, "remediation/island.html", _context(request, found, error=error, **{key: form}),
                  status=error.status)


@require_POST
@staff_view(DETERMINE)
def member_add(request: StaffRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk, DETERMINE)

    def act(data: dict[str, Any]) -> Any:
        firm = _organisation(data["firm"], field="firm")
        assert firm is not None  # the form requires the code
        return actions_islands.do_add_island_member(found.pk, firm=firm, case_id=data["case"],
                                                    joined_on=data["joined_on"], acting_user=request.user)
    return _step(request, found, MemberForm(request.POST), "member_form", act)


@require_POST
@staff_view(DETERMINE)
def member_end(request: StaffRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk, DETERMINE)
    return _step(request, found, for_island(MemberEndForm(request.POST), found), "end_form",
                 lambda data: actions_islands.do_end_island_member(data["member"].pk, left_on=data["left_on"],
                                                                   acting_user=request.user))


@require_POST
@staff_view(DETERMINE)
def manifest_add(request: StaffRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk, DETERMINE)
    return _step(request, found, for_island(ManifestForm(request.POST), found), "manifest_form",
                 lambda data: actions_islands.do_record_manifest(
                     data["member"].pk, number=data["number"], month=data["month"], material=data["material"],
                     volume_t=data["volume_t"], acting_user=request.user))
