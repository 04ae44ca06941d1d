"""cleanaudit's state: the year's list as audit rounds of firms (self-audit or by a consultancy from the
roster), each round's seven stages as rows, the artefacts on file, the firm's own yearly figures before
and after (indicators are computed from them, never typed), the material balance, the options register,
the guidance threads between the firm, the park and the technical team, the experts' visits, and the
bureau's assessment (评估) and acceptance (验收) with their scoring sheets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from .stages import (
    ARTEFACTS,
    COST_CLASSES,
    FIRST,
    INDUSTRIES,
    MODES,
    OPTION_STATUSES,
    SIDES,
    STAGES,
    STATUSES,
    TRIGGERS,
)

STAGE_CHOICES = [(s.code, s.label) for s in STAGES]


class Consultancy(models.Model):
    """A consultancy on the roster, with the four conditions it must meet to be engaged."""

    org = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="cleanaudit_consultancy")
    legal_qa = models.BooleanField(pgettext_lazy("cleanaudit", "legal person with a quality system"), default=False)
    balance_equipment = models.BooleanField(pgettext_lazy("cleanaudit", "balance-test equipment"), default=False)
    technicians = models.BooleanField(pgettext_lazy("cleanaudit", "industry technicians"), default=False)
    auditors = models.BooleanField(pgettext_lazy("cleanaudit", "experienced auditors"), default=False)

    # The roster is public to whoever may see audits, like the directory of organisations.
    personal_fields: dict[str, str] = {}

    def __str__(self) -> str:
        return self.org.name

    @property
    def qualified(self) -> bool:
        return self.legal_qa and self.balance_equipment and self.technicians and self.auditors


class AuditRound(models.Model):
    """One firm on one year's list, through the seven stages, 评估 and 验收."""

    firm = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="cleanaudit_rounds",
                             verbose_name=pgettext_lazy("cleanaudit", "firm"))
    # The firm's place when listed: the park (and its experts) that follows the round.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=pgettext_lazy("cleanaudit", "place"))
    year = models.PositiveSmallIntegerField(pgettext_lazy("cleanaudit", "year of the list"))
    listed_on = models.DateField(pgettext_lazy("cleanaudit", "listed on"))
    trigger = models.CharField(pgettext_lazy("cleanaudit", "trigger"), max_length=16, choices=list(TRIGGERS.items()))
    industry = models.CharField(pgettext_lazy("cleanaudit", "industry"), max_length=24,
                                choices=list(INDUSTRIES.items()))
    mode = models.CharField(pgettext_lazy("cleanaudit", "mode"), max_length=16, choices=list(MODES.items()))
    consultancy = models.ForeignKey(Consultancy, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="rounds", verbose_name=pgettext_lazy("cleanaudit", "consultancy"))
    status = models.CharField(pgettext_lazy("cleanaudit", "stage"), max_length=16, choices=list(STATUSES.items()),
                              default=FIRST)
    # The bureau's deadline once the seven stages are done: to assess (22 working days after the
    # application), then to accept (12 months after 评估).
    review_due = models.DateField(null=True, blank=True)
    # Registration (备案) with the bureau: its own step, due `ListTerm.register_months` after the list;
    # 筹划与组织 cannot close before it.
    registration_due = models.DateField(null=True, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    assessed_on = models.DateField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    grade = models.CharField(pgettext_lazy("cleanaudit", "grade"), max_length=1, blank=True)

    scope_path_field = "place__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "year"], name="cleanaudit_round_once_a_year"),
            models.CheckConstraint(condition=Q(mode="self", consultancy__isnull=True)
                                   | Q(mode="consultancy", consultancy__isnull=False),
                                   name="cleanaudit_round_mode_consultancy"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.firm_id}:{self.year}"

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))


class StageRecord(models.Model):
    """A stage of a round: opened when the previous one closed, closed when its gate let it."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=16, choices=STAGE_CHOICES)
    opened_at = models.DateTimeField()
    due_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    scope_path_field = "round__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "stage"], name="cleanaudit_stage_once")]
        # The open stages by due day: the overdue rounds of the roll-up (figures.overdue_q).
        indexes = [models.Index(fields=["due_on", "round"], condition=Q(closed_at__isnull=True),
                                name="cleanaudit_stage_open_due")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.stage}"


class Artefact(models.Model):
    """A document or record a stage's gate asks for (team and plan, targets, balance report, …)."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="artefacts")
    stage = models.CharField(max_length=16, choices=STAGE_CHOICES)
    kind = models.CharField(pgettext_lazy("cleanaudit", "kind"), max_length=24, choices=list(ARTEFACTS.items()))
    title = models.CharField(pgettext_lazy("cleanaudit", "title"), max_length=200)
    note = models.TextField(pgettext_lazy("cleanaudit", "content"), max_length=4000, blank=True)
    # The document itself (PDF or a scan), passed through kernel.uploads.check_upload; optional, since a
    # record such as the team's names may be typed in the note.
    file = models.FileField(upload_to="cleanaudit/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    scope_path_field = "round__place__path"

    def __str__(self) -> str:
        return self.title


class Figures(models.Model):
    """The firm's own yearly figures, before the audit (baseline) and after the options took effect."""

    class Period(models.TextChoices):
        BEFORE = "before", pgettext_lazy("cleanaudit", "Before (baseline)")
        AFTER = "after", pgettext_lazy("cleanaudit", "After")

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="figures")
    period = models.CharField(max_length=8, choices=Period.choices)
    energy_tce = models.DecimalField(pgettext_lazy("cleanaudit", "energy (tce)"), max_digits=14, decimal_places=3)
    water_m3 = models.DecimalField(pgettext_lazy("cleanaudit", "water (m³)"), max_digits=14, decimal_places=3)
    materials_t = models.DecimalField(pgettext_lazy("cleanaudit", "materials (t)"), max_digits=14, decimal_places=3)
    co2_t = models.DecimalField(pgettext_lazy("cleanaudit", "CO₂ (t)"), max_digits=14, decimal_places=3)
    # Money is integer fen (the indicators per 10,000 yuan divide by fen / 1,000,000).
    value_added_fen = models.BigIntegerField(pgettext_lazy("cleanaudit", "industrial value added (fen)"))
    output = models.DecimalField(pgettext_lazy("cleanaudit", "output"), max_digits=14, decimal_places=3)
    output_unit = models.CharField(pgettext_lazy("cleanaudit", "unit of output"), max_length=16, default="t")

    scope_path_field = "round__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "period"], name="cleanaudit_figures_once")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.period}"


class Balance(models.Model):
    """The material balance (物料平衡) of the audit focus, in t a year: inputs against what comes out."""

    round = models.OneToOneField(AuditRound, on_delete=models.CASCADE, related_name="balance")
    inputs_t = models.DecimalField(pgettext_lazy("cleanaudit", "inputs (t)"), max_digits=14, decimal_places=3)
    products_t = models.DecimalField(pgettext_lazy("cleanaudit", "products (t)"), max_digits=14, decimal_places=3)
    byproducts_t = models.DecimalField(pgettext_lazy("cleanaudit", "by-products (t)"), max_digits=14, decimal_places=3)
    losses_t = models.DecimalField(pgettext_lazy("cleanaudit", "wastes and losses (t)"), max_digits=14, decimal_places=3)

    scope_path_field = "round__place__path"

    def __str__(self) -> str:
        return f"{self.round_id}:{self.inputs_t}"


class Option(models.Model):
    """A cleaner-production option (方案): no/low cost, done during the audit, or medium/high cost, with its
    feasibility; payback, NPV and IRR are computed from the figures here (rules.py)."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(pgettext_lazy("cleanaudit", "option"), max_length=200)
    cost_class = models.CharField(pgettext_lazy("cleanaudit", "cost class"), max_length=8,
                                  choices=list(COST_CLASSES.items()))
    status = models.CharField(pgettext_lazy("cleanaudit", "status"), max_length=12,
                              choices=list(OPTION_STATUSES.items()), default="proposed")
    investment_fen = models.BigIntegerField(pgettext_lazy("cleanaudit", "investment (fen)"))
    yearly_saving_fen = models.BigIntegerField(pgettext_lazy("cleanaudit", "yearly savings (fen)"))
    life_years = models.PositiveSmallIntegerField(pgettext_lazy("cleanaudit", "life (years)"), default=1)
    energy_saved_tce = models.DecimalField(pgettext_lazy("cleanaudit", "energy saved (tce a year)"), default=0,
                                           max_digits=14, decimal_places=3)
    water_saved_m3 = models.DecimalField(pgettext_lazy("cleanaudit", "water saved (m³ a year)"), default=0, max_digits=14, decimal_places=3)
    # What the option saved once running, measured (验收 checks it for medium/high-cost options).
    measured_saving_fen = models.BigIntegerField(pgettext_lazy("cleanaudit", "measured yearly savings (fen)"),
                                                 null=True, blank=True)

    scope_path_field = "round__place__path"

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(investment_fen__gte=0) & Q(yearly_saving_fen__gte=0),
                                              name="cleanaudit_option_not_negative")]

    def __str__(self) -> str:
        return self.title


class Thread(models.Model):
    """Two-way guidance: a question or advice on one stage (and, if it is about one, an artefact),
    answered by the other side and closed when settled."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="threads")
    stage = models.CharField(max_length=16, choices=STAGE_CHOICES)
    artefact = models.ForeignKey(Artefact, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads")
    subject = models.CharField(pgettext_lazy("cleanaudit", "subject"), max_length=200)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    scope_path_field = "round__place__path"

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=8, choices=list(SIDES.items()))
    body = models.TextField(max_length=4000)
    at = models.DateTimeField()

    scope_path_field = "thread__round__place__path"

    class Meta:
        indexes = [models.Index(fields=["thread", "at"])]

    def __str__(self) -> str:
        return f"{self.thread_id}:{self.side}"


class Visit(models.Model):
    """An expert's visit to the firm, logged."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="visits")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    note = models.CharField(max_length=500, blank=True)

    scope_path_field = "round__place__path"

    def __str__(self) -> str:
        return f"{self.round_id}:{self.on}"


class Review(models.Model):
    """The bureau's assessment (评估) or acceptance (验收): the scoring sheet's items and veto items."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", pgettext_lazy("cleanaudit", "Assessment (评估)")
        ACCEPTANCE = "acceptance", pgettext_lazy("cleanaudit", "Acceptance (验收)")

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    scores = models.JSONField(default=dict)  # item code -> points given (0..weight)
    vetoes = models.JSONField(default=list)  # veto item codes hit
    total = models.DecimalField(max_digits=6, decimal_places=2)
    passed = models.BooleanField()
    reasons = models.TextField(max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    scope_path_field = "round__place__path"

    class Meta:
        indexes = [models.Index(fields=["round", "kind"])]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.kind}:{self.passed}"


class Benchmark(models.Model):
    """An industry's indicator level (清洁生产评价指标体系), kept as data and versioned: a new version is a
    new row in force from `effective_from`; a round is graded against the version in force on its date
    (assessment, else today). Lower is better (a consumption per unit of output)."""

    industry = models.CharField(max_length=24, choices=list(INDUSTRIES.items()))
    indicator = models.CharField(max_length=32)  # a key of rules.INDICATORS
    version = models.PositiveSmallIntegerField(default=1)
    level_1 = models.DecimalField(max_digits=14, decimal_places=4)
    level_2 = models.DecimalField(max_digits=14, decimal_places=4)
    level_3 = models.DecimalField(max_digits=14, decimal_places=4)
    restrictive = models.BooleanField(default=False)  # 限定性指标: must reach level III at least
    effective_from = models.DateField(pgettext_lazy("cleanaudit", "in force from"))
    # Who set this version and when (None for the levels seeded by the demo or a migration).
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["industry", "indicator", "version"],
                                               name="cleanaudit_benchmark_version")]

    def __str__(self) -> str:
        return f"{self.industry}:{self.indicator}:v{self.version}"


class ListTerm(models.Model):
    """The deadlines of one year's list, set by the bureau (the provinces' platforms publish them with each
    year's list): registration, start, the bureau's assessment and the acceptance. A year without a row
    uses rules.DEFAULT_TERM. Read when a deadline is computed: a change applies to deadlines set after it."""

    year = models.PositiveSmallIntegerField(pgettext_lazy("cleanaudit", "year of the list"), unique=True)
    register_months = models.PositiveSmallIntegerField(pgettext_lazy("cleanaudit", "registration within (months)"))
    start_months = models.PositiveSmallIntegerField(pgettext_lazy("cleanaudit", "start within (months)"))
    assess_working_days = models.PositiveSmallIntegerField(
        pgettext_lazy("cleanaudit", "assessment within (working days)"))
    accept_months = models.PositiveSmallIntegerField(
        pgettext_lazy("cleanaudit", "acceptance within (months of the assessment)"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    set_at = models.DateTimeField(null=True, blank=True)

    # The terms are the same for every place: whoever may see audits reads them.
    scope_public = ("cleanaudit.view", "cleanaudit.respond", "cleanaudit.review")

    def __str__(self) -> str:
        return str(self.year)
