"""The station's month: what came in by stream, what went out (soil, residue, shipped), the declared
losses and the stock change; closes within the tolerance or is flagged with the difference. Drawn as a
Sankey diagram in SVG on the server (sankey.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from . import rules
from .conf import conf
from .models import Batch, Handout, Shipment, Station, StockCount, Stream, Ticket


def month_span(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time(), zone), dt.datetime.combine(following, dt.time(), zone))


@dataclass(frozen=True)
class MonthBalance:
    station: Station
    month: dt.date
    balance: rules.Balance
    stock_counted: bool

    @property
    def total_in(self) -> int:
        return sum(self.balance.inflow.values())


def month_balance(station: Station, month: dt.date) -> MonthBalance:
    start, end = month_span(month)
    inflow = {s.value: 0 for s in Stream}
    for stream, kg in (Ticket.objects.filter(station=station, tare_at__gte=start, tare_at__lt=end)
                       .values_list("stream").annotate(kg=Sum("net_kg")).values_list("stream", "kg")):
        inflow[stream] = kg or 0
    done = Batch.objects.filter(station=station, done_at__gte=start, done_at__lt=end).aggregate(
        soil=Sum("output_kg"), residue=Sum("residue_kg"), processed=Sum("input_kg"))
    shipped = Shipment.objects.filter(station=station, shipped_at__gte=start, shipped_at__lt=end).aggregate(
        kg=Sum("shipped_kg"))["kg"] or 0
    outflow = {"soil": done["soil"] or 0, "residue": done["residue"] or 0, "shipped": shipped}
    losses = {
        "moisture": rules.declared_loss(done["processed"] or 0, conf("WASTECYCLE_LOSS_PERISHABLE_PERMILLE")),
        "leachate": rules.declared_loss(inflow[Stream.OTHER], conf("WASTECYCLE_LOSS_OTHER_PERMILLE")),
    }
    first = month.replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    counts = dict(StockCount.objects.filter(station=station, month__in=[first, previous]).values_list("month", "kg"))
    change = counts.get(first, 0) - counts.get(previous, 0)
    result = rules.balance(inflow, outflow, losses, change, conf("WASTECYCLE_BALANCE_TOLERANCE_PERMILLE"))
    return MonthBalance(station, first, result, first in counts)


@dataclass(frozen=True)
class StationFigures:
    tickets: int
    reversed: int
    batches_open: int
    lots_held: int
    flagged_shipments: int


def station_figures(station: Station) -> StationFigures:
    tolerance = conf("WASTECYCLE_SHIP_TOLERANCE_PERMILLE")
    flagged = sum(rules.ship_gap_flagged(s, r, tolerance) for s, r in Shipment.objects.filter(
        station=station, received_kg__isnull=False).values_list("shipped_kg", "received_kg"))
    counts = Ticket.objects.filter(station=station).aggregate(n=Count("pk"), r=Count("pk", filter=Q(reverses__isnull=False)))
    return StationFigures(
        tickets=counts["n"], reversed=counts["r"],
        batches_open=Batch.objects.filter(station=station, done_at__isnull=True).count(),
        lots_held=station.batches.filter(lot__state="held").count(), flagged_shipments=flagged)


def handout_calendar(station: Station, first: dt.date, last: dt.date) -> list[tuple[str, str, list[tuple[dt.date, int]],
                                                                                 list[dt.date]]]:
    """Each collector's months from first to last: (name, village, [(month, kg)], missed months)."""
    months = rules.months_between(first, last)
    rows = []
    by_collector: dict[int, dict[dt.date, int]] = {}
    for collector_id, on, kg in Handout.objects.filter(collector__station=station, on__gte=months[0],
                                                       on__lte=last).values_list("collector_id", "on", "kg"):
        cell = by_collector.setdefault(collector_id, {})
        cell[on.replace(day=1)] = cell.get(on.replace(day=1), 0) + kg
    for collector in station.collectors.select_related("village").order_by("name"):
        given = by_collector.get(collector.pk, {})
        rows.append((collector.name, collector.village.name, [(m, given.get(m, 0)) for m in months],
                     rules.missed_months(given.keys(), first, last)))
    return rows
