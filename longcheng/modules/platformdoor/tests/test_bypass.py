"""A bypass takes effect only with a second named person and before its expiry; expired ones end
by themselves; a refused request or approval changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied

from .. import actions, jobs
from ..models import Alarm, Bypass, Decision, Detector

pytestmark = pytest.mark.django_db


def _detector(line: Any, number: int) -> Detector:
    return Detector.objects.get(door__platform=line["p"], door__number=number)


def _dwell_with_bag(send: Any, line: Any, t0: dt.datetime) -> Decision:
    send(line["p"], [(0, "train", "arrive"), (30, "train", "close"), (31, "A02", "blocked"), (35, "A02", "clear"),
                     (40, "train", "depart")], t0=t0)
    return Decision.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_a_bypass_approved_by_a_second_person_leaves_the_detector_out(line: Any, send: Any) -> None:
    hour = timezone.now() + dt.timedelta(hours=1)
    bypass = actions.do_request_bypass(platform_id=line["p"].pk, detector_id=_detector(line, 2).pk, reason="镜头维修",
                                       expires_at=hour, acting_user=line["staff"])
    unapproved = _dwell_with_bag(send, line, timezone.now() - dt.timedelta(seconds=50))
    assert unapproved.permitted is False  # asked for, not approved: no effect
    Alarm.objects.all().update(is_open=False, cause="bag")
    actions.do_approve_bypass(bypass.pk, acting_user=line["controller"])
    approved = _dwell_with_bag(send, line, timezone.now() - dt.timedelta(seconds=30))
    assert (approved.permitted, approved.bypasses) == (True, [bypass.pk])
    assert Alarm.objects.filter(is_open=True).count() == 0


def test_the_requester_cannot_approve_and_a_same_person_bypass_has_no_effect(line: Any, send: Any) -> None:
    hour = timezone.now() + dt.timedelta(hours=1)
    both = dict(line, staff=line["staff"])
    bypass = actions.do_request_bypass(platform_id=line["p"].pk, door_id=_detector(line, 2).door_id, reason="门体维修",
                                       expires_at=hour, acting_user=both["staff"])
    with pytest.raises(PermissionDenied):  # station staff hold no approval
        actions.do_approve_bypass(bypass.pk, acting_user=line["staff"])
    Bypass.objects.filter(pk=bypass.pk).update(approved_by=line["staff"], approved_at=timezone.now())  # forced
    assert _dwell_with_bag(send, line, timezone.now() - dt.timedelta(seconds=50)).permitted is False


def test_a_controller_cannot_approve_their_own_request(line: Any) -> None:
    bypass = Bypass.objects.create(platform=line["p"], detector=_detector(line, 1), reason="x",
                                   requested_by=line["controller"], requested_at=timezone.now(),
                                   expires_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(KernelError) as refused:
        actions.do_approve_bypass(bypass.pk, acting_user=line["controller"])
    assert (refused.value.code, refused.value.field) == ("bypass_same_person", "approver")
    assert Bypass.objects.get(pk=bypass.pk).approved_by_id is None
    assert not AuditEntry.objects.filter(action="platformdoor.bypass.approve").exists()


def test_past_its_expiry_a_bypass_has_no_effect_and_ends_itself(line: Any, send: Any) -> None:
    now = timezone.now()
    bypass = Bypass.objects.create(platform=line["p"], detector=_detector(line, 2), reason="x",
                                   requested_by=line["staff"], requested_at=now - dt.timedelta(hours=2),
                                   approved_by=line["controller"], approved_at=now - dt.timedelta(hours=2),
                                   expires_at=now - dt.timedelta(minutes=5))
    assert _dwell_with_bag(send, line, now - dt.timedelta(seconds=50)).permitted is False
    assert jobs.end_expired(now) == 1
    assert Bypass.objects.get(pk=bypass.pk).ended_at == bypass.expires_at
    assert jobs.end_expired(now) == 0


def test_a_refused_request_writes_nothing(line: Any) -> None:
    other = Detector.objects.filter(door__platform=line["other_p"]).first()
    assert other is not None
    with pytest.raises(NotFound):  # another station's platform: outside the staff's scope
        actions.do_request_bypass(platform_id=line["other_p"].pk, detector_id=other.pk, reason="x",
                                  expires_at=timezone.now() + dt.timedelta(hours=1), acting_user=line["staff"])
    with pytest.raises(KernelError) as refused:
        actions.do_request_bypass(platform_id=line["p"].pk, detector_id=_detector(line, 1).pk, reason="x",
                                  expires_at=timezone.now() + dt.timedelta(hours=99), acting_user=line["staff"])
    assert refused.value.field == "expires_at"
    assert Bypass.objects.count() == 0 and not AuditEntry.objects.filter(action__startswith="platformdoor.").exists()
