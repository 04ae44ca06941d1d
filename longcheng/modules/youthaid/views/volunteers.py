"""Hope parents: registration, vetting and their pairings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, parse_id
from longcheng.kernel.forms import refusal
from longcheng.kernel.people.validators import mask_phone
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.web.decorators import staff_view

from .. import actions
from ..forms import RegisterVolunteerForm, VetForm
from ..models import (
    Pairing,
    VettingStatus,
    Volunteer,
)
from .common import MANAGE, VIEW, _shown_again, _youth_name

# --- hope parents ------------------------------------------------------------------------------------------------


def _volunteer_places(user: Any) -> Any:
    return (restrict(Place.objects.filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID]), user, MANAGE)
            .select_related("parent").order_by("path"))


def _shown(request: StaffRequest, error: KernelError, form: forms.Form) -> HttpResponse:
    return _shown_again(request, error, form, "youthaid/volunteers.html", _volunteers_context(request))


@staff_view(VIEW)
@require_POST
def volunteer_register(request: StaffRequest) -> HttpResponse:
    """A hope parent registered, awaiting vetting (youthaid:volunteer_register): a refusal is the
    page again with the message naming the field, the typed values kept, nothing written."""
    form = RegisterVolunteerForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        data = form.cleaned_data
        place_pk = parse_id(data["place"], field="place") if data["place"] else 0
        place = _volunteer_places(request.user).filter(pk=place_pk).first() if place_pk else None
        if place_pk and place is None:
            raise KernelError(_("This place is outside your scope."), field="place")
        volunteer = actions.do_register_volunteer(name=data["name"], phone=data["phone"], place=place,
                                                  occupation=data["occupation"], acting_user=request.user)
    except KernelError as error:
        return _shown(request, error, form)
    messages.success(request, _("%(name)s is registered as a hope parent, awaiting vetting.") % {
        "name": volunteer.name})
    return redirect(reverse("youthaid:volunteers"))


@staff_view(VIEW)
@require_POST
def volunteer_vet(request: StaffRequest) -> HttpResponse:
    """A hope parent's vetting (youthaid:volunteer_vet), refused like volunteer_register."""
    form = VetForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        data = form.cleaned_data
        volunteer = actions.do_vet_volunteer(parse_id(data["volunteer"], field="volunteer"), status=data["status"],
                                             note=data["note"], acting_user=request.user)
    except KernelError as error:
        return _shown(request, error, form)
    messages.success(request, _("%(name)s: %(status)s.") % {
        "name": volunteer.name, "status": volunteer.get_status_display()})
    return redirect(reverse("youthaid:volunteers"))


@staff_view(VIEW)
@require_safe
def volunteers(request: StaffRequest) -> HttpResponse:
    return render(request, "youthaid/volunteers.html", _volunteers_context(request))


def _volunteers_context(request: StaffRequest) -> dict[str, Any]:
    user = request.user
    current = (Pairing.objects.filter(ended_on__isnull=True).select_related("youth__person__place")
               .order_by("started_on"))
    qs = restrict(Volunteer.objects.all(), user, VIEW)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    status = request.GET.get("status", "")
    if status in VettingStatus.values:
        qs = qs.filter(status=status)
    rows = list(qs.select_related("place__parent")
                .annotate(contact_count=Count("pairings__contacts"))
                .prefetch_related(Prefetch("pairings", queryset=current, to_attr="current"))
                .order_by("status", "name", "pk")[:500])
    for v in rows:
        v.masked_phone = mask_phone(v.phone)  # type: ignore[attr-defined]
        for pairing in v.current:
            pairing.shown_name = _youth_name(user, pairing.youth)  # type: ignore[attr-defined]
    can_manage = has_perm(user, MANAGE)
    return {
        "volunteers": rows, "typed": {}, "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in VettingStatus.choices],
        "can_manage": can_manage, "places": list(_volunteer_places(user)[:2000]) if can_manage else [],
        "vet_choices": [(s, VettingStatus(s).label) for s in (VettingStatus.VETTED, VettingStatus.REJECTED,
                                                              VettingStatus.SUSPENDED)],
    }
