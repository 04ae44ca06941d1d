"""homesafety's API: telemetry from gateways, and the alarm centre's operations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, require_perm, restrict
from longcheng.kernel.telemetry.api import TelemetryIn, TelemetryOut, ingest_http

from . import actions
from .models import Alarm
from .views import dispatch_candidates

router = Router(tags=["homesafety"])

@router.post("/telemetry", response=TelemetryOut)
def post_telemetry(request: HttpRequest, payload: TelemetryIn) -> Any:
    """The kernel's `POST /api/v1/telemetry/ingest` under its name before issue 20, kept for the
    gateways configured with it: a gateway's batch (up to 1,000 messages), the same validation and
    ingest path as MQTT; each rejected message is listed with its index and reason."""
    require_perm(request.user, "homesafety.ingest")
    return ingest_http(request, payload)


class AlarmOut(Schema):
    id: int
    kind: str
    kind_label: str
    severity: int
    status: str
    count: int
    person: str
    place: str
    device: str
    raised_at: dt.datetime
    last_seen: dt.datetime
    acknowledged_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    arrived_at: dt.datetime | None
    resolved_at: dt.datetime | None
    outcome: str
    escalation_level: int


def alarm_out(alarm: Alarm) -> dict[str, Any]:
    person = alarm.enrollee.person
    return {
        "id": alarm.pk, "kind": alarm.kind, "kind_label": str(alarm.get_kind_display()), "severity": alarm.severity,
        "status": alarm.status, "count": alarm.count, "person": person.name,
        "place": person.place.name if person.place else "", "device": alarm.device.serial,
        "raised_at": alarm.raised_at, "last_seen": alarm.last_seen, "acknowledged_at": alarm.acknowledged_at,
        "dispatched_at": alarm.dispatched_at, "arrived_at": alarm.arrived_at, "resolved_at": alarm.resolved_at,
        "outcome": alarm.outcome, "escalation_level": alarm.escalation_level,
    }


def _alarms(user: Any) -> Any:
    return restrict(Alarm.objects.select_related("enrollee__person__place", "device"), user, "homesafety.view")


@router.get("/alarms", response=list[AlarmOut])
def list_alarms(request: HttpRequest, open: bool = True, limit: int = 200) -> Any:
    """Alarms in the caller's scope, most severe and oldest first (open ones by default)."""
    require_perm(request.user, "homesafety.view")
    qs = _alarms(request.user).filter(is_open=open).order_by("severity", "raised_at")
    return [alarm_out(a) for a in qs[: max(1, min(limit, 1000))]]


@router.get("/alarms/{pk}", response=AlarmOut)
def get_alarm(request: HttpRequest, pk: int) -> Any:
    return alarm_out(access_object(Alarm, request.user, pk, "homesafety.view", queryset=_alarms(request.user)))


class DispatchIn(Schema):
    to_user: int = Field(..., description="id of the staff account sent to the door")
    note: str = ""


class ResolveIn(Schema):
    outcome: str = Field(..., description="handled, false_alarm, device_fault, 110, 119 or 120")
    notes: str = ""
    false_alarm_reason: str = Field("", description="with false_alarm: pressed, cooking, dropped, not_worn, fault, "
                                                    "testing or other")


class NoteIn(Schema):
    note: str = ""


@router.post("/alarms/{pk}/acknowledge", response=AlarmOut)
def acknowledge(request: StaffRequest, pk: int) -> Any:
    return alarm_out(actions.do_acknowledge(pk, acting_user=request.user))


@router.post("/alarms/{pk}/dispatch", response=AlarmOut)
def dispatch(request: StaffRequest, pk: int, payload: DispatchIn) -> Any:
    alarm = access_object(Alarm, request.user, pk, "homesafety.handle")
    to_user = next((u for u in dispatch_candidates(alarm) if u.pk == payload.to_user), None)
    return alarm_out(actions.do_dispatch(pk, to_user=to_user, acting_user=request.user, note=payload.note))


@router.post("/alarms/{pk}/arrive", response=AlarmOut)
def arrive(request: StaffRequest, pk: int, payload: NoteIn) -> Any:
    return alarm_out(actions.do_arrive(pk, acting_user=request.user, note=payload.note))


@router.post("/alarms/{pk}/resolve", response=AlarmOut)
def resolve(request: StaffRequest, pk: int, payload: ResolveIn) -> Any:
    return alarm_out(actions.do_resolve(pk, outcome=payload.outcome, notes=payload.notes, acting_user=request.user,
                                        false_alarm_reason=payload.false_alarm_reason))
