"""Data-subject requests (PIPL art. 44-47) and the retention job's runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    ACCESS = "access", pgettext_lazy("data request", "Access (what is held)")
    COPY = "copy", pgettext_lazy("data request", "Copy")
    CORRECT = "correct", pgettext_lazy("data request", "Correction")
    DELETE = "delete", pgettext_lazy("data request", "Deletion")


class IdentityCheck(models.TextChoices):
    ID_CARD = "id_card", _("Resident identity card shown in person")
    ID_CARD_FACE = "id_card_face", _("Identity card checked against the face (online)")
    GUARDIAN = "guardian", _("Guardian's identity card and proof of guardianship")
    AGENT = "agent", _("Agent's identity card and a signed authorisation")


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("data request", "Open")
    ANSWERED = "answered", pgettext_lazy("data request", "Answered")
    DONE = "done", pgettext_lazy("data request", "Done")
    REFUSED = "refused", pgettext_lazy("data request", "Refused")


class SubjectRequest(models.Model):
    """A resident's request about their personal data, registered by staff after checking the
    requester's identity; answered within a number of working days (DATA_REQUEST_WORKING_DAYS)."""

    person = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="data_requests",
                               verbose_name=_("resident"))
    kind = models.CharField(_("request"), max_length=8, choices=RequestKind.choices)
    requester_name = models.CharField(_("requester"), max_length=50)
    identity_check = models.CharField(_("identity checked by"), max_length=16, choices=IdentityCheck.choices)
    identity_note = models.CharField(_("document checked"), max_length=200)
    details = models.TextField(_("what is asked"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    # A refused deletion names the retention rule that keeps the data.
    refusal_rule = models.CharField(_("rule"), max_length=300, blank=True)

    scope_path_field = "person__place__path"
    personal_fields = {"requester_name": "minor_identity", "identity_note": "identifier", "details": "notes"}
    # Those who handle data-subject requests read a request whole to act on it (the pages under
    # /rights/ need this permission within the person's place); everyone else sees it through the policy.
    handled_by = "people.privacy"

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.due_at < timezone.now()


class RetentionRun(models.Model):
    """One run of the retention job: what each record class lost (deleted or anonymised)."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # {record class key: {"action": ..., "count": n}}
    results = models.JSONField(_("results"), default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(int(r.get("count", 0)) for r in self.results.values())
