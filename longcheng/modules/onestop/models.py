"""One-stop cases: an enterprise's application (Case), the department tasks it fans out into (Task),
the corrections departments ask for (Correction) and the clock pauses they cause (Pause); and the
facts departments keep about an enterprise for the pre-checks (EnterpriseStanding)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", pgettext_lazy("case status", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_CASE = (CaseStatus.DRAFT, CaseStatus.SUBMITTED)


class TaskStatus(models.TextChoices):
    BLOCKED = "blocked", _("Waiting for other departments")
    OPEN = "open", pgettext_lazy("case status", "Open")
    CORRECTION = "correction", _("Waiting for the applicant's correction")
    DONE = "done", pgettext_lazy("case status", "Done")
    REJECTED = "rejected", pgettext_lazy("case status", "Rejected")
    CLOSED = "closed", _("Closed without action")


class Case(models.Model):
    service = models.CharField(_("service"), max_length=32)
    enterprise = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="onestop_cases",
                                   verbose_name=_("enterprise"))
    # The enterprise's place when the case was started: scoping stays stable when it moves.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("applicant"))
    data = models.JSONField(_("form data"), default=dict)
    outcome = models.JSONField(_("results from departments"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    paused_days = models.DecimalField(_("paused working days"), max_digits=6, decimal_places=1,
                                      default=Decimal(0))
    reject_reason = models.TextField(_("reason for rejection"), blank=True)

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("one-stop case")
        verbose_name_plural = _("one-stop cases")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "service"], condition=Q(status__in=["draft", "submitted"]),
                                    name="onestop_one_active_case_per_service"),
            # A draft withdrawn before submission was never submitted: it keeps no submission time.
            models.CheckConstraint(condition=Q(status__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
                                   name="onestop_submitted_case_has_time"),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.service} #{self.pk}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("task"), max_length=32)
    department = models.CharField(_("department"), max_length=32)
    # The district whose department handles it: the receiving district for *_in, the current otherwise.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    required = models.BooleanField(default=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.BLOCKED)
    limit_days = models.DecimalField(_("time limit (working days)"), max_digits=6, decimal_places=1)
    opened_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    paused_days = models.DecimalField(_("paused working days"), max_digits=6, decimal_places=1,
                                      default=Decimal(0))
    result = models.JSONField(_("result"), default=dict, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("one-stop task")
        verbose_name_plural = _("one-stop tasks")
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="onestop_one_task_per_case_code"),
            models.CheckConstraint(condition=Q(status__in=["blocked", "closed"]) | Q(opened_at__isnull=False),
                                   name="onestop_task_open_has_time"),
        ]
        # The department queue: open tasks of a department, oldest due first, within places.
        # The head's list: open tasks of an area by due time, whatever the department.
        indexes = [models.Index(fields=["department", "status", "due_at"], name="onestop_task_queue"),
                   models.Index(fields=["status", "due_at"], name="onestop_task_due")]

    def __str__(self) -> str:
        return f"{self.case} / {self.code}"


class Correction(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="corrections")
    request = models.TextField(_("what needs correcting"))
    answer = models.TextField(_("answer"), blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        constraints = [models.UniqueConstraint(fields=["task"], condition=Q(answered_at__isnull=True),
                                               name="onestop_one_open_correction_per_task")]

    def __str__(self) -> str:
        return f"{self.task}: {self.request[:40]}"


class Document(models.Model):
    """A supporting document of a case, as the applicant uploaded it (a declared kind: `code`).
    Served only through the module's view, to the applicant's enterprise and to staff who see the
    case; never from a public URL."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("kind of document"), max_length=40)
    file = models.FileField(upload_to="onestop/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self) -> str:
        return self.name


class Pause(models.Model):
    """A stopped clock: a task's (task set) or its case's (task null) while a correction is awaited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    days = models.DecimalField(_("paused working days"), max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task"], condition=Q(ended_at__isnull=True, task__isnull=False),
                                    name="onestop_one_open_task_pause"),
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True, task__isnull=True),
                                    name="onestop_one_open_case_pause"),
        ]

    def __str__(self) -> str:
        return f"{self.case} pause from {self.started_at:%Y-%m-%d %H:%M}"


class EnterpriseStanding(models.Model):
    """What departments know about an enterprise that may block a one-stop application."""

    enterprise = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE, related_name="onestop_standing")
    tax_arrears_fen = models.BigIntegerField(_("tax owed (fen)"), default=0)
    social_arrears_fen = models.BigIntegerField(_("social insurance owed (fen)"), default=0)
    abnormal_list = models.BooleanField(_("on the abnormal operations list"), default=False)
    open_penalty = models.BooleanField(_("administrative penalty not carried out"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "enterprise__place__path"

    class Meta:
        verbose_name = _("enterprise standing")
        verbose_name_plural = _("enterprise standings")
        constraints = [models.CheckConstraint(condition=Q(tax_arrears_fen__gte=0, social_arrears_fen__gte=0),
                                              name="onestop_arrears_not_negative")]

    def __str__(self) -> str:
        return str(self.enterprise)
