"""wastecycle's API under /api/v1/wastecycle/: parse, authorise, call an action. A class's scale posts
its weighings here (the class chosen on the scale); the weighbridge posts its tickets as multipart
forms with the photo, and a resend of the same ticket answers 200 with the ticket already written."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.datastructures import MultiValueDict
from django.utils.translation import pgettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal

from . import access, actions, balance, reports, rules
from .forms import TicketForm
from .models import Ticket, Weighing
from .spec import OPERATE, VIEW, WEIGH

router = Router(tags=["wastecycle"])


class WastecycleClassOut(Schema):
    id: int
    name: str
    grade_no: int
    school: str = Field(alias="school.name")


class WeighingIn(Schema):
    klass: int = Field(ge=1, le=2**62, description="the class chosen on the scale (GET /classes)")
    day: dt.date
    meal: Literal["breakfast", "lunch"] = "lunch"
    grams: int = Field(ge=0, le=200_000)
    diners: int | None = Field(default=None, ge=1, le=200, description="the meal's attendance, when the scale has it")
    source: Literal["phone", "scale"] = "scale"


class WeighingOut(Schema):
    id: int
    klass: int
    day: dt.date
    meal: str
    grams: int
    diners: int | None
    grams_per_diner: str | None


def _weighing_out(w: Weighing, diners: int | None) -> dict[str, Any]:
    per = rules.grams_per_diner(w.grams, diners)
    return {"id": w.pk, "klass": w.klass_id, "day": w.day, "meal": w.meal, "grams": w.grams, "diners": diners,
            "grams_per_diner": rules.shown_grams(per) if per is not None else None}


@router.get("/classes", response=list[WastecycleClassOut])
def list_classes(request: StaffRequest) -> Any:
    require_perm(request.user, VIEW)
    return list(access.classes_for(request.user)[:2000])


@router.get("/classes/{pk}/weighings", response=list[WeighingOut])
def list_weighings(request: StaffRequest, pk: int, start: dt.date | None = None,
                   end: dt.date | None = None) -> Any:
    """A class's weighings (the latest 500), each with its meal's diners where recorded."""
    require_perm(request.user, VIEW)
    found = access.class_for(request.user, pk)
    rows = Weighing.objects.filter(klass=found)
    rows = rows.filter(day__gte=start) if start else rows
    rows = rows.filter(day__lte=end) if end else rows
    return [_weighing_out(w, w.diners) for w in reports.with_diners(rows).order_by("-day", "meal")[:500]]


@router.post("/weighings", response={201: WeighingOut})
def post_weighing(request: StaffRequest, payload: WeighingIn) -> Any:
    """A class's leftovers of one meal (and its diners when given). Sent again with the same grams it
    answers with the weighing already written; other grams for the same meal are a 409."""
    require_perm(request.user, WEIGH)
    klass = access.class_for(request.user, payload.klass, WEIGH)
    if payload.diners is not None:
        weighing = actions.do_weigh_meal(klass, day=payload.day, meal=payload.meal, diners=payload.diners,
                                         grams=payload.grams, source=payload.source, acting_user=request.user)
    else:
        weighing = actions.do_record_weighing(klass, day=payload.day, meal=payload.meal, grams=payload.grams,
                                              source=payload.source, acting_user=request.user)
    weighing.refresh_from_db(fields=["diners"])
    return Status(201, _weighing_out(weighing, weighing.diners))


class TicketOut(Schema):
    id: int
    key: str
    vehicle: str
    source_name: str
    stream: str
    gross_kg: int
    tare_kg: int
    net_kg: int
    gross_at: dt.datetime
    tare_at: dt.datetime
    reverses: int | None = Field(alias="reverses_id")
    has_photo: bool


def _ticket_out(t: Ticket) -> dict[str, Any]:
    return {"id": t.pk, "key": t.key, "vehicle": t.vehicle, "source_name": t.source_name, "stream": t.stream,
            "gross_kg": t.gross_kg, "tare_kg": t.tare_kg, "net_kg": t.net_kg, "gross_at": t.gross_at,
            "tare_at": t.tare_at, "reverses_id": t.reverses_id, "has_photo": bool(t.photo)}


@router.get("/stations/{pk}/tickets", response=list[TicketOut])
def list_tickets(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, VIEW)
    station = access.station_for(request.user, pk)
    return [_ticket_out(t) for t in station.tickets.order_by("-tare_at", "-pk")[:500]]


@router.post("/stations/{pk}/tickets", response={200: TicketOut, 201: TicketOut})
def post_ticket(request: StaffRequest, pk: int, key: Form[str] = "", vehicle: Form[str] = "",
                source_name: Form[str] = "", stream: Form[str] = "", gross_kg: Form[str] = "",
                tare_kg: Form[str] = "", gross_at: Form[str] = "", tare_at: Form[str] = "",
                photo: File[UploadedFile | None] = None) -> Any:
    """A weighbridge ticket as a multipart form (times ISO 8601 with their offset; `photo` a JPEG or PNG,
    at most 5 MB). 201 when written; 200 with the same ticket when this key was sent before with the
    same weighing; 409 `ticket_key_reused` when the key belongs to another weighing."""
    require_perm(request.user, OPERATE)
    station = access.station_for(request.user, pk, OPERATE)
    form = TicketForm({"ticket_key": key, "vehicle": vehicle, "source_name": source_name, "stream": stream,
                       "gross_kg": gross_kg, "tare_kg": tare_kg, "gross_at": gross_at, "tare_at": tare_at},
                      MultiValueDict({"photo": [photo]} if photo is not None else {}))
    if not form.is_valid():
        error = refusal(form)
        raise KernelError(error.message, code=error.code, field="key" if error.field == "ticket_key" else error.field)
    d = form.cleaned_data
    ticket, created = actions.do_record_ticket(station, actions.NewTicket(
        key=d["ticket_key"], vehicle=d["vehicle"], source_name=d["source_name"], stream=d["stream"],
        gross_kg=d["gross_kg"], tare_kg=d["tare_kg"], gross_at=d["gross_at"], tare_at=d["tare_at"]),
        photo=d.get("photo"), acting_user=request.user)
    return Status(201 if created else 200, _ticket_out(ticket))


class ReverseIn(Schema):
    reason: str = Field(min_length=4, max_length=200)


@router.post("/tickets/{pk}/reverse", response={201: TicketOut})
def reverse_ticket(request: StaffRequest, pk: int, payload: ReverseIn) -> Any:
    """Correct a ticket: a reversing ticket is written (weights negated); the ticket itself is never edited."""
    require_perm(request.user, OPERATE)
    ticket = access.ticket_for(request.user, pk, OPERATE)
    return Status(201, _ticket_out(actions.do_reverse_ticket(ticket, reason=payload.reason, acting_user=request.user)))


class BalanceOut(Schema):
    station: int
    month: dt.date
    inflow: dict[str, int]
    outflow: dict[str, int]
    losses: dict[str, int]
    stock_change: int
    difference: int
    closes: bool


@router.get("/stations/{pk}/balance", response=BalanceOut)
def month_balance(request: StaffRequest, pk: int, month: str) -> Any:
    """The month's mass balance (month as YYYY-MM): in by stream = out + declared losses + stock change."""
    require_perm(request.user, VIEW)
    station = access.station_for(request.user, pk)
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise KernelError(pgettext("wastecycle", "A month as YYYY-MM."), field="month") from None
    result = balance.month_balance(station, first)
    b = result.balance
    return {"station": station.pk, "month": result.month, "inflow": b.inflow, "outflow": b.outflow, "losses": b.losses,
            "stock_change": b.stock_change, "difference": b.difference, "closes": b.closes}
