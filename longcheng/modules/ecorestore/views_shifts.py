"""The supervisor's phone pages: the shifts of their zones, and one shift to check in, out and sign off."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from . import access, actions
from .forms import CheckInForm
from .models import Shift, ShiftState
from .spec import SUPERVISE


@staff_view(SUPERVISE)
def shifts(request: StaffRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=1)
    rows = access.shifts_for(request.user).filter(ends_at__gte=since).order_by("starts_at", "pk")[:200]
    waiting = access.shifts_for(request.user).filter(state=ShiftState.CHECKED_OUT).order_by("starts_at", "pk")[:200]
    return render(request, "ecorestore/shifts.html", {"shifts": rows, "waiting": waiting})


def _step(request: StaffRequest, shift: Shift) -> None:
    op = request.POST.get("op", "")
    if op == "check_in":
        form = CheckInForm(request.POST)
        if not form.is_valid():
            raise refusal(form)
        actions.do_check_in_shift(shift, lat=form.cleaned_data["lat"], lon=form.cleaned_data["lon"],
                                  acting_user=request.user)
    elif op == "check_out":
        actions.do_check_out_shift(shift, acting_user=request.user)
    else:
        actions.do_sign_off_shift(shift, acting_user=request.user)


@staff_view(SUPERVISE)
def shift(request: StaffRequest, pk: int) -> HttpResponse:
    item = access.shift_for(request.user, pk)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            _step(request, item)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("ecorestore:shift", item.pk)
    obligation = item.obligation
    return render(request, "ecorestore/shift.html", {
        "shift": item, "obligation": obligation, "case": obligation.case, "error": error,
    }, status=error.status if error else 200)
