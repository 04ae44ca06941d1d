"""Which device a message names, and which devices a gateway account may speak for, both cached
per process. A gateway's scope is per module: its account's places for each module's ingest
permission; a device is in it when the place its module binds it to lies within the places of
that module's permission."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import scope_paths

from .conf import conf
from .models import Device
from .plug import declared_types, telemetry_modules

# serial → (loaded at, device with what its module binds it to). Looking up 400 devices and their
# persons for each batch of 500 readings cost a third of the batch; a device's binding changes
# rarely. A change made in this process forgets the cache at once (forget_devices, connected by
# the modules to their binding models); another process sees it within TELEMETRY_DEVICE_CACHE_SECONDS.
DEVICES: dict[str, tuple[float, Device]] = {}
DEVICES_MAX = 500_000

# A gateway's scope: module code → the place paths it may send for there ({} for no gateway).
Scopes = dict[str, tuple[str, ...]]


def forget_devices(*_args: Any, **_kwargs: Any) -> None:
    """Now, and again when the changing transaction commits (a batch in another thread of this
    process could otherwise cache the old rows in between)."""
    DEVICES.clear()
    GATEWAYS.clear()
    transaction.on_commit(DEVICES.clear)
    transaction.on_commit(GATEWAYS.clear)


# gateway name → (loaded at, its scopes)
GATEWAYS: dict[str, tuple[float, Scopes]] = {}


def user_scope(user: Any) -> Scopes:
    """The places a gateway account may send for, per module (its ingest permission's scope)."""
    found = {}
    for spec, telemetry in telemetry_modules():
        paths = scope_paths(user, telemetry.ingest_permission)
        if paths:
            found[spec.code] = paths
    return found


def gateway_scope(name: str) -> Scopes:
    """What a gateway account may send for; empty when no active gateway has this name. A gateway's
    MQTT topic names its account (`<prefix>/gateways/<user name>/telemetry`)."""
    ttl = conf("TELEMETRY_DEVICE_CACHE_SECONDS")
    now = time.monotonic()
    hit = GATEWAYS.get(name)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    user = User.objects.filter(username=name[:150], is_active=True).first() if "\x00" not in name else None
    scopes = user_scope(user) if user is not None else {}
    if ttl:
        if len(GATEWAYS) > 10_000:
            GATEWAYS.clear()
        GATEWAYS[name] = (now, scopes)
    return scopes


def _scope_path() -> Any:
    """The place path of a device through its module's binding (the first module that binds it)."""
    paths = [F(t.scope_path) for _spec, t in telemetry_modules() if t.scope_path]
    if not paths:
        return Value(None, output_field=CharField())  # no module binds devices to places: no gateway may send
    return paths[0] if len(paths) == 1 else Coalesce(*paths)


def devices_by_serial(serials: set[str]) -> dict[str, Device]:
    ttl = conf("TELEMETRY_DEVICE_CACHE_SECONDS")
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
        related = [name for _spec, t in telemetry_modules() for name in t.select_related]
        # scope_path: the place the device's module binds it to, which a gateway's scope must cover.
        for device in (Device.objects.filter(serial__in=missing).select_related(*related)
                       .annotate(scope_path=_scope_path())):
            found[device.serial] = device
            if ttl:
                DEVICES[device.serial] = (now, device)
    return found


def in_scope(device: Device, scopes: Scopes, types: dict[str, str] | None = None) -> bool:
    """Whether the device's place lies within the gateway's places for the device's module."""
    module = (types if types is not None else declared_types()).get(device.kind)
    paths = scopes.get(module or "", ())
    path = getattr(device, "scope_path", None)
    return path is not None and any(path.startswith(p) for p in paths)
