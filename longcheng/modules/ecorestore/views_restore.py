"""The case page's steps for restoration in kind and the effect assessment (added to
views.CASE_STEPS): parse the form's data, find the record in the case, call the action."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError, NotFound

from . import access, actions_restore, rules
from .models import Assessment, Case, Work
from .spec import MANAGE


def _work_of(case: Case, value: Any) -> Work:
    work = case.works.filter(pk=value).first()
    if work is None:
        raise NotFound(field="work")
    return work


def add_work(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    zone = access.zones_for(request.user, MANAGE).filter(pk=data["zone"]).first()
    if zone is None:
        raise KernelError(pgettext("ecorestore", "Choose a zone of the base in your scope."), field="zone")
    actions_restore.do_add_work(case, actions_restore.NewWork(
        kind=data["kind"], zone=zone, quantity=data["quantity"], fen_per_unit=data["fen_per_unit"],
        due_on=data["due_on"], tend_months=data["tend_months"] or 0), acting_user=request.user)


def deliver(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions_restore.do_record_delivery(_work_of(case, data["work"]), quantity=data["quantity"], on=data["on"],
                                       acting_user=request.user)


def work_breach(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions_restore.do_record_work_breach(_work_of(case, data["work"]), reason=data["reason"],
                                          acting_user=request.user)


def assess(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions_restore.do_record_assessment(case, actions_restore.NewAssessment(
        checked_on=data["checked_on"], assessor=data["assessor"], satisfactory=data["satisfactory"],
        survival_percent=data["survival_percent"], area_restored_m2=data["area_restored_m2"],
        notes=data["notes"]), acting_user=request.user)


def context(case: Case) -> dict[str, Any]:
    works = list(case.works.select_related("zone"))
    for work in works:
        work.tended_until = rules.tended_until(work.done_on, work.tend_months)  # type: ignore[attr-defined]
    return {"works": works, "assessment": Assessment.objects.filter(case=case).first()}
