"""cleanaudit's API under /api/v1/cleanaudit/: parse, authorise, call an action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema, Status

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, require_perm, restrict
from longcheng.kernel.errors import NotFound, PermissionDenied
from longcheng.kernel.orgs.models import Organisation

from . import access, actions, figures, rules
from .models import AuditRound, Consultancy
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
