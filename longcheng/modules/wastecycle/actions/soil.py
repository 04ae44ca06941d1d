"""Perishables into soil: a batch with its input tickets, steps and temperatures; done only with its
temperature record; its lot tested against NY/T 525 and released only after a passing test; soil
handed out to the farmers and villages from released lots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError
from longcheng.kernel.places.models import Place

from .. import rules
from ..access import require_place
from ..conf import conf
from ..errors import ErrorCode
from ..models import (
    Batch,
    BatchStep,
    Collector,
    Handout,
    Lot,
    LotState,
    LotTest,
    Station,
    Step,
    Stream,
    Ticket,
)
from ..spec import OPERATE

PERISHABLE = (Stream.KITCHEN, Stream.MARKET)


def _operate(user: User, path: str, field: str) -> None:
    require_perm(user, OPERATE)
    require_place(user, OPERATE, path, field)


def do_open_batch(station: Station, *, code: str, started_at: dt.datetime, tickets: list[Ticket],
                  acting_user: User) -> Batch:
    """A batch fed by perishables tickets of its station; its input is their net mass."""
    _operate(acting_user, station.place.path, "station")
    code = code.strip()
    if not code or len(code) > 30:
        raise KernelError(pgettext("wastecycle", "A code of 1 to 30 characters is required."), field="code")
    if not tickets:
        raise KernelError(pgettext("wastecycle", "Choose the tickets fed into the batch."), field="tickets")
    for ticket in tickets:
        if ticket.station_id != station.pk or ticket.stream not in PERISHABLE or ticket.reverses_id is not None:
            raise KernelError(pgettext("wastecycle", "Only this station's perishables tickets feed a batch."),
                              code=ErrorCode.TICKET_NOT_KITCHEN, field="tickets")
    duplicate = Conflict(pgettext("wastecycle", "This station already has a batch of this code."),
                         code=ErrorCode.DUPLICATE_BATCH, field="code")
    try:
        with transaction.atomic():
            batch = Batch.objects.create(station=station, code=code, started_at=started_at,
                                         input_kg=sum(t.net_kg for t in tickets))
            batch.tickets.set(tickets)
            record(acting_user, "wastecycle.batch.open", batch,
                   after={"code": code, "input_kg": batch.input_kg, "tickets": sorted(t.key for t in tickets)})
    except IntegrityError as exc:
        raise duplicate from exc
    return batch


def _open(batch: Batch) -> None:
    if batch.done_at is not None:
        raise Conflict(pgettext("wastecycle", "The batch is done."), code=ErrorCode.BATCH_DONE, field="batch")


def do_record_step(batch: Batch, *, step: str, at: dt.datetime, acting_user: User) -> BatchStep:
    _operate(acting_user, batch.station.place.path, "batch")
    if step not in Step.values:
        raise KernelError(pgettext("wastecycle", "Choose a step."), field="step")
    _open(batch)
    with transaction.atomic():
        row = BatchStep.objects.create(batch=batch, step=step, at=at)
        record(acting_user, "wastecycle.batch.step", batch, after={"step": step, "at": at})
    return row


def do_record_temperatures(batch: Batch, readings: list[tuple[dt.datetime, Decimal]], *,
                           acting_user: User) -> int:
    """Readings of the fermenting mass (a probe's upload or typed); a reading already kept for the same
    time is skipped. Returns how many were new."""
    _operate(acting_user, batch.station.place.path, "batch")
    _open(batch)
    if not readings or len(readings) > 5000:
        raise KernelError(pgettext("wastecycle", "Between 1 and 5,000 readings."), field="readings")
    rows = []
    for at, celsius in readings:
        if not Decimal("-20") <= celsius <= Decimal("99"):
            raise KernelError(pgettext("wastecycle", "A reading between −20 and 99 °C."), field="readings")
        rows.append((at, int(celsius * 10)))
    with transaction.atomic():
        known = set(batch.temperatures.filter(at__in=[at for at, _ in rows]).values_list("at", flat=True))
        new = {at: tenths for at, tenths in rows if at not in known}
        batch.temperatures.model.objects.bulk_create(
            [batch.temperatures.model(batch=batch, at=at, celsius_tenths=t) for at, t in new.items()])
        record(acting_user, "wastecycle.batch.temperatures", batch, after={"readings": len(new)})
    return len(new)


def temperature_ok(batch: Batch) -> bool:
    readings = list(batch.temperatures.values_list("at", "celsius_tenths"))
    return rules.hot_enough(readings, min_tenths=conf("WASTECYCLE_MIN_TENTHS"), min_days=conf("WASTECYCLE_MIN_DAYS"),
                            max_gap=dt.timedelta(hours=conf("WASTECYCLE_MAX_GAP_HOURS")))


def do_finish_batch(batch: Batch, *, output_kg: int, residue_kg: int, moisture_pct: Decimal | None,
                    done_at: dt.datetime, acting_user: User) -> Lot:
    """A batch is done only when its temperatures show the configured heat for the configured days;
    its soil becomes a lot held for testing."""
    _operate(acting_user, batch.station.place.path, "batch")
    if not 0 < output_kg <= max(batch.input_kg, 1):
        raise KernelError(pgettext("wastecycle", "The soil weighs more than nothing and no more than the input."),
                          field="output_kg")
    if not 0 <= residue_kg <= batch.input_kg - output_kg:
        raise KernelError(pgettext("wastecycle", "The residue cannot exceed what the soil leaves of the input."),
                          field="residue_kg")
    with transaction.atomic():
        batch = Batch.objects.select_for_update().select_related("station__place").get(pk=batch.pk)
        _open(batch)
        if not temperature_ok(batch):
            raise KernelError(
                pgettext("wastecycle", "The temperature record does not show %(c)s °C for %(d)s days.")
                % {"c": conf("WASTECYCLE_MIN_TENTHS") / 10, "d": conf("WASTECYCLE_MIN_DAYS")},
                code=ErrorCode.BATCH_NOT_HOT_ENOUGH, field="temperatures")
        batch.output_kg, batch.residue_kg, batch.moisture_pct, batch.done_at = (
            output_kg, residue_kg, moisture_pct, done_at)
        batch.save(update_fields=["output_kg", "residue_kg", "moisture_pct", "done_at"])
        lot = Lot.objects.create(batch=batch, code=f"{batch.code}-L", mass_kg=output_kg)
        record(acting_user, "wastecycle.batch.finish", batch,
               after={"output_kg": output_kg, "residue_kg": residue_kg, "lot": lot.code})
    return lot


def do_test_lot(lot: Lot, *, tested_on: dt.date, values: dict[str, str], acting_user: User) -> LotTest:
    """A laboratory result; a failing one fails the lot for good (a failed lot is never handed out)."""
    _operate(acting_user, lot.batch.station.place.path, "lot")
    if lot.state == LotState.RELEASED:
        raise Conflict(pgettext("wastecycle", "The lot is already released."), code=ErrorCode.LOT_EXISTS, field="lot")
    for measure in rules.NYT525:
        if rules.parse_measure(values.get(measure, "")) is None:
            raise KernelError(pgettext("wastecycle", "A number is required."), field=measure)
    failures = rules.lot_failures(values)
    with transaction.atomic():
        test = LotTest.objects.create(lot=lot, tested_on=tested_on, passed=not failures, failures=failures,
                                      values={m: str(values[m]).strip() for m in rules.NYT525},
                                      edition=rules.NYT525_EDITION)
        if failures:
            Lot.objects.filter(pk=lot.pk).update(state=LotState.FAILED)
            lot.state = LotState.FAILED
        record(acting_user, "wastecycle.lot.test", lot, after={"passed": not failures, "failures": failures,
                                                               "edition": rules.NYT525_EDITION})
    return test


def do_release_lot(lot: Lot, *, acting_user: User) -> Lot:
    _operate(acting_user, lot.batch.station.place.path, "lot")
    with transaction.atomic():
        lot = Lot.objects.select_for_update().select_related("batch__station__place").get(pk=lot.pk)
        if lot.state != LotState.HELD:
            raise Conflict(pgettext("wastecycle", "Only a lot held for testing is released."),
                           code=ErrorCode.LOT_FAILED, field="lot")
        latest = lot.tests.order_by("-tested_on", "-pk").first()
        if latest is None:
            raise Conflict(pgettext("wastecycle", "The lot has no test result."), code=ErrorCode.LOT_NOT_TESTED,
                           field="lot")
        if not latest.passed:
            raise Conflict(pgettext("wastecycle", "The lot failed its test."), code=ErrorCode.LOT_FAILED, field="lot")
        lot.state, lot.released_at = LotState.RELEASED, timezone.now()
        lot.save(update_fields=["state", "released_at"])
        record(acting_user, "wastecycle.lot.release", lot, after={"state": lot.state})
    return lot


def do_add_collector(station: Station, *, name: str, village: Place, acting_user: User,
                     person: Any = None) -> Collector:
    """A farmer (`person`: the resident, for their data-subject rights) or a village's gardens."""
    _operate(acting_user, station.place.path, "station")
    name = name.strip()
    if not name or len(name) > 100:
        raise KernelError(pgettext("wastecycle", "A name of 1 to 100 characters is required."), field="name")
    duplicate = Conflict(pgettext("wastecycle", "This station already has a collector of this name."),
                         code=ErrorCode.DUPLICATE_COLLECTOR, field="name")
    try:
        with transaction.atomic():
            row = Collector.objects.create(station=station, name=name, village=village, person=person)
            record(acting_user, "wastecycle.collector.add", row, after={"name": name, "village": village.name})
    except IntegrityError as exc:
        raise duplicate from exc
    return row


def do_record_handout(collector: Collector, *, lot: Lot, on: dt.date, kg: int, acting_user: User) -> Handout:
    """A collection of soil from a released lot of the collector's station, within what the lot has left."""
    _operate(acting_user, collector.station.place.path, "collector")
    if not 0 < kg <= 100_000:
        raise KernelError(pgettext("wastecycle", "Between 1 and 100,000 kg."), field="kg")
    with transaction.atomic():
        lot = Lot.objects.select_for_update().select_related("batch").get(pk=lot.pk)
        if lot.batch.station_id != collector.station_id:
            raise KernelError(pgettext("wastecycle", "Choose a lot of this station."), field="lot")
        if lot.state != LotState.RELEASED:
            raise Conflict(pgettext("wastecycle", "Only a released lot is handed out."),
                           code=ErrorCode.LOT_NOT_RELEASED, field="lot")
        given = lot.handouts.aggregate(kg=Sum("kg"))["kg"] or 0
        if given + kg > lot.mass_kg:
            raise Conflict(pgettext("wastecycle", "The lot has only %(kg)s kg left.") % {"kg": lot.mass_kg - given},
                           code=ErrorCode.LOT_EXHAUSTED, field="kg")
        row = Handout.objects.create(collector=collector, lot=lot, on=on, kg=kg)
        record(acting_user, "wastecycle.handout.record", row,
               after={"collector": collector.name, "lot": lot.code, "on": on, "kg": kg})
    return row
