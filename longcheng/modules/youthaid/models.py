"""倾溧助: the information registry of youths who lost a parent, their screening, follow-up, aid
applications, payment batches on the fund ledger, hope parents and dream rooms.

Money is integer fen. A case's history is the audit trail (what, who, when, why), shown on its page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OUTREACH = "outreach", _("On the outreach list")
    REPORTED = "reported", _("Reported, awaiting screening")
    NEEDS_INFO = "needs_info", _("More information needed")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    APPEALED = "appealed", _("Appealed, awaiting re-screening")
    ACTIVE = "active", _("Eligible, under monitoring")
    CLOSED = "closed", _("Closed")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ParentStatus(models.TextChoices):
    NOT_REMARRIED = "not_remarried", _("Has not remarried")
    REMARRIED = "remarried", _("Has remarried")
    DECEASED = "deceased", _("Also deceased")
    UNKNOWN = "unknown", _("Not known")


class Stage(models.TextChoices):
    PRESCHOOL = "preschool", _("Pre-school")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior high school")
    VOCATIONAL = "vocational", _("Vocational school")
    UNIVERSITY = "university", _("University")
    NOT_IN_SCHOOL = "none", _("Not in school")


STUDENT_STAGES = (Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR, Stage.VOCATIONAL, Stage.UNIVERSITY)


class Youth(models.Model):
    """One case per youth (a second report joins it): family, school, health, household economy,
    needs and the follow-up plan. Health and bank account are sensitive (PIPL art. 28): shown masked,
    revealed only to named roles, each reveal audited."""

    person = models.OneToOneField("people.Resident", on_delete=models.PROTECT, related_name="youthaid",
                                  verbose_name=_("resident"))
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices, default=Risk.MEDIUM)
    case_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("case worker"))
    # Family
    deceased_parent = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("parent who died"))
    parent_died_on = models.DateField(_("date of the parent's death"), null=True, blank=True)
    surviving_parent = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("surviving parent"))
    surviving_parent_status = models.CharField(_("surviving parent"), max_length=16, choices=ParentStatus.choices,
                                               default=ParentStatus.UNKNOWN)
    guardian = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("guardian"))
    # School
    stage = models.CharField(_("school stage"), max_length=12, choices=Stage.choices, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    university_admitted_year = models.PositiveSmallIntegerField(_("year admitted to university"), null=True,
                                                                blank=True)
    # Household economy
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    monthly_income_fen = models.BigIntegerField(_("household income per month (fen)"), null=True, blank=True)
    hardship_grade = models.PositiveSmallIntegerField(_("hardship grade"), default=0)  # 0: none, 1-3: grade
    needs = models.TextField(_("needs"), blank=True)
    # Sensitive
    serious_illness = models.BooleanField(_("serious illness"), default=False)
    health_note = models.TextField(_("health"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=32, blank=True)
    # Follow-up plan
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    appeal_note = models.TextField(_("appeal"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "person__place__path"

    class Meta:
        verbose_name = _("youth")
        verbose_name_plural = _("youths")
        indexes = [models.Index(fields=["status", "next_visit_due"])]
        constraints = [models.CheckConstraint(condition=Q(hardship_grade__lte=3), name="youthaid_grade_0_to_3")]

    def __str__(self) -> str:
        return str(self.person)


class Channel(models.TextChoices):
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    LEAGUE = "league", _("Youth League")
    REGISTRY = "registry", _("Resident registry (automatic)")


class Report(models.Model):
    """Someone said this youth may need help. A reporter sees only their own reports and their status."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="reports", verbose_name=_("youth"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("reporter"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    note = models.TextField(_("what the reporter saw"), blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    scope_path_field = "youth__person__place__path"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["reporter", "created_at"])]

    def __str__(self) -> str:
        return f"{self.youth} · {self.get_channel_display()}"


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    NEEDS_INFO = "needs_info", _("More information needed")


class Trigger(models.TextChoices):
    INTAKE = "intake", _("Intake")
    LIFE_EVENT = "life_event", _("Life event")
    APPEAL = "appeal", _("Appeal")


class Screening(models.Model):
    """One check of the criteria with every reason displayed: [{criterion, met (true/false/null), text}]."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="screenings")
    outcome = models.CharField(pgettext_lazy("screening", "outcome"), max_length=16, choices=Outcome.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices, default=Trigger.INTAKE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.youth} · {self.get_outcome_display()}"


class Visit(models.Model):
    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    situation = models.TextField(_("situation"))
    needs = models.TextField(_("needs"), blank=True)
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    next_due = models.DateField(_("next visit due"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.youth} · {self.visited_on}"


class LifeEventKind(models.TextChoices):
    ADMITTED = "admitted", _("Admitted to university")
    ILLNESS = "illness", _("Serious illness")
    RECOVERED = "recovered", _("Recovered from a serious illness")
    REMARRIED = "remarried", _("The surviving parent remarried")
    TURNED_18 = "turned_18", _("Turned 18")
    LEFT_SCHOOL = "left_school", _("Left school")
    HARDSHIP = "hardship", _("New hardship in the family")


class LifeEvent(models.Model):
    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="life_events")
    kind = models.CharField(_("event"), max_length=12, choices=LifeEventKind.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    screening = models.ForeignKey(Screening, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["-on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["youth", "kind", "on"], name="youthaid_one_event_per_day")]

    def __str__(self) -> str:
        return f"{self.youth} · {self.get_kind_display()}"


class Condition(models.TextChoices):
    UNIVERSITY = "university", _("Newly admitted or enrolled university student")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    HARDSHIP = "hardship", _("Family in living difficulty (by hardship grade)")


class AidType(models.Model):
    """An aid type and its rules, kept as data (edited on the aid rules page, not in code)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    min_fen = models.BigIntegerField(_("smallest amount (fen)"))
    max_fen = models.BigIntegerField(_("largest amount (fen)"))
    yearly_cap_fen = models.BigIntegerField(_("yearly cap per youth (fen)"))
    # For hardship aid: {"1": 100000, "2": 200000, "3": 300000}, the amount a grade entitles to.
    grade_amounts = models.JSONField(_("amount by hardship grade"), default=dict, blank=True)
    proof_required = models.BooleanField(_("proof required"), default=True)
    proof_label = models.CharField(_("proof"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=10)

    class Meta:
        verbose_name = _("aid type")
        verbose_name_plural = _("aid types")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(min_fen__gt=0) & Q(max_fen__gte=models.F("min_fen"))
                                   & Q(yearly_cap_fen__gte=models.F("max_fen")), name="youthaid_aid_type_range"),
        ]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name


class AppStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, awaiting the case worker")
    RECOMMENDED = "recommended", _("Recommended, awaiting review")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


# Applications whose amount counts against the yearly cap (asked for or granted, not refused).
COUNTING = (AppStatus.APPLIED, AppStatus.RECOMMENDED, AppStatus.APPROVED, AppStatus.PAID)


class Application(models.Model):
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="applications")
    aid_type = models.ForeignKey(AidType, on_delete=models.PROTECT, related_name="applications",
                                 verbose_name=_("aid type"))
    year = models.PositiveSmallIntegerField(_("year"))
    requested_fen = models.BigIntegerField(_("amount asked (fen)"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=AppStatus.choices, default=AppStatus.APPLIED)
    # Re-aid: filed after an earlier application of the same youth was paid.
    is_reaid = models.BooleanField(_("re-aid"), default=False)
    recommended_fen = models.BigIntegerField(_("amount recommended (fen)"), null=True, blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    recommended_at = models.DateTimeField(null=True, blank=True)
    approved_fen = models.BigIntegerField(_("amount approved (fen)"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "youth__person__place__path"

    class Meta:
        verbose_name = _("aid application")
        verbose_name_plural = _("aid applications")
        indexes = [models.Index(fields=["youth", "aid_type", "year"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(requested_fen__gt=0), name="youthaid_application_positive"),
            models.CheckConstraint(condition=Q(approved_fen__isnull=True) | Q(approved_fen__gt=0),
                                   name="youthaid_approved_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.youth} · {self.aid_type} · {self.year}"

    @property
    def granted_fen(self) -> int:
        return self.approved_fen or 0


class Attachment(models.Model):
    """Proof of an application (admission letter, hospital bills). Bills are health data: opened
    only by roles that may see health, and each opening is audited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="youthaid/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("payment status", "Open")
    PAID = "paid", _("Sent to the bank")


class PaymentBatch(models.Model):
    code = models.CharField(_("batch"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    count = models.PositiveIntegerField(_("payments"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PayStatus(models.TextChoices):
    PENDING = "pending", _("In the batch, not yet paid")
    PAID = "paid", _("Paid")
    RETURNED = "returned", _("Returned by the bank")
    REISSUED = "reissued", _("Returned, re-issued")


class Payment(models.Model):
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="payments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="payments")
    aid_type = models.ForeignKey(AidType, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    status = models.CharField(_("status"), max_length=10, choices=PayStatus.choices, default=PayStatus.PENDING)
    bank_account = models.CharField(_("bank account"), max_length=32, blank=True)
    return_reason = models.CharField(_("reason for the return"), max_length=200, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reissued_as = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="reissue_of")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "youth__person__place__path"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            # One payment per youth per aid type per batch: a double click cannot put anyone in twice.
            models.UniqueConstraint(fields=["batch", "youth", "aid_type"], name="youthaid_one_payment_per_batch"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="youthaid_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.code} · {self.youth}"


class VettingStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VETTED = "vetted", _("Vetted")
    REJECTED = "rejected", _("Not accepted")
    SUSPENDED = "suspended", _("Suspended")


class Volunteer(models.Model):
    """A volunteer "hope parent" (希望家长)."""

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    occupation = models.CharField(_("occupation"), max_length=60, blank=True)
    status = models.CharField(_("vetting"), max_length=10, choices=VettingStatus.choices,
                              default=VettingStatus.APPLIED)
    vetting_note = models.CharField(_("vetting note"), max_length=300, blank=True)
    vetted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    vetted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("hope parent")
        verbose_name_plural = _("hope parents")

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="pairings")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="pairings")
    started_on = models.DateField(_("paired on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    scope_path_field = "youth__person__place__path"

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [models.UniqueConstraint(fields=["youth"], condition=Q(ended_on__isnull=True),
                                               name="youthaid_one_hope_parent_at_a_time")]

    def __str__(self) -> str:
        return f"{self.volunteer} ↔ {self.youth}"


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    MESSAGE = "message", _("Message")
    OUTING = "outing", _("Outing together")


class Contact(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="contacts")
    on = models.DateField(_("date"))
    kind = models.CharField(pgettext_lazy("contact", "kind"), max_length=8, choices=ContactKind.choices)
    note = models.TextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.pairing} · {self.on}"


class RoomStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", pgettext_lazy("dream room", "Rejected")
    APPROVED = "approved", _("Approved, budget committed")
    IN_PROGRESS = "in_progress", _("Renovation under way")
    DONE = "done", _("Done, contractor paid")
    CANCELLED = "cancelled", _("Cancelled")


class RoomProject(models.Model):
    """A "dream room" (梦想小屋): renovating a youth's room on a budget drawn from the fund."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="rooms")
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    spent_fen = models.BigIntegerField(_("spent (fen)"), null=True, blank=True)
    contractor = models.CharField(_("contractor"), max_length=100)
    before_note = models.TextField(_("before"), blank=True)
    after_note = models.TextField(_("after"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RoomStatus.choices, default=RoomStatus.PROPOSED)
    # Why the federation returned the proposal for changes or rejected it (required then, audited).
    review_reason = models.TextField(_("reason of the review"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "youth__person__place__path"

    class Meta:
        verbose_name = _("dream room")
        verbose_name_plural = _("dream rooms")
        constraints = [models.CheckConstraint(condition=Q(budget_fen__gt=0), name="youthaid_room_budget_positive")]

    def __str__(self) -> str:
        return f"{self.youth} · {self.contractor}"


# kernel.privacy: these objects are named after the youth (their str() starts with the youth's
# name), so an audit row's object name is a minor's identity, shown masked to the roles that see
# names masked (an auditor, an observer).
for _named_after_youth in (Youth, Report, Screening, Visit, LifeEvent, Application, Attachment, Payment, Pairing,
                           Contact, RoomProject):
    setattr(_named_after_youth, "audit_repr_kind", "minor_identity")  # noqa: B010 (a loop over classes)
