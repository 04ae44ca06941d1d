"""remediation's API under /api/v1/remediation/: parse, authorise, call an action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import pgettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, require_perm
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.forms import refusal
from longcheng.kernel.workdays.api import SHANGHAI

from . import access, actions, figures
from .forms import EvidenceForm
from .spec import CLOSE, DETERMINE, INSPECT, RESPOND, VIEW

router = Router(tags=["remediation"])


class RemediationCaseOut(Schema):
    id: int
    campaign: str
    status: str
    rebound: bool
    firm: str = Field(alias="firm.name")
    place: str = Field(alias="place.code")
    address: str = Field(alias="site.address")
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class RemediationInspectionIn(Schema):
    site: int
    campaign: str = Field(max_length=32)
    checklist: dict[str, bool] = {}
    scores: dict[str, int] = {}
    reasons: dict[str, str] = {}
    note: str = Field("", max_length=500)


class RemediationInspectionOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    scores: dict[str, int]


class RemediationMilestoneIn(Schema):
    title: str = Field(max_length=200)
    due_on: dt.date | None = None
    working_days: int | None = Field(None, ge=1, le=500)


class RemediationPlanIn(Schema):
    remedy: str = Field(max_length=16)
    lead_agency: str = Field(max_length=32)
    responsible: str = Field(max_length=50)
    area_mu: Decimal = Field(Decimal(0), ge=0, le=100_000, decimal_places=2)
    milestones: list[RemediationMilestoneIn] = Field([], max_length=20)
    # pollutant code -> [before_kg, after_kg]
    pollutants: dict[str, tuple[int, int]] = {}


class RemediationDetermineIn(Schema):
    target: bool
    note: str = Field("", max_length=500)


class RemediationNoteIn(Schema):
    note: str = Field("", max_length=500)


class RemediationReboundIn(Schema):
    found_running: bool
    note: str = Field("", max_length=500)


class RemediationStreetOut(Schema):
    place: str
    name: str
    closed: int
    open: int
    overdue: int
    warned: bool
    reasons: list[str]


class RemediationTotalsOut(Schema):
    as_of: dt.datetime
    closed: int
    open: int
    by_stage: dict[str, int]
    closed_by_remedy: dict[str, int]
    area_mu: Decimal
    cut_kg: dict[str, int]
    islands: int
    streets: list[RemediationStreetOut]


class RemediationIslandOut(Schema):
    id: int
    name: str
    kind: str
    place: str
    capacity: Decimal
    capacity_unit: str
    opened_on: dt.date
    members: int
    sent_last_12_months_t: Decimal


@router.get("/cases", response=list[RemediationCaseOut])
def list_cases(request: StaffRequest, campaign: str = "", status: str = "") -> Any:
    require_perm(request.user, VIEW)
    cases = access.cases_for(request.user)
    if campaign:
        cases = cases.filter(campaign=campaign)
    if status:
        cases = cases.filter(status=status)
    return list(cases.order_by("-opened_at", "-pk")[:500])


@router.get("/mine", response=list[RemediationCaseOut])
def my_cases(request: StaffRequest) -> Any:
    require_perm(request.user, RESPOND)
    return list(access.firm_cases(request.user).order_by("-opened_at", "-pk")[:500])


@router.get("/cases/{pk}", response=RemediationCaseOut)
def get_case(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, VIEW)
    return access.case_for(request.user, pk)


@router.post("/inspections", response={201: RemediationInspectionOut})
def record_inspection(request: StaffRequest, payload: RemediationInspectionIn) -> Any:
    require_perm(request.user, INSPECT)
    site = access.site_for(request.user, payload.site, INSPECT)
    return Status(201, actions.do_record_inspection(
        site=site, campaign_code=payload.campaign, checklist=payload.checklist, scores=payload.scores,
        reasons=payload.reasons, note=payload.note, acting_user=request.user))


@router.post("/cases/{pk}/determine", response=RemediationCaseOut)
def determine_case(request: StaffRequest, pk: int, payload: RemediationDetermineIn) -> Any:
    require_perm(request.user, DETERMINE)
    return actions.do_determine_case(pk, target=payload.target, note=payload.note, acting_user=request.user)


@router.post("/cases/{pk}/plan", response=RemediationCaseOut)
def set_plan(request: StaffRequest, pk: int, payload: RemediationPlanIn) -> Any:
    require_perm(request.user, DETERMINE)
    plan = actions.do_set_plan(
        pk, remedy=payload.remedy, lead_agency=payload.lead_agency, responsible=payload.responsible,
        area_mu=payload.area_mu, pollutants=dict(payload.pollutants), acting_user=request.user,
        milestones=[actions.MilestoneIn(m.title, m.due_on, m.working_days) for m in payload.milestones])
    return access.case_for(request.user, plan.case_id)


@router.post("/cases/{pk}/accept", response=RemediationCaseOut)
def accept_case(request: StaffRequest, pk: int, payload: RemediationNoteIn) -> Any:
    require_perm(request.user, DETERMINE)
    return actions.do_accept_case(pk, note=payload.note, acting_user=request.user)


@router.post("/cases/{pk}/close", response=RemediationCaseOut)
def close_case(request: StaffRequest, pk: int, payload: RemediationNoteIn) -> Any:
    require_perm(request.user, CLOSE)
    return actions.do_close_case(pk, note=payload.note, acting_user=request.user)


@router.post("/rebound-checks/{pk}", response=RemediationCaseOut)
def record_rebound_check(request: StaffRequest, pk: int, payload: RemediationReboundIn) -> Any:
    require_perm(request.user, INSPECT)
    check = actions.do_record_rebound_check(pk, found_running=payload.found_running, note=payload.note,
                                            acting_user=request.user)
    return access.case_for(request.user, check.case_id, INSPECT)


class RemediationMilestoneOut(Schema):
    id: int
    case: int
    title: str
    due_on: dt.date


class RemediationEvidenceOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    kind: str
    name: str
    size: int
    uploaded_at: dt.datetime


@router.post("/cases/{pk}/milestones", response={201: RemediationMilestoneOut})
def add_milestone(request: StaffRequest, pk: int, payload: RemediationMilestoneIn) -> Any:
    """Add a milestone to an open case's plan (the bureau): a date, or working days from today."""
    require_perm(request.user, DETERMINE)
    milestone = actions.do_add_milestone(pk, actions.MilestoneIn(payload.title, payload.due_on, payload.working_days),
                                         acting_user=request.user)
    return Status(201, {"id": milestone.pk, "case": pk, "title": milestone.title, "due_on": milestone.due_on})


@router.post("/cases/{pk}/evidence", response={201: RemediationEvidenceOut})
def add_evidence(request: StaffRequest, pk: int, kind: Form[str] = "",
                 file: File[UploadedFile | None] = None) -> Any:
    """Upload evidence to a case: a multipart form with `kind` (what the file proves) and `file` (PDF,
    JPEG or PNG, checked by its content, at most 10 MB), from staff who inspect or determine at the
    case's place or the firm's own staff. The page's evidence form checks the parts, then the same action."""
    if not any(has_perm(request.user, p) for p in (INSPECT, DETERMINE, RESPOND)):
        raise PermissionDenied()
    # Both parts are optional to the schema so that the caller's right to the case is checked first
    # (403/404 before a 400 about the parts).
    access.case_for_upload(request.user, pk)
    form = EvidenceForm({"kind": kind}, MultiValueDict({"file": [file]} if file is not None else {}))
    if not form.is_valid():
        raise refusal(form)
    evidence = actions.do_add_evidence(pk, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                                       acting_user=request.user)
    return Status(201, evidence)


@router.post("/milestones/{pk}/done", response=RemediationCaseOut)
def complete_milestone(request: StaffRequest, pk: int) -> Any:
    """Mark a milestone of an open case's plan done (the bureau; the street's patrol where the street leads)."""
    milestone = actions.do_complete_milestone(pk, acting_user=request.user)
    return access.case_for(request.user, milestone.plan.case_id)


@router.get("/totals", response=RemediationTotalsOut)
def get_totals(request: StaffRequest, as_of: dt.date | None = None, campaign: str = "") -> Any:
    """Totals at the end of `as_of` (Shanghai time; today by default), computed from the records."""
    require_perm(request.user, VIEW)
    moment = None
    if as_of is not None:
        if not dt.date(2000, 1, 1) <= as_of <= dt.date(2100, 1, 1):
            raise KernelError(pgettext("remediation", "A date from 2000 to 2100."), code="invalid_date", field="as_of")
        moment = dt.datetime.combine(as_of, dt.time.max, tzinfo=SHANGHAI)
    result = figures.totals(request.user, moment, campaign=campaign or None)
    return {"as_of": result.as_of, "closed": result.closed, "open": result.open, "by_stage": result.by_stage,
            "closed_by_remedy": result.closed_by_remedy, "area_mu": result.mu, "cut_kg": result.cut_kg,
            "islands": result.islands,
            "streets": [{"place": r.place.code, "name": r.place.name, "closed": r.closed, "open": r.open,
                         "overdue": r.overdue, "warned": r.warned, "reasons": r.reasons} for r in result.streets]}


@router.get("/islands", response=list[RemediationIslandOut])
def list_islands(request: StaffRequest) -> Any:
    """The green islands in the caller's scope, with current members and the last twelve months' volume."""
    require_perm(request.user, VIEW)
    return [{"id": r["island"].pk, "name": r["island"].name, "kind": r["island"].kind,
             "place": r["island"].place.code, "capacity": r["island"].capacity,
             "capacity_unit": r["island"].capacity_unit, "opened_on": r["island"].opened_on,
             "members": r["members"], "sent_last_12_months_t": r["sent_t"]} for r in figures.island_rows(request.user)]
