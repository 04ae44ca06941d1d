"""A ticket (and its correction by a reversing ticket) and a processing batch with its steps,
temperatures, end, and its lot's test and release: each change on its own url, POST only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, rules
from .conf import conf
from .forms import FinishForm, LotTestForm, ReverseForm, StepForm, TemperatureForm
from .models import Batch, Lot, Ticket
from .spec import OPERATE, VIEW
from .views_common import post


def _ticket_page(request: StaffRequest, ticket: Ticket, form: forms.Form | None = None,
                 error: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "wastecycle/ticket.html", {
        "ticket": ticket, "form": form or ReverseForm(), "error": error, "can_operate": has_perm(request.user, OPERATE),
        "reversal": Ticket.objects.filter(reverses=ticket).first()}, status=status)


@staff_view(VIEW)
@require_safe
def ticket(request: StaffRequest, pk: int) -> HttpResponse:
    return _ticket_page(request, access.ticket_for(request.user, pk))


@staff_view(OPERATE)
@require_POST
def ticket_reverse(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.ticket_for(request.user, pk, OPERATE)
    form = ReverseForm(request.POST)
    return post(form, lambda d: actions.do_reverse_ticket(found, reason=d["reason"], acting_user=request.user),
                lambda bound, error, status: _ticket_page(request, found, form, error, status),
                lambda reversal: reverse("wastecycle:ticket", args=[reversal.pk]))


BATCH_FORMS: dict[str, type[forms.Form]] = {"step": StepForm, "temperatures": TemperatureForm, "finish": FinishForm,
                                            "test": LotTestForm}


def _temperature_chart(batch: Batch) -> Any:
    readings = list(batch.temperatures.order_by("at").values_list("at", "celsius_tenths"))[-200:]
    if not readings:
        return ""
    limit = conf("WASTECYCLE_MIN_TENTHS") / 10
    return render_chart(Chart(pgettext("wastecycle", "Temperature of the mass (°C)"), "line",
                              [at.strftime("%m-%d %H:%M") for at, _ in readings],
                              {pgettext("wastecycle", "°C"): [t / 10 for _, t in readings],
                               pgettext("wastecycle", "Required"): [limit] * len(readings)}))


def _batch_page(request: StaffRequest, batch: Batch, bound: dict[str, forms.Form] | None = None,
                error: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    lot = Lot.objects.filter(batch=batch).first()
    readings = list(batch.temperatures.values_list("at", "celsius_tenths"))
    hot = rules.longest_hot_run(readings, min_tenths=conf("WASTECYCLE_MIN_TENTHS"),
                                max_gap=dt.timedelta(hours=conf("WASTECYCLE_MAX_GAP_HOURS")))
    return render(request, "wastecycle/batch.html", {
        "batch": batch, "lot": lot, "tests": lot.tests.order_by("-tested_on", "-pk") if lot else [],
        "steps": batch.steps.order_by("at"), "tickets": batch.tickets.order_by("key"),
        "forms": {key: (bound or {}).get(key) or cls() for key, cls in BATCH_FORMS.items()},
        "error": error, "can_operate": has_perm(request.user, OPERATE), "chart": _temperature_chart(batch),
        "hot_days": round(hot.total_seconds() / 86400, 1), "min_days": conf("WASTECYCLE_MIN_DAYS"),
        "min_c": conf("WASTECYCLE_MIN_TENTHS") / 10, "readings": len(readings),
        "limits": [(m, label, unit, low, high) for m, (label, unit, low, high) in rules.NYT525.items()],
        "edition": rules.NYT525_EDITION},
        status=status)


@staff_view(VIEW)
@require_safe
def batch(request: StaffRequest, pk: int) -> HttpResponse:
    return _batch_page(request, access.batch_for(request.user, pk))


def _batch_post(request: StaffRequest, found: Batch, key: str, call: Any) -> HttpResponse:
    form = BATCH_FORMS[key](request.POST)
    return post(form, call, lambda bound, error, status: _batch_page(request, found, bound, error, status),
                lambda _r: reverse("wastecycle:batch", args=[found.pk]) + f"#{key}")


@staff_view(OPERATE)
@require_POST
def batch_step(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.batch_for(request.user, pk, OPERATE)
    return _batch_post(request, found, "step", lambda d: actions.do_record_step(
        found, step=d["step"], at=d["at"], acting_user=request.user))


@staff_view(OPERATE)
@require_POST
def batch_temperatures(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.batch_for(request.user, pk, OPERATE)
    return _batch_post(request, found, "temperatures", lambda d: actions.do_record_temperatures(
        found, d["readings"], acting_user=request.user))


@staff_view(OPERATE)
@require_POST
def batch_finish(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.batch_for(request.user, pk, OPERATE)
    return _batch_post(request, found, "finish", lambda d: actions.do_finish_batch(
        found, output_kg=d["output_kg"], residue_kg=d["residue_kg"], moisture_pct=d["moisture_pct"],
        done_at=d["done_at"], acting_user=request.user))


@staff_view(OPERATE)
@require_POST
def lot_test(request: StaffRequest, pk: int) -> HttpResponse:
    lot = access.lot_for(request.user, pk, OPERATE)
    form = LotTestForm(request.POST)
    return post(form, lambda d: actions.do_test_lot(lot, tested_on=d["tested_on"], values=form.values(),
                                                    acting_user=request.user),
                lambda bound, error, status: _batch_page(request, lot.batch, bound, error, status),
                lambda _r: reverse("wastecycle:batch", args=[lot.batch_id]) + "#lot")


class ReleaseForm(forms.Form):
    """Releasing a lot: nothing to type, its test says everything."""


@staff_view(OPERATE)
@require_POST
def lot_release(request: StaffRequest, pk: int) -> HttpResponse:
    lot = access.lot_for(request.user, pk, OPERATE)
    form = ReleaseForm(request.POST)
    return post(form, lambda d: actions.do_release_lot(lot, acting_user=request.user),
                lambda bound, error, status: _batch_page(request, lot.batch, None, error, status),
                lambda _r: reverse("wastecycle:batch", args=[lot.batch_id]) + "#lot")
