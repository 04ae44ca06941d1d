"""The line as data (lines, stations, platforms, door units, detectors), the devices bound to them,
dwells with their departure decisions, alarms, bypasses and functional tests (docs/platformdoor.md).

A station is one of the kernel's places or belongs to one (`Station.place`): every scoped model
reaches it through `scope_path_field`, so kernel.access.scope restricts them all the same way."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.telemetry.models import Device

STATION_PATH = "station__place__path"
PLATFORM_PATH = "platform__station__place__path"


class Line(models.Model):
    code = models.CharField(_("line code"), max_length=20, unique=True)
    name = models.CharField(_("line name"), max_length=60)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    # An alarm nobody has acknowledged this long after it was raised goes to the line controller.
    escalate_after_s = models.PositiveIntegerField(_("escalate after (seconds)"), default=60)

    scope_path_field = "place__path"

    class Meta:
        verbose_name = pgettext_lazy("metro", "line")

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="stations")
    code = models.CharField(_("station code"), max_length=20)
    name = models.CharField(_("station name"), max_length=60)
    order = models.PositiveIntegerField(default=0)
    # The kernel place the station is, or lies in: who works there sees it.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")

    scope_path_field = "place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "code"], name="platformdoor_station_once")]
        ordering = ["line", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Shape(models.TextChoices):
    STRAIGHT = "straight", pgettext_lazy("platform shape", "straight")
    CURVED = "curved", pgettext_lazy("platform shape", "curved")


class Platform(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="platforms")
    name = models.CharField(_("platform"), max_length=40)
    shape = models.CharField(_("shape"), max_length=10, choices=Shape.choices, default=Shape.STRAIGHT)

    scope_path_field = STATION_PATH

    def __str__(self) -> str:
        return f"{self.station.name} {self.name}"


class DoorKind(models.TextChoices):
    SLIDING = "sliding", pgettext_lazy("platform door", "sliding door")
    EMERGENCY = "emergency", pgettext_lazy("platform door", "emergency door")


class Door(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="doors")
    side = models.CharField(pgettext_lazy("platform", "side"), max_length=10, default="A")
    number = models.PositiveIntegerField(pgettext_lazy("platform door", "door number"))
    kind = models.CharField(_("door type"), max_length=10, choices=DoorKind.choices, default=DoorKind.SLIDING)

    scope_path_field = PLATFORM_PATH

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "side", "number"], name="platformdoor_door_once")]
        ordering = ["platform", "side", "number"]

    def __str__(self) -> str:
        return f"{self.platform} {self.side}{self.number}"


class DetectorType(models.TextChoices):
    LASER = "laser", _("laser beam")
    INFRARED = "infrared", _("infrared beam")
    CURTAIN = "curtain", _("light curtain")
    SCANNER = "scanner", _("laser scanner")
    RADAR = "radar", _("radar")


class Detector(models.Model):
    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="detectors")
    zone = models.CharField(_("gap zone"), max_length=20, default="gap")
    kind = models.CharField(_("detector type"), max_length=10, choices=DetectorType.choices)
    vendor = models.CharField(_("vendor"), max_length=60)
    test_every_days = models.PositiveIntegerField(_("functional test every (days)"), default=30)

    scope_path_field = "door__platform__station__place__path"

    def __str__(self) -> str:
        return f"{self.door} {self.zone}"


class Sensor(models.Model):
    """The binding of a kernel telemetry device to the line: a detector, a door's closed-and-locked
    switch, a platform's safety loop or its train signal (arrive, close, depart)."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, primary_key=True, related_name="platformdoor")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="sensors")
    door = models.ForeignKey(Door, on_delete=models.CASCADE, null=True, blank=True, related_name="sensors")
    detector = models.OneToOneField(Detector, on_delete=models.CASCADE, null=True, blank=True, related_name="sensor")

    scope_path_field = PLATFORM_PATH

    def __str__(self) -> str:
        return str(self.device_id)


class Dwell(models.Model):
    """A train at a platform, from arrival to departure. Detection is armed from `closed_at` (doors
    closing) to departure; `blocked_seen`: the detectors seen blocked or faulty while armed."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="dwells")
    train = models.CharField(_("train"), max_length=20, blank=True)
    arrived_at = models.DateTimeField(pgettext_lazy("train", "arrived at"), db_index=True)
    closed_at = models.DateTimeField(_("doors closed at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    blocked_seen = models.JSONField(default=dict, blank=True)

    scope_path_field = PLATFORM_PATH

    class Meta:
        indexes = [models.Index(fields=["platform", "departed_at"], name="platformdoor_dwell_open")]

    def __str__(self) -> str:
        return f"{self.platform} {self.train} {self.arrived_at:%H:%M:%S}"


class Decision(models.Model):
    """What the supervision saw for one dwell when the train left, and whether a departure would be
    permitted: loop closed, every zone clear (or bypassed by a valid bypass)."""

    dwell = models.OneToOneField(Dwell, on_delete=models.CASCADE, related_name="decision")
    decided_at = models.DateTimeField(_("decided at"))
    loop_closed = models.BooleanField(_("loop closed"))
    all_clear = models.BooleanField(_("every zone clear"))
    blocked = models.JSONField(_("zones blocked"), default=list)
    bypasses = models.JSONField(_("bypasses in force"), default=list)
    permitted = models.BooleanField(_("departure permitted"))
    departed_blocked = models.BooleanField(_("departed while blocked"), default=False)

    scope_path_field = "dwell__platform__station__place__path"

    def __str__(self) -> str:
        return f"{self.dwell_id}: {self.permitted}"


class AlarmKind(models.TextChoices):
    OBSTRUCTION = "obstruction", pgettext_lazy("platform door alarm", "obstruction in the gap")
    FAULT = "fault", pgettext_lazy("platform door alarm", "detector fault")
    LOOP_OPEN = "loop_open", pgettext_lazy("platform door alarm", "safety loop open")
    DEPARTED_BLOCKED = "departed_blocked", pgettext_lazy("platform door alarm", "departure while blocked")


class Cause(models.TextChoices):
    PERSON = "person", pgettext_lazy("gap obstruction", "person")
    BAG = "bag", pgettext_lazy("gap obstruction", "bag or object")
    VIBRATION = "vibration", pgettext_lazy("gap obstruction", "vibration")
    SUNLIGHT = "sunlight", pgettext_lazy("gap obstruction", "sunlight")
    DIRTY_LENS = "dirty_lens", pgettext_lazy("gap obstruction", "dirt on the lens")
    UNKNOWN = "unknown", pgettext_lazy("gap obstruction", "unknown")


# Causes with something really in the gap; the others make an obstruction alarm a false one.
REAL_CAUSES = frozenset({Cause.PERSON, Cause.BAG})


class Alarm(models.Model):
    kind = models.CharField(pgettext_lazy("platform door", "alarm"), max_length=20, choices=AlarmKind.choices)
    critical = models.BooleanField(_("critical"), default=False)
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="alarms")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="alarms")
    door = models.ForeignKey(Door, on_delete=models.CASCADE, null=True, blank=True, related_name="alarms")
    detector = models.ForeignKey(Detector, on_delete=models.SET_NULL, null=True, blank=True, related_name="alarms")
    dwell = models.ForeignKey(Dwell, on_delete=models.SET_NULL, null=True, blank=True, related_name="alarms")
    raised_at = models.DateTimeField(pgettext_lazy("platform door", "raised at"), db_index=True)
    signal_cleared_at = models.DateTimeField(_("signal clear at"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("escalates at"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_open = models.BooleanField(default=True)

    scope_path_field = STATION_PATH

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["door", "kind"], condition=Q(is_open=True, door__isnull=False),
                                    name="platformdoor_alarm_one_open_per_door"),
            models.UniqueConstraint(fields=["platform", "kind"], condition=Q(is_open=True, door__isnull=True),
                                    name="platformdoor_alarm_one_open_per_platform"),
        ]
        indexes = [models.Index(fields=["is_open", "escalate_at"], name="platformdoor_alarm_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.where}"

    @property
    def where(self) -> str:
        door = f" {self.door.side}{self.door.number}" if self.door is not None else ""
        return f"{self.station.name} {self.platform.name}{door}"

    @property
    def is_false(self) -> bool:
        return self.kind == AlarmKind.OBSTRUCTION and bool(self.cause) and self.cause not in REAL_CAUSES


class Bypass(models.Model):
    """A detector or a whole door left out of the departure decision: in force only with an approver
    other than the requester, before its expiry, and until ended (rules.bypass_in_force)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="bypasses")
    door = models.ForeignKey(Door, on_delete=models.CASCADE, null=True, blank=True, related_name="bypasses")
    detector = models.ForeignKey(Detector, on_delete=models.CASCADE, null=True, blank=True, related_name="bypasses")
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    scope_path_field = PLATFORM_PATH

    def __str__(self) -> str:
        return f"{self.platform} {self.door or ''} {self.detector or ''}"


class TestResult(models.TextChoices):
    PASSED = "passed", pgettext_lazy("functional test", "passed")
    FAILED = "failed", pgettext_lazy("functional test", "failed")


class FunctionalTest(models.Model):
    """A periodic test of a detector with the reference test object: due on a day, done with a result."""

    detector = models.ForeignKey(Detector, on_delete=models.CASCADE, related_name="tests")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    result = models.CharField(pgettext_lazy("functional test", "result"), max_length=10, choices=TestResult.choices,
                              blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_path_field = "detector__door__platform__station__place__path"

    class Meta:
        indexes = [models.Index(fields=["done_at", "due_on"], name="platformdoor_test_due")]

    def __str__(self) -> str:
        return f"{self.detector} {self.due_on}"

    def overdue(self, today: dt.date) -> bool:
        return self.done_at is None and self.due_on < today
