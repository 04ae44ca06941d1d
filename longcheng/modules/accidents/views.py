"""The drivers' pages (phone-first): start with the eligibility questions, join by the pairing code,
then confirm, photograph, tick, submit and sign on the report's page — each step posting to its own
URL. Parse, authorise, call an action; a refusal is shown next to its field, the typing kept."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, documents, registries, sketch, tables
from .forms import JoinForm, PartyForm, PhotoForm, SketchForm, StartForm, TickForm
from .models import Handoff, Report
from .shown import parties_view
from .spec import REPORT


def _places(user: Any) -> Any:
    # Districts and streets: a driver at the roadside knows the street, rarely the community.
    return restrict(Place.objects.filter(depth__in=[1, 2]), user, REPORT).order_by("path")


def _status(error: KernelError | None) -> int:
    return error.status if error else 200


@staff_view(REPORT)
def home(request: StaffRequest) -> HttpResponse:
    exclusions = tables.exclusions_in_force()
    form = StartForm(request.POST or None, places=_places(request.user), exclusions=exclusions,
                     initial={"lat": 31.7788, "lon": 119.9462})
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            report = actions.do_start_report(
                place=form.cleaned_data["place"], lat=form.cleaned_data["lat"], lon=form.cleaned_data["lon"],
                answers=form.answers(), third_party_property=form.cleaned_data["third_party_property"] == "yes",
                acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("accidents:report", report.pk)
    return render(request, "accidents/home.html", {
        "reports": access.own_reports(request.user)[:50], "form": form, "error": error,
    }, status=_status(error))


@staff_view(REPORT)
def join(request: StaffRequest) -> HttpResponse:
    exclusions = tables.exclusions_in_force()
    if request.method == "POST":
        form = JoinForm(request.POST, exclusions=exclusions)
    else:  # the QR code's link fills in the code; the questions are answered by this driver
        form = JoinForm(initial={"code": request.GET.get("code", "")}, exclusions=exclusions)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            report = actions.do_join_report(code=form.cleaned_data["code"], answers=form.answers(),
                                            acting_user=request.user)
        except KernelError as exc:
            error = exc
        else:
            return redirect("accidents:report", report.pk)
    return render(request, "accidents/join.html", {"form": form, "error": error}, status=_status(error))


def _qr(url: str) -> str:
    """The join link as an SVG QR code in a data: URL (allowed by the CSP's img-src)."""
    out = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _page(request: StaffRequest, obj: Report, error: KernelError | None = None, **bound: Any) -> HttpResponse:
    """The report page; after a refused step, with that step's form as the driver filled it in."""
    party = access.own_party(obj, request.user)
    join_url = request.build_absolute_uri(reverse("accidents:join") + f"?code={obj.pairing_code}")
    forms = {"party_form": PartyForm(), "photo_form": PhotoForm(initial={"taken_at": timezone.localtime()}),
             "tick_form": TickForm(rules=tables.rules_in_force(), initial={"circumstances": party.circumstances}),
             "sketch_form": SketchForm(initial=SketchForm.initial_from(obj.sketch))}
    return render(request, "accidents/report.html", {
        "report": obj, "me": party, "parties": parties_view(request.user, obj), "error": error, **forms, **bound,
        "photos": obj.photos.filter(party=party).order_by("pk"),
        "qr": _qr(join_url) if obj.status == Report.Status.PAIRING and obj.parties.count() < 2 else "",
        "handoffs": Handoff.objects.filter(report=obj, party=party).select_related("insurer"),
        # The driver sees the registry's answers about their own licence, vehicle and policy only.
        "my_checks": registries.stored(party),
        **sketch.shown(obj.sketch),
    }, status=_status(error))


def _step(request: StaffRequest, pk: int, form_name: str | None, form: Any,
          act: Callable[[Report, dict[str, Any]], Any]) -> HttpResponse:
    """One step of the report page, at its own URL: validate `form`, call the action, and on a
    refusal show the page again with the form as it was filled in."""
    obj = access.own_report(request.user, pk)
    try:
        if form is not None and not form.is_valid():
            raise refusal(form)
        act(obj, form.cleaned_data if form is not None else {})
    except KernelError as exc:
        if exc.status in (403, 404):
            raise
        obj.refresh_from_db()
        return _page(request, obj, exc, **({form_name: form} if form_name else {}))
    return redirect("accidents:report", obj.pk)


@staff_view(REPORT)
def report(request: StaffRequest, pk: int) -> HttpResponse:
    return _page(request, access.own_report(request.user, pk))


@staff_view(REPORT)
@require_POST
def confirm(request: StaffRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "party_form", PartyForm(request.POST),
                 lambda obj, data: actions.do_confirm_party(obj, data, acting_user=request.user))


@staff_view(REPORT)
@require_POST
def tick(request: StaffRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "tick_form", TickForm(request.POST, rules=tables.rules_in_force()),
                 lambda obj, data: actions.do_tick_circumstances(obj, data["circumstances"],
                                                                 acting_user=request.user))


@staff_view(REPORT)
@require_POST
def draw_sketch(request: StaffRequest, pk: int) -> HttpResponse:
    form = SketchForm(request.POST)
    return _step(request, pk, "sketch_form", form,
                 lambda obj, _data: actions.do_draw_sketch(obj, form.sketch(), acting_user=request.user))


@staff_view(REPORT)
@require_POST
def photo(request: StaffRequest, pk: int) -> HttpResponseBase:
    return _step(request, pk, "photo_form", PhotoForm(request.POST, request.FILES),
                 lambda obj, data: actions.do_add_photo(obj, shot=data["shot"], upload=data["photo"],
                                                        taken_at=data["taken_at"], lat=data["lat"], lon=data["lon"],
                                                        acting_user=request.user))


@staff_view(REPORT)
@require_POST
def submit(request: StaffRequest, pk: int) -> HttpResponse:
    return _step(request, pk, None, None, lambda obj, _data: actions.do_submit_report(obj, acting_user=request.user))


@staff_view(REPORT)
@require_POST
def sign(request: StaffRequest, pk: int) -> HttpResponse:
    return _step(request, pk, None, None, lambda obj, _data: actions.do_sign_agreement(obj, acting_user=request.user))


@staff_view(REPORT)
def photo_file(request: StaffRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    """A photo of one's own report (either driver's)."""
    return documents.photo(request.user, access.own_report(request.user, pk), photo_pk)


@staff_view(REPORT)
def agreement(request: StaffRequest, pk: int) -> HttpResponse:
    return documents.agreement(request.user, access.own_report(request.user, pk))
