"""ecorestore's state: damage cases, the conversion rates, the base and its zones, obligations of
restoration labour, shifts and certificates.

Money is integer fen; labour is whole hours (a shift credits whole hours), so hours × rate is an
exact amount of fen and a breach reverts an exact amount."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    COURT = "court", pgettext_lazy("ecorestore", "Court judgement")
    PROCURATORATE = "procuratorate", pgettext_lazy("ecorestore", "Procuratorate public-interest case")
    NEGOTIATION = "negotiation", pgettext_lazy("ecorestore", "Negotiation (consultation) agreement")


class Stage(models.TextChoices):
    # 环法规〔2022〕31号: 线索筛查 → 调查/鉴定评估 → 磋商 → 协议 or 诉讼 → 修复/赔偿 → 修复效果评估 → 信息公开.
    SCREENING = "screening", pgettext_lazy("ecorestore", "Lead screening")
    INVESTIGATION = "investigation", pgettext_lazy("ecorestore", "Investigation and damage assessment")
    NEGOTIATION = "negotiation", pgettext_lazy("ecorestore", "Negotiation")
    AGREEMENT = "agreement", pgettext_lazy("ecorestore", "Agreement")
    LAWSUIT = "lawsuit", pgettext_lazy("ecorestore", "Lawsuit and judgement")
    RESTORATION = "restoration", pgettext_lazy("ecorestore", "Restoration or payment")
    ASSESSMENT = "assessment", pgettext_lazy("ecorestore", "Restoration-effect assessment")
    DISCLOSED = "disclosed", pgettext_lazy("ecorestore", "Disclosed")


class Head(models.TextChoices):
    SERVICE_LOSS = "service_loss", pgettext_lazy("ecorestore", "Service loss until restored")
    PERMANENT_LOSS = "permanent_loss", pgettext_lazy("ecorestore", "Permanent loss")
    ASSESSMENT_COST = "assessment_cost", pgettext_lazy("ecorestore", "Investigation and assessment costs")
    RESTORATION_COST = "restoration_cost", pgettext_lazy("ecorestore", "Clean-up and restoration costs")
    PREVENTION_COST = "prevention_cost", pgettext_lazy("ecorestore", "Prevention costs")


class PartyKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("ecorestore", "Natural person")
    FIRM = "firm", pgettext_lazy("ecorestore", "Enterprise")


class Case(models.Model):
    """A damage case, from the organ that brought it (its source), in the place of its jurisdiction."""

    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=Source.choices)
    source_organ = models.CharField(max_length=100)  # the court or procuratorate the certificate goes back to
    legal_basis = models.CharField(max_length=300)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    party_name = models.CharField(max_length=100)
    party_kind = models.CharField(max_length=8, choices=PartyKind.choices)
    # The party's own account, if they have one: they see this case and nothing else.
    party_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    assessment_report = models.CharField(max_length=200, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    stage_due = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)  # judgement or agreement date: picks the rate
    opened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "place__path"

    class Meta:
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def damage_fen(self) -> int:
        return sum(h.amount_fen for h in self.heads.all())


class DamageHead(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="heads")
    head = models.CharField(max_length=20, choices=Head.choices)
    amount_fen = models.BigIntegerField()

    scope_path_field = "case__place__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "head"], name="ecorestore_head_once"),
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="ecorestore_head_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.head}"



class StageStep(models.Model):
    """Every transition of a case is a row: who moved it, from where to where, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    scope_path_field = "case__place__path"

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.from_stage}→{self.to_stage}"



class Rate(models.Model):
    """A conversion rate in force from a date (tied to the local hourly minimum wage): data, versioned."""

    valid_from = models.DateField(unique=True)
    fen_per_hour = models.PositiveIntegerField()
    basis = models.CharField(max_length=200)

    # The rates are public figures, read by every holder of the module's view permission.
    scope_public = {"ecorestore.view", "ecorestore.supervise", "ecorestore.own"}

    class Meta:
        ordering = ["-valid_from"]
        constraints = [models.CheckConstraint(condition=models.Q(fen_per_hour__gt=0), name="ecorestore_rate_positive")]

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.fen_per_hour}"



class Base(models.Model):
    name = models.CharField(max_length=100, unique=True)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    area_km2 = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    # The park's money on the kernel ledger (restoration fees and compensation recovered), opened on
    # the first receipt (actions_money.base_fund).
    fund = models.OneToOneField("ledger.Fund", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    scope_path_field = "place__path"

    def __str__(self) -> str:
        return self.name


class ZoneKind(models.TextChoices):
    FISH_RELEASE = "fish_release", pgettext_lazy("ecorestore", "Fish release")
    LABOUR = "labour", pgettext_lazy("ecorestore", "Labour in lieu of payment")
    BIRDS = "birds", pgettext_lazy("ecorestore", "Bird observation")
    REGREENING = "regreening", pgettext_lazy("ecorestore", "Low-carbon re-greening")
    LAW_CORRIDOR = "law_corridor", pgettext_lazy("ecorestore", "Law-education corridor")
    REPLANTING = "replanting", pgettext_lazy("ecorestore", "Replanting")
    MINOR_OFFENCE = "minor_offence", pgettext_lazy("ecorestore", "Minor-offence governance")


class Zone(models.Model):
    """A functional zone of the base: a kernel place (a grid under the base's community) with an
    outline; a supervisor's role is held at the zone's place, so they see its shifts only."""

    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="zones")
    place = models.OneToOneField("places.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ZoneKind.choices)
    name = models.CharField(max_length=100)
    # [[lat, lon], …] in WGS-84 degrees: at least three points.
    outline = models.JSONField(default=list)
    capacity_per_day = models.PositiveIntegerField(default=10)
    offers = models.CharField(max_length=200, blank=True)

    scope_path_field = "place__path"

    class Meta:
        ordering = ["base", "pk"]

    def __str__(self) -> str:
        return self.name


class ObligationState(models.TextChoices):
    OPEN = "open", pgettext_lazy("ecorestore", "Being performed")
    COMPLETE = "complete", pgettext_lazy("ecorestore", "Complete")
    BREACHED = "breached", pgettext_lazy("ecorestore", "Breached")


class Obligation(models.Model):
    """Part of a case's amount converted to hours of labour at the rate in force on the decision date."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="obligations")
    hours_owed = models.PositiveIntegerField()
    hours_credited = models.PositiveIntegerField(default=0)
    fen_per_hour = models.PositiveIntegerField()
    rate_from = models.DateField()
    amount_offset_fen = models.BigIntegerField()  # hours_owed × fen_per_hour, exactly
    reverted_fen = models.BigIntegerField(default=0)  # on breach: the unperformed part, back to money
    consent = models.BooleanField(default=False)
    hardship_evidence = models.CharField(max_length=300)
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=ObligationState.choices, default=ObligationState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "case__place__path"

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours_credited__lte=models.F("hours_owed")),
                                   name="ecorestore_credit_within_owed"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.pk}"

    @property
    def hours_left(self) -> int:
        return self.hours_owed - self.hours_credited



class ShiftState(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("ecorestore", "Booked")
    CHECKED_IN = "checked_in", pgettext_lazy("ecorestore", "Checked in")
    CHECKED_OUT = "checked_out", pgettext_lazy("ecorestore", "Checked out")
    SIGNED = "signed", pgettext_lazy("ecorestore", "Signed off")
    MISSED = "missed", pgettext_lazy("ecorestore", "Missed")


class Shift(models.Model):
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="shifts")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=ShiftState.choices, default=ShiftState.BOOKED)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    hours_credited = models.PositiveIntegerField(default=0)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    # A supervisor sees the shifts of their zone; the procuratorate sees them through the zone's place too.
    scope_path_field = "zone__place__path"
    # Where the supervisor's phone stood at check-in: kept as evidence, never shown on a list.
    check_in_lat = models.FloatField(null=True, blank=True)
    check_in_lon = models.FloatField(null=True, blank=True)
    # Optional photos taken on the supervisor's phone at check-in and check-out (JPEG or PNG, passed
    # through kernel.uploads.check_upload); opened only through the audited download of the shift page.
    check_in_photo = models.FileField(upload_to="ecorestore/shifts/%Y/%m/", blank=True)
    check_out_photo = models.FileField(upload_to="ecorestore/shifts/%Y/%m/", blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.starts_at:%Y-%m-%d %H:%M}"



class Certificate(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(max_length=40, unique=True)
    hours = models.PositiveIntegerField()
    amount_offset_fen = models.BigIntegerField()
    sent_to = models.CharField(max_length=100)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_path_field = "case__place__path"

    def __str__(self) -> str:
        return self.number



class WorkKind(models.TextChoices):
    TREES = "trees", pgettext_lazy("ecorestore", "Trees planted and tended")
    FISH = "fish", pgettext_lazy("ecorestore", "Fish released")
    AREA = "area", pgettext_lazy("ecorestore", "Area restored (m²)")


class Work(models.Model):
    """An obligation in kind: trees planted (and tended for some months), fish released or an area
    restored, at an agreed value per unit, so that a breach reverts exactly the units not delivered."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="works")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="works")
    kind = models.CharField(max_length=8, choices=WorkKind.choices)
    quantity_owed = models.PositiveIntegerField()
    quantity_done = models.PositiveIntegerField(default=0)
    fen_per_unit = models.PositiveIntegerField()
    amount_offset_fen = models.BigIntegerField()  # quantity_owed × fen_per_unit, exactly
    reverted_fen = models.BigIntegerField(default=0)
    tend_months = models.PositiveSmallIntegerField(default=0)  # trees: tended this long after planting
    done_on = models.DateField(null=True, blank=True)  # the day the last unit was delivered
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=ObligationState.choices, default=ObligationState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "case__place__path"

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity_done__lte=models.F("quantity_owed")),
                                   name="ecorestore_work_within_owed"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}#{self.pk}"

    @property
    def quantity_left(self) -> int:
        return self.quantity_owed - self.quantity_done


class Delivery(models.Model):
    """Units of a work delivered on a day (trees planted, a batch of fish released, an area restored)."""

    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="deliveries")
    quantity = models.PositiveIntegerField()
    on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "work__case__place__path"

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.work_id}+{self.quantity}"


class Assessment(models.Model):
    """The restoration-effect assessment: the assessor's result at the check date."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="assessment")
    checked_on = models.DateField()
    assessor = models.CharField(max_length=100)
    survival_percent = models.PositiveSmallIntegerField(null=True, blank=True)  # trees alive at the check date
    area_restored_m2 = models.PositiveIntegerField(null=True, blank=True)
    satisfactory = models.BooleanField()
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "case__place__path"

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(survival_percent__lte=100),
                                              name="ecorestore_survival_percent")]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.checked_on}"


class Threshold(models.Model):
    """The eligibility thresholds in force from a date (data, versioned: a change is a new row):
    below `fast_lane_below_fen` of damage a natural person may convert without hardship evidence
    (Taizhou's < 500 yuan fast lane); at most `max_convert_fen` of a case converts to labour."""

    valid_from = models.DateField(unique=True)
    fast_lane_below_fen = models.BigIntegerField(default=0)
    max_convert_fen = models.BigIntegerField(null=True, blank=True)  # None: no cap
    basis = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_public = {"ecorestore.view", "ecorestore.manage"}

    class Meta:
        ordering = ["-valid_from"]
        constraints = [models.CheckConstraint(condition=models.Q(fast_lane_below_fen__gte=0),
                                              name="ecorestore_fast_lane_not_negative")]

    def __str__(self) -> str:
        return f"{self.valid_from}: <{self.fast_lane_below_fen}"


class MoneyKind(models.TextChoices):
    FEE = "fee", pgettext_lazy("ecorestore", "Restoration fee")
    COMPENSATION = "compensation", pgettext_lazy("ecorestore", "Compensation recovered")


class Receipt(models.Model):
    """Money into the base's fund: a restoration fee or compensation recovered (of a case, or not),
    posted on the kernel ledger under `ecorestore:receipt:<id>`."""

    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="receipts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="receipts")
    kind = models.CharField(max_length=16, choices=MoneyKind.choices)
    amount_fen = models.BigIntegerField()
    payer = models.CharField(max_length=100)
    received_on = models.DateField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "base__place__path"

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="ecorestore_receipt_positive")]

    def __str__(self) -> str:
        return f"{self.base_id}+{self.amount_fen}"


class SpendPurpose(models.TextChoices):
    SEEDLINGS = "seedlings", pgettext_lazy("ecorestore", "Seedlings and replanting")
    FRY = "fry", pgettext_lazy("ecorestore", "Fish fry for release")
    TENDING = "tending", pgettext_lazy("ecorestore", "Tending and upkeep")
    EQUIPMENT = "equipment", pgettext_lazy("ecorestore", "Facilities and equipment")
    ASSESSMENT = "assessment", pgettext_lazy("ecorestore", "Restoration-effect assessment")
    OTHER = "other", pgettext_lazy("ecorestore", "Other restoration work")


class Spend(models.Model):
    """What the fund paid for, posted under `ecorestore:spend:<id>`; never more than the fund holds."""

    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="spends")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="spends")
    purpose = models.CharField(max_length=16, choices=SpendPurpose.choices)
    description = models.CharField(max_length=200)
    amount_fen = models.BigIntegerField()
    payee = models.CharField(max_length=100)
    spent_on = models.DateField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "base__place__path"

    class Meta:
        ordering = ["-spent_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="ecorestore_spend_positive")]

    def __str__(self) -> str:
        return f"{self.base_id}-{self.amount_fen}"


class MoneyReversal(models.Model):
    """A receipt or a spend recorded in error, undone by a reversing entry on the fund's ledger
    (`ecorestore:receipt:<id>:reverse`, `ecorestore:spend:<id>:reverse`): the row it undoes is never
    edited or deleted, and is reversed at most once (one-to-one)."""

    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="reversal")
    spend = models.OneToOneField(Spend, on_delete=models.PROTECT, null=True, blank=True, related_name="reversal")
    reason = models.CharField(max_length=200)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=models.Q(receipt__isnull=False, spend__isnull=True) | models.Q(receipt__isnull=True,
                                                                                      spend__isnull=False),
            name="ecorestore_reversal_one_record")]

    def __str__(self) -> str:
        return f"reversal of {'receipt' if self.receipt_id else 'spend'} {self.receipt_id or self.spend_id}"
