"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from longcheng.kernel.access.scope import access_object, restrict

from .models import Alarm, Bypass, Detector, Dwell, FunctionalTest, Platform
from .spec import VIEW

ALARM_RELATED = ("station", "platform", "door", "detector", "acknowledged_by")


def alarms_for(user: Any, permission: str = VIEW) -> QuerySet[Alarm]:
    return restrict(Alarm.objects.select_related(*ALARM_RELATED), user, permission)


def alarm_for(user: Any, pk: int, permission: str = VIEW) -> Alarm:
    return access_object(Alarm, user, pk, permission, queryset=Alarm.objects.select_related(*ALARM_RELATED))


def bypasses_for(user: Any, permission: str = VIEW) -> QuerySet[Bypass]:
    return restrict(Bypass.objects.select_related("platform__station", "door", "detector__door", "requested_by",
                                                  "approved_by"), user, permission)


def dwells_for(user: Any, permission: str = VIEW) -> QuerySet[Dwell]:
    return restrict(Dwell.objects.select_related("platform__station", "decision"), user, permission)


def detectors_for(user: Any, permission: str = VIEW) -> QuerySet[Detector]:
    return restrict(Detector.objects.select_related("door__platform__station"), user, permission)


def detector_for(user: Any, pk: int, permission: str = VIEW) -> Detector:
    return access_object(Detector, user, pk, permission,
                         queryset=Detector.objects.select_related("door__platform__station"))


def platforms_for(user: Any, permission: str = VIEW) -> QuerySet[Platform]:
    return restrict(Platform.objects.select_related("station"), user, permission)


def tests_for(user: Any, permission: str = VIEW) -> QuerySet[FunctionalTest]:
    return restrict(FunctionalTest.objects.select_related("detector__door__platform__station"), user, permission)
