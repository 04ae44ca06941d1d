"""The controller's board and an alarm's page with its steps (acknowledge, close with a cause) and
its incident timeline (drawn, exported)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.audit.actions import record
from longcheng.kernel.forms import attempt
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from .. import access, actions, timeline
from ..forms import CloseForm
from ..models import Alarm
from ..spec import HANDLE, VIEW


def board_context(user: Any) -> dict[str, Any]:
    """What the board shows: open alarms, bypasses in force or waiting, the latest dwells."""
    now = timezone.now()
    bypasses = access.bypasses_for(user).filter(ended_at__isnull=True, expires_at__gt=now).order_by("expires_at")
    return {
        "alarms": list(access.alarms_for(user).filter(is_open=True).order_by("-critical", "raised_at")[:200]),
        "bypasses": [b for b in bypasses[:200] if b.requested_by_id != b.approved_by_id],
        "dwells": list(access.dwells_for(user).filter(departed_at__isnull=False).order_by("-departed_at")[:30]),
        "now": now,
    }


@staff_view(VIEW)
def board(request: StaffRequest) -> HttpResponse:
    return render(request, "platformdoor/board.html", board_context(request.user))


def _alarm_context(request: StaffRequest, alarm: Alarm, **extra: Any) -> dict[str, Any]:
    line = timeline.build(alarm)
    path = alarm.station.place.path
    return {"alarm": alarm, "chart": render_chart(timeline.chart(alarm, line), width=760, height=300),
            "may_handle": place_in_scope(request.user, HANDLE, path), "close_form": CloseForm(), **extra}


@staff_view(VIEW)
def alarm(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.alarm_for(request.user, pk)
    return render(request, "platformdoor/alarm.html", _alarm_context(request, found))


@require_POST
@staff_view(HANDLE)
def acknowledge(request: StaffRequest, pk: int) -> HttpResponse:
    actions.do_acknowledge_alarm(access.alarm_for(request.user, pk, HANDLE).pk, acting_user=request.user)
    return redirect("platformdoor:alarm", pk)


@require_POST
@staff_view(HANDLE)
def close(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.alarm_for(request.user, pk, HANDLE)
    form = CloseForm(request.POST)
    _done, error = attempt(form, lambda data: actions.do_close_alarm(
        found.pk, cause=data["cause"], note=data["note"], acting_user=request.user))
    if error is not None:
        found.refresh_from_db()
        return render(request, "platformdoor/alarm.html",
                      _alarm_context(request, found, error=error, close_form=form), status=error.status)
    return redirect("platformdoor:alarm", pk)


@staff_view(VIEW)
def export(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.alarm_for(request.user, pk)
    body = timeline.workbook_bytes(found, timeline.build(found))
    with transaction.atomic():
        record(request.user, "platformdoor.incident.export", found, after={"alarm": found.pk}, is_read=True)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="platformdoor-incident-{found.pk}.xlsx"'
    return response


