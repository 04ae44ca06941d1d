"""The supervisor's phone pages: the shifts of their zones, and one shift to check in, out and sign off,
each step on its own POST-only url (`SHIFT_STEPS`); a refusal shows the shift again with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel import maps
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.forms import attempt
from longcheng.kernel.uploads import download
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, actions_restore
from .forms import CheckInForm, CheckOutForm, DeliverForm, ShiftForm, shown
from .models import Delivery, ObligationState, Shift, ShiftState, Work, Zone
from .spec import SUPERVISE, VIEW


@staff_view(SUPERVISE)
@require_safe
def shifts(request: StaffRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=1)
    rows = access.shifts_for(request.user).filter(ends_at__gte=since).order_by("starts_at", "pk")[:200]
    waiting = access.shifts_for(request.user).filter(state=ShiftState.CHECKED_OUT).order_by("starts_at", "pk")[:200]
    zones = {s.zone_id: s.zone for s in rows}
    where = [maps.area(z.outline, z.name, tone="ok") for z in zones.values()]
    return render(request, "ecorestore/shifts.html", {"shifts": rows, "waiting": waiting, "where": where})


def _check_in(request: StaffRequest, shift: Shift, data: dict[str, Any]) -> None:
    actions.do_check_in_shift(shift, lat=data["lat"], lon=data["lon"], acting_user=request.user,
                              photo=data.get("photo"))


def _check_out(request: StaffRequest, shift: Shift, data: dict[str, Any]) -> None:
    actions.do_check_out_shift(shift, acting_user=request.user, photo=data.get("photo"))


def _sign_off(request: StaffRequest, shift: Shift, data: dict[str, Any]) -> None:
    actions.do_sign_off_shift(shift, acting_user=request.user)


# A shift's steps by url name (ecorestore:shift_<name>, at shifts/<pk>/<name with dashes>/), POST only.
SHIFT_STEPS: dict[str, tuple[type[forms.Form], Callable[[StaffRequest, Shift, dict[str, Any]], None]]] = {
    "check_in": (CheckInForm, _check_in), "check_out": (CheckOutForm, _check_out), "sign_off": (ShiftForm, _sign_off),
}


def _shift_page(request: StaffRequest, item: Shift, error: dict[str, Any] | None = None,
                status: int = 200) -> HttpResponse:
    obligation = item.obligation
    # The zone's outline, and where the supervisor's phone was at check-in.
    where = [maps.area(item.zone.outline, item.zone.name, tone="ok"),
             maps.point(item.check_in_lat, item.check_in_lon, pgettext("ecorestore", "Checked in here"), tone="warn")
             if item.check_in_lat is not None else None]
    return render(request, "ecorestore/shift.html", {
        "shift": item, "obligation": obligation, "case": obligation.case, "error": error, "where": where,
    }, status=status)


def shift_step_view(name: str) -> Callable[..., HttpResponse]:
    form_class, run = SHIFT_STEPS[name]

    @staff_view(SUPERVISE)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        item = access.shift_for(request.user, pk)
        form = form_class(request.POST, request.FILES)
        _done, error = attempt(form, lambda data: run(request, item, data))
        if error is not None:
            status = error.status if error.status in (400, 409, 422) else 400
            return _shift_page(request, access.shift_for(request.user, pk), shown(error, form), status)
        return redirect("ecorestore:shift", item.pk)

    view.__name__ = view.__qualname__ = f"shift_{name}"
    return view


@staff_view(SUPERVISE)
@require_safe
def shift(request: StaffRequest, pk: int) -> HttpResponse:
    return _shift_page(request, access.shift_for(request.user, pk))


PHOTOS = {"check-in": "check_in_photo", "check-out": "check_out_photo"}


@staff_view(SUPERVISE)
@require_safe
def shift_photo(request: StaffRequest, pk: int, moment: str) -> HttpResponseBase:
    """A shift's check-in or check-out photo, to the supervisors of its zone; each opening audited."""
    return photo_response(request, access.shift_for(request.user, pk), moment)


@staff_view(VIEW)
@require_safe
def case_shift_photo(request: StaffRequest, pk: int, spk: int, moment: str) -> HttpResponseBase:
    """The same photo from the case page, to the procuratorate over the case's place only (`view`: a
    court that judged the case sees that a photo exists, not the photo); each opening audited."""
    item = access.case_shift_for(request.user, pk, spk)
    return photo_response(request, item, moment)


def photo_response(request: StaffRequest, item: Shift, moment: str) -> HttpResponseBase:
    field = PHOTOS.get(moment)
    stored = getattr(item, field) if field else None
    if not stored:
        raise Http404
    try:
        return download(stored, stored.name.rsplit("/", 1)[-1], acting_user=request.user,
                        action="ecorestore.shift.photo.download", obj=item, after={"moment": moment})
    except FileNotFoundError as gone:
        raise Http404 from gone


def _deliveries_page(request: StaffRequest, form: DeliverForm, error: dict[str, Any] | None = None,
                     status: int = 200) -> HttpResponse:
    zones = restrict(Zone.objects.all(), request.user, SUPERVISE)
    works = (Work.objects.filter(zone__in=zones, state=ObligationState.OPEN).select_related("zone", "case")
             .order_by("due_on", "pk")[:200])
    recent = (Delivery.objects.filter(work__zone__in=zones).select_related("work__zone", "work__case")
              .order_by("-on", "-pk")[:50])
    return render(request, "ecorestore/deliveries.html", {"works": works, "recent": recent, "form": form,
                                                          "error": error}, status=status)


@staff_view(SUPERVISE)
@require_safe
def deliveries(request: StaffRequest) -> HttpResponse:
    """The supervisor's own page: the works in kind open in their zones, and what was delivered."""
    return _deliveries_page(request, DeliverForm())


@staff_view(SUPERVISE)
@require_POST
def delivery_record(request: StaffRequest) -> HttpResponse:
    """Trees planted, a batch of fish released or an area restored, recorded on site by the supervisor
    of the work's zone (another zone's work is not found); refused: the page again, nothing written."""
    form = DeliverForm(request.POST)

    def run(data: dict[str, Any]) -> Any:
        work = access.work_for(request.user, data["work"], supervise_only=True)
        return actions_restore.do_record_delivery(work, quantity=data["quantity"], on=data["on"],
                                                  acting_user=request.user)

    _done, error = attempt(form, run)
    if error is not None:
        status = error.status if error.status in (400, 409, 422) else 400
        return _deliveries_page(request, form, shown(error, form), status)
    return redirect("ecorestore:deliveries")
