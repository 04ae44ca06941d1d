from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel import privacy
from longcheng.kernel.access.scope import path_or_placeless_q
from longcheng.kernel.privacy import mask_values


class AuditEntry(models.Model):
    """One row per change (and per read of sensitive data), written in the same transaction as the
    change itself: if the change rolls back, so does its audit row, and vice versa."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(pgettext_lazy("audit change", "before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(pgettext_lazy("audit change", "after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    is_read = models.BooleanField(_("read of sensitive data"), default=False)
    # The place path of the object the row concerns (kernel.access.scope.path_of), so that an
    # auditor sees the rows of their own places only. Empty for objects with no place (an aid
    # rule, the calendar): those rows are seen by city-wide auditors only (failing closed).
    place_path = models.CharField(max_length=255, blank=True, default="", db_default="", db_index=True)

    # Set by show_to(user) for display; never stored.
    repr_shown: str
    before_shown: Any
    after_shown: Any
    # Set by kernel.audit.display.describe(): the row in words.
    action_label: str
    before_lines: list[tuple[str, str]]
    after_lines: list[tuple[str, str]]
    object_name: str

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    # Rows are masked when written; shown through the policy again, so that rows written before
    # the policy existed do not show what a new row would not hold.
    @property
    def shown_before(self) -> Any:
        return mask_values(self.object_type.model_class(), self.before) if isinstance(self.before, dict) else self.before

    @property
    def shown_after(self) -> Any:
        return mask_values(self.object_type.model_class(), self.after) if isinstance(self.after, dict) else self.after

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Any:
        return path_or_placeless_q("place_path", paths)

    def show_to(self, user: Any) -> AuditEntry:
        """Set repr_shown, before_shown and after_shown: the row as `user` may see it. A model named
        after a person (`audit_repr_kind`) shows the object's name, and a "name" in before/after,
        through the policy (kernel.privacy): an auditor, who does not see minors' names plainly,
        reads them masked; the object's type and number identify it."""
        kind = getattr(self.object_type.model_class(), "audit_repr_kind", None)
        before, after = self.shown_before, self.shown_after
        self.repr_shown = self.object_repr
        if kind is not None:
            seen = privacy.level(user, privacy.Kind(kind), self.place_path or None)
            if seen < privacy.Level.PLAIN:
                self.repr_shown = str(privacy.show(user, privacy.Kind(kind), self.object_repr, self.place_path or None))
                before, after = (
                    {k: (privacy.mask(privacy.Kind(kind), v) if k == "name" and seen > privacy.Level.HIDDEN
                         else "" if k == "name" else v) for k, v in values.items()}
                    if isinstance(values, dict) else values for values in (before, after))
        self.before_shown, self.after_shown = before, after
        return self
