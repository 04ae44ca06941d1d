"""The station's weighbridge and other waste: tickets (written once, corrected by a reversing ticket),
shipments to the power plant with the plant's received weight, month-end stock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError

from .. import rules
from ..access import require_place
from ..conf import conf
from ..errors import ErrorCode
from ..models import CompactionRun, Shipment, Station, StockCount, Stream, Ticket
from ..spec import OPERATE

PHOTO_LIMIT = 5 * 1024 * 1024


@dataclass(frozen=True)
class NewTicket:
    key: str
    vehicle: str
    source_name: str
    stream: str
    gross_kg: int
    tare_kg: int
    gross_at: dt.datetime
    tare_at: dt.datetime


def _same(ticket: Ticket, new: NewTicket) -> bool:
    return (ticket.vehicle, ticket.source_name, ticket.stream, ticket.gross_kg, ticket.tare_kg, ticket.gross_at,
            ticket.tare_at) == (new.vehicle, new.source_name, new.stream, new.gross_kg, new.tare_kg, new.gross_at,
                                new.tare_at)


def _check_ticket(new: NewTicket, photo: UploadedFile | None) -> None:
    key = new.key.strip()
    if not key or len(key) > 64:
        raise KernelError(pgettext("wastecycle", "A key of 1 to 64 characters is required."), field="key")
    if not new.vehicle.strip() or len(new.vehicle) > 20:
        raise KernelError(pgettext("wastecycle", "A plate of 1 to 20 characters is required."), field="vehicle")
    if not new.source_name.strip() or len(new.source_name) > 100:
        raise KernelError(pgettext("wastecycle", "Name the community or market."), field="source_name")
    if new.stream not in Stream.values:
        raise KernelError(pgettext("wastecycle", "Choose a stream."), field="stream")
    problem = rules.net_problem(new.gross_kg, new.tare_kg, new.gross_at, new.tare_at)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.BAD_WEIGHTS, field=problem[0])
    if photo is not None and photo.size and photo.size > PHOTO_LIMIT:
        raise KernelError(pgettext("wastecycle", "A photo is at most 5 MB."), field="photo")


def do_record_ticket(station: Station, new: NewTicket, *, acting_user: User,
                     photo: UploadedFile | None = None) -> tuple[Ticket, bool]:
    """A weighbridge ticket, written once: (ticket, created). The same key with the same weighing
    returns the ticket written before; with anything else it is refused (a key is never reused)."""
    require_perm(acting_user, OPERATE)
    require_place(acting_user, OPERATE, station.place.path, "station")
    _check_ticket(new, photo)
    reused = Conflict(pgettext("wastecycle", "This key belongs to another ticket."),
                      code=ErrorCode.TICKET_KEY_REUSED, field="key")
    existing = Ticket.objects.filter(station=station, key=new.key.strip()).first()
    if existing is not None:
        if _same(existing, new):
            return existing, False
        raise reused
    try:
        with transaction.atomic():
            ticket = Ticket(station=station, key=new.key.strip(), vehicle=new.vehicle.strip(),
                            source_name=new.source_name.strip(), stream=new.stream, gross_kg=new.gross_kg,
                            tare_kg=new.tare_kg, net_kg=new.gross_kg - new.tare_kg, gross_at=new.gross_at,
                            tare_at=new.tare_at, recorded_by=acting_user)
            if photo is not None:
                ticket.photo.save(photo.name or "photo.jpg", photo, save=False)
            ticket.save()
            record(acting_user, "wastecycle.ticket.record", ticket, after={
                "key": ticket.key, "vehicle": ticket.vehicle, "stream": ticket.stream, "net_kg": ticket.net_kg})
    except IntegrityError as exc:
        raise reused from exc
    return ticket, True


def do_reverse_ticket(ticket: Ticket, *, reason: str, acting_user: User) -> Ticket:
    """Correct a ticket: a new ticket with the weights negated that points at it; the original stays."""
    require_perm(acting_user, OPERATE)
    require_place(acting_user, OPERATE, ticket.station.place.path, "ticket")
    reason = reason.strip()
    if len(reason) < 4 or len(reason) > 200:
        raise KernelError(pgettext("wastecycle", "Give a reason of 4 to 200 characters."), field="reason")
    if ticket.reverses_id is not None:
        raise Conflict(pgettext("wastecycle", "A reversing ticket is not reversed again; write a new ticket."),
                       code=ErrorCode.NOT_REVERSIBLE, field="ticket")
    done = Conflict(pgettext("wastecycle", "This ticket is already reversed."), code=ErrorCode.ALREADY_REVERSED,
                    field="ticket")
    try:
        with transaction.atomic():
            if Ticket.objects.filter(reverses=ticket).exists():
                raise done
            now = timezone.now()
            reversal = Ticket.objects.create(
                station=ticket.station, key=f"{ticket.key}:reversal"[:64], vehicle=ticket.vehicle,
                source_name=ticket.source_name, stream=ticket.stream, gross_kg=-ticket.gross_kg,
                tare_kg=-ticket.tare_kg, net_kg=-ticket.net_kg, gross_at=ticket.gross_at, tare_at=ticket.tare_at,
                reverses=ticket, reason=reason, recorded_by=acting_user)
            record(acting_user, "wastecycle.ticket.reverse", ticket, reason=reason,
                   before={"net_kg": ticket.net_kg}, after={"key": reversal.key, "net_kg": reversal.net_kg,
                                                            "recorded_at": now})
    except IntegrityError as exc:
        raise done from exc
    return reversal


def do_record_compaction(station: Station, *, at: dt.datetime, blocks: int, kg: int,
                         acting_user: User) -> CompactionRun:
    """A run of the compactor: how many blocks of other waste it pressed, and their mass."""
    require_perm(acting_user, OPERATE)
    require_place(acting_user, OPERATE, station.place.path, "station")
    if not 0 < blocks <= 50:
        raise KernelError(pgettext("wastecycle", "Between 1 and 50 blocks."), field="blocks")
    if not 0 < kg <= 100_000:
        raise KernelError(pgettext("wastecycle", "Between 1 and 100,000 kg."), field="kg")
    with transaction.atomic():
        row = CompactionRun.objects.create(station=station, at=at, blocks=blocks, kg=kg, recorded_by=acting_user)
        record(acting_user, "wastecycle.compaction.record", row, after={"at": at, "blocks": blocks, "kg": kg})
    return row


def _load_runs(station: Station, shipment: Shipment, run_ids: list[int], blocks: int) -> list[int]:
    """The compaction runs loaded onto the shipment: of this station, not shipped before, their blocks the
    shipment's; locked, so two shipments cannot take the same run."""
    runs = list(CompactionRun.objects.select_for_update().filter(station=station, pk__in=run_ids).order_by("pk"))
    if len(runs) != len(set(run_ids)):
        raise KernelError(pgettext("wastecycle", "Choose compaction runs of this station."), field="runs")
    if any(run.shipment_id is not None for run in runs):
        raise Conflict(pgettext("wastecycle", "A compaction run chosen is already shipped."),
                       code=ErrorCode.RUN_SHIPPED, field="runs")
    if sum(run.blocks for run in runs) != blocks:
        raise KernelError(pgettext("wastecycle", "The blocks are not those of the runs chosen (%(n)d).")
                          % {"n": sum(run.blocks for run in runs)}, field="blocks")
    CompactionRun.objects.filter(pk__in=[run.pk for run in runs]).update(shipment=shipment)
    return [run.pk for run in runs]


def do_record_shipment(station: Station, *, shipped_at: dt.datetime, vehicle: str, blocks: int, shipped_kg: int,
                       acting_user: User, runs: list[int] | None = None) -> Shipment:
    """Blocks shipped to the plant; with `runs`, the compaction runs they came from (their blocks must add
    up to the shipment's)."""
    require_perm(acting_user, OPERATE)
    require_place(acting_user, OPERATE, station.place.path, "station")
    if not vehicle.strip() or len(vehicle) > 20:
        raise KernelError(pgettext("wastecycle", "A plate of 1 to 20 characters is required."), field="vehicle")
    if not 0 < blocks <= 50:
        raise KernelError(pgettext("wastecycle", "Between 1 and 50 blocks."), field="blocks")
    if not 0 < shipped_kg <= 100_000:
        raise KernelError(pgettext("wastecycle", "Between 1 and 100,000 kg."), field="shipped_kg")
    with transaction.atomic():
        row = Shipment.objects.create(station=station, shipped_at=shipped_at, vehicle=vehicle.strip(), blocks=blocks,
                                      shipped_kg=shipped_kg)
        loaded = _load_runs(station, row, runs, blocks) if runs else []
        record(acting_user, "wastecycle.shipment.record", row,
               after={"vehicle": row.vehicle, "blocks": blocks, "shipped_kg": shipped_kg, "runs": loaded})
    return row


def do_receive_shipment(shipment: Shipment, *, received_kg: int, acting_user: User) -> tuple[Shipment, bool]:
    """The plant's weighbridge figure: (shipment, flagged when the gap is beyond the tolerance)."""
    require_perm(acting_user, OPERATE)
    require_place(acting_user, OPERATE, shipment.station.place.path, "shipment")
    if not 0 < received_kg <= 100_000:
        raise KernelError(pgettext("wastecycle", "Between 1 and 100,000 kg."), field="received_kg")
    with transaction.atomic():
        row = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if row.received_kg is not None:
            raise Conflict(pgettext("wastecycle", "The plant's weight is already recorded."),
                           code=ErrorCode.ALREADY_RECEIVED, field="received_kg")
        row.received_kg = received_kg
        row.save(update_fields=["received_kg"])
        flagged = rules.ship_gap_flagged(row.shipped_kg, received_kg, conf("WASTECYCLE_SHIP_TOLERANCE_PERMILLE"))
        record(acting_user, "wastecycle.shipment.receive", row, after={"received_kg": received_kg, "flagged": flagged})
    return row, flagged


def do_record_stock(station: Station, *, month: dt.date, kg: int, acting_user: User) -> StockCount:
    require_perm(acting_user, OPERATE)
    require_place(acting_user, OPERATE, station.place.path, "station")
    if not 0 <= kg <= 10_000_000:
        raise KernelError(pgettext("wastecycle", "Between 0 and 10,000,000 kg."), field="kg")
    month = month.replace(day=1)
    with transaction.atomic():
        row = StockCount.objects.select_for_update().filter(station=station, month=month).first()
        before: dict[str, Any] | None = {"kg": row.kg} if row else None
        if row is None:
            row = StockCount.objects.create(station=station, month=month, kg=kg)
        else:
            row.kg = kg
            row.save(update_fields=["kg"])
        record(acting_user, "wastecycle.stock.record", row, before=before, after={"month": month, "kg": kg})
    return row
