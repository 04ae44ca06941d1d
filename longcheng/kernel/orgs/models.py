from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    SOCIAL = "social", _("Social organisation")
    SCHOOL = "school", _("School")
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL_BUSINESS = "individual", _("Individual business")
    INSURER = "insurer", _("Insurer")
    UTILITY = "utility", _("Public utility")
    JUDICIAL = "judicial", _("Court / procuratorate")


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Unified social credit code (GB 32100); every enterprise has one, departments often do too.
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="organisations",
        verbose_name=_("place"),
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="units")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    code = models.SlugField(_("short code"), max_length=64, null=True, blank=True, unique=True)
    # The day an enterprise's registration was cancelled (注销); it stays in the directory, closed.
    closed_on = models.DateField(_("deregistered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "place__path"
    # A named exception to scoping (kernel.access.scope): the directory of organisations is public
    # by decision, so under orgs.view every holder sees every organisation, wherever they work.
    scope_public = frozenset({"orgs.view"})
    # kernel.privacy: an organisation's registered address and phone are public, not personal data.
    personal_fields: dict[str, str] = {}

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["enterprise", "individual"]) | Q(uscc__isnull=False),
                name="enterprise_has_uscc",
            )
        ]

    def __str__(self) -> str:
        return self.name
