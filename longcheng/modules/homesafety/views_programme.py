"""Pages of the programme: enrolled persons, one person's settings and wristband requests, and the
community worker's queue of those requests. Each change has its own url taking POSTs only; its form
is parsed, one action called, and a refusal shows the page again with the message and the typing kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.privacy import Kind, Level
from longcheng.kernel.web.decorators import staff_view

from . import actions, binding, mapping, rulebook
from .devices import DEVICE_TYPES
from .forms import DeviceBindForm, FeatureRequestForm, SafetyForm, SwapForm, ThresholdsForm, UnbindForm
from .models import Alarm, Device, DeviceState, Enrollee, FeatureRequest, KitItem, KitStatus, Reading

VIEW, MANAGE = "homesafety.view", "homesafety.manage"


@staff_view(VIEW)
def persons(request: HttpRequest) -> HttpResponse:
    enrollees = (restrict(Enrollee.objects.all(), request.user, VIEW)
                 .select_related("person__place").prefetch_related("kit").order_by("person__place__name", "person__name"))
    progress = (restrict(KitItem.objects.all(), request.user, VIEW)
                .values("enrollee__person__place__name")
                .annotate(planned=Count("pk"), installed=Count("pk", filter=Q(status=KitStatus.INSTALLED)),
                          failed=Count("pk", filter=Q(status=KitStatus.FAILED)))
                .order_by("enrollee__person__place__name"))
    return render(request, "homesafety/persons.html", {
        "enrollees": enrollees[:500], "progress": progress, "kinds": DEVICE_TYPES,
        "can_manage": has_perm(request.user, MANAGE)})


def _wristbands(request: StaffRequest, enrollee: Enrollee) -> Any:
    return restrict(Device.objects.filter(enrollee=enrollee, kind="wristband"), request.user, VIEW).order_by("serial")


def _safety_initial(enrollee: Enrollee) -> dict[str, Any]:
    zone = enrollee.safe_zone or {}
    return {
        "radius_m": zone.get("radius_m", "") if zone.get("kind", "circle") == "circle" else "",
        "polygon": "\n".join(f"{lat}, {lon}" for lat, lon in zone.get("points", [])),
        "home_lat": enrollee.home_lat, "home_lon": enrollee.home_lon,
        "quiet_start": enrollee.quiet_start.strftime("%H:%M") if enrollee.quiet_start else "",
        "quiet_end": enrollee.quiet_end.strftime("%H:%M") if enrollee.quiet_end else "",
    }


def _person_context(request: StaffRequest, enrollee: Enrollee, bound: dict[str, forms.Form]) -> dict[str, Any]:
    """The person page; `bound` holds the refused step's form, shown with what was typed."""
    initial = _safety_initial(enrollee)
    safety = bound.get("safety") or SafetyForm(initial=initial)
    thresholds = bound.get("thresholds") or ThresholdsForm(initial=enrollee.rule_overrides or {})
    feature = bound.get("request") or FeatureRequestForm(devices=_wristbands(request, enrollee),
                                                         initial={"feature": "calling", "enable": True})
    path = enrollee.person.place.path if enrollee.person.place else None
    # Empty: what the places set (the alarm rules page), else the device type's default.
    defaults = {**DEVICE_TYPES["wristband"].defaults,
                **rulebook.place_settings(rulebook.current(), "wristband", path)[0]}
    devices = _devices(enrollee)
    return {
        "map": _person_map(request, enrollee, path),
        "e": enrollee, "devices": devices.select_related("state"),
        "bind_form": bound.get("bind") or DeviceBindForm(initial={"kind": "wristband"}),
        "unbind_form": bound.get("unbind") or UnbindForm(devices=devices),
        "swap_form": bound.get("swap") or SwapForm(devices=devices),
        "kit": enrollee.kit.all(), "can_manage": has_perm(request.user, MANAGE),
        "requests": FeatureRequest.objects.filter(device__homesafety__enrollee=enrollee).select_related("device", "decided_by")
        .order_by("-created_at"),
        "safety": safety, "thresholds_form": thresholds, "feature_form": feature,
        "polygon": initial["polygon"], "radius": initial["radius_m"],
        "thresholds": [(thresholds[name], defaults.get(name), low, high)
                       for name, (_label, low, high, _whole) in actions.THRESHOLDS.items()],
    }


def _devices(enrollee: Enrollee) -> Any:
    return Device.objects.filter(enrollee=enrollee).order_by("kind", "serial")


def _bind(request: StaffRequest, enrollee: Enrollee, form: DeviceBindForm) -> Any:
    return binding.do_bind_device(enrollee.pk, kind=form.cleaned_data["kind"], serial=form.cleaned_data["serial"],
                                  acting_user=request.user)


def _unbind(request: StaffRequest, enrollee: Enrollee, form: UnbindForm) -> Any:
    return binding.do_unbind_device(form.cleaned_data["device"].pk, reason=form.cleaned_data["reason"],
                                    acting_user=request.user)


def _swap(request: StaffRequest, enrollee: Enrollee, form: SwapForm) -> Any:
    return binding.do_swap_device(form.cleaned_data["device"].pk, serial=form.cleaned_data["serial"],
                                  reason=form.cleaned_data["reason"], acting_user=request.user)


def _person_map(request: StaffRequest, enrollee: Enrollee, path: str | None) -> list[Any] | None:
    """The person's map for the roles that see positions plainly (kernel.privacy), else None."""
    if privacy.level(request.user, Kind.LOCATION, path) < Level.PLAIN:
        return None
    states = list(DeviceState.objects.filter(device__homesafety__enrollee=enrollee).select_related("device"))
    readings = list(Reading.objects.filter(device__homesafety__enrollee=enrollee).order_by("-device_time")[:30])
    alarm = (Alarm.objects.filter(enrollee=enrollee, dispatched_to__isnull=False)
             .select_related("dispatched_to").order_by("-raised_at").first())
    return mapping.person_features(enrollee, states, readings, alarm if alarm and alarm.is_open else None)


@staff_view(VIEW)
def person(request: StaffRequest, pk: int) -> HttpResponse:
    """One enrolled person: safe zone and quiet hours, kit and devices, wristband feature requests."""
    enrollee = access_object(Enrollee, request.user, pk, VIEW, queryset=Enrollee.objects.select_related("person__place"))
    return render(request, "homesafety/person.html", _person_context(request, enrollee, {}))


@dataclass(frozen=True)
class PersonStep:
    permission: str
    form: Callable[[StaffRequest, Enrollee], forms.Form]
    act: Callable[[StaffRequest, Enrollee, Any], Any]


def _update_safety(request: StaffRequest, enrollee: Enrollee, form: SafetyForm) -> Any:
    data = form.cleaned_data
    return actions.do_update_safety(enrollee.pk, acting_user=request.user, radius_m=data["radius_m"],
                                    quiet_start=data["quiet_start"], quiet_end=data["quiet_end"],
                                    home=form.home(), polygon=data["polygon"])


def _request_feature(request: StaffRequest, enrollee: Enrollee, form: FeatureRequestForm) -> Any:
    data = form.cleaned_data
    return actions.do_request_feature(data["device"], feature=data["feature"], enable=data["enable"],
                                      requested_by=data["requested_by"], family_consent=data["family_consent"],
                                      acting_user=request.user)


# A person's changes by url name (homesafety:person_<name>, at persons/<pk>/<name>/), POST only.
PERSON_STEPS = {
    "safety": PersonStep(MANAGE, lambda request, e: SafetyForm(request.POST), _update_safety),
    "thresholds": PersonStep(MANAGE, lambda request, e: ThresholdsForm(request.POST),
                             lambda request, e, form: actions.do_update_thresholds(e.pk, form.values(),
                                                                                   acting_user=request.user)),
    # Recorded by whoever takes the family's call: anyone who sees the person (the action decides).
    "bind": PersonStep(MANAGE, lambda request, e: DeviceBindForm(request.POST), _bind),
    "unbind": PersonStep(MANAGE, lambda request, e: UnbindForm(request.POST, devices=_devices(e)), _unbind),
    "swap": PersonStep(MANAGE, lambda request, e: SwapForm(request.POST, devices=_devices(e)), _swap),
    "request": PersonStep(VIEW, lambda request, e: FeatureRequestForm(request.POST, devices=_wristbands(request, e)),
                          _request_feature),
}


def person_step_view(name: str) -> Any:
    """One change to a person: a refusal is the person page again with the message and the typed
    values, nothing written; out of scope stays a 404."""
    step = PERSON_STEPS[name]

    @staff_view(step.permission)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        enrollee = access_object(Enrollee, request.user, pk, step.permission,
                                 queryset=Enrollee.objects.select_related("person__place"))
        form = step.form(request, enrollee)
        try:
            if not form.is_valid():
                raise refusal(form)
            step.act(request, enrollee, form)
        except KernelError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, str(error.message))
            enrollee.refresh_from_db()
            return render(request, "homesafety/person.html", _person_context(request, enrollee, {name: form}),
                          status=error.status)
        messages.success(request, _("Saved."))
        return redirect("homesafety:person", pk)

    view.__name__ = view.__qualname__ = f"person_{name}"
    return view


# --- the community worker's queue ----------------------------------------------------------------------


def _requests_page(request: StaffRequest, status: int = 200) -> HttpResponse:
    qs = (restrict(FeatureRequest.objects.all(), request.user, "people.manage")
          .select_related("device__homesafety__enrollee__person", "decided_by").order_by("status", "-created_at"))
    return render(request, "homesafety/feature_requests.html", {"requests": qs[:300]}, status=status)


@staff_view("people.manage")
def feature_requests(request: StaffRequest) -> HttpResponse:
    """The community worker's queue of wristband payment/calling requests in their community."""
    return _requests_page(request)


def decide_view(approve: bool) -> Any:
    """Approve or refuse one request (its own url each); a request decided already is the queue again
    with the message."""

    @staff_view("people.manage")
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        try:
            actions.do_decide_feature(pk, approve=approve, acting_user=request.user)
        except KernelError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, str(error.message))
            return _requests_page(request, status=error.status)
        messages.success(request, _("Saved."))
        return redirect("homesafety:feature_requests")

    view.__name__ = view.__qualname__ = "approve_request" if approve else "reject_request"
    return view
