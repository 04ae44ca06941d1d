"""The API of data-subject requests and retention, under /api/v1/rights/: the same actions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, require_perm, restrict
from longcheng.kernel.people.models import Resident

from . import actions, report, retention, who
from .models import RetentionRun, SubjectRequest

router = Router(tags=["rights"])
PERMISSION = actions.PERMISSION


class RightsRequestIn(Schema):
    person: int
    kind: str
    requester_name: str
    identity_check: str
    identity_note: str
    details: str = ""


class RightsRequestOut(Schema):
    id: int
    person: int
    person_name: str
    kind: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    identity_check: str
    closed_at: dt.datetime | None
    outcome: str
    refusal_rule: str


class RightsCloseIn(Schema):
    outcome: str


class RightsSectionOut(Schema):
    title: str
    columns: list[str]
    rows: list[list[str]]


class RightsPartOut(Schema):
    module: str
    label: str
    sections: list[RightsSectionOut]


class RightsReportOut(Schema):
    request: RightsRequestOut
    parts: list[RightsPartOut]


class RightsHolderOut(Schema):
    username: str
    display_name: str
    role: str
    places: list[str]
    ends_at: dt.datetime | None


class RightsRevealOut(Schema):
    at: dt.datetime
    actor: str | None
    fields: list[str]
    reason: str


class RightsWhoOut(Schema):
    rights: dict[str, list[RightsHolderOut]]
    last_reveals: list[RightsRevealOut]


class RightsRecordClassOut(Schema):
    module: str
    key: str
    label: str
    rule: str
    days: int | None
    action: str
    erasable: bool


class RightsRunOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    results: dict[str, Any]


class RightsRetentionOut(Schema):
    classes: list[RightsRecordClassOut]
    runs: list[RightsRunOut]


def _out(user: Any, item: SubjectRequest) -> dict[str, Any]:
    return {"id": item.pk, "person": item.person_id, "person_name": privacy.shown_name(user, item.person),
            "kind": item.kind, "status": item.status, "received_at": item.received_at, "due_at": item.due_at,
            "overdue": item.is_overdue, "identity_check": item.identity_check, "closed_at": item.closed_at,
            "outcome": item.outcome, "refusal_rule": item.refusal_rule}


def _get(user: Any, pk: int) -> SubjectRequest:
    return access_object(SubjectRequest, user, pk, PERMISSION,
                         queryset=SubjectRequest.objects.select_related("person", "person__place"))


@router.get("/requests", response=list[RightsRequestOut])
def list_requests(request: HttpRequest, status: str = "open") -> Any:
    """Requests within the caller's places, the earliest deadline first (`status=all` for closed ones too)."""
    require_perm(request.user, PERMISSION)
    qs = restrict(SubjectRequest.objects.select_related("person", "person__place"), request.user, PERMISSION)
    if status != "all":
        qs = qs.filter(status=status)
    return [_out(request.user, r) for r in qs.order_by("due_at", "pk")[:500]]


@router.post("/requests", response={201: RightsRequestOut})
def register_request(request: StaffRequest, payload: RightsRequestIn) -> Any:
    require_perm(request.user, PERMISSION)
    person = access_object(Resident, request.user, payload.person, PERMISSION)
    item = actions.do_register_request(person, kind=payload.kind, requester_name=payload.requester_name,
                                       identity_check=payload.identity_check, identity_note=payload.identity_note,
                                       details=payload.details, acting_user=request.user)
    return Status(201, _out(request.user, item))


@router.get("/requests/{pk}", response=RightsRequestOut)
def get_request(request: HttpRequest, pk: int) -> Any:
    require_perm(request.user, PERMISSION)
    return _out(request.user, _get(request.user, pk))


@router.post("/requests/{pk}/report", response=RightsReportOut)
def answer_access(request: StaffRequest, pk: int) -> Any:
    """The access report as JSON (the pages give XLSX and PDF); an audited read that answers an open
    access or copy request."""
    require_perm(request.user, PERMISSION)
    item = _get(request.user, pk)
    found, _data = actions.do_generate_report(item, fmt="json", acting_user=request.user)
    parts = [{"module": code, "label": str(label), "sections": [
        {"title": str(s.title), "columns": [str(c) for c in s.columns],
         "rows": [[report.text(v) for v in row] for row in s.rows]} for s in sections]}
        for code, label, sections in found]
    return {"request": _out(request.user, _get(request.user, pk)), "parts": parts}


@router.post("/requests/{pk}/close", response=RightsRequestOut)
def close_request(request: StaffRequest, pk: int, payload: RightsCloseIn) -> Any:
    require_perm(request.user, PERMISSION)
    return _out(request.user, actions.do_close_request(_get(request.user, pk), outcome=payload.outcome,
                                                       acting_user=request.user))


@router.post("/requests/{pk}/deletion", response=RightsRequestOut)
def decide_deletion(request: StaffRequest, pk: int) -> Any:
    """Erase the person's data, or refuse naming the retention rules that keep it (status `refused`)."""
    require_perm(request.user, PERMISSION)
    return _out(request.user, actions.do_decide_deletion(_get(request.user, pk), acting_user=request.user))


@router.get("/residents/{pk}/who-can-see", response=RightsWhoOut)
def who_can_see(request: HttpRequest, pk: int) -> Any:
    """The accounts holding each right (view, reveal, health, bank) over the resident's place, and
    the last reveals of their data."""
    require_perm(request.user, PERMISSION)
    person = access_object(Resident, request.user, pk, PERMISSION)
    holders = who.who_can_see(person)
    return {"rights": {right: [{"username": h.user.username, "display_name": h.user.display_name, "role": h.role,
                                "places": h.places, "ends_at": h.ends_at} for h in found]
                       for right, found in holders.items()},
            "last_reveals": [{"at": r.at, "actor": r.actor.username if r.actor else None,
                              "fields": list((r.after or {}).get("fields", [])), "reason": r.reason}
                             for r in who.last_reveals(person)]}


@router.get("/retention", response=RightsRetentionOut)
def retention_schedule(request: HttpRequest) -> Any:
    require_perm(request.user, PERMISSION)
    classes = [{**c, "module_label": str(c["module_label"]), "label": str(c["label"]), "rule": str(c["rule"])}
               for c in retention.schedule()]
    runs = [{"id": r.pk, "started_at": r.started_at, "finished_at": r.finished_at, "results": r.results}
            for r in RetentionRun.objects.all()[:20]]
    return {"classes": classes, "runs": runs}
