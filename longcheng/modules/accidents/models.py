"""accidents's state: the rules as data (exclusions, the liability table), reports with their two
parties, eligibility answers, photos, the officer's decision, signatures and insurer hand-offs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from longcheng.kernel.privacy import Kind


class Outcome(models.TextChoices):
    FULL = "full", pgettext_lazy("accidents", "Full liability (全部)")
    EQUAL = "equal", pgettext_lazy("accidents", "Equal liability (同等)")
    NONE = "none", pgettext_lazy("accidents", "No liability (无)")


class Exclusion(models.Model):
    """One situation that rules out quick handling (MPS order 146 art. 13, or a local rule). Editable
    data, versioned: a change is a new row with the next version; the newest active row of a code is
    in force, and every answer keeps the version it answered."""

    class Basis(models.TextChoices):
        MPS146 = "mps146", pgettext_lazy("accidents", "MPS order 146, art. 13")
        LOCAL = "local", pgettext_lazy("accidents", "Local rule")

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    question_zh = models.CharField(max_length=200)
    question_en = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="accidents_exclusion_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class LiabilityRule(models.Model):
    """One listed situation and the liability of the party to whom it applies (the other party
    takes the complement: 全部 ↔ 无, 同等 ↔ 同等). Versioned like Exclusion."""

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    situation_zh = models.CharField(max_length=200)
    situation_en = models.CharField(max_length=200)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="accidents_rule_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Insurer(models.Model):
    """An insurance company; `members` are its claim handlers' accounts, `adapter` names the
    hand-off adapter (adapters.py)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    adapter = models.CharField(max_length=20, default="local")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    class Status(models.TextChoices):
        PAIRING = "pairing", pgettext_lazy("accidents", "Waiting for the second driver")
        REFUSED = "refused", pgettext_lazy("accidents", "Not eligible: call 110/122")
        SUBMITTED = "submitted", pgettext_lazy("accidents", "Waiting for the officer")
        DISPUTE = "dispute", pgettext_lazy("accidents", "Disputed: waiting for the officer")
        DECIDED = "decided", pgettext_lazy("accidents", "Liability decided: waiting for signatures")
        SCENE = "scene", pgettext_lazy("accidents", "Officer called the parties to the scene")
        HANDED_OFF = "handed_off", pgettext_lazy("accidents", "Signed and handed to the insurers")

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PAIRING)
    pairing_code = models.CharField(max_length=12, unique=True)
    lat = models.FloatField()
    lon = models.FloatField()
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    refused_because = models.ForeignKey(Exclusion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    third_party_property = models.BooleanField(default=False)
    # The rule table's proposal (empty for a dispute) and the decision in force.
    proposed_a = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    liability_a = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    liability_b = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    rule_codes = models.JSONField(default=list, blank=True)
    # The version of each liability rule the proposal applied ({code: version}): the table in force
    # at submission, kept with the report when the keeper saves a newer one.
    rule_versions = models.JSONField(default=dict, blank=True)
    # The sketch (sketch.py): layout and each vehicle's square and heading, drawn by either driver
    # before the report is submitted; printed on the agreement.
    sketch = models.JSONField(pgettext_lazy("accidents", "sketch"), default=dict, blank=True)
    changed_by_officer = models.BooleanField(default=False)
    decision_reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    mutual_self_pay = models.BooleanField(default=False)
    agreement_at = models.DateTimeField(null=True, blank=True)
    # When the duty chiefs were told it was overdue (once: the periodic job skips it afterwards).
    escalated_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "place__path"
    personal_fields = {"lat": Kind.LOCATION, "lon": Kind.LOCATION}

    class Meta:
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"事故 {self.pk}"


class Party(models.Model):
    """A driver of one of the two vehicles ("A" started the report, "B" joined it)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(max_length=1, choices=[("A", "A"), ("B", "B")])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    licence_no = models.CharField(max_length=18, blank=True)
    licence_class = models.CharField(max_length=4, blank=True)
    plate = models.CharField(max_length=10, blank=True)
    insurer = models.ForeignKey(Insurer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy_no = models.CharField(max_length=30, blank=True)
    loss_fen = models.PositiveIntegerField(default=0)
    injured = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    circumstances = models.JSONField(default=list, blank=True)
    ticked_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "report__place__path"
    # "driving_licence_no" is the key its audit rows write the licence under (spec.py): masked alike.
    personal_fields = {"phone": Kind.CONTACT, "licence_no": Kind.IDENTIFIER, "driving_licence_no": Kind.IDENTIFIER,
                       "plate": Kind.IDENTIFIER}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "side"], name="accidents_party_side")]

    def __str__(self) -> str:
        return f"{self.report_id}{self.side}"


class Answer(models.Model):
    """One driver's eligibility answer, against the exclusion's version in force when they gave it
    (each driver answers the questions for themselves: A on starting, B on joining)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="answers")
    party = models.ForeignKey("Party", null=True, on_delete=models.CASCADE, related_name="answers")
    exclusion = models.ForeignKey(Exclusion, on_delete=models.PROTECT, related_name="+")
    yes = models.BooleanField()

    scope_path_field = "report__place__path"

    def __str__(self) -> str:
        return f"{self.report_id}:{self.exclusion_id}"


# What rules.photo_problems finds wrong with a photo, as people read it.
PHOTO_PROBLEMS = {
    "no_time": pgettext_lazy("accidents", "no time taken"),
    "older_than_report": pgettext_lazy("accidents", "taken before the accident"),
    "in_the_future": pgettext_lazy("accidents", "time taken is in the future"),
    "no_place": pgettext_lazy("accidents", "no location"),
    "too_far": pgettext_lazy("accidents", "taken away from the scene"),
}


class Photo(models.Model):
    class Shot(models.TextChoices):
        FRONT = "front", pgettext_lazy("accidents", "Overview from the front")
        BACK = "back", pgettext_lazy("accidents", "Overview from the back")
        IMPACT = "impact", pgettext_lazy("accidents", "Point of impact")
        PLATE = "plate", pgettext_lazy("accidents", "Plate")
        LICENCE = "licence", pgettext_lazy("accidents", "Driving licence")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="photos")
    shot = models.CharField(max_length=10, choices=Shot.choices)
    file = models.FileField(upload_to="accidents/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "report__place__path"
    personal_fields = {"lat": Kind.LOCATION, "lon": Kind.LOCATION}

    def __str__(self) -> str:
        return f"{self.report_id}{self.party_id}:{self.shot}"

    @property
    def problem_labels(self) -> list[str]:
        return [str(PHOTO_PROBLEMS.get(code, code)) for code in self.problems]


class Handoff(models.Model):
    """The signed agreement sent to one party's insurer."""

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("accidents", "Sent")
        ACCEPTED = "accepted", pgettext_lazy("accidents", "Claim opened")
        SETTLED = "settled", pgettext_lazy("accidents", "Settled")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="handoffs")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="handoffs")
    claim_no = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    mutual_self_pay = models.BooleanField(default=False)
    sent_at = models.DateTimeField()

    scope_path_field = "report__place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "party"], name="accidents_handoff_party")]

    def __str__(self) -> str:
        return self.claim_no or f"{self.report_id}/{self.party_id}"


class RegistryCheck(models.Model):
    """One registry check of a driver's confirmed details as the adapter answered it (registries.py):
    what was checked, by which adapter ("" when none is connected), when, and the result. Stored at
    the confirmation, so that the officer and the driver see what was answered then."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="registry_checks")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="registry_checks")
    item = models.CharField(max_length=20)  # the check: licence, plate, inspection, insurance
    result = models.CharField(max_length=12)
    source = models.CharField(max_length=20, blank=True)
    checked_at = models.DateTimeField()

    scope_path_field = "report__place__path"

    def __str__(self) -> str:
        return f"{self.party_id}:{self.item}={self.result}"
