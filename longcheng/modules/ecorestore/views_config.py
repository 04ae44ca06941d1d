"""The eligibility thresholds page: the versions in force, and a new version (POST on its own url),
for the procuratorate that handles the cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.forms import attempt
from longcheng.kernel.web.decorators import staff_view

from . import actions_config
from .forms import ThresholdForm, shown
from .models import Threshold
from .spec import MANAGE


def _page(request: StaffRequest, form: ThresholdForm, error: dict[str, Any] | None = None,
          status: int = 200) -> HttpResponse:
    rows = Threshold.objects.select_related("recorded_by")[:100]
    return render(request, "ecorestore/thresholds.html", {"rows": rows, "form": form, "error": error}, status=status)


@staff_view(MANAGE)
@require_safe
def thresholds(request: StaffRequest) -> HttpResponse:
    return _page(request, ThresholdForm())


@staff_view(MANAGE)
@require_POST
def threshold_set(request: StaffRequest) -> HttpResponse:
    form = ThresholdForm(request.POST)
    _row, error = attempt(form, lambda data: actions_config.do_set_threshold(
        valid_from=data["valid_from"], fast_lane_below_fen=data["fast_lane_below_fen"] or 0,
        max_convert_fen=data["max_convert_fen"], basis=data["basis"], acting_user=request.user))
    if error is not None:
        return _page(request, form, shown(error, form), status=400)
    return redirect("ecorestore:thresholds")
