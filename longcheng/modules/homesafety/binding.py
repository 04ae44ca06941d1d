"""A person's devices bound, unbound and swapped by the programme manager on the person page: a
new wristband or smoke alarm, one returned or broken (unbound and switched off, its history kept),
one replaced by another of its type in one step. A device with an open alarm is neither unbound nor
swapped: the alarm is answered first, so no alarm is left pointing at a device nobody watches. A
swapped wristband's payment and calling start off again: they are switched on only through a
recorded request with the family's consent (do_request_feature)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import access_object, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, ErrorCode, KernelError, NotFound
from longcheng.kernel.telemetry.registry import forget_devices

from .actions import bind_device
from .devices import DEVICE_TYPES
from .models import Alarm, Device, Enrollee

MANAGE = "homesafety.manage"


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise KernelError(_("Say why the device is taken off (returned, broken, lost…)."), code=ErrorCode.REQUIRED,
                          field="reason")
    return reason[:200]


def do_bind_device(enrollee_id: int, *, kind: str, serial: str, acting_user: User) -> Device:
    require_perm(acting_user, MANAGE)
    if kind not in DEVICE_TYPES:
        raise KernelError(_("Choose a device type."), code=ErrorCode.INVALID, field="kind")
    with transaction.atomic():
        enrollee = access_object(Enrollee, acting_user, enrollee_id, MANAGE)
        device = bind_device(enrollee, serial=serial, kind=kind, field="serial")
        record(acting_user, "homesafety.device.bind", device,
               after={"serial": device.serial, "kind": kind, "enrollee": enrollee.pk})
    forget_devices()
    return device


def _take_off(device_id: int, reason: str, acting_user: User) -> tuple[Device, Enrollee, dict[str, Any]]:
    """Inside the caller's transaction: the device locked, checked free of open alarms, unbound."""
    reason = _reason(reason)
    device = access_object(Device, acting_user, device_id, MANAGE,
                           queryset=Device.objects.select_for_update(of=("self", "device_ptr")).select_related("enrollee"))
    if Alarm.objects.filter(device_id=device.pk, is_open=True).exists():
        raise Conflict(_("The device has an open alarm: answer it before the device is taken off."), field="device")
    enrollee = device.enrollee
    if enrollee is None:  # in scope only through its person: an unbound device is found by nobody
        raise NotFound()
    before = {"serial": device.serial, "enrollee": device.enrollee_id, "active": device.active}
    device.enrollee = None
    device.active = False
    device.payment_enabled = device.calling_enabled = False
    device.save()
    return device, enrollee, {"before": before, "reason": reason}


def do_unbind_device(device_id: int, *, reason: str, acting_user: User) -> Device:
    require_perm(acting_user, MANAGE)
    with transaction.atomic():
        device, _enrollee, change = _take_off(device_id, reason, acting_user)
        record(acting_user, "homesafety.device.unbind", device, before=change["before"],
               after={"enrollee": None, "active": False}, reason=change["reason"])
    forget_devices()
    return device


def do_swap_device(device_id: int, *, serial: str, reason: str, acting_user: User) -> Device:
    require_perm(acting_user, MANAGE)
    with transaction.atomic():
        old, enrollee, change = _take_off(device_id, reason, acting_user)
        new = bind_device(enrollee, serial=serial, kind=old.kind, field="serial")
        record(acting_user, "homesafety.device.swap", new, before=change["before"],
               after={"serial": new.serial, "kind": new.kind, "enrollee": enrollee.pk}, reason=change["reason"])
    forget_devices()
    return new
