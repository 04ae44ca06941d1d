"""API routes over the kernel's services: working days, ledger, inbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound
from longcheng.kernel.ledger.actions import MANUAL_KEY_LENGTH, MAX_AMOUNT_FEN, do_manual_entry, statement
from longcheng.kernel.ledger.models import Account, Fund
from longcheng.kernel.notify import api as notify
from longcheng.kernel.workdays import api as wd

workdays_router = Router(tags=["workdays"])


class DueOut(Schema):
    start: dt.datetime
    duration: Decimal
    due: dt.datetime


class BetweenOut(Schema):
    start: dt.datetime
    end: dt.datetime
    working_days: Decimal


# Working time is reckoned for the years of the official calendar, never for year 564 (whose local
# time, Shanghai's mean solar time of +08:05:43, is not even an offset a date-time can carry).
YEARS = (1950, 2200)


def _in_calendar_years(moment: dt.datetime, field: str) -> None:
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise KernelError(_("Working time is reckoned for the years %(first)d to %(last)d.")
                          % {"first": YEARS[0], "last": YEARS[1]}, code=ErrorCode.INVALID_DATE, field=field)


@workdays_router.get("/due", response=DueOut)
def due(request: HttpRequest, start: dt.datetime, duration: Decimal) -> Any:
    """The moment a time limit of `duration` working days (multiples of 0.5) started at `start` ends."""
    _in_calendar_years(start, "start")

    return {"start": start, "duration": duration, "due": wd.add_working_days(start, duration)}


@workdays_router.get("/between", response=BetweenOut)
def between(request: HttpRequest, start: dt.datetime, end: dt.datetime) -> Any:
    _in_calendar_years(start, "start")
    _in_calendar_years(end, "end")
    return {"start": start, "end": end, "working_days": wd.working_days_between(start, end)}


ledger_router = Router(tags=["ledger"])


class FundOut(Schema):
    code: str
    name: str
    available_fen: int
    committed_fen: int


class StatementLineOut(Schema):
    label: str
    opening_fen: int
    in_fen: int
    out_fen: int
    closing_fen: int


class StatementOut(Schema):
    fund: str
    start: dt.date
    end: dt.date
    lines: list[StatementLineOut]


class LineIn(Schema):
    account: str = Field(description="account code", max_length=100)
    amount_fen: int = Field(description="signed amount in fen, at most 10^12 either way; the lines of an entry "
                                        "sum to zero", ge=-MAX_AMOUNT_FEN, le=MAX_AMOUNT_FEN)


class EntryIn(Schema):
    memo: str = Field(max_length=200)
    lines: list[LineIn] = Field(max_length=100)
    idempotency_key: str | None = Field(None, max_length=MANUAL_KEY_LENGTH,
                                        description="the poster's own: a retry with the same key and lines "
                                                    "returns the entry, with other lines it is a 409")


class EntryOut(Schema):
    id: int
    memo: str
    kind: str


def _funds(user: Any) -> Any:
    return restrict(Fund.objects.all(), user, "ledger.view")


@ledger_router.get("/funds", response=list[FundOut])
def list_funds(request: HttpRequest) -> Any:
    require_perm(request.user, "ledger.view")
    out = []
    for fund in _funds(request.user).order_by("code"):
        balances = dict(Account.objects.filter(fund=fund).values_list("kind", "balance_fen"))
        out.append({"code": fund.code, "name": fund.name, "available_fen": balances.get("fund", 0),
                    "committed_fen": balances.get("commitment", 0)})
    return out


@ledger_router.get("/funds/{code}/statement", response=StatementOut)
def fund_statement(request: HttpRequest, code: str, start: dt.date, end: dt.date) -> Any:
    fund = _funds(request.user).filter(code=code).first()
    if fund is None:
        raise NotFound()
    if end < start:
        raise KernelError("end must not be before start", field="end")
    result = statement(fund, start, end)
    return {"fund": fund.code, "start": start, "end": end, "lines": result.lines}


@ledger_router.post("/entries", response={201: EntryOut})
def post_entry(request: StaffRequest, payload: EntryIn) -> Any:
    require_perm(request.user, "ledger.post")
    entry = do_manual_entry(
        [(line.account, line.amount_fen) for line in payload.lines], memo=payload.memo,
        idempotency_key=payload.idempotency_key, acting_user=request.user,
    )
    return Status(201, entry)


notify_router = Router(tags=["notify"])


class MessageOut(Schema):
    id: int
    channel: str
    subject: str
    body: str
    status: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@notify_router.get("/inbox", response=list[MessageOut])
def inbox(request: HttpRequest) -> Any:
    return list(notify.inbox(request.user)[:100])


@notify_router.post("/inbox/{pk}/read", response=MessageOut)
def mark_read(request: StaffRequest, pk: int) -> Any:
    return notify.do_mark_read(pk, acting_user=request.user)


ROUTERS = [("/workdays", workdays_router), ("/ledger", ledger_router), ("/notify", notify_router)]
