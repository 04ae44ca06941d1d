"""Every change in platformdoor: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import access_object, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError

from . import rules
from .conf import conf
from .errors import ErrorCode
from .models import Alarm, AlarmKind, Bypass, Cause, Detector, Door, FunctionalTest, Platform, TestResult
from .spec import APPROVE, BYPASS, HANDLE, MAINTAIN


def _locked(model: type[Alarm] | type[Bypass] | type[FunctionalTest], pk: int, user: User, permission: str) -> Any:
    """The row, within the user's scope (else NotFound), locked for the change."""
    access_object(model, user, pk, permission)
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def do_acknowledge_alarm(alarm_id: int, *, acting_user: User) -> Alarm:
    require_perm(acting_user, HANDLE)
    with transaction.atomic():
        alarm = _locked(Alarm, alarm_id, acting_user, HANDLE)
        if not alarm.is_open:
            raise KernelError(pgettext("platformdoor", "This alarm is closed."), code=ErrorCode.ALARM_CLOSED)
        if alarm.acknowledged_at is None:
            alarm.acknowledged_at, alarm.acknowledged_by = timezone.now(), acting_user
            alarm.save(update_fields=["acknowledged_at", "acknowledged_by"])
            record(acting_user, "platformdoor.alarm.acknowledge", alarm, after={"kind": alarm.kind})
    return alarm


def do_close_alarm(alarm_id: int, *, cause: str, note: str = "", acting_user: User) -> Alarm:
    """Close an alarm (acknowledging it if nobody had); an obstruction needs its cause."""
    require_perm(acting_user, HANDLE)
    if cause and cause not in Cause.values:
        raise KernelError(pgettext("platformdoor", "Choose one of the causes."), code=ErrorCode.CAUSE_REQUIRED,
                          field="cause")
    with transaction.atomic():
        alarm = _locked(Alarm, alarm_id, acting_user, HANDLE)
        if not alarm.is_open:
            raise KernelError(pgettext("platformdoor", "This alarm is closed."), code=ErrorCode.ALARM_CLOSED)
        if alarm.kind == AlarmKind.OBSTRUCTION and not cause:
            raise KernelError(pgettext("platformdoor", "Say what caused the obstruction alarm."),
                              code=ErrorCode.CAUSE_REQUIRED, field="cause")
        now = timezone.now()
        if alarm.acknowledged_at is None:
            alarm.acknowledged_at, alarm.acknowledged_by = now, acting_user
        alarm.closed_at, alarm.closed_by, alarm.cause, alarm.note = now, acting_user, cause, note.strip()[:300]
        alarm.is_open = False
        alarm.save()
        record(acting_user, "platformdoor.alarm.close", alarm, after={"cause": cause, "note": alarm.note})
    return alarm


def _target(platform: Platform, door: Door | None, detector: Detector | None) -> None:
    if (door is None) == (detector is None):
        raise KernelError(pgettext("platformdoor", "Bypass either one door or one detector."),
                          code=ErrorCode.BYPASS_TARGET, field="detector")
    if (door or detector.door).platform_id != platform.pk:  # type: ignore[union-attr]
        raise KernelError(pgettext("platformdoor", "The door or detector is not on this platform."),
                          code=ErrorCode.BYPASS_TARGET, field="detector")


def do_request_bypass(*, platform_id: int, door_id: int | None = None, detector_id: int | None = None,
                      reason: str, expires_at: dt.datetime, acting_user: User) -> Bypass:
    require_perm(acting_user, BYPASS)
    platform = access_object(Platform, acting_user, platform_id, BYPASS)
    door = Door.objects.filter(pk=door_id).first() if door_id else None
    detector = Detector.objects.select_related("door").filter(pk=detector_id).first() if detector_id else None
    _target(platform, door, detector)
    now = timezone.now()
    problem = rules.bypass_problem(acting_user.pk, None, expires_at, now, reason, conf("PLATFORMDOOR_BYPASS_MAX_HOURS"))
    if problem:
        raise KernelError(problem[1], code=ErrorCode.BYPASS_INVALID, field=problem[0])
    with transaction.atomic():
        bypass = Bypass.objects.create(platform=platform, door=door, detector=detector, reason=reason.strip()[:300],
                                       requested_by=acting_user, requested_at=now, expires_at=expires_at)
        record(acting_user, "platformdoor.bypass.request", bypass,
               after={"reason": bypass.reason, "expires_at": expires_at.isoformat()})
    return bypass


def do_approve_bypass(bypass_id: int, *, acting_user: User) -> Bypass:
    """The second person: a bypass takes effect only once someone other than its requester approves."""
    require_perm(acting_user, APPROVE)
    with transaction.atomic():
        bypass = _locked(Bypass, bypass_id, acting_user, APPROVE)
        if bypass.approved_by_id is not None or bypass.ended_at is not None:
            raise KernelError(pgettext("platformdoor", "This bypass is already decided."),
                              code=ErrorCode.BYPASS_DECIDED)
        now = timezone.now()
        problem = rules.bypass_problem(bypass.requested_by_id, acting_user.pk, bypass.expires_at, now, bypass.reason,
                                       conf("PLATFORMDOOR_BYPASS_MAX_HOURS") * 2)
        if problem:
            raise KernelError(problem[1], code=ErrorCode.SAME_PERSON if problem[0] == "approver"
                              else ErrorCode.BYPASS_INVALID, field=problem[0])
        bypass.approved_by, bypass.approved_at = acting_user, now
        bypass.save(update_fields=["approved_by", "approved_at"])
        record(acting_user, "platformdoor.bypass.approve", bypass, after={"requested_by": bypass.requested_by_id})
    return bypass


def do_end_bypass(bypass_id: int, *, acting_user: User) -> Bypass:
    require_perm(acting_user, BYPASS)
    with transaction.atomic():
        bypass = _locked(Bypass, bypass_id, acting_user, BYPASS)
        if bypass.ended_at is None:
            bypass.ended_at = timezone.now()
            bypass.save(update_fields=["ended_at"])
            record(acting_user, "platformdoor.bypass.end", bypass, after={"ended_at": bypass.ended_at.isoformat()})
    return bypass


def do_record_test(test_id: int, *, result: str, note: str = "", acting_user: User) -> FunctionalTest:
    """A functional test's result; the detector's next test is scheduled from today."""
    require_perm(acting_user, MAINTAIN)
    if result not in TestResult.values:
        raise KernelError(pgettext("platformdoor", "Choose passed or failed."), field="result")
    with transaction.atomic():
        test = _locked(FunctionalTest, test_id, acting_user, MAINTAIN)
        if test.done_at is not None:
            raise KernelError(pgettext("platformdoor", "This test is already recorded."), code=ErrorCode.TEST_DONE)
        test.done_at, test.done_by, test.result, test.note = timezone.now(), acting_user, result, note.strip()[:300]
        test.save()
        detector = Detector.objects.get(pk=test.detector_id)
        FunctionalTest.objects.create(detector=detector, due_on=timezone.localdate()
                                      + dt.timedelta(days=detector.test_every_days))
        record(acting_user, "platformdoor.test.record", test, after={"result": result, "note": test.note})
    return test
