"""Pages of the web shell. Views parse, authorise (through the scoping layer) and call actions; they
never change state themselves."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from longcheng.kernel import privacy, registry
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, place_in_scope, restrict
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.orgs.models import Organisation, OrgKind
from longcheng.kernel.people import actions as people_actions
from longcheng.kernel.people.models import Consent, Relationship, Resident
from longcheng.kernel.places.models import Place
from longcheng.kernel.privacy import Kind
from longcheng.kernel.rights import who
from longcheng.kernel.workdays import api as workdays

from .charts import render_chart
from .context import public_landing
from .decorators import staff_view
from .forms import DeathForm, ResidentForm, RevealForm
from .signin import signed_in


class LoginView(auth_views.LoginView):
    """Django's login; django-axes counts the wrong passwords and answers a lock-out (signin.py)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        signed_in(self.request, form.get_user())
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The city's identity provider is offered only when configured (kernel/access/oidc.py).
        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED}


def attach_error(form: Any, error: KernelError) -> None:
    """Show an action's refusal next to the field it names (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@staff_view(None)
def home(request: HttpRequest) -> HttpResponse:
    # A family member or a driver starts on their own page, not on a staff dashboard they have no use for.
    landing = public_landing(request)
    if landing:
        return redirect(landing)
    panels = []
    for panel in registry.dashboard_panels():
        if panel.permission and not has_perm(request.user, panel.permission):
            continue
        panels.append({
            "title": panel.title,
            "figures": panel.figures(request.user),
            "charts": [render_chart(c) for c in panel.charts(request.user)],
        })
    # The administrators (of the calendar, of the platform) are told before the calendar runs out.
    warning = None
    if has_perm(request.user, "workdays.manage") or has_perm(request.user, "access.manage"):
        warning = workdays.calendar_warning()
    return render(request, "web/home.html", {"panels": panels, "calendar_warning": warning})


@staff_view("places.view")
def places(request: HttpRequest) -> HttpResponse:
    visible = restrict(Place.objects.all(), request.user, "places.view")
    code = request.GET.get("place")
    if code:
        current = visible.filter(code=code).first()
        if current is None:
            raise NotFound()
        children = visible.filter(parent=current)
        trail = [p for p in current.ancestors() if visible.filter(pk=p.pk).exists()] + [current]
    else:
        current = None
        # The tops of the user's scope: places whose parent the user cannot see.
        children = visible.exclude(parent__in=visible)
        trail = []
    return render(request, "web/places.html", {"current": current, "children": children.order_by("code"),
                                               "trail": trail})


@staff_view("people.view")
def residents(request: StaffRequest) -> HttpResponse:
    qs = restrict(Resident.objects.select_related("place"), request.user, "people.view")
    q = (request.GET.get("q") or "").strip()
    reason = (request.GET.get("reason") or "").strip()
    if len(q) == 18:
        # An exact ID number confirms a number: it is a reveal (people.reveal and a reason, audited);
        # without them it finds nothing. IDs are never searched by part, so the list cannot be used
        # to guess a masked number digit by digit.
        found = people_actions.do_search_by_id(q, reason=reason, acting_user=request.user)
        qs = qs.filter(pk__in=[p.pk for p in found])
    elif q:
        qs = qs.filter(name__startswith=q)
    place_code = request.GET.get("place")
    if place_code:
        place = restrict(Place.objects.all(), request.user, "people.view").filter(code=place_code).first()
        qs = qs.filter(place__path__startswith=place.path) if place else qs.none()
    page = Paginator(qs.order_by("place__path", "name", "pk"), 50).get_page(request.GET.get("page"))
    for person in page:
        person.shown_name = privacy.shown_name(request.user, person)  # type: ignore[attr-defined]
    can_search_id = has_perm(request.user, "people.reveal")
    # Someone who may search by ID number is told that the reason is missing; anyone else gets the
    # same empty list as for a number nobody holds.
    needs_reason = can_search_id and len(q) == 18 and not reason
    return render(request, "web/residents.html", {"page": page, "q": q, "place": place_code or "", "reason": reason,
                                                  "can_add": has_perm(request.user, "people.manage"),
                                                  "can_search_id": can_search_id, "needs_reason": needs_reason})


@staff_view("people.manage")
def resident_new(request: StaffRequest) -> HttpResponse:
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_actions.do_register_resident(acting_user=request.user, **form.cleaned_data)
        except KernelError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Resident registered."))
            return redirect("web:resident", pk=person.pk)
    return render(request, "web/resident_form.html", {"form": form}, status=400 if form.errors else 200)


@staff_view("people.view")
def resident(request: StaffRequest, pk: int) -> HttpResponse:
    person = access_object(Resident, request.user, pk, "people.view")
    revealed: dict[str, str] = {}
    reveal_form = RevealForm(request.POST or None) if has_perm(request.user, "people.reveal") else None
    if request.method == "POST":
        if reveal_form is None:
            raise PermissionDenied()
        if reveal_form.is_valid():
            try:
                revealed = people_actions.do_reveal(
                    person, fields=reveal_form.cleaned_data["fields"], reason=reveal_form.cleaned_data["reason"],
                    acting_user=request.user,
                )
            except KernelError as error:
                attach_error(reveal_form, error)
    relatives = Relationship.objects.filter(person=person).select_related("relative")
    consents = Consent.objects.filter(subject=person).select_related("given_by")
    person.shown_name = privacy.shown_name(request.user, person)  # type: ignore[attr-defined]
    person.shown_address = privacy.show(request.user, Kind.ADDRESS, person.address,  # type: ignore[attr-defined]
                                        person.place.path if person.place else None)
    return render(request, "web/resident.html", {
        "person": person, "relatives": relatives, "consents": consents, "reveal_form": reveal_form,
        "revealed": revealed, "death_form": DeathForm() if has_perm(request.user, "people.manage") else None,
        "audit_url": reverse("web:audit_object", args=["people.resident", person.pk])
        if has_perm(request.user, "audit.view") else None,
        **_privacy_officer_view(request, person),
    }, status=400 if reveal_form is not None and reveal_form.errors else 200)


def _privacy_officer_view(request: StaffRequest, person: Resident) -> dict[str, Any]:
    """Who can see this person and the last reveals, for a privacy officer of the person's place."""
    if person.place is None or not place_in_scope(request.user, "people.privacy", person.place.path):
        return {}
    holders = who.who_can_see(person)
    return {"who_can_see": [(label, holders[right]) for right, label in who.RIGHTS.items()],
            "last_reveals": who.last_reveals(person)}


@staff_view("people.manage")
def resident_death(request: StaffRequest, pk: int) -> HttpResponse:
    person = access_object(Resident, request.user, pk, "people.manage")
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people_actions.do_record_death(person, died_on=form.cleaned_data["died_on"],
                                           reason=form.cleaned_data["reason"], acting_user=request.user)
        except KernelError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Death recorded."))
            return redirect("web:resident", pk=person.pk)
    return render(request, "web/death_form.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


@staff_view("orgs.view")
def orgs(request: HttpRequest) -> HttpResponse:
    qs = restrict(Organisation.objects.select_related("place"), request.user, "orgs.view").order_by("kind", "name")
    kind = request.GET.get("kind") or ""
    if kind:
        qs = qs.filter(kind=kind)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc=q.upper()))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/orgs.html", {"page": page, "kinds": OrgKind.choices, "kind": kind, "q": q})
