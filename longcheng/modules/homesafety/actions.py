"""The alarm's lifecycle and the programme's changes. Each action checks permission and scope,
changes state with a conditional UPDATE (two operators clicking at once: one wins, the other is
told), writes the alarm's timeline and the audit row in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import access_object, has_perm, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.people.models import Resident
from longcheng.kernel.telemetry.registry import forget_devices

from .access import alarm_to_handle
from .devices import DEVICE_TYPES
from .errors import ErrorCode as Code
from .models import (
    Alarm,
    AlarmEvent,
    AlarmStatus,
    Device,
    DeviceState,
    Enrollee,
    FalseAlarmReason,
    FeatureRequest,
    KitItem,
    KitStatus,
    OrderStatus,
    Outcome,
    WorkOrder,
    home_device,
)

# Which status each step may start from.
_FROM = {
    "acknowledge": (AlarmStatus.RAISED,),
    "dispatch": (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED),
    "arrive": (AlarmStatus.DISPATCHED,),
    "resolve": (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED, AlarmStatus.DISPATCHED, AlarmStatus.ARRIVED),
}


class StepRefused(KernelError):
    status = 409
    default_code = Code.STEP_REFUSED


def _step(alarm_id: int, step: str, acting_user: User, changes: dict[str, Any], note: str = "",
          fetch: Callable[[Any, int], Alarm] = alarm_to_handle) -> Alarm:
    """`fetch`: how the acting user reaches the alarm (a handler by place; the worker sent, by being
    the one sent: trips.py)."""
    alarm = fetch(acting_user, alarm_id)
    with transaction.atomic():
        before = alarm.status
        done = Alarm.objects.filter(pk=alarm.pk, status__in=_FROM[step]).update(**changes)
        if not done:
            current = Alarm.objects.get(pk=alarm.pk)
            raise StepRefused(_("This alarm is already %(status)s; it cannot be %(step)s now.")
                              % {"status": current.get_status_display(), "step": _STEP_LABELS[step]}, field="status")
        alarm.refresh_from_db()
        AlarmEvent.objects.create(alarm=alarm, at=timezone.now(), step=step, actor=acting_user, note=note[:300])
        record(acting_user, f"homesafety.alarm.{step}", alarm, before={"status": before},
               after={"status": alarm.status, **({"note": note} if note else {})})
    return alarm


_STEP_LABELS = {"acknowledge": gettext_lazy("acknowledged"), "dispatch": gettext_lazy("dispatched"),
                "arrive": gettext_lazy("marked arrived"), "resolve": gettext_lazy("resolved")}


def do_acknowledge(alarm_id: int, *, acting_user: User) -> Alarm:
    now = timezone.now()
    return _step(alarm_id, "acknowledge", acting_user, {"status": AlarmStatus.ACKNOWLEDGED, "acknowledged_at": now,
                                                        "acknowledged_by": acting_user, "next_escalation_at": None})


def do_dispatch(alarm_id: int, *, to_user: Any, acting_user: User, note: str = "") -> Alarm:
    """Send the community worker on duty. Dispatching also acknowledges an alarm still raised."""
    if to_user is None:
        raise KernelError(_("Choose who goes to the door."), code=ErrorCode.REQUIRED, field="to_user")
    alarm = alarm_to_handle(acting_user, alarm_id)
    phone = getattr(to_user, "phone", "") or ""
    now = timezone.now()
    changes: dict[str, Any] = {"status": AlarmStatus.DISPATCHED, "dispatched_at": now, "dispatched_to": to_user,
                               "dispatch_phone": phone, "next_escalation_at": None,
                               "dispatch_note": (note or "").strip()[:500]}
    if alarm.acknowledged_at is None:
        changes.update(acknowledged_at=now, acknowledged_by=acting_user)
    result = _step(alarm_id, "dispatch", acting_user, changes, note or str(to_user))
    with transaction.atomic():
        queue_message("inapp", subject=_("Go to %(name)s: %(kind)s") % {
            "name": result.enrollee.person.name, "kind": result.get_kind_display()},
            body=f"{result.enrollee.person.address}\n{reverse('homesafety:trip', args=[result.pk])}",
            to_user=to_user, related=result,
            dedupe_key=f"hs:{result.pk}:dispatch:{to_user.pk}")
    return result


# The worker's shared position serves the trip only: wiped at arrival and at resolution.
NO_POSITION = {"worker_lat": None, "worker_lon": None, "worker_accuracy_m": None, "worker_seen_at": None}


def do_arrive(alarm_id: int, *, acting_user: User, note: str = "",
              fetch: Callable[[Any, int], Alarm] = alarm_to_handle) -> Alarm:
    return _step(alarm_id, "arrive", acting_user, {"status": AlarmStatus.ARRIVED, "arrived_at": timezone.now(),
                                                   "arrival_note": (note or "").strip()[:500], **NO_POSITION},
                 note, fetch)


def do_resolve(alarm_id: int, *, outcome: str, acting_user: User, notes: str = "", false_alarm_reason: str = "") -> Alarm:
    if outcome not in Outcome.values or outcome == Outcome.CLEARED:
        raise KernelError(_("Choose an outcome: emergency handled, false alarm, device fault, or handed to 110, 119 or 120."),
                          code=ErrorCode.REQUIRED, field="outcome")
    if outcome == Outcome.FALSE_ALARM and false_alarm_reason not in FalseAlarmReason.values:
        raise KernelError(_("Choose why the alarm was false."), code=ErrorCode.REQUIRED, field="false_alarm_reason")
    if outcome != Outcome.FALSE_ALARM:
        false_alarm_reason = ""
    now = timezone.now()
    alarm = alarm_to_handle(acting_user, alarm_id)
    changes: dict[str, Any] = {"status": AlarmStatus.RESOLVED, "is_open": False, "resolved_at": now,
                               "resolved_by": acting_user, "outcome": outcome, "notes": notes.strip(),
                               "false_alarm_reason": false_alarm_reason,
                               "next_escalation_at": None, **NO_POSITION}
    if alarm.acknowledged_at is None:
        changes.update(acknowledged_at=now, acknowledged_by=acting_user)
    return _step(alarm_id, "resolve", acting_user, changes, notes)


# --- enrolment and devices ---------------------------------------------------------------------------


def do_enrol(person: Any, *, acting_user: User, lives_alone: bool = False, conditions: str = "", risk: str = "medium",
             home: tuple[float, float] | None = None, safe_zone: dict[str, Any] | None = None,
             kit: list[str] | tuple[str, ...] = (), source: str = "") -> Enrollee:
    """The one way a person enters the programme (the survey import calls it row by row), with the
    kit planned for the installer. `source` says where the enrolment came from, for the audit."""
    require_perm(acting_user, "homesafety.manage")
    person = access_object(Resident, acting_user, person.pk, "homesafety.manage")
    unknown = [k for k in kit if k not in DEVICE_TYPES]
    if unknown:
        raise KernelError(_("Unknown device type: %(kind)s") % {"kind": unknown[0]}, field="kit")
    try:
        with transaction.atomic():
            enrollee = Enrollee.objects.create(
                person=person, lives_alone=lives_alone, conditions=conditions[:200], risk=risk,
                home_lat=home[0] if home else None, home_lon=home[1] if home else None, safe_zone=safe_zone or {})
            KitItem.objects.bulk_create([KitItem(enrollee=enrollee, kind=k) for k in kit])
            after: dict[str, Any] = {"person": person.pk, "risk": risk, "kit": list(kit)}
            if source:
                after["source"] = source
            record(acting_user, "homesafety.enrol", enrollee, after=after)
    except IntegrityError as exc:
        raise KernelError(_("This person is already enrolled."), code=Code.ALREADY_ENROLLED, field="person") from exc
    return enrollee


def bind_device(enrollee: Any, *, serial: str, kind: str, field: str) -> Device:
    """Register a device (serial or IMEI) for a person with its empty state; the caller holds the
    transaction and writes the audit row."""
    serial = (serial or "").strip()
    if not serial:
        raise KernelError(_("Enter the serial or IMEI of the %(kind)s.") % {"kind": DEVICE_TYPES[kind].label},
                          code=ErrorCode.REQUIRED, field=field)
    if len(serial) > 40:  # the column's width: longer would be a database error, not a refusal
        raise KernelError(_("A device serial or IMEI of 1 to 40 characters is required."), code=ErrorCode.REQUIRED,
                          field=field)
    try:
        with transaction.atomic():
            device = Device.objects.create(serial=serial, kind=kind, enrollee=enrollee, installed_at=timezone.now())
    except IntegrityError as exc:
        raise KernelError(_("A device with this serial is already registered."), code=Code.DUPLICATE_SERIAL,
                          field=field) from exc
    DeviceState.objects.create(device=device)
    return device


# --- installation --------------------------------------------------------------------------------------


def do_schedule_installation(enrollee: Enrollee, *, installer: Any, on: Any, acting_user: User) -> Any:
    require_perm(acting_user, "homesafety.manage")
    enrollee = access_object(Enrollee, acting_user, enrollee.pk, "homesafety.manage")
    if installer is None or not has_perm(installer, "homesafety.install"):
        raise KernelError(_("Choose an installer."), code=ErrorCode.REQUIRED, field="installer")
    if on is None:
        raise KernelError(_("Choose a date."), code=ErrorCode.REQUIRED, field="scheduled_for")
    with transaction.atomic():
        order = WorkOrder.objects.create(enrollee=enrollee, installer=installer, scheduled_for=on)
        record(acting_user, "homesafety.workorder.create", order, after={"installer": installer.pk, "on": str(on)})
    return order


def do_complete_installation(order_id: int, *, serials: dict[str, str], acting_user: User) -> Any:
    """On site: bind one device per kit line. The order is done when every bound device has sent
    its first signal (see first_signal)."""
    order = access_object(WorkOrder, acting_user, order_id, "homesafety.install")
    if order.status != OrderStatus.OPEN:
        raise StepRefused(_("This work order is no longer open."), field="status")
    kit = list(KitItem.objects.filter(enrollee=order.enrollee, status=KitStatus.PLANNED))
    if not kit:
        raise KernelError(_("Nothing is planned for this person."), field="serials")
    with transaction.atomic():
        for item in kit:
            device = bind_device(order.enrollee, serial=serials.get(item.kind, ""), kind=item.kind,
                                  field=f"serial_{item.kind}")
            KitItem.objects.filter(pk=item.pk).update(device=device)
        WorkOrder.objects.filter(pk=order.pk).update(status=OrderStatus.AWAITING_SIGNAL, bound_at=timezone.now())
        order.refresh_from_db()
        record(acting_user, "homesafety.workorder.bind", order, after={"serials": serials})
    return order


def do_fail_installation(order_id: int, *, reason: str, acting_user: User) -> Any:
    order = access_object(WorkOrder, acting_user, order_id, "homesafety.install")
    if not (reason or "").strip():
        raise KernelError(_("Say why the installation failed."), code=ErrorCode.REQUIRED, field="reason")
    with transaction.atomic():
        if not WorkOrder.objects.filter(pk=order.pk, status=OrderStatus.OPEN).update(
                status=OrderStatus.FAILED, failure_reason=reason.strip()[:200]):
            raise StepRefused(_("This work order is no longer open."), field="status")
        order.refresh_from_db()
        record(acting_user, "homesafety.workorder.fail", order, after={"reason": order.failure_reason})
    return order


def first_signal(device_ids: list[int]) -> None:
    """Called by the ingester for devices heard for the first time: their kit lines are installed,
    and a work order whose devices have all spoken is done."""
    KitItem.objects.filter(device_id__in=device_ids).update(status=KitStatus.INSTALLED)
    enrollees = set(Device.objects.filter(pk__in=device_ids).values_list("enrollee_id", flat=True))
    for order in WorkOrder.objects.filter(enrollee_id__in=enrollees, status=OrderStatus.AWAITING_SIGNAL):
        if not KitItem.objects.filter(enrollee_id=order.enrollee_id).exclude(status=KitStatus.INSTALLED).exists():
            WorkOrder.objects.filter(pk=order.pk).update(status=OrderStatus.DONE, done_at=timezone.now())


# --- wristband features ------------------------------------------------------------------------------


def do_request_feature(device: Device, *, feature: str, enable: bool, requested_by: str, family_consent: bool,
                       acting_user: User) -> Any:
    # Recorded by whoever takes the family's call: the alarm centre or the community worker.
    try:
        device = access_object(Device, acting_user, device.pk, "homesafety.view")
    except KernelError:
        device = access_object(Device, acting_user, device.pk, "people.manage")
    if feature not in ("payment", "calling"):
        raise KernelError(_("The feature is payment or calling."), field="feature")
    if not (requested_by or "").strip():
        raise KernelError(_("Record who asked."), code=ErrorCode.REQUIRED, field="requested_by")
    if enable and not family_consent:
        raise KernelError(_("Turning payment or calling on needs the family's consent."),
                          code=ErrorCode.CONSENT_REQUIRED, field="family_consent")
    with transaction.atomic():
        request = FeatureRequest.objects.create(device=device, feature=feature, enable=enable,
                                                requested_by=requested_by.strip()[:50], family_consent=family_consent)
        record(acting_user, "homesafety.feature.request", request, after={"feature": feature, "enable": enable})
    return request


def do_decide_feature(request_id: int, *, approve: bool, acting_user: User) -> Any:
    """A community worker decides; approval switches the device's feature in the same transaction."""
    request = access_object(FeatureRequest, acting_user, request_id, "people.manage")
    with transaction.atomic():
        if not FeatureRequest.objects.filter(pk=request.pk, status="pending").update(
                status="approved" if approve else "rejected", decided_by=acting_user, decided_at=timezone.now()):
            raise StepRefused(_("This request has been decided already."), field="status")
        device = home_device(request.device)
        assert device is not None  # a request is made for a wristband of home safety's
        before = {"payment_enabled": device.payment_enabled, "calling_enabled": device.calling_enabled}
        if approve:
            Device.objects.filter(pk=device.pk).update(**{f"{request.feature}_enabled": request.enable})
            forget_devices()
            device.refresh_from_db()
        record(acting_user, "homesafety.feature.decide", device, before=before,
               after={"payment_enabled": device.payment_enabled, "calling_enabled": device.calling_enabled,
                      "request": request.pk, "approved": approve})
    request.refresh_from_db()
    return request


def _polygon(text: str) -> list[list[float]]:
    """One corner per line, "latitude, longitude" (commas or spaces), 3 to 50 corners in China."""
    points = []
    for line in text.replace("，", ",").splitlines():
        if not line.strip():
            continue
        parts = line.replace(",", " ").split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
            if len(parts) != 2:
                raise ValueError
        except (ValueError, IndexError):
            raise KernelError(_("Each line of the safe zone's outline is one corner: latitude, longitude."),
                              field="polygon") from None
        if not (3 <= lat <= 54 and 73 <= lon <= 136):
            raise KernelError(_("Each corner of the safe zone must be a latitude and longitude in China."),
                              field="polygon")
        points.append([lat, lon])
    if not 3 <= len(points) <= 50:
        raise KernelError(_("A safe zone's outline has 3 to 50 corners."), field="polygon")
    return points


def do_update_safety(enrollee_id: int, *, acting_user: User, radius_m: Any = None, quiet_start: Any = None,
                     quiet_end: Any = None, home: tuple[Any, Any] | None = None, polygon: str = "") -> Enrollee:
    """Change a person's safe zone (a circle around home, or an outline of corners, which wins),
    home position and quiet hours."""
    enrollee = access_object(Enrollee, acting_user, enrollee_id, "homesafety.manage")
    changes: dict[str, Any] = {}
    if radius_m not in (None, ""):
        try:
            radius = int(radius_m)
        except (TypeError, ValueError):
            radius = -1
        if not 50 <= radius <= 20_000:
            raise KernelError(_("The safe zone's radius is a whole number of metres from 50 to 20,000."),
                              field="radius_m")
        changes["safe_zone"] = {"kind": "circle", "radius_m": radius}
    if polygon and polygon.strip():
        changes["safe_zone"] = {"kind": "polygon", "points": _polygon(polygon)}
    if home is not None:
        try:
            lat, lon = float(home[0]), float(home[1])
        except (TypeError, ValueError):
            lat = lon = 999.0
        if not (3 <= lat <= 54 and 73 <= lon <= 136):  # China's extent: a typo, not a place
            raise KernelError(_("The home position must be a latitude and longitude in China."), field="home")
        changes["home_lat"], changes["home_lon"] = lat, lon
    for name, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if value not in (None, ""):
            try:
                changes[name] = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
            except ValueError:
                raise KernelError(_("A time of day such as 22:00."), field=name) from None
    if not changes:
        return enrollee
    with transaction.atomic():
        before = {k: str(getattr(enrollee, k)) for k in changes}
        Enrollee.objects.filter(pk=enrollee.pk).update(**changes)
        forget_devices()
        enrollee.refresh_from_db()
        record(acting_user, "homesafety.enrollee.update", enrollee, before=before,
               after={k: str(getattr(enrollee, k)) for k in changes})
    return enrollee


# The thresholds a community may set for one person, with the ranges that still make medical sense
# (the heart-rate ranges do not overlap, so a lower bound is always below an upper one); the rest of
# a device type's parameters stay as declared in devices.py.
THRESHOLDS: dict[str, tuple[Any, float, float, bool]] = {
    # name: (label, minimum, maximum, whole number)
    "hr_low": (gettext_lazy("Heart rate lower bound (beats/min)"), 30, 80, True),
    "hr_high": (gettext_lazy("Heart rate upper bound (beats/min)"), 90, 200, True),
    "temp_high": (gettext_lazy("Body temperature alarm at (°C)"), 37.0, 40.0, False),
    "no_move_hours": (gettext_lazy("No movement in the daytime for (hours)"), 1, 24, True),
    "battery_low": (gettext_lazy("Low battery alarm at (%)"), 5, 50, True),
}


def do_update_thresholds(enrollee_id: int, values: dict[str, Any], *, acting_user: User) -> Enrollee:
    """Set or clear (empty value) a person's own alarm thresholds; checked all together, saved
    all together, audited. The rules read them at the next batch (the ingest cache is forgotten)."""
    enrollee = access_object(Enrollee, acting_user, enrollee_id, "homesafety.manage")
    overrides = dict(enrollee.rule_overrides or {})
    for name, raw in values.items():
        if name not in THRESHOLDS:
            raise KernelError(_("Unknown threshold."), field=name)
        label, low, high, whole = THRESHOLDS[name]
        if raw in (None, ""):
            overrides.pop(name, None)
            continue
        try:
            number: float = int(raw) if whole else round(float(raw), 1)
        except (TypeError, ValueError):
            number = low - 1
        if not low <= number <= high:
            raise KernelError(_("%(label)s must be from %(low)s to %(high)s.") % {"label": label, "low": low, "high": high},
                              field=name)
        overrides[name] = number
    # The clear level follows the raise level, so hysteresis holds for the person's own threshold.
    if "temp_high" in overrides:
        overrides["temp_clear"] = round(overrides["temp_high"] - 0.3, 1)
    else:
        overrides.pop("temp_clear", None)
    if "battery_low" in overrides:
        overrides["battery_clear"] = overrides["battery_low"] + 10
    else:
        overrides.pop("battery_clear", None)
    if overrides == (enrollee.rule_overrides or {}):
        return enrollee
    with transaction.atomic():
        before = dict(enrollee.rule_overrides or {})
        Enrollee.objects.filter(pk=enrollee.pk).update(rule_overrides=overrides)
        forget_devices()
        enrollee.refresh_from_db()
        record(acting_user, "homesafety.enrollee.thresholds", enrollee, before=before, after=overrides)
    return enrollee
