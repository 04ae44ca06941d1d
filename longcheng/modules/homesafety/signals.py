"""Forget the ingester's device cache when a device or a person's settings change in this process."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from .models import Device, Enrollee
from .telemetry.registry import forget_devices

for model in (Device, Enrollee):
    post_save.connect(forget_devices, sender=model, dispatch_uid=f"homesafety-forget-{model.__name__}")
    post_delete.connect(forget_devices, sender=model, dispatch_uid=f"homesafety-forget-{model.__name__}-del")
