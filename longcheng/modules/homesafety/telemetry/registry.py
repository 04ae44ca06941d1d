"""Which device a message names, and which devices a gateway account may speak for, both cached
per process."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models import F

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import scope_paths

from ..conf import conf
from ..models import Device

# The permission a gateway account needs, in the places whose devices it may send for.
INGEST_PERMISSION = "homesafety.ingest"

# serial → (loaded at, device with its enrollee). Looking up 400 devices and their persons for each
# batch of 500 readings cost a third of the batch; a device's binding and its person's settings
# change rarely. A change made in this process forgets the cache at once (signals.py); another
# process sees it within HOMESAFETY_DEVICE_CACHE_SECONDS.
DEVICES: dict[str, tuple[float, Device]] = {}
DEVICES_MAX = 500_000


def forget_devices(*_args: Any, **_kwargs: Any) -> None:
    """Now, and again when the changing transaction commits (a batch in another thread of this
    process could otherwise cache the old rows in between)."""
    DEVICES.clear()
    GATEWAYS.clear()
    transaction.on_commit(DEVICES.clear)
    transaction.on_commit(GATEWAYS.clear)


# gateway name → (loaded at, the place paths of its scope; () for no such gateway)
GATEWAYS: dict[str, tuple[float, tuple[str, ...]]] = {}


def gateway_scope(name: str) -> tuple[str, ...]:
    """The place paths a gateway account may send for; empty when no active gateway has this name.
    A gateway's MQTT topic names its account (`<prefix>/gateways/<user name>/telemetry`)."""
    ttl = conf("HOMESAFETY_DEVICE_CACHE_SECONDS")
    now = time.monotonic()
    hit = GATEWAYS.get(name)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    user = User.objects.filter(username=name[:150], is_active=True).first() if "\x00" not in name else None
    paths = scope_paths(user, INGEST_PERMISSION) if user is not None else ()
    if ttl:
        if len(GATEWAYS) > 10_000:
            GATEWAYS.clear()
        GATEWAYS[name] = (now, paths)
    return paths


def devices_by_serial(serials: set[str]) -> dict[str, Device]:
    ttl = conf("HOMESAFETY_DEVICE_CACHE_SECONDS")
    now = time.monotonic()
    found: dict[str, Device] = {}
    missing = []
    for serial in serials:
        hit = DEVICES.get(serial)
        if hit is not None and now - hit[0] < ttl:
            found[serial] = hit[1]
        else:
            missing.append(serial)
    if missing:
        if len(DEVICES) > DEVICES_MAX:
            DEVICES.clear()
        # scope_path: the place of the device's person, which a gateway's scope must cover.
        for device in (Device.objects.filter(serial__in=missing).select_related("enrollee")
                       .annotate(scope_path=F("enrollee__person__place__path"))):
            found[device.serial] = device
            if ttl:
                DEVICES[device.serial] = (now, device)
    return found


def in_scope(device: Device, paths: tuple[str, ...]) -> bool:
    path = getattr(device, "scope_path", None)
    return path is not None and any(path.startswith(p) for p in paths)


def user_scope(user: Any) -> tuple[str, ...]:
    return scope_paths(user, INGEST_PERMISSION)
