"""Restoration in kind and its effect: trees planted and tended, fish released, an area restored
(`Work`), their deliveries, the breach of one, and the restoration-effect assessment. One transaction
with its audit row each, as in actions.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError, PermissionDenied

from . import rules
from .actions import money_owed
from .errors import ErrorCode
from .models import Assessment, Case, Delivery, ObligationState, Work, WorkKind, Zone
from .spec import MANAGE, SUPERVISE


def _require(user: User, permission: str, path: str, field: str | None = None) -> None:
    if not place_in_scope(user, permission, path):
        raise PermissionDenied(pgettext("ecorestore", "This is outside your scope."), field=field)


@dataclass(frozen=True)
class NewWork:
    kind: str
    zone: Zone
    quantity: int
    fen_per_unit: int
    due_on: dt.date
    tend_months: int = 0


def do_add_work(case: Case, new: NewWork, *, acting_user: User) -> Work:
    """Part of the amount restored in kind, valued at so much per unit (the restoration cost the
    assessment report gives), so that the offset and any reversion are exact."""
    _require(acting_user, MANAGE, case.place.path)
    _require(acting_user, MANAGE, new.zone.place.path, "zone")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        problem = rules.work_problem(kind=new.kind, quantity=new.quantity, fen_per_unit=new.fen_per_unit,
                                     tend_months=new.tend_months, convertible_fen=money_owed(case), stage=case.stage)
        if problem:
            field, message = problem
            raise KernelError(message, code=ErrorCode.NOT_ELIGIBLE, field=field)
        work = Work.objects.create(
            case=case, zone=new.zone, kind=new.kind, quantity_owed=new.quantity, fen_per_unit=new.fen_per_unit,
            amount_offset_fen=new.quantity * new.fen_per_unit, tend_months=new.tend_months, due_on=new.due_on)
        record(acting_user, "ecorestore.work.create", work, after={
            "case": case.number, "kind": new.kind, "quantity": new.quantity, "fen_per_unit": new.fen_per_unit,
            "tend_months": new.tend_months, "due_on": new.due_on.isoformat()})
    return work


def do_record_delivery(work: Work, *, quantity: int, on: dt.date, acting_user: User) -> Delivery:
    """Units delivered (trees planted, fish released, m² restored): by the procuratorate or the
    supervisor of the work's zone; never past what is owed."""
    if not (place_in_scope(acting_user, MANAGE, work.case.place.path)
            or place_in_scope(acting_user, SUPERVISE, work.zone.place.path)):
        raise PermissionDenied(pgettext("ecorestore", "This is outside your scope."))
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        problem = rules.delivery_problem(state=work.state, quantity=quantity, left=work.quantity_left)
        if problem:
            field, message = problem
            code = ErrorCode.OBLIGATION_CLOSED if field == "work" else ErrorCode.NOT_ELIGIBLE
            raise KernelError(message, code=code, field=field)
        delivery = Delivery.objects.create(work=work, quantity=quantity, on=on, recorded_by=acting_user)
        work.quantity_done += quantity
        if work.quantity_done == work.quantity_owed:
            work.state, work.done_on = ObligationState.COMPLETE, on
        work.save(update_fields=["quantity_done", "state", "done_on"])
        record(acting_user, "ecorestore.work.deliver", work, after={
            "quantity": quantity, "on": on.isoformat(), "quantity_done": work.quantity_done})
    return delivery


def breach_work(work: Work, *, reason: str, acting_user: User | None) -> Work:
    """The units not delivered revert to money, exactly; inside the caller's transaction."""
    work.reverted_fen = (work.quantity_owed - work.quantity_done) * work.fen_per_unit
    work.state = ObligationState.BREACHED
    work.save(update_fields=["reverted_fen", "state"])
    record(acting_user, "ecorestore.work.breach", work, reason=reason,
           after={"reverted_fen": work.reverted_fen, "quantity_done": work.quantity_done})
    return work


def do_record_work_breach(work: Work, *, reason: str, acting_user: User) -> Work:
    _require(acting_user, MANAGE, work.case.place.path)
    if len(reason.strip()) < 4:
        raise KernelError(pgettext("ecorestore", "Give the reason (at least 4 characters)."), field="reason")
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        if work.state != ObligationState.OPEN:
            raise KernelError(pgettext("ecorestore", "This obligation is closed."), code=ErrorCode.OBLIGATION_CLOSED,
                              field="work")
        return breach_work(work, reason=reason.strip(), acting_user=acting_user)


@dataclass(frozen=True)
class NewAssessment:
    checked_on: dt.date
    assessor: str
    satisfactory: bool
    survival_percent: int | None = None
    area_restored_m2: int | None = None
    notes: str = ""


def do_record_assessment(case: Case, new: NewAssessment, *, acting_user: User) -> Assessment:
    """The assessor's result once the certificate is issued: the survival rate of the trees planted
    at the check date and the area restored, each required when the case restored such things."""
    _require(acting_user, MANAGE, case.place.path)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        kinds = set(Work.objects.filter(case=case).values_list("kind", flat=True))
        problem = rules.assessment_problem(
            stage=case.stage, has_trees=WorkKind.TREES in kinds, has_area=WorkKind.AREA in kinds,
            survival_percent=new.survival_percent, area_m2=new.area_restored_m2, assessor=new.assessor)
        if problem is None and Assessment.objects.filter(case=case).exists():
            problem = "assessment", pgettext("ecorestore", "This case has its effect assessment.")
        if problem:
            field, message = problem
            raise KernelError(message, code=ErrorCode.ASSESSMENT_REFUSED, field=field)
        assessment = Assessment.objects.create(
            case=case, checked_on=new.checked_on, assessor=new.assessor.strip(),
            survival_percent=new.survival_percent, area_restored_m2=new.area_restored_m2,
            satisfactory=new.satisfactory, notes=new.notes.strip(), recorded_by=acting_user)
        record(acting_user, "ecorestore.assessment.record", assessment, after={
            "case": case.number, "checked_on": new.checked_on.isoformat(), "survival_percent": new.survival_percent,
            "area_restored_m2": new.area_restored_m2, "satisfactory": new.satisfactory})
    return assessment
