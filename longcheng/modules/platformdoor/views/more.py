"""Bypasses (ask, approve, end), detectors with their false-alarm figures, functional tests due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.forms import attempt
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from .. import access, actions, figures
from ..forms import BypassForm, TestForm
from ..models import Cause, Detector, Door
from ..spec import APPROVE, BYPASS, MAINTAIN, VIEW


def _bypass_form(request: StaffRequest, data: Any = None) -> BypassForm:
    detectors = list(restrict(Detector.objects.select_related("door__platform__station"), request.user, BYPASS)
                     .order_by("door__platform", "door__side", "door__number")[:500])
    doors = list(restrict(Door.objects.select_related("platform__station"), request.user, BYPASS)
                 .order_by("platform", "side", "number")[:500])
    return BypassForm(data, detectors=detectors, doors=doors)


def _request(request: StaffRequest, data: dict[str, Any]) -> Any:
    kind, _sep, pk = data["target"].partition(":")
    target = Detector.objects.select_related("door").get(pk=int(pk)) if kind == "detector" else None
    door = Door.objects.get(pk=int(pk)) if kind == "door" else None
    platform_id = target.door.platform_id if target is not None else door.platform_id  # type: ignore[union-attr]
    return actions.do_request_bypass(
        platform_id=platform_id, detector_id=target.pk if target else None, door_id=door.pk if door else None,
        reason=data["reason"], expires_at=timezone.now() + dt.timedelta(hours=data["hours"]), acting_user=request.user)


@staff_view(BYPASS)
def bypass_new(request: StaffRequest) -> HttpResponse:
    form = _bypass_form(request, request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST":
        _done, error = attempt(form, lambda data: _request(request, data))
        if error is None:
            return redirect("platformdoor:board")
    return render(request, "platformdoor/bypass_new.html", {"form": form, "error": error},
                  status=error.status if error else 200)


@require_POST
@staff_view(APPROVE)
def bypass_approve(request: StaffRequest, pk: int) -> HttpResponse:
    actions.do_approve_bypass(pk, acting_user=request.user)
    return redirect("platformdoor:board")


@require_POST
@staff_view(BYPASS)
def bypass_end(request: StaffRequest, pk: int) -> HttpResponse:
    actions.do_end_bypass(pk, acting_user=request.user)
    return redirect("platformdoor:board")


@staff_view(VIEW)
def detectors(request: StaffRequest) -> HttpResponse:
    found = list(access.detectors_for(request.user).order_by("door__platform", "door__side", "door__number")[:300])
    figs = figures.with_trend(found)
    rows = sorted(((d, figs[d.pk]) for d in found), key=lambda r: (-(r[1].rate or 0), r[0].pk))
    return render(request, "platformdoor/detectors.html", {"rows": rows})


@staff_view(VIEW)
def detector(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.detector_for(request.user, pk)
    figs = figures.with_trend([found])[found.pk]
    chart = Chart(title=_trend_title(), kind="line", labels=[str(i + 1) for i in range(len(figs.trend))],
                  series={str(_trend_title()): [v or 0.0 for v in figs.trend]})
    return render(request, "platformdoor/detector.html", {
        "detector": found, "figs": figs, "chart": render_chart(chart),
        "tests": found.tests.order_by("-due_on")[:20], "causes": [(Cause(c).label, n) for c, n in sorted(figs.causes.items())]})


def _trend_title() -> str:
    return _("False alarms per 1,000 dwells, week by week")


def _tests_context(request: StaffRequest, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    due = access.tests_for(request.user).filter(done_at__isnull=True, due_on__lte=today + dt.timedelta(days=7))
    return {"overdue": list(due.filter(due_on__lt=today).order_by("due_on", "pk")[:300]),
            "soon": list(due.filter(due_on__gte=today).order_by("due_on", "pk")[:300]),
            "may_record": has_perm(request.user, MAINTAIN), "form": TestForm(auto_id=False), "today": today, **extra}


@staff_view(VIEW)
def tests(request: StaffRequest) -> HttpResponse:
    return render(request, "platformdoor/tests.html", _tests_context(request))


@require_POST
@staff_view(MAINTAIN)
def test_record(request: StaffRequest, pk: int) -> HttpResponse:
    form = TestForm(request.POST)
    _done, error = attempt(form, lambda data: actions.do_record_test(pk, result=data["result"], note=data["note"],
                                                                     acting_user=request.user))
    if error is not None:
        return render(request, "platformdoor/tests.html", _tests_context(request, error=error), status=error.status)
    return redirect("platformdoor:tests")
