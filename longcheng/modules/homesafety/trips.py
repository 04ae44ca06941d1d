"""The worker sent to a door, on their phone: the trip page lists the open alarms they were sent to,
shares their position while on the way (the operator's map shows it) and records their arrival.

The worker reaches an alarm by being the one sent, not by a home-safety role in a place (a
community worker holds none): `trip_of` is this module's named exception to place scoping, and it
fails closed (another worker's alarm, a closed one, or one already past the trip is not found)."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import maps
from longcheng.kernel.errors import KernelError, NotFound

from .actions import do_arrive
from .models import Alarm, AlarmStatus

ON_TRIP = (AlarmStatus.DISPATCHED, AlarmStatus.ARRIVED)
MAX_ACCURACY_M = 5000  # a phone's fix worse than 5 km tells the operator nothing


def trips_of(user: Any) -> list[Alarm]:
    return list(Alarm.objects.filter(dispatched_to=user, is_open=True, status__in=ON_TRIP)
                .select_related("enrollee__person__place").order_by("dispatched_at", "pk"))


def trip_of(user: Any, alarm_id: int) -> Alarm:
    alarm = (Alarm.objects.filter(pk=alarm_id, dispatched_to=user, is_open=True, status__in=ON_TRIP)
             .select_related("enrollee__person__place").first()) if user.is_authenticated else None
    if alarm is None:
        raise NotFound()
    return alarm


def _number(value: Any, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise KernelError(_("A position needs a latitude and a longitude in degrees."), field=field)
    return number


def do_share_position(alarm_id: int, *, lat: Any, lon: Any, accuracy_m: Any = None, acting_user: Any) -> Alarm:
    """The worker's latest position on the way (only the latest is kept; not audited row by row:
    the worker shares it by pressing the button, and it is wiped at arrival)."""
    alarm = trip_of(acting_user, alarm_id)
    lat_f, lon_f = _number(lat, "lat"), _number(lon, "lon")
    if not maps.valid(lat_f, lon_f):
        raise KernelError(_("That position is not in China."), field="lat")
    accuracy = None
    if accuracy_m not in (None, ""):
        accuracy_f = _number(accuracy_m, "accuracy_m")
        if not 0 <= accuracy_f <= MAX_ACCURACY_M:
            raise KernelError(_("Accuracy must be between 0 and %(n)d metres.") % {"n": MAX_ACCURACY_M},
                              field="accuracy_m")
        accuracy = round(accuracy_f)
    with transaction.atomic():
        done = Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.DISPATCHED).update(
            worker_lat=lat_f, worker_lon=lon_f, worker_accuracy_m=accuracy, worker_seen_at=timezone.now())
    if not done:
        raise KernelError(_("You have arrived: your position is no longer shared."), field="status")
    alarm.refresh_from_db()
    return alarm


def do_arrive_on_trip(alarm_id: int, *, acting_user: Any, note: str = "") -> Alarm:
    """The worker at the door: the same step, audit and timeline entry as the operator's 'arrived'."""
    return do_arrive(alarm_id, acting_user=acting_user, note=note, fetch=trip_of)
