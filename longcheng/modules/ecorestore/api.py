"""ecorestore's API under /api/v1/ecorestore/: parse, authorise, call an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import NotFound, PermissionDenied
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN
from longcheng.kernel.places.models import Place

from . import access, actions, actions_restore
from .models import Case
from .spec import COURT, MANAGE, SUPERVISE, VIEW

router = Router(tags=["ecorestore"])


def _require_cases(user: Any) -> None:
    if not (has_perm(user, VIEW) or has_perm(user, COURT)):
        raise PermissionDenied()


class EcorestoreCaseOut(Schema):
    id: int
    number: str
    title: str
    source: str
    source_organ: str
    stage: str
    stage_due: dt.date | None
    decided_on: dt.date | None
    place: str
    party_name: str
    damage_fen: int
    money_owed_fen: int


class EcorestoreCaseIn(Schema):
    number: str = Field(max_length=40)
    title: str = Field(max_length=200)
    source: str = Field(max_length=16)
    source_organ: str = Field(max_length=100)
    legal_basis: str = Field(max_length=300)
    place: str = Field(max_length=32)
    party_name: str = Field(max_length=100)
    party_kind: str = Field(max_length=8)
    opened_on: dt.date
    decided_on: dt.date | None = None
    heads: dict[str, int] = Field(description="amount in fen by head of compensation")


class EcorestoreQuoteQuery(Schema):
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN)


class EcorestoreQuoteOut(Schema):
    amount_fen: int
    rate_from: dt.date | None
    fen_per_hour: int | None
    hours: int
    amount_offset_fen: int
    remainder_fen: int


class EcorestoreCheckIn(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class EcorestoreShiftOut(Schema):
    id: int
    zone: str = Field(alias="zone.name")
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str
    hours_credited: int


def _out(case: Case) -> dict[str, Any]:
    return {**{k: getattr(case, k) for k in ("id", "number", "title", "source", "source_organ", "stage",
                                             "stage_due", "decided_on", "party_name")},
            "place": case.place.code, "damage_fen": case.damage_fen, "money_owed_fen": actions.money_owed(case)}


@router.get("/cases", response=list[EcorestoreCaseOut])
def list_cases(request: StaffRequest) -> Any:
    _require_cases(request.user)
    cases = access.cases_for(request.user).select_related("place").prefetch_related("heads", "obligations")[:500]
    return [EcorestoreCaseOut.model_validate(_out(c)) for c in cases]


@router.get("/cases/{pk}", response=EcorestoreCaseOut)
def get_case(request: StaffRequest, pk: int) -> Any:
    _require_cases(request.user)
    return EcorestoreCaseOut.model_validate(_out(access.case_for(request.user, pk)))


@router.post("/cases", response={201: EcorestoreCaseOut})
def open_case(request: StaffRequest, payload: EcorestoreCaseIn) -> Any:
    if not (has_perm(request.user, MANAGE) or has_perm(request.user, COURT)):
        raise PermissionDenied()
    place = Place.objects.filter(code=payload.place).first()
    if place is None:
        raise NotFound(field="place")
    case = actions.do_open_case(actions.NewCase(
        number=payload.number, title=payload.title, source=payload.source, source_organ=payload.source_organ,
        legal_basis=payload.legal_basis, place=place, party_name=payload.party_name, party_kind=payload.party_kind,
        opened_on=payload.opened_on, decided_on=payload.decided_on, heads=payload.heads), acting_user=request.user)
    return Status(201, EcorestoreCaseOut.model_validate(_out(case)))


@router.get("/cases/{pk}/quote", response=EcorestoreQuoteOut)
def quote(request: StaffRequest, pk: int, query: Query[EcorestoreQuoteQuery]) -> Any:
    """The conversion calculator: the amount in hours at the rate in force on the decision date."""
    _require_cases(request.user)
    case = access.case_for(request.user, pk)
    amount_fen = query.amount_fen
    rate, conversion = actions.quote(case, amount_fen)
    return {"amount_fen": amount_fen, "rate_from": rate.valid_from if rate else None,
            "fen_per_hour": rate.fen_per_hour if rate else None, "hours": conversion.hours if conversion else 0,
            "amount_offset_fen": conversion.amount_offset_fen if conversion else 0,
            "remainder_fen": conversion.remainder_fen if conversion else amount_fen}


@router.get("/shifts", response=list[EcorestoreShiftOut])
def list_shifts(request: StaffRequest) -> Any:
    if not has_perm(request.user, SUPERVISE):
        raise PermissionDenied()
    return list(access.shifts_for(request.user).order_by("-starts_at", "-pk")[:500])


@router.post("/shifts/{pk}/check-in", response=EcorestoreShiftOut)
def check_in(request: StaffRequest, pk: int, payload: EcorestoreCheckIn) -> Any:
    if not has_perm(request.user, SUPERVISE):
        raise PermissionDenied()
    shift = access.shift_for(request.user, pk)
    return actions.do_check_in_shift(shift, lat=payload.lat, lon=payload.lon, acting_user=request.user)



class EcorestoreWorkOut(Schema):
    id: int
    kind: str
    zone: str = Field(alias="zone.name")
    quantity_owed: int
    quantity_done: int
    fen_per_unit: int
    amount_offset_fen: int
    reverted_fen: int
    tend_months: int
    due_on: dt.date
    state: str


class EcorestoreDeliveryIn(Schema):
    quantity: int = Field(gt=0, le=10_000_000)
    on: dt.date


@router.get("/cases/{pk}/works", response=list[EcorestoreWorkOut])
def list_works(request: StaffRequest, pk: int) -> Any:
    """The case's restoration in kind: trees, fish, area, with what is delivered."""
    _require_cases(request.user)
    return list(access.case_for(request.user, pk).works.select_related("zone").order_by("pk"))


@router.post("/works/{pk}/deliveries", response={201: EcorestoreWorkOut})
def deliver(request: StaffRequest, pk: int, payload: EcorestoreDeliveryIn) -> Any:
    """Units delivered, by the procuratorate or the supervisor of the work's zone."""
    work = access.work_for(request.user, pk)
    actions_restore.do_record_delivery(work, quantity=payload.quantity, on=payload.on, acting_user=request.user)
    work.refresh_from_db()
    return Status(201, work)
