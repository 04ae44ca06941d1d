"""Hope parents: registration, vetting and their pairings."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, parse_id
from longcheng.kernel.people.validators import mask_phone
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.web.decorators import staff_view

from .. import actions
from ..models import (
    Pairing,
    VettingStatus,
    Volunteer,
)
from .common import MANAGE, VIEW, _post, _youth_name

# --- hope parents ------------------------------------------------------------------------------------------------


def _volunteer_places(user: Any) -> Any:
    return (restrict(Place.objects.filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID]), user, MANAGE)
            .select_related("parent").order_by("path"))


def _volunteers_step(request: StaffRequest) -> str:
    post, user = request.POST, request.user
    step = post.get("step", "")
    if step == "register":
        place_pk = parse_id(post["place"], field="place") if post.get("place") else 0
        place = _volunteer_places(user).filter(pk=place_pk).first() if place_pk else None
        if place_pk and place is None:
            raise KernelError(_("This place is outside your scope."), field="place")
        volunteer = actions.do_register_volunteer(name=post.get("name", ""), phone=post.get("phone", ""), place=place,
                                                  occupation=post.get("occupation", ""), acting_user=user)
        return _("%(name)s is registered as a hope parent, awaiting vetting.") % {"name": volunteer.name}
    if step == "vet":
        volunteer = actions.do_vet_volunteer(parse_id(post.get("volunteer"), field="volunteer"), status=post.get("status", ""),
                                             note=post.get("note", ""), acting_user=user)
        return _("%(name)s: %(status)s.") % {"name": volunteer.name, "status": volunteer.get_status_display()}
    raise KernelError(_("Unknown step."), field="step")


@staff_view(VIEW)
def volunteers(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _volunteers_step(request))
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
    return render(request, "youthaid/volunteers.html", {
        "volunteers": rows, "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in VettingStatus.choices],
        "can_manage": can_manage, "places": list(_volunteer_places(user)[:2000]) if can_manage else [],
        "vet_choices": [(s, VettingStatus(s).label) for s in (VettingStatus.VETTED, VettingStatus.REJECTED,
                                                              VettingStatus.SUSPENDED)],
    })
