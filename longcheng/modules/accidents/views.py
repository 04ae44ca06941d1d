"""The drivers' pages (phone-first): start with the eligibility questions, join by the pairing code,
then confirm, photograph, tick, submit and sign on the report's page. Parse, authorise, call an
action; a refusal is shown next to its field."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, tables
from .forms import JoinForm, PartyForm, PhotoForm, StartForm, TickForm
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
    form = JoinForm(request.POST or request.GET or None)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            report = actions.do_join_report(code=form.cleaned_data["code"], acting_user=request.user)
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


def _step(request: StaffRequest, report: Report) -> None:
    """One POSTed step of the report page through its action."""
    step, user = request.POST.get("step", ""), request.user
    if step == "confirm":
        form: Any = PartyForm(request.POST)
        if not form.is_valid():
            raise refusal(form)
        actions.do_confirm_party(report, form.cleaned_data, acting_user=user)
    elif step == "tick":
        form = TickForm(request.POST, rules=tables.rules_in_force())
        if not form.is_valid():
            raise refusal(form)
        actions.do_tick_circumstances(report, form.cleaned_data["circumstances"], acting_user=user)
    elif step == "photo":
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            raise refusal(form)
        data = form.cleaned_data
        actions.do_add_photo(report, shot=data["shot"], upload=data["photo"], taken_at=data["taken_at"],
                             lat=data["lat"], lon=data["lon"], acting_user=user)
    elif step == "submit":
        actions.do_submit_report(report, acting_user=user)
    elif step == "sign":
        actions.do_sign_agreement(report, acting_user=user)
    else:
        raise KernelError(_unknown_step(), field="step")


def _unknown_step() -> str:
    from django.utils.translation import pgettext

    return pgettext("accidents", "Unknown step.")


@staff_view(REPORT)
def report(request: StaffRequest, pk: int) -> HttpResponse:
    obj = access.own_report(request.user, pk)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            _step(request, obj)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("accidents:report", obj.pk)
        obj.refresh_from_db()
    party = access.own_party(obj, request.user)
    join_url = request.build_absolute_uri(reverse("accidents:join") + f"?code={obj.pairing_code}")
    return render(request, "accidents/report.html", {
        "report": obj, "me": party, "parties": parties_view(request.user, obj), "error": error,
        "party_form": PartyForm(), "tick_form": TickForm(rules=tables.rules_in_force(),
                                                         initial={"circumstances": party.circumstances}),
        "photo_form": PhotoForm(initial={"taken_at": timezone.localtime()}),
        "photos": obj.photos.filter(party=party).order_by("pk"),
        "qr": _qr(join_url) if obj.status == Report.Status.PAIRING and obj.parties.count() < 2 else "",
        "handoffs": Handoff.objects.filter(report=obj, party=party).select_related("insurer"),
    }, status=_status(error))
