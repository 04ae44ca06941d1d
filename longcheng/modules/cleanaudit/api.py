"""cleanaudit's API under /api/v1/cleanaudit/: parse, authorise, call an action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import pgettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, require_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.forms import refusal
from longcheng.kernel.orgs.models import Organisation

from . import access, actions, figures, rules
from .actions.common import must_be_party
from .downloads import benchmark_rows, report_response, stored_file
from .forms import ArtefactForm
from .models import AuditRound, Consultancy, ListTerm
from .spec import RESPOND, REVIEW, VIEW

router = Router(tags=["cleanaudit"])


class CleanauditRoundOut(Schema):
    id: int
    firm: str = Field(alias="firm.name")
    place: str = Field(alias="place.code")
    year: int
    trigger: str
    industry: str
    mode: str
    status: str
    grade: str
    review_due: dt.date | None = None
    registration_due: dt.date | None = None
    registered_on: dt.date | None = None


class CleanauditOptionOut(Schema):
    id: int
    title: str
    cost_class: str
    status: str
    investment_fen: int
    yearly_saving_fen: int
    measured_saving_fen: int | None = None
    life_years: int
    payback_years: Decimal | None
    npv_fen: int
    irr: Decimal | None


class CleanauditRoundDetail(Schema):
    id: int
    firm: str
    place: str
    year: int
    trigger: str
    industry: str
    mode: str
    status: str
    grade: str
    review_due: dt.date | None = None
    stages: list[dict[str, Any]]
    indicators: dict[str, dict[str, Decimal | None]]
    options: list[CleanauditOptionOut]


class RollupOut(Schema):
    rounds: int
    accepted: int
    overdue: int
    by_status: dict[str, int]
    savings_fen: int
    energy_saved_tce: Decimal
    water_saved_m3: Decimal
    intensity_before: dict[str, Decimal | None]
    intensity_after: dict[str, Decimal | None]


class ListIn(Schema):
    firm: int
    year: int
    listed_on: dt.date
    trigger: str
    industry: str
    mode: str
    consultancy: int | None = None


class ArtefactIn(Schema):
    kind: str
    title: str
    note: str = ""


class FiguresIn(Schema):
    period: str
    energy_tce: Decimal
    water_m3: Decimal
    materials_t: Decimal
    co2_t: Decimal
    value_added_fen: int
    output: Decimal
    output_unit: str = "t"


class OptionIn(Schema):
    title: str
    cost_class: str
    investment_fen: int
    yearly_saving_fen: int
    life_years: int = 1
    energy_saved_tce: Decimal = Decimal(0)
    water_saved_m3: Decimal = Decimal(0)


class ThreadIn(Schema):
    stage: str
    subject: str
    body: str
    artefact: int | None = None


class ReplyIn(Schema):
    body: str


class ReviewIn(Schema):
    kind: str
    scores: dict[str, int]
    vetoes: list[str] = []
    reasons: str = ""


def _detail(audit: AuditRound) -> dict[str, Any]:
    indicators = {}
    for row in audit.figures.all():
        indicators[row.period] = rules.intensities(
            {flow: getattr(row, name) for flow, name in figures.FLOW_FIELDS.items()}, output=row.output,
            value_added_fen=row.value_added_fen)
    options = [{**{k: getattr(o, k) for k in ("id", "title", "cost_class", "status", "investment_fen",
                                              "yearly_saving_fen", "measured_saving_fen", "life_years")},
                "payback_years": rules.payback_years(o.investment_fen, o.yearly_saving_fen),
                "npv_fen": rules.npv(o.investment_fen, o.yearly_saving_fen, o.life_years, figures.DISCOUNT_RATE),
                "irr": rules.irr(o.investment_fen, o.yearly_saving_fen, o.life_years)}
               for o in audit.options.order_by("pk")]
    stages = [{"stage": r.stage, "due_on": r.due_on, "closed_at": r.closed_at}
              for r in audit.stages.order_by("opened_at", "pk")]
    plain = {k: getattr(audit, k) for k in ("id", "year", "trigger", "industry", "mode", "status", "grade",
                                            "review_due")}
    return {**plain, "firm": audit.firm.name, "place": audit.place.code, "stages": stages, "indicators": indicators,
            "options": options}


@router.get("/rounds", response=list[CleanauditRoundOut])
def list_rounds(request: StaffRequest) -> Any:
    require_perm(request.user, VIEW)
    return list(access.rounds_for(request.user).order_by("-year", "pk")[:500])


@router.get("/mine", response=list[CleanauditRoundOut])
def my_rounds(request: StaffRequest) -> Any:
    require_perm(request.user, RESPOND)
    return list(access.party_rounds(request.user).order_by("-year", "pk")[:500])


@router.get("/rounds/{pk}", response=CleanauditRoundDetail)
def get_round(request: StaffRequest, pk: int) -> Any:
    if not (has_perm(request.user, VIEW) or has_perm(request.user, RESPOND)):
        raise PermissionDenied()
    return _detail(access.round_for(request.user, pk))


@router.get("/rollup", response=RollupOut)
def get_rollup(request: StaffRequest, year: int | None = None) -> Any:
    require_perm(request.user, VIEW)
    result = figures.rollup(request.user, year=year)
    return {"rounds": result.rounds, "accepted": result.accepted, "overdue": result.overdue,
            "by_status": result.by_status, "savings_fen": result.savings_fen,
            "energy_saved_tce": result.energy_saved_tce, "water_saved_m3": result.water_saved_m3,
            "intensity_before": result.before, "intensity_after": result.after}


@router.post("/rounds", response={201: CleanauditRoundOut})
def list_firm(request: StaffRequest, payload: ListIn) -> Any:
    require_perm(request.user, REVIEW)
    firm = restrict(Organisation.objects.filter(kind="enterprise"), request.user, REVIEW).filter(
        pk=payload.firm).first()
    if firm is None:
        raise NotFound(field="firm")
    consultancy = None
    if payload.consultancy is not None:
        consultancy = Consultancy.objects.filter(pk=payload.consultancy).first()
        if consultancy is None:
            raise NotFound(field="consultancy")
    return Status(201, actions.do_list_round(
        firm=firm, year=payload.year, listed_on=payload.listed_on, trigger=payload.trigger,
        industry=payload.industry, mode=payload.mode, consultancy=consultancy, acting_user=request.user))


@router.post("/rounds/{pk}/artefacts", response={201: dict[str, int]})
def add_artefact(request: StaffRequest, pk: int, payload: ArtefactIn) -> Any:
    require_perm(request.user, RESPOND)
    artefact = actions.do_add_artefact(pk, kind=payload.kind, title=payload.title, note=payload.note,
                                       acting_user=request.user)
    return Status(201, {"id": artefact.pk})


@router.post("/rounds/{pk}/figures", response=dict[str, int])
def set_figures(request: StaffRequest, pk: int, payload: FiguresIn) -> Any:
    require_perm(request.user, RESPOND)
    values = payload.dict(exclude={"period", "output_unit"})
    row = actions.do_set_figures(pk, period=payload.period, values=values, output_unit=payload.output_unit,
                                 acting_user=request.user)
    return {"id": row.pk}


@router.post("/rounds/{pk}/options", response={201: dict[str, int]})
def add_option(request: StaffRequest, pk: int, payload: OptionIn) -> Any:
    require_perm(request.user, RESPOND)
    option = actions.do_add_option(pk, acting_user=request.user, **payload.dict())
    return Status(201, {"id": option.pk})


@router.post("/rounds/{pk}/close-stage", response=CleanauditRoundOut)
def close_stage(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, RESPOND)
    return actions.do_close_stage(pk, acting_user=request.user)


@router.post("/rounds/{pk}/threads", response={201: dict[str, int]})
def open_thread(request: StaffRequest, pk: int, payload: ThreadIn) -> Any:
    if not (has_perm(request.user, VIEW) or has_perm(request.user, RESPOND)):
        raise PermissionDenied()
    thread = actions.do_open_thread(pk, stage=payload.stage, subject=payload.subject, body=payload.body,
                                    artefact_id=payload.artefact, acting_user=request.user)
    return Status(201, {"id": thread.pk})


@router.post("/threads/{pk}/replies", response={201: dict[str, int]})
def reply(request: StaffRequest, pk: int, payload: ReplyIn) -> Any:
    if not (has_perm(request.user, VIEW) or has_perm(request.user, RESPOND)):
        raise PermissionDenied()
    return Status(201, {"id": actions.do_reply(pk, body=payload.body, acting_user=request.user).pk})


@router.post("/rounds/{pk}/reviews", response={201: dict[str, Any]})
def review(request: StaffRequest, pk: int, payload: ReviewIn) -> Any:
    require_perm(request.user, REVIEW)
    done = actions.do_review(pk, kind=payload.kind, scores=payload.scores, vetoes=payload.vetoes,
                             reasons=payload.reasons, acting_user=request.user)
    return Status(201, {"id": done.pk, "passed": done.passed, "total": str(done.total)})


EITHER = (VIEW, RESPOND)


def _either(request: StaffRequest) -> None:
    if not any(has_perm(request.user, p) for p in EITHER):
        raise PermissionDenied()


class CleanauditArtefactOut(Schema):
    id: int
    stage: str
    kind: str
    title: str
    file_name: str


class CleanauditBenchmarkOut(Schema):
    id: int
    industry: str
    indicator: str
    version: int
    effective_from: dt.date
    level_1: Decimal
    level_2: Decimal
    level_3: Decimal
    restrictive: bool
    in_force: bool


class BenchmarkIn(Schema):
    industry: str
    indicator: str
    level_1: Decimal
    level_2: Decimal
    level_3: Decimal
    restrictive: bool = False
    effective_from: dt.date | None = None


class CleanauditTermOut(Schema):
    year: int | None = None  # None: the rule's defaults, for a year without its own
    register_months: int
    start_months: int
    assess_working_days: int
    accept_months: int


class TermIn(Schema):
    register_months: int
    start_months: int
    assess_working_days: int
    accept_months: int


@router.post("/rounds/{pk}/artefacts/upload", response={201: CleanauditArtefactOut})
def upload_artefact(request: StaffRequest, pk: int, kind: Form[str] = "", title: Form[str] = "",
                    note: Form[str] = "", file: File[UploadedFile | None] = None) -> Any:
    """A stage's document as a file (multipart: `kind`, `title`, `note`, `file`: PDF, JPEG or PNG, at most
    20 MB, checked by its content). The firm's side only; the caller's right to the round is checked before
    the parts (403/404 before a 400)."""
    require_perm(request.user, RESPOND)
    must_be_party(access.side_of(request.user, access.round_for(request.user, pk)) or "")
    form = ArtefactForm({"kind": kind, "title": title, "note": note},
                        MultiValueDict({"file": [file]} if file is not None else {}))
    if not form.is_valid():
        raise refusal(form)
    if form.cleaned_data.get("file") is None:
        raise KernelError(pgettext("cleanaudit", "Choose a file (PDF, JPEG or PNG)."), code="required", field="file")
    artefact = actions.do_add_artefact(pk, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                                       note=form.cleaned_data["note"], upload=form.cleaned_data["file"],
                                       acting_user=request.user)
    return Status(201, artefact)


@router.get("/artefacts/{pk}/file")
def artefact_file(request: StaffRequest, pk: int) -> Any:
    """A stage's document, to whoever sees the round (audited as a read); out of scope is the same 404."""
    _either(request)
    return stored_file(request.user, pk)


@router.get("/rounds/{pk}/report.pdf")
def report_pdf(request: StaffRequest, pk: int) -> HttpResponse:
    """The audit report outline as PDF (audited as a read)."""
    _either(request)
    return report_response(request.user, access.round_for(request.user, pk))


@router.post("/rounds/{pk}/registration", response=CleanauditRoundOut)
def register(request: StaffRequest, pk: int) -> Any:
    """The firm's side files the round's registration (备案) while 筹划与组织 is open."""
    require_perm(request.user, RESPOND)
    return actions.do_register(pk, acting_user=request.user)


@router.get("/benchmarks", response=list[CleanauditBenchmarkOut])
def list_benchmarks(request: StaffRequest, industry: str | None = None, on: dt.date | None = None) -> Any:
    """Every version of the industries' indicator levels; `in_force`: the one in force on `on` (today)."""
    require_perm(request.user, VIEW)
    return benchmark_rows(industry, on or timezone.localdate())


@router.post("/benchmarks", response={201: CleanauditBenchmarkOut})
def set_benchmark(request: StaffRequest, payload: BenchmarkIn) -> Any:
    require_perm(request.user, REVIEW)
    row = actions.do_set_benchmark(acting_user=request.user, **payload.dict())
    return Status(201, {**{k: getattr(row, k) for k in CleanauditBenchmarkOut.model_fields if k != "in_force"},
                        "in_force": row.effective_from <= timezone.localdate()})


@router.get("/terms", response=list[CleanauditTermOut])
def list_terms(request: StaffRequest) -> Any:
    """The rule's default deadlines (year null) and each year's own."""
    _either(request)
    default = {"year": None, **rules.TERM_DEFAULTS}
    return [default, *ListTerm.objects.order_by("-year")[:100]]


@router.put("/terms/{year}", response=CleanauditTermOut)
def set_term(request: StaffRequest, year: int, payload: TermIn) -> Any:
    require_perm(request.user, REVIEW)
    return actions.do_set_term(year=year, values=payload.dict(), acting_user=request.user)
