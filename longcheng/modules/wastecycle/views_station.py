"""The transfer station's pages (a desk): tickets, batches and their lots, the hand-out ledger,
shipments, month-end stock and the month's mass balance. Each change posts to its own url."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, balance, rules
from .conf import conf
from .forms import (
    BatchForm,
    CollectorForm,
    CompactionForm,
    HandoutForm,
    ReceiveForm,
    ShipmentForm,
    StockForm,
    TicketForm,
)
from .models import Lot, LotState, Station, Ticket
from .sankey import sankey_svg
from .spec import OPERATE, VIEW
from .views_common import post

STATION_FORMS: dict[str, type[forms.Form]] = {
    "ticket": TicketForm, "batch": BatchForm, "collector": CollectorForm, "handout": HandoutForm,
    "shipment": ShipmentForm, "stock": StockForm, "compaction": CompactionForm}


@staff_view(VIEW)
@require_safe
def stations(request: StaffRequest) -> HttpResponse:
    rows = [(s, balance.station_figures(s)) for s in access.stations_for(request.user)[:200]]
    return render(request, "wastecycle/stations.html", {"rows": rows})


def _month(request: StaffRequest) -> dt.date:
    try:
        return dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _station_page(request: StaffRequest, station: Station, bound: dict[str, forms.Form] | None = None,
                  error: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    made = {key: (bound or {}).get(key) or cls() for key, cls in STATION_FORMS.items()}
    first = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    tolerance = conf("WASTECYCLE_SHIP_TOLERANCE_PERMILLE")
    shipments = [(s, rules.ship_gap_flagged(s.shipped_kg, s.received_kg, tolerance))
                 for s in station.shipments.order_by("-shipped_at")[:20]]
    months = [balance.month_balance(station, m) for m in reversed(rules.months_between(first, today))]
    return render(request, "wastecycle/station.html", {
        "station": station, "figures": balance.station_figures(station), "forms": made, "error": error,
        "can_operate": has_perm(request.user, OPERATE),
        "tickets": station.tickets.order_by("-tare_at", "-pk")[:30],
        "batches": station.batches.select_related("lot").order_by("-started_at")[:20],
        "lots": Lot.objects.filter(batch__station=station, state=LotState.RELEASED).order_by("-released_at")[:20],
        "collectors": station.collectors.order_by("name"), "calendar": balance.handout_calendar(station, first, today),
        "shipments": shipments, "months": months,
        "runs": station.compactions.select_related("shipment").order_by("-at", "-pk")[:20],
        "unshipped": station.compactions.filter(shipment__isnull=True).order_by("at", "pk")[:50],
        "villages": restrict(Place.objects.filter(level__in=["community", "village"]), request.user, VIEW)
        .order_by("path")[:300]}, status=status)


@staff_view(VIEW)
@require_safe
def station(request: StaffRequest, pk: int) -> HttpResponse:
    return _station_page(request, access.station_for(request.user, pk))


def _station_post(request: StaffRequest, pk: int, key: str, call: Any) -> HttpResponse:
    station = access.station_for(request.user, pk, OPERATE)
    form = STATION_FORMS[key](request.POST, request.FILES)
    return post(form, lambda data: call(station, data),
                lambda bound, error, status: _station_page(request, station, bound, error, status),
                lambda _result: reverse("wastecycle:station_detail", args=[station.pk]) + f"#{key}")


@staff_view(OPERATE)
@require_POST
def ticket_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        return actions.do_record_ticket(station, actions.NewTicket(
            key=d["ticket_key"], vehicle=d["vehicle"], source_name=d["source_name"], stream=d["stream"],
            gross_kg=d["gross_kg"], tare_kg=d["tare_kg"], gross_at=d["gross_at"], tare_at=d["tare_at"]),
            photo=d.get("photo"), acting_user=request.user)
    return _station_post(request, pk, "ticket", call)


@staff_view(OPERATE)
@require_POST
def batch_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        keys = [k.strip() for k in d["tickets"].replace("，", ",").split(",") if k.strip()]
        tickets = list(Ticket.objects.filter(station=station, key__in=keys))
        missing = sorted(set(keys) - {t.key for t in tickets})
        if missing:
            raise KernelError(pgettext("wastecycle", "No such ticket: %(keys)s") % {"keys": ", ".join(missing)},
                              field="tickets")
        return actions.do_open_batch(station, code=d["code"], started_at=d["started_at"], tickets=tickets,
                                     acting_user=request.user)
    return _station_post(request, pk, "batch", call)


@staff_view(OPERATE)
@require_POST
def collector_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        village = restrict(Place.objects.all(), request.user, VIEW).filter(pk=d["village"]).first()
        if village is None:
            raise KernelError(pgettext("wastecycle", "Choose a village in your scope."), field="village")
        return actions.do_add_collector(station, name=d["name"], village=village, acting_user=request.user)
    return _station_post(request, pk, "collector", call)


@staff_view(OPERATE)
@require_POST
def handout_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        collector = station.collectors.filter(pk=d["collector"]).first()
        lot = Lot.objects.filter(batch__station=station, pk=d["lot"]).first()
        if collector is None:
            raise KernelError(pgettext("wastecycle", "Choose a collector of this station."), field="collector")
        if lot is None:
            raise KernelError(pgettext("wastecycle", "Choose a lot of this station."), field="lot")
        return actions.do_record_handout(collector, lot=lot, on=d["on"], kg=d["kg"], acting_user=request.user)
    return _station_post(request, pk, "handout", call)


@staff_view(OPERATE)
@require_POST
def shipment_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        runs = request.POST.getlist("runs")
        if not all(r.isdigit() for r in runs):
            raise KernelError(pgettext("wastecycle", "Choose compaction runs of this station."), field="runs")
        return actions.do_record_shipment(station, shipped_at=d["shipped_at"], vehicle=d["vehicle"],
                                          blocks=d["blocks"], shipped_kg=d["shipped_kg"], acting_user=request.user,
                                          runs=[int(r) for r in runs])
    return _station_post(request, pk, "shipment", call)


@staff_view(OPERATE)
@require_POST
def compaction_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        return actions.do_record_compaction(station, at=d["at"], blocks=d["blocks"], kg=d["kg"],
                                            acting_user=request.user)
    return _station_post(request, pk, "compaction", call)


@staff_view(OPERATE)
@require_POST
def stock_new(request: StaffRequest, pk: int) -> HttpResponse:
    def call(station: Station, d: dict[str, Any]) -> Any:
        return actions.do_record_stock(station, month=d["month"], kg=d["kg"], acting_user=request.user)
    return _station_post(request, pk, "stock", call)


@staff_view(OPERATE)
@require_POST
def shipment_receive(request: StaffRequest, pk: int) -> HttpResponse:
    shipment = access.shipment_for(request.user, pk, OPERATE)
    form = ReceiveForm(request.POST)
    return post(form, lambda d: actions.do_receive_shipment(shipment, received_kg=d["received_kg"],
                                                            acting_user=request.user),
                lambda bound, error, status: _station_page(request, shipment.station, bound, error, status),
                lambda _r: reverse("wastecycle:station_detail", args=[shipment.station_id]) + "#shipments")


@staff_view(VIEW)
@require_safe
def month(request: StaffRequest, pk: int) -> HttpResponse:
    """The month's mass balance, as a table and as a Sankey diagram."""
    station = access.station_for(request.user, pk)
    result = balance.month_balance(station, _month(request))
    b = result.balance
    names = {"kitchen": pgettext("wastecycle", "Kitchen waste"), "market": pgettext("wastecycle", "Market perishables"),
             "other": pgettext("wastecycle", "Other waste"), "soil": pgettext("wastecycle", "Organic soil"),
             "residue": pgettext("wastecycle", "Residue"), "shipped": pgettext("wastecycle", "Shipped to the plant"),
             "moisture": pgettext("wastecycle", "Moisture and volatiles (declared)"),
             "leachate": pgettext("wastecycle", "Leachate (declared)")}
    outflow = ([(names[k], v, "out") for k, v in b.outflow.items()] + [(names[k], v, "loss") for k, v in b.losses.items()]
               + [(pgettext("wastecycle", "Stock change"), b.stock_change, "stock"),
                  (pgettext("wastecycle", "Unaccounted"), b.difference, "gap")])
    title = pgettext("wastecycle", "%(station)s, %(month)s") % {"station": station.name,
                                                               "month": result.month.strftime("%Y-%m")}
    svg = sankey_svg(title, [(names[k], v) for k, v in b.inflow.items()], outflow)
    side_in, side_out = pgettext("wastecycle", "In"), pgettext("wastecycle", "Out")
    rows = [(side_in, names[k], v) for k, v in b.inflow.items()] + [(side_out, n, v) for n, v, _kind in outflow]
    return render(request, "wastecycle/month.html", {
        "station": station, "result": result, "svg": svg, "rows": rows,
        "previous": (result.month - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (result.month + dt.timedelta(days=32)).strftime("%Y-%m"),
        "tolerance": conf("WASTECYCLE_BALANCE_TOLERANCE_PERMILLE") / 10})
