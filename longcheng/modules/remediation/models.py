"""remediation's state: sites on the kernel's organisations and places, a case per firm and campaign,
its inspections, its plan (一企一策) with milestones and pollutant figures, the evidence uploaded, the
rebound checks after 销号 and every stage change as a row (so a past date's totals are computable)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from .campaigns import AGENCIES, CAMPAIGNS, EVIDENCE, FINISHED, POLLUTANTS, REMEDIES, SCREENED, STAGES

STAGE_CHOICES = list(STAGES.items())


class Site(models.Model):
    """One address and land parcel, occupied by a firm; a hidden tenant's site names its host (厂中厂)."""

    firm = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="remediation_sites",
                             verbose_name=pgettext_lazy("remediation", "firm"))
    owner = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=pgettext_lazy("remediation", "owner of the premises"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=pgettext_lazy("remediation", "place"))
    address = models.CharField(pgettext_lazy("remediation", "address"), max_length=200)
    parcel = models.CharField(pgettext_lazy("remediation", "land parcel"), max_length=64, blank=True)
    area_mu = models.DecimalField(pgettext_lazy("remediation", "area (mu)"), max_digits=10, decimal_places=2,
                                  default=0)
    in_park = models.BooleanField(pgettext_lazy("remediation", "in an industrial park"), default=False)
    host = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="tenants",
                             verbose_name=pgettext_lazy("remediation", "host premises (厂中厂)"))
    # Where the site is (WGS 84), for the map of sites by stage; unknown for a site registered without it.
    lat = models.FloatField(pgettext_lazy("remediation", "latitude"), null=True, blank=True)
    lon = models.FloatField(pgettext_lazy("remediation", "longitude"), null=True, blank=True)

    scope_path_field = "place__path"

    # A firm's site and its address are an organisation's, public like its registered address: not a
    # person's data for the masking policy (kernel/privacy.py takes a declaration at its word).
    personal_fields: dict[str, str] = {}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "parcel", "firm"], name="remediation_site_unique")]

    def __str__(self) -> str:
        return self.address


class Case(models.Model):
    campaign = models.CharField(pgettext_lazy("remediation", "campaign"), max_length=32)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="cases")
    firm = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="remediation_cases")
    # The site's place when the case opened: the scope stays stable when the firm relocates.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(pgettext_lazy("remediation", "stage"), max_length=16, choices=STAGE_CHOICES,
                              default=SCREENED)
    rebound = models.BooleanField(pgettext_lazy("remediation", "rebound"), default=False)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    scope_path_field = "place__path"

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["firm", "campaign"], condition=~Q(status__in=FINISHED), name="remediation_one_open_case")]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign}:{self.pk}"

    @property
    def campaign_label(self) -> str:
        """The campaign's name as people read it (its code is for machines)."""
        declared = CAMPAIGNS.get(self.campaign)
        return str(declared.label) if declared else self.campaign


class StatusChange(models.Model):
    """A case's every stage change, with who and when: the stage on any past date is the last row before it.
    `until` is when the next change (by at, then pk) took over, empty for the current one, so a case's stage
    at D is its one row with at <= D < until: written with the next change (actions.record_change)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="changes")
    src = models.CharField(max_length=16, blank=True)
    dst = models.CharField(max_length=16, choices=STAGE_CHOICES)
    at = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    scope_path_field = "case__place__path"

    class Meta:
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["case", "until", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.dst}"


class Inspection(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    checklist = models.JSONField(default=dict)  # item code -> checked
    scores = models.JSONField(default=dict)  # axis code -> 0..3
    reasons = models.JSONField(default=dict)  # axis code -> why
    found_running = models.BooleanField(default=False)  # a rebound check: the closed site runs again
    note = models.CharField(max_length=500, blank=True)

    scope_path_field = "case__place__path"

    def __str__(self) -> str:
        return f"{self.case_id}:{self.at:%Y-%m-%d}"


class Plan(models.Model):
    """一企一策: one plan per case, with the figures the totals add up."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    remedy = models.CharField(pgettext_lazy("remediation", "remedy"), max_length=16,
                              choices=[(c, r.label) for c, r in REMEDIES.items()])
    lead_agency = models.CharField(pgettext_lazy("remediation", "lead agency"), max_length=32,
                                   choices=list(AGENCIES.items()))
    responsible = models.CharField(pgettext_lazy("remediation", "responsible person"), max_length=50)
    # Low-yield land the plan vacates or revives (亩).
    area_mu = models.DecimalField(pgettext_lazy("remediation", "land vacated or revived (mu)"), max_digits=10,
                                  decimal_places=2, default=0)
    created_at = models.DateTimeField()

    scope_path_field = "case__place__path"

    def __str__(self) -> str:
        return f"{self.case_id}:{self.remedy}"


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    # Who has been told it is overdue (jobs.warn_overdue): 0 nobody, 1 the lead agency, 2 also the
    # campaign office. Kept on the row so the daily sweep reads only the milestones still to tell.
    escalation = models.PositiveSmallIntegerField(default=0)

    scope_path_field = "plan__case__place__path"

    class Meta:
        indexes = [models.Index(fields=["due_on"], condition=Q(done_at__isnull=True),
                                name="remediation_milestone_open")]

    def __str__(self) -> str:
        return self.title


class PollutantFigure(models.Model):
    """A plan's yearly discharge of one pollutant before and after remediation, in kg."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pollutants")
    pollutant = models.CharField(max_length=16, choices=list(POLLUTANTS.items()))
    before_kg = models.PositiveBigIntegerField()
    after_kg = models.PositiveBigIntegerField()

    scope_path_field = "plan__case__place__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "pollutant"], name="remediation_pollutant_once"),
            models.CheckConstraint(condition=Q(after_kg__lte=models.F("before_kg")), name="remediation_cut_not_rise"),
        ]

    def __str__(self) -> str:
        return f"{self.pollutant}:{self.before_kg}->{self.after_kg}"


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=32, choices=list(EVIDENCE.items()))
    file = models.FileField(upload_to="remediation/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    scope_path_field = "case__place__path"

    def __str__(self) -> str:
        return self.name


class ReboundCheck(models.Model):
    """回头看: a re-inspection due some days after 销号."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rebound_checks")
    days = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The case's place, copied (it never changes): a street's patrol list reads its checks due through the
    # index below instead of joining every open check to its case (migration 0007 filled the rows before).
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")

    scope_path_field = "place__path"

    class Meta:
        indexes = [models.Index(fields=["due_on"], condition=Q(inspection__isnull=True),
                                name="remediation_rebound_due"),
                   models.Index(fields=["place", "due_on"], condition=Q(inspection__isnull=True),
                                name="remediation_rebound_place_due")]

    def __str__(self) -> str:
        return f"{self.case_id}:+{self.days}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.place_id is None:
            self.place_id = self.case.place_id
        super().save(*args, **kwargs)


class Island(models.Model):
    """A green island (绿岛): shared pollution treatment built for many small firms — "集约建设、共享治污" —
    such as a surface-treatment centre or a coatings cluster. Counted as built from `opened_on`."""

    class Kind(models.TextChoices):
        SURFACE = "surface", pgettext_lazy("remediation", "Surface-treatment centre")
        COATING = "coating", pgettext_lazy("remediation", "Coatings cluster (shared spray lines)")
        WASTEWATER = "wastewater", pgettext_lazy("remediation", "Shared wastewater treatment")
        SOLVENT = "solvent", pgettext_lazy("remediation", "Shared solvent (VOCs) recovery")

    class Unit(models.TextChoices):
        TONNES_PER_DAY = "t_per_day", pgettext_lazy("remediation", "t of wastewater per day")
        LINES = "lines", pgettext_lazy("remediation", "spray lines")
        TONNES_PER_YEAR = "t_per_year", pgettext_lazy("remediation", "t per year")

    name = models.CharField(pgettext_lazy("remediation", "name"), max_length=100)
    kind = models.CharField(pgettext_lazy("remediation", "kind of island"), max_length=16, choices=Kind.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=pgettext_lazy("remediation", "place"))
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=pgettext_lazy("remediation", "operator"))
    capacity = models.DecimalField(pgettext_lazy("remediation", "capacity"), max_digits=10, decimal_places=1)
    capacity_unit = models.CharField(pgettext_lazy("remediation", "unit"), max_length=12, choices=Unit.choices)
    opened_on = models.DateField(pgettext_lazy("remediation", "in service since"))

    scope_path_field = "place__path"

    def __str__(self) -> str:
        return self.name


class IslandMember(models.Model):
    """A firm sending its treatment to an island; `case` is the remediation case that moved it there
    (a relocation into a park, an upgrade by joining), so a firm moved into an island shows there."""

    island = models.ForeignKey(Island, on_delete=models.CASCADE, related_name="members")
    firm = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    scope_path_field = "island__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["island", "firm"], name="remediation_island_member")]

    def __str__(self) -> str:
        return f"{self.island_id}:{self.firm_id}"


class Manifest(models.Model):
    """An electronic transfer manifest (转移联单) of what a member sent to the island in one month."""

    member = models.ForeignKey(IslandMember, on_delete=models.CASCADE, related_name="manifests")
    number = models.CharField(max_length=32, unique=True)
    month = models.DateField()  # the first day of the month
    material = models.CharField(max_length=16, choices=Island.Kind.choices)
    volume_t = models.DecimalField(max_digits=10, decimal_places=2)

    scope_path_field = "member__island__place__path"

    class Meta:
        indexes = [models.Index(fields=["member", "month"])]

    def __str__(self) -> str:
        return self.number


class Tally(models.Model):
    """The dashboard's snapshot of the current totals (tally.py): how many cases of a campaign at a place
    stand at a stage now, with the closed ones' remedy and land. Rebuilt from the records by a nightly job
    and kept current by the actions as each case moves, so the dashboard reads a few hundred rows instead
    of every case and its history."""

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    campaign = models.CharField(max_length=32)
    stage = models.CharField(max_length=16, choices=STAGE_CHOICES)
    remedy = models.CharField(max_length=16, blank=True)  # the plan's remedy for a closed case, else ""
    cases = models.IntegerField(default=0)
    mu = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # the closed cases' land

    scope_path_field = "place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "campaign", "stage", "remedy"],
                                               name="remediation_tally_once")]

    def __str__(self) -> str:
        return f"{self.place_id}:{self.campaign}:{self.stage}={self.cases}"


class TallyCut(models.Model):
    """The snapshot's pollutants cut (before − after, kg a year) by the closed cases of a campaign at a place."""

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    campaign = models.CharField(max_length=32)
    pollutant = models.CharField(max_length=16, choices=list(POLLUTANTS.items()))
    kg = models.BigIntegerField(default=0)

    scope_path_field = "place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "campaign", "pollutant"],
                                               name="remediation_tally_cut_once")]

    def __str__(self) -> str:
        return f"{self.place_id}:{self.pollutant}={self.kg}"


class TallyBuild(models.Model):
    """When the snapshot was last rebuilt from the records: without a row the dashboard computes live."""

    built_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.built_at:%Y-%m-%d %H:%M}"
