"""Forget the ingester's device cache when a device or a person's settings change in this process."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from longcheng.kernel.telemetry.models import Device as TelemetryDevice
from longcheng.kernel.telemetry.registry import forget_devices

from .models import Device, Enrollee

for model in (TelemetryDevice, Device, Enrollee):
    post_save.connect(forget_devices, sender=model, dispatch_uid=f"homesafety-forget-{model._meta.label}")
    post_delete.connect(forget_devices, sender=model, dispatch_uid=f"homesafety-forget-{model._meta.label}-del")
