"""platformdoor's API under /api/v1/platformdoor/: parse, authorise, call an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import require_perm

from . import access, actions, figures
from .models import Alarm, Dwell
from .spec import APPROVE, BYPASS, HANDLE, VIEW

router = Router(tags=["platformdoor"])


class PlatformDoorAlarmOut(Schema):
    id: int
    kind: str
    critical: bool
    where: str
    station: str = Field(alias="station.name")
    door: int | None = Field(None, alias="door.number")
    raised_at: dt.datetime
    signal_cleared_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    escalate_at: dt.datetime
    escalated_at: dt.datetime | None
    closed_at: dt.datetime | None
    cause: str


class PlatformDoorCloseIn(Schema):
    cause: str = ""
    note: str = ""


class PlatformDoorBypassIn(Schema):
    platform: int
    detector: int | None = None
    door: int | None = None
    reason: str
    expires_at: dt.datetime


class PlatformDoorBypassOut(Schema):
    id: int
    platform_id: int
    detector_id: int | None
    door_id: int | None
    reason: str
    requested_by_id: int
    approved_by_id: int | None
    expires_at: dt.datetime
    ended_at: dt.datetime | None


class PlatformDoorDwellOut(Schema):
    id: int
    platform_id: int
    train: str
    arrived_at: dt.datetime
    departed_at: dt.datetime | None
    permitted: bool | None = None
    departed_blocked: bool | None = None

    @staticmethod
    def resolve_permitted(obj: Dwell) -> bool | None:
        decision = getattr(obj, "decision", None) if obj.departed_at else None
        return decision.permitted if decision is not None else None

    @staticmethod
    def resolve_departed_blocked(obj: Dwell) -> bool | None:
        decision = getattr(obj, "decision", None) if obj.departed_at else None
        return decision.departed_blocked if decision is not None else None


class PlatformDoorDetectorOut(Schema):
    id: int
    door: str
    kind: str
    vendor: str
    false_alarms: int
    dwells: int
    rate_per_1000_dwells: float | None
    seconds_added: float
    drifting: bool


@router.get("/alarms", response=list[PlatformDoorAlarmOut])
def list_alarms(request: StaffRequest) -> Any:
    """The open alarms in scope, critical first."""
    require_perm(request.user, VIEW)
    return list(access.alarms_for(request.user).filter(is_open=True).order_by("-critical", "raised_at")[:500])


def _alarm(request: StaffRequest, pk: int) -> Alarm:
    return access.alarm_for(request.user, pk)


@router.post("/alarms/{pk}/acknowledge", response=PlatformDoorAlarmOut)
def acknowledge_alarm(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, HANDLE)
    actions.do_acknowledge_alarm(pk, acting_user=request.user)
    return _alarm(request, pk)


@router.post("/alarms/{pk}/close", response=PlatformDoorAlarmOut)
def close_alarm(request: StaffRequest, pk: int, payload: PlatformDoorCloseIn) -> Any:
    require_perm(request.user, HANDLE)
    actions.do_close_alarm(pk, cause=payload.cause, note=payload.note, acting_user=request.user)
    return _alarm(request, pk)


@router.get("/bypasses", response=list[PlatformDoorBypassOut])
def list_bypasses(request: StaffRequest) -> Any:
    require_perm(request.user, VIEW)
    return list(access.bypasses_for(request.user).filter(ended_at__isnull=True).order_by("expires_at")[:500])


@router.post("/bypasses", response={201: PlatformDoorBypassOut})
def request_bypass(request: StaffRequest, payload: PlatformDoorBypassIn) -> Any:
    require_perm(request.user, BYPASS)
    return Status(201, actions.do_request_bypass(
        platform_id=payload.platform, detector_id=payload.detector, door_id=payload.door, reason=payload.reason,
        expires_at=payload.expires_at, acting_user=request.user))


@router.post("/bypasses/{pk}/approve", response=PlatformDoorBypassOut)
def approve_bypass(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, APPROVE)
    return actions.do_approve_bypass(pk, acting_user=request.user)


@router.get("/dwells", response=list[PlatformDoorDwellOut])
def list_dwells(request: StaffRequest) -> Any:
    """The latest dwells in scope with their departure decisions."""
    require_perm(request.user, VIEW)
    return list(access.dwells_for(request.user).order_by("-arrived_at")[:200])


@router.get("/detectors/{pk}", response=PlatformDoorDetectorOut)
def get_detector(request: StaffRequest, pk: int) -> Any:
    """A detector's false alarms per 1,000 dwells, seconds of dwell added and drift flag."""
    require_perm(request.user, VIEW)
    detector = access.detector_for(request.user, pk)
    figs = figures.with_trend([detector])[detector.pk]
    return {"id": detector.pk, "door": str(detector.door), "kind": detector.kind, "vendor": detector.vendor,
            "false_alarms": figs.false_alarms, "dwells": figs.dwells, "rate_per_1000_dwells": figs.rate,
            "seconds_added": figs.seconds_added, "drifting": figs.drifting}
