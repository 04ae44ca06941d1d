"""wastecycle's state: the school side (光盘行动: classes, attendance, plate-waste weighing, kitchen
waste) and the town transfer station (weighbridge tickets, processing batches, soil lots and their
tests, the hand-out ledger, shipments to the power plant, month-end stock).

Schools, grades and classes are kernel organisations (a grade's parent is its school, a class's its
grade); `SchoolClass` adds what this service needs of a class. A station is a kernel organisation too.
Masses at the school are integer grams, at the station integer kilograms: nothing is ever rounded
on the way in."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", pgettext_lazy("wastecycle", "Breakfast")
    LUNCH = "lunch", pgettext_lazy("wastecycle", "Lunch")


class Source(models.TextChoices):
    PHONE = "phone", pgettext_lazy("wastecycle", "Phone")
    SCALE = "scale", pgettext_lazy("wastecycle", "Scale")


class KitchenReason(models.TextChoices):
    OVERPRODUCTION = "overproduction", pgettext_lazy("wastecycle", "Over-production")
    SPOILAGE = "spoilage", pgettext_lazy("wastecycle", "Spoilage")
    TRIMMINGS = "trimmings", pgettext_lazy("wastecycle", "Trimmings")


class Stream(models.TextChoices):
    KITCHEN = "kitchen", pgettext_lazy("wastecycle", "Kitchen waste")
    MARKET = "market", pgettext_lazy("wastecycle", "Market perishables")
    OTHER = "other", pgettext_lazy("wastecycle", "Other waste")


class Step(models.TextChoices):
    CRUSH = "crush", pgettext_lazy("wastecycle", "Crush")
    FILTER = "filter", pgettext_lazy("wastecycle", "Filter")
    DRY = "dry", pgettext_lazy("wastecycle", "Dry")
    INOCULATE = "inoculate", pgettext_lazy("wastecycle", "Inoculate")
    PRESS = "press", pgettext_lazy("wastecycle", "Press")
    FERMENT = "ferment", pgettext_lazy("wastecycle", "Ferment")


class LotState(models.TextChoices):
    HELD = "held", pgettext_lazy("wastecycle", "Held for testing")
    RELEASED = "released", pgettext_lazy("wastecycle", "Released")
    FAILED = "failed", pgettext_lazy("wastecycle", "Failed")


class SchoolClass(models.Model):
    """A class of a school (its own kernel organisation, child of its grade, child of the school)."""

    org = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_class")
    grade = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_grade_classes")
    school = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_classes")
    grade_no = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")

    scope_path_field = "place__path"

    class Meta:
        ordering = ["school_id", "grade_no", "name"]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """How many pupils ate the meal: the divisor of grams per diner."""

    klass = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField()
    meal = models.CharField(max_length=12, choices=Meal.choices)
    diners = models.PositiveIntegerField()

    scope_path_field = "klass__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["klass", "day", "meal"], name="wastecycle_attendance_once")]

    def __str__(self) -> str:
        return f"{self.klass_id} {self.day} {self.meal}"


class Weighing(models.Model):
    """A class's plate waste of one meal, in grams (one weighing per class and meal)."""

    klass = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="weighings")
    day = models.DateField()
    meal = models.CharField(max_length=12, choices=Meal.choices)
    grams = models.PositiveIntegerField()
    # The meal's attendance, copied here by the actions (do_record_weighing, do_record_attendance) so that
    # the reports sum one table: the district report at a city's size missed its target joining the two.
    diners = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PHONE)
    recorded_by = models.ForeignKey("access.User", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A teacher's correction (do_correct_weighing): the grams are replaced, the first figure and the
    # reason kept in the audit row; the page marks the weighing corrected.
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.CharField(max_length=200, blank=True)

    scope_path_field = "klass__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["klass", "day", "meal"], name="wastecycle_weighing_once")]
        indexes = [models.Index(fields=["day", "klass"])]

    def __str__(self) -> str:
        return f"{self.klass_id} {self.day} {self.meal}: {self.grams} g"


class SchoolDay(models.Model):
    """A school's day of plate waste, summed from its weighings (rollup.refresh_school_day, called by
    every action that writes a weighing or its diners): the district report reads these, about twenty
    rows a school a month, instead of the weighings (sixty a school a day at a city's size)."""

    school = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_days")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    grams = models.PositiveBigIntegerField(default=0)  # of the meals with their attendance
    diners = models.PositiveIntegerField(default=0)
    meals = models.PositiveIntegerField(default=0)  # weighings with attendance
    unattended = models.PositiveIntegerField(default=0)  # weighings without: not counted

    scope_path_field = "place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "day"], name="wastecycle_schoolday_once")]
        indexes = [models.Index(fields=["day", "school"])]

    def __str__(self) -> str:
        return f"{self.school_id} {self.day}"


class SchoolOptions(models.Model):
    """How a school weighs: per class only (the default, no row) or per pupil too."""

    school = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_options")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    per_pupil = models.BooleanField(default=False)

    scope_path_field = "place__path"

    def __str__(self) -> str:
        return f"{self.school_id}: {self.per_pupil}"


class PupilWeighing(models.Model):
    """One pupil's leftovers of a meal, where the school weighs per pupil: by seat number, no name kept
    (the class's weighing is their sum, its diners the pupils weighed)."""

    weighing = models.ForeignKey(Weighing, on_delete=models.CASCADE, related_name="pupils")
    seat = models.PositiveSmallIntegerField()
    grams = models.PositiveIntegerField()

    scope_path_field = "weighing__klass__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["weighing", "seat"], name="wastecycle_pupil_once")]
        ordering = ["seat"]

    def __str__(self) -> str:
        return f"{self.weighing_id} #{self.seat}: {self.grams} g"


class KitchenWaste(models.Model):
    """Pre-consumer waste of a school's kitchen, with its reason."""

    school = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_kitchen")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    reason = models.CharField(max_length=16, choices=KitchenReason.choices)
    grams = models.PositiveIntegerField()
    recorded_by = models.ForeignKey("access.User", on_delete=models.PROTECT, null=True, related_name="+")

    scope_path_field = "place__path"

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.grams} g"


class Station(models.Model):
    """A town transfer station (its kernel organisation) with its perishables processor."""

    org = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="wastecycle_station")
    name = models.CharField(max_length=100)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")

    scope_path_field = "place__path"

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A weighbridge ticket, written once. A correction is a new ticket reversing it (net negated,
    `reverses` set); a ticket is never edited. `key` makes a resend (the weighbridge's retry) return
    the ticket already written."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="tickets")
    key = models.CharField(max_length=64)
    vehicle = models.CharField(max_length=20)
    source_name = models.CharField(max_length=100)
    stream = models.CharField(max_length=10, choices=Stream.choices)
    gross_kg = models.IntegerField()
    tare_kg = models.IntegerField()
    net_kg = models.IntegerField()
    gross_at = models.DateTimeField()
    tare_at = models.DateTimeField()
    photo = models.FileField(upload_to="wastecycle/tickets/%Y/%m/", blank=True)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal")
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey("access.User", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "station__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "key"], name="wastecycle_ticket_key")]
        indexes = [models.Index(fields=["station", "tare_at"])]

    def __str__(self) -> str:
        return self.key


class Batch(models.Model):
    """A batch of perishables through the processor: its input tickets, steps, temperatures, output."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="batches")
    code = models.CharField(max_length=30)
    started_at = models.DateTimeField()
    tickets = models.ManyToManyField(Ticket, related_name="batches", blank=True)
    input_kg = models.IntegerField(default=0)
    moisture_pct = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    output_kg = models.IntegerField(null=True, blank=True)
    residue_kg = models.IntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "station__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "code"], name="wastecycle_batch_code")]

    def __str__(self) -> str:
        return self.code


class BatchStep(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=12, choices=Step.choices)
    at = models.DateTimeField()

    scope_path_field = "batch__station__place__path"

    def __str__(self) -> str:
        return f"{self.batch_id} {self.step}"


class Temperature(models.Model):
    """One reading of the fermenting mass; `celsius_tenths` keeps 55.3 °C as 553."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="temperatures")
    at = models.DateTimeField()
    celsius_tenths = models.IntegerField()

    scope_path_field = "batch__station__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "at"], name="wastecycle_temperature_once")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.at}"


class Lot(models.Model):
    """A lot of organic soil from a done batch; released only after a passing test."""

    batch = models.OneToOneField(Batch, on_delete=models.PROTECT, related_name="lot")
    code = models.CharField(max_length=30)
    mass_kg = models.IntegerField()
    state = models.CharField(max_length=10, choices=LotState.choices, default=LotState.HELD)
    released_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "batch__station__place__path"

    def __str__(self) -> str:
        return self.code


class LotTest(models.Model):
    """A laboratory result for a lot, judged against the NY/T 525 limits (rules.NYT525)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="tests")
    tested_on = models.DateField()
    values = models.JSONField()  # measure → value as text ("45.2"); rules.NYT525 names the measures
    failures = models.JSONField(default=list)
    passed = models.BooleanField()
    # The edition of the standard the values were judged against (rules.NYT525_EDITIONS).
    edition = models.CharField(max_length=20, default="NY/T 525-2021")

    scope_path_field = "lot__batch__station__place__path"

    def __str__(self) -> str:
        return f"{self.lot_id} {self.tested_on}"


class Collector(models.Model):
    """Who collects soil every month: a farmer or a village's gardens, in a village."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="collectors")
    name = models.CharField(max_length=100)
    village = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    # A farmer collecting for themselves is a resident (their data-subject rights, personal.py); a
    # village's gardens are no one's.
    person = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    scope_path_field = "station__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="wastecycle_collector_name")]

    def __str__(self) -> str:
        return self.name


class Handout(models.Model):
    """One collection of soil: who, when, how much, from which released lot."""

    collector = models.ForeignKey(Collector, on_delete=models.PROTECT, related_name="handouts")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="handouts")
    on = models.DateField()
    kg = models.PositiveIntegerField()

    scope_path_field = "collector__station__place__path"

    def __str__(self) -> str:
        return f"{self.collector_id} {self.on}: {self.kg} kg"


class Shipment(models.Model):
    """Compacted blocks of other waste shipped to the power plant, with the plant's received weight."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="shipments")
    shipped_at = models.DateTimeField()
    vehicle = models.CharField(max_length=20)
    blocks = models.PositiveIntegerField()
    shipped_kg = models.PositiveIntegerField()
    received_kg = models.PositiveIntegerField(null=True, blank=True)

    scope_path_field = "station__place__path"

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(shipped_kg__gt=0), name="wastecycle_shipment_mass")]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.shipped_at}"


class CompactionRun(models.Model):
    """One run of the compactor: the other waste pressed into blocks, later loaded onto a shipment."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="compactions")
    at = models.DateTimeField()
    blocks = models.PositiveIntegerField()
    kg = models.PositiveIntegerField()
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    recorded_by = models.ForeignKey("access.User", on_delete=models.PROTECT, null=True, related_name="+")

    scope_path_field = "station__place__path"

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(blocks__gt=0, kg__gt=0), name="wastecycle_compaction_size")]
        indexes = [models.Index(fields=["station", "at"])]

    def __str__(self) -> str:
        return f"{self.station_id} {self.at}: {self.blocks}"


class StockCount(models.Model):
    """The stock on the station at a month's end (kg): waste not yet processed or shipped, soil held."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="stock_counts")
    month = models.DateField()  # the first day of the month counted at its end
    kg = models.PositiveIntegerField()

    scope_path_field = "station__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="wastecycle_stock_once")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month}"
