from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.places.models import Place
from longcheng.kernel.telemetry.models import DeadLetter, DeviceState, Reading, SeqGap
from longcheng.kernel.telemetry.models import Device as TelemetryDevice

__all__ = ["DeadLetter", "DeviceState", "Reading", "SeqGap"]  # the kernel's, named here for home safety's code


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Enrollee(models.Model):
    """A person in the programme: an elder or a child of the survey list, with a risk profile, a
    home, a safe zone and quiet hours. Rule thresholds may be overridden per person."""

    person = models.OneToOneField("people.Resident", on_delete=models.PROTECT, related_name="homesafety",
                                  verbose_name=_("resident"))
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    conditions = models.CharField(_("health conditions"), max_length=200, blank=True)
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    home_lat = models.FloatField(_("home latitude"), null=True, blank=True)
    home_lon = models.FloatField(_("home longitude"), null=True, blank=True)
    # {"kind": "circle", "radius_m": 500} around home, or {"kind": "polygon", "points": [[lat, lon], …]}.
    safe_zone = models.JSONField(_("safe zone"), default=dict, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours to"), null=True, blank=True)
    rule_overrides = models.JSONField(_("rule thresholds for this person"), default=dict, blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "person__place__path"

    class Meta:
        verbose_name = _("enrolled person")
        verbose_name_plural = _("enrolled persons")

    def __str__(self) -> str:
        return str(self.person)


class Device(TelemetryDevice):
    """A device of home safety's types and its binding to the person it watches over. The kernel's
    telemetry holds the device itself (serial, type, installation, active; its state, readings, dead
    letters and gaps); this row, in a table of home safety's own, what home safety keeps with it."""

    device_ptr = models.OneToOneField(TelemetryDevice, on_delete=models.CASCADE, parent_link=True, primary_key=True,
                                      related_name="homesafety")
    enrollee = models.ForeignKey(Enrollee, on_delete=models.PROTECT, null=True, blank=True, related_name="devices",
                                 verbose_name=_("enrolled person"))
    # Off by default for fear of telephone fraud; switched on only through a recorded request.
    payment_enabled = models.BooleanField(_("payment enabled"), default=False)
    calling_enabled = models.BooleanField(_("calling enabled"), default=False)

    scope_path_field = "enrollee__person__place__path"
    # The kernel device's scope_filter goes through this binding; restrict() takes this path first.

    class Meta:
        db_table = "homesafety_binding"
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.serial


def create_devices(devices: list[tuple[str, str, int | None, dt.datetime | None]], batch_size: int = 5000) -> None:
    """Many (serial, type, enrollee id, installed at) at once, for the benchmarks: Django's
    bulk_create refuses a model with a parent table, so the kernel's rows are bulk-created and
    their bindings inserted after them in one statement per chunk."""
    made = TelemetryDevice.objects.bulk_create(
        [TelemetryDevice(serial=serial, kind=kind, installed_at=at) for serial, kind, _e, at in devices],
        batch_size=batch_size)
    rows = [(d.pk, enrollee) for d, (_s, _k, enrollee, _a) in zip(made, devices, strict=True)]
    table = connection.ops.quote_name(Device._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(f"INSERT INTO {table} (device_ptr_id, enrollee_id, payment_enabled, calling_enabled) "
                               "VALUES (%s, %s, %s, %s)", [(pk, e, False, False) for pk, e in rows[start:start + batch_size]])


def home_device(device: TelemetryDevice) -> Device | None:
    """Home safety's row of a kernel device (loaded with it by the ingester's cache), None when the
    device is bound to nothing of home safety's."""
    if isinstance(device, Device):
        return device
    try:
        return device.homesafety  # type: ignore[no-any-return, unused-ignore]
    except Device.DoesNotExist:
        return None


class Severity(models.IntegerChoices):
    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    WARNING = 3, _("Warning")
    INFO = 4, _("Information")


class AlarmKind(models.TextChoices):
    SOS = "sos", _("SOS button")
    FALL = "fall", _("Fall detected")
    SMOKE = "smoke", _("Smoke or fire")
    HEART_RATE = "heart_rate", _("Heart rate out of bounds")
    TEMPERATURE = "temperature", _("High body temperature")
    SAFE_ZONE = "safe_zone", _("Left the safe zone")
    NO_MOVEMENT = "no_movement", _("No movement")
    OFFLINE = "offline", _("Device offline")
    LOW_BATTERY = "low_battery", _("Low battery")
    REMOVED = "removed", _("Wristband taken off")
    SENSOR_FAULT = "sensor_fault", _("Sensor fault")
    CLOCK_OFF = "clock_off", _("Device clock off")
    MESSAGES_MISSING = "messages_missing", _("Messages missing")


class AlarmStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPATCHED = "dispatched", _("Dispatched")
    ARRIVED = "arrived", _("Arrived")
    RESOLVED = "resolved", _("Resolved")


class Outcome(models.TextChoices):
    HANDLED = "handled", _("Emergency handled")
    FALSE_ALARM = "false_alarm", _("False alarm")
    DEVICE_FAULT = "device_fault", _("Device fault")
    POLICE = "110", _("Handed to 110 (police)")
    FIRE = "119", _("Handed to 119 (fire)")
    AMBULANCE = "120", _("Handed to 120 (ambulance)")
    CLEARED = "cleared", _("Cleared by itself before anyone acknowledged")


class FalseAlarmReason(models.TextChoices):
    """Why an alarm was false: asked when the outcome is "false alarm", counted per device type."""

    PRESSED_BY_MISTAKE = "pressed", _("Button pressed by mistake")
    COOKING = "cooking", _("Cooking smoke or steam")
    DEVICE_DROPPED = "dropped", _("Device dropped or knocked")
    NOT_WORN = "not_worn", _("Wristband not worn properly")
    DEVICE_FAULT = "fault", pgettext_lazy("false alarm reason", "Device malfunction")
    TESTING = "testing", _("Test or installation")
    OTHER = "other", pgettext_lazy("false alarm reason", "Other")


class Alarm(models.Model):
    enrollee = models.ForeignKey(Enrollee, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("enrolled person"))
    device = models.ForeignKey(TelemetryDevice, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("device"))
    kind = models.CharField(_("kind"), max_length=20, choices=AlarmKind.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    status = models.CharField(_("status"), max_length=15, choices=AlarmStatus.choices, default=AlarmStatus.RAISED)
    # True until resolved: the unique constraint below allows one open alarm per person, device and kind.
    is_open = models.BooleanField(default=True)
    count = models.PositiveIntegerField(_("occurrences"), default=1)
    detail = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("dispatched to"))
    dispatch_phone = models.CharField(_("phone of the person sent"), max_length=20, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    outcome = models.CharField(pgettext_lazy("alarm", "outcome"), max_length=15, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    false_alarm_reason = models.CharField(_("false alarm reason"), max_length=10, choices=FalseAlarmReason.choices,
                                          blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("assignee"))
    dispatch_note = models.CharField(_("note on dispatch"), max_length=500, blank=True)
    arrival_note = models.CharField(_("note on arrival"), max_length=500, blank=True)
    # The dispatched worker's latest position while on the way, shared from their phone (trips.py).
    # Only the latest is kept, and it is wiped at arrival or resolution: nothing of a worker's
    # movements outlives the trip.
    worker_lat = models.FloatField(null=True, blank=True)
    worker_lon = models.FloatField(null=True, blank=True)
    worker_accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    worker_seen_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(_("condition cleared at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)

    scope_path_field = "enrollee__person__place__path"

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        constraints = [
            models.UniqueConstraint(fields=["enrollee", "device", "kind"], condition=Q(is_open=True),
                                    name="homesafety_one_open_alarm"),
        ]
        indexes = [models.Index(fields=["is_open", "severity", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enrollee}"


STEP_LABELS = {
    "raised": pgettext_lazy("alarm step", "raised"),
    "acknowledge": pgettext_lazy("alarm step", "acknowledged"),
    "dispatch": pgettext_lazy("alarm step", "dispatched"),
    "arrive": pgettext_lazy("alarm step", "arrived"),
    "resolve": pgettext_lazy("alarm step", "resolved"),
    "escalated": pgettext_lazy("alarm step", "escalated"),
    "reminded": pgettext_lazy("alarm step", "reminded"),
    "level_skipped": pgettext_lazy("alarm step", "level skipped"),
    "cleared": pgettext_lazy("alarm step", "condition cleared"),
    "auto_resolved": pgettext_lazy("alarm step", "cleared by itself"),
    "assign": pgettext_lazy("alarm step", "assigned"),
}


class AlarmEvent(models.Model):
    """The alarm's timeline: every step with its time and who took it."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    step = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.step} {self.at:%H:%M:%S}"

    @property
    def step_label(self) -> str:
        return str(STEP_LABELS.get(self.step, self.step))



class AlarmComment(models.Model):
    """The alarm's thread: the operator, the worker sent to the door and the community head write
    what they learnt (a call to the daughter, the door found locked)."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="comments")
    at = models.DateTimeField(_("time"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=pgettext_lazy("homesafety", "author"))
    text = models.TextField(pgettext_lazy("homesafety", "comment"), max_length=2000)

    scope_path_field = "alarm__enrollee__person__place__path"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = pgettext_lazy("homesafety", "comment")
        verbose_name_plural = pgettext_lazy("homesafety", "comments")

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.author_id} {self.at:%H:%M:%S}"


class KitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    INSTALLED = "installed", _("Installed")
    FAILED = "failed", _("Installation failed")


class KitItem(models.Model):
    """One line of a person's kit plan: a device type to install (wristband, smoke alarm, …)."""

    enrollee = models.ForeignKey(Enrollee, on_delete=models.CASCADE, related_name="kit", verbose_name=_("enrolled person"))
    kind = models.CharField(_("device type"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=KitStatus.choices, default=KitStatus.PLANNED)
    device = models.OneToOneField(TelemetryDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="kit_item")

    scope_path_field = "enrollee__person__place__path"

    class Meta:
        verbose_name = _("kit item")
        verbose_name_plural = _("kit items")
        constraints = [models.UniqueConstraint(fields=["enrollee", "kind"], name="homesafety_one_kit_item_per_type")]

    def __str__(self) -> str:
        return f"{self.enrollee} · {self.kind}"


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To do")
    AWAITING_SIGNAL = "bound", _("Devices bound, waiting for the first signal")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class WorkOrder(models.Model):
    """An installation visit: assigned to an installer, scheduled, done on site (devices bound and a
    first signal received) or failed with a reason."""

    enrollee = models.ForeignKey(Enrollee, on_delete=models.PROTECT, related_name="work_orders",
                                 verbose_name=_("enrolled person"))
    installer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("installer"))
    scheduled_for = models.DateField(_("scheduled for"))
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    failure_reason = models.CharField(_("reason it failed"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    bound_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_path_field = "enrollee__person__place__path"

    class Meta:
        verbose_name = _("installation work order")
        verbose_name_plural = _("installation work orders")
        indexes = [models.Index(fields=["status", "scheduled_for"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enrollee}"


class FeatureRequest(models.Model):
    """Turning a wristband's payment or calling on (or off again): a recorded request with the
    family's consent, decided by a community worker; reversible and audited."""

    FEATURES = [("payment", _("Payment")), ("calling", _("Calling"))]

    device = models.ForeignKey(TelemetryDevice, on_delete=models.PROTECT, related_name="feature_requests")
    feature = models.CharField(_("feature"), max_length=10, choices=FEATURES)
    enable = models.BooleanField(_("turn on"), default=True)
    requested_by = models.CharField(_("asked by"), max_length=50)
    family_consent = models.BooleanField(_("the family consents"), default=False)
    status = models.CharField(_("status"), max_length=10, default="pending",
                              choices=[("pending", pgettext_lazy("feature request", "Pending")), ("approved", _("Approved")), ("rejected", pgettext_lazy("feature request", "Rejected"))])
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "device__homesafety__enrollee__person__place__path"

    class Meta:
        verbose_name = _("feature request")
        verbose_name_plural = _("feature requests")

    def __str__(self) -> str:
        return f"{self.device} {self.feature} {'on' if self.enable else 'off'}"


class OperatorSettings(models.Model):
    """An operator's own console settings, kept on the server so that they follow the operator from
    one desk to the next: whether a new critical alarm sounds (the title flashes either way)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="homesafety_settings")
    alert_muted = models.BooleanField(_("alarm sound muted"), default=False)

    class Meta:
        verbose_name = _("operator's console settings")
        verbose_name_plural = _("operators' console settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {'muted' if self.alert_muted else 'sound on'}"


class RuleVersion(models.Model):
    """One version of a device type's alarm rules at a place (the city, a street, a community):
    the thresholds set there and the alarm kinds switched on or off there. Never updated: each change
    is a new row with the next version number, so every reading's judge can be named afterwards.
    The narrowest place wins, and a person's own thresholds (Enrollee.rule_overrides) over all."""

    device_type = models.CharField(_("device type"), max_length=30)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    version = models.PositiveIntegerField(_("version"))
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    # {rule code: on?} for the kinds that may be switched off (never SOS, fall or smoke).
    kinds = models.JSONField(_("alarm kinds"), default=dict, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"))

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("alarm rule version")
        verbose_name_plural = _("alarm rule versions")
        constraints = [models.UniqueConstraint(fields=["device_type", "place", "version"],
                                               name="homesafety_one_rule_version")]

    def __str__(self) -> str:
        return f"{self.device_type} @ {self.place_id} v{self.version}"


class EscalationChain(models.Model):
    """One version of the escalation chain of a place (a community, or a street or the city for all
    of theirs): levels of [{"role", "after_s", "channels"}]; the narrowest place's latest version
    applies. Never updated: a change is a new version."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    version = models.PositiveIntegerField(_("version"))
    levels = models.JSONField(_("levels"), default=list)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"))

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("escalation chain")
        verbose_name_plural = _("escalation chains")
        constraints = [models.UniqueConstraint(fields=["place", "version"], name="homesafety_one_chain_version")]

    def __str__(self) -> str:
        return f"{self.place_id} v{self.version}"
