"""Devices and what they send, shared by every module that has devices (issue 20).

The tables are the ones home safety created before the move (`homesafety_device`, …): the move
changed no row. A module binds a device to what it serves (home safety: a person) in a model of its
own, and names the lookup from a device to a place path in its `Telemetry.scope_path` (plug.py);
a device of a type no module declares is refused (`unknown_device_type`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.access.scope import is_city_wide

from .plug import device_scope_q


class Device(models.Model):
    serial = models.CharField(_("serial or IMEI"), max_length=40, unique=True)
    kind = models.CharField(_("device type"), max_length=30)
    installed_at = models.DateTimeField(_("installed at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "homesafety_device"
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.serial

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Q:
        """Through the binding of the module that declares its type (Telemetry.scope_path); a device
        bound nowhere belongs to no place: city-wide roles only see it (kernel.access.scope fails closed)."""
        return device_scope_q(paths)


class DeviceState(models.Model):
    """The latest state of a device, read by the console at once, and the rules' memory (so rule
    state survives a restart). Only readings newer than last_device_time change it."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, primary_key=True, related_name="state")
    last_device_time = models.DateTimeField(null=True, blank=True)
    # Not indexed: every batch rewrites this row, and an index on a changing column makes each update
    # a full new tuple plus index entries (no HOT update); the offline sweep reads all states anyway.
    last_received_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.BigIntegerField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    # The module's rules' memory, opaque to the kernel (home safety: hysteresis, last alarms).
    rule_state = models.JSONField(default=dict, blank=True)
    online = models.BooleanField(default=False)
    # The highest sequence number stored: a message above it by more than one reveals a gap.
    max_seq = models.BigIntegerField(null=True, blank=True)
    # Device time minus platform time of the device's latest message when that was outside the
    # module's clock window; None when right.
    clock_offset_s = models.FloatField(null=True, blank=True)
    # Gaps seen within the grace period, [from, to, seen at (epoch s)]: most are a reordering and
    # fill within a second; the module's periodic job records what is left as SeqGap rows.
    pending_gaps = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "homesafety_devicestate"

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.last_device_time}"

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Q:
        return Q() if is_city_wide(paths) else Q(device__in=Device.objects.filter(device_scope_q(paths)))


class Reading(models.Model):
    # No index of its own: the (device, seq) unique index starts with device and serves its lookups;
    # one index fewer to write per reading.
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="readings", db_index=False)
    seq = models.BigIntegerField()
    device_time = models.DateTimeField()
    received_at = models.DateTimeField()
    metrics = models.JSONField(default=dict)
    event = models.CharField(max_length=20, blank=True)

    class Meta:
        db_table = "homesafety_reading"
        constraints = [models.UniqueConstraint(fields=["device", "seq"], name="homesafety_reading_once")]
        indexes = [models.Index(fields=["device", "device_time"], name="homesafety__device__f1bb0e_idx")]

    def __str__(self) -> str:
        return f"{self.device_id}#{self.seq}"

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Q:
        return Q() if is_city_wide(paths) else Q(device__in=Device.objects.filter(device_scope_q(paths)))


class DeadLetter(models.Model):
    """A message the ingester could not use, kept with its reason; never a reason to stop."""

    received_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=10)
    topic = models.CharField(max_length=200, blank=True)
    device_serial = models.CharField(max_length=40, blank=True, db_index=True)
    # The gateway account that sent it (HTTP: the token's account; MQTT: the gateway topic's), so a
    # gateway's page lists what it got wrong; "" for a device's own message.
    gateway = models.CharField(max_length=150, blank=True, db_index=True)
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    payload = models.TextField()

    class Meta:
        db_table = "homesafety_deadletter"
        verbose_name = _("rejected message")
        verbose_name_plural = _("rejected messages")

    def __str__(self) -> str:
        return f"{self.reason}: {self.device_serial or '?'}"

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Q:
        """Scoped through the device it names (a serial, not a key: a letter may name a device that
        does not exist). A letter of an unknown or unbound device belongs to no place: city-wide
        roles only see it (kernel.access.scope fails closed)."""
        if is_city_wide(paths):
            return Q()
        return Q(device_serial__in=Device.objects.filter(device_scope_q(paths)).values("serial"))


class SeqGap(models.Model):
    """Sequence numbers of a device still missing a grace period after a later number came first
    (DeviceState.pending_gaps holds them until then). Later arrivals inside it lower `missing`."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="gaps")
    first_seq = models.BigIntegerField(pgettext_lazy("sequence gap", "from"))
    last_seq = models.BigIntegerField(pgettext_lazy("sequence gap", "to"))
    count = models.BigIntegerField(pgettext_lazy("sequence gap", "count"))
    missing = models.BigIntegerField(_("still missing"))
    detected_at = models.DateTimeField(_("seen at"), db_index=True)
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "homesafety_seqgap"
        verbose_name = _("sequence gap")
        verbose_name_plural = _("sequence gaps")
        indexes = [models.Index(fields=["device", "first_seq"], name="homesafety__device__287be3_idx")]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.first_seq}–{self.last_seq}"

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Q:
        return Q() if is_city_wide(paths) else Q(device__in=Device.objects.filter(device_scope_q(paths)))

    @classmethod
    def from_pending(cls, device_id: int, gap: list[Any], warned_at: dt.datetime | None = None) -> SeqGap:
        """The row for a gap kept in DeviceState.pending_gaps as [first, last, seen at (epoch s)]."""
        first, last, seen = gap
        return cls(device_id=device_id, first_seq=first, last_seq=last, count=last - first + 1,
                   missing=last - first + 1, detected_at=dt.datetime.fromtimestamp(seen, tz=dt.UTC),
                   warned_at=warned_at)


class GatewayActivity(models.Model):
    """What a gateway account last sent and how much of it was refused: one row per account that
    ever sent a batch, rewritten once per batch (not per message). Only active gateway accounts get
    a row: a name in an unknown gateway's topic costs a dead letter, never a row here."""

    account = models.CharField(_("gateway account"), max_length=150, unique=True)
    last_at = models.DateTimeField(_("last message at"))
    last_source = models.CharField(_("source"), max_length=10)
    last_topic = models.CharField(_("topic"), max_length=200, blank=True)
    # The last message as received (truncated): it carries positions and health readings, so the
    # page shows it only to roles that see locations plainly, like a dead letter's payload.
    last_payload = models.TextField(blank=True)
    messages = models.BigIntegerField(_("messages received"), default=0)
    rejected = models.BigIntegerField(_("rejected"), default=0)
    last_rejected_at = models.DateTimeField(_("last rejected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("gateway activity")
        verbose_name_plural = _("gateway activity")

    def __str__(self) -> str:
        return f"{self.account} @ {self.last_at}"
