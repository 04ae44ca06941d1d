"""accidents's API under /api/v1/accidents/: parse, authorise, call an action. Drivers see their own
reports, officers the queue of their area, insurers the hand-offs addressed to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema, Status

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.errors import NotFound
from longcheng.kernel.places.models import Place

from . import access, actions
from .models import Handoff, Report
from .shown import parties_view
from .spec import CLAIMS, REPORT, REVIEW

router = Router(tags=["accidents"])


class AccidentsPartyOut(Schema):
    side: str
    name: str
    phone: str
    licence_no: str
    plate: str
    licence_class: str
    insurer: str
    confirmed: bool
    ticked: bool
    signed: bool


class AccidentsReportOut(Schema):
    id: int
    status: str
    place: str
    started_at: datetime
    submitted_at: datetime | None
    refused_because: str
    liability_a: str
    liability_b: str
    mutual_self_pay: bool
    parties: list[AccidentsPartyOut]


class AccidentsStartIn(Schema):
    place: str
    lat: float
    lon: float
    answers: dict[str, bool]
    third_party_property: bool = False


class AccidentsJoinIn(Schema):
    code: str
    # The second driver's own answers to the eligibility questions in force ({code: yes}); a question
    # left out counts as "yes" (failing closed), as for the first driver.
    answers: dict[str, bool]


class AccidentsDecisionIn(Schema):
    liability_a: str | None = None
    reason: str = ""


class AccidentsHandoffOut(Schema):
    id: int
    report: int
    claim_no: str
    status: str
    mutual_self_pay: bool
    sent_at: datetime
    side: str
    parties: list[AccidentsPartyOut]


def _report_out(user: Any, report: Report) -> dict[str, Any]:
    return {"id": report.pk, "status": report.status, "place": report.place.code, "started_at": report.started_at,
            "submitted_at": report.submitted_at,
            "refused_because": report.refused_because.code if report.refused_because else "",
            "liability_a": report.liability_a, "liability_b": report.liability_b,
            "mutual_self_pay": report.mutual_self_pay, "parties": parties_view(user, report)}


def _handoff_out(user: Any, handoff: Handoff) -> dict[str, Any]:
    return {"id": handoff.pk, "report": handoff.report_id, "claim_no": handoff.claim_no, "status": handoff.status,
            "mutual_self_pay": handoff.mutual_self_pay, "sent_at": handoff.sent_at, "side": handoff.party.side,
            "parties": parties_view(user, handoff.report)}


@router.get("/reports", response=list[AccidentsReportOut])
def list_reports(request: StaffRequest) -> Any:
    require_perm(request.user, REPORT)
    reports = access.own_reports(request.user).select_related("refused_because")[:100]
    return [_report_out(request.user, r) for r in reports]


@router.get("/reports/{pk}", response=AccidentsReportOut)
def get_report(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, REPORT)
    return _report_out(request.user, access.own_report(request.user, pk))


@router.post("/reports", response={201: AccidentsReportOut})
def start_report(request: StaffRequest, payload: AccidentsStartIn) -> Any:
    require_perm(request.user, REPORT)
    place = restrict(Place.objects.all(), request.user, REPORT).filter(code=payload.place).first()
    if place is None:
        raise NotFound(field="place")
    report = actions.do_start_report(place=place, lat=payload.lat, lon=payload.lon, answers=payload.answers,
                                     third_party_property=payload.third_party_property, acting_user=request.user)
    return Status(201, _report_out(request.user, report))


@router.post("/pairings", response=AccidentsReportOut)
def join_report(request: StaffRequest, payload: AccidentsJoinIn) -> Any:
    require_perm(request.user, REPORT)
    report = actions.do_join_report(code=payload.code, answers=payload.answers, acting_user=request.user)
    return _report_out(request.user, report)


@router.get("/queue", response=list[AccidentsReportOut])
def list_queue(request: StaffRequest) -> Any:
    require_perm(request.user, REVIEW)
    return [_report_out(request.user, r) for r in access.queue(request.user).select_related("refused_because")[:200]]


@router.post("/reports/{pk}/decision", response=AccidentsReportOut)
def decide(request: StaffRequest, pk: int, payload: AccidentsDecisionIn) -> Any:
    require_perm(request.user, REVIEW)
    report = actions.do_decide_liability(access.reviewable(request.user, pk), liability_a=payload.liability_a,
                                         reason=payload.reason, acting_user=request.user)
    return _report_out(request.user, report)


@router.get("/handoffs", response=list[AccidentsHandoffOut])
def list_handoffs(request: StaffRequest) -> Any:
    require_perm(request.user, CLAIMS)
    return [_handoff_out(request.user, h) for h in access.handoffs(request.user)[:200]]


@router.get("/handoffs/{pk}", response=AccidentsHandoffOut)
def get_handoff(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, CLAIMS)
    return _handoff_out(request.user, access.handoff(request.user, pk))
