from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .validators import age_on, mask_phone, mask_resident_id


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Household(models.Model):
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="households", verbose_name=_("place"))
    address = models.CharField(_("address"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.address


class Resident(models.Model):
    resident_id = models.CharField(_("resident ID number"), max_length=18, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Null for people outside the city's registry (a daughter living in Shanghai who is a family contact).
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="residents", verbose_name=_("place")
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("household")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "place__path"
    # kernel.privacy: how each personal field is shown, masked in audit rows (docs/security.md).
    personal_fields = {"resident_id": "identifier", "phone": "contact", "address": "address"}
    # An audit row's object name is the person's name, minors' included: shown through the policy
    # (a role that does not see minors' names plainly, e.g. an auditor, sees it masked).
    audit_repr_kind = "minor_identity"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [models.Index(fields=["place", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_resident_id(self.resident_id)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age(self, on: dt.date | None = None) -> int:
        return age_on(self.birth_date, on or timezone.localdate())

    @property
    def is_alive(self) -> bool:
        return self.died_on is None


class RelationKind(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse")
    SIBLING = "sibling", _("Sibling")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative")


# A relationship seen from the other side, so that linking "A is B's mother" records both directions.
INVERSE = {
    RelationKind.FATHER: RelationKind.CHILD,
    RelationKind.MOTHER: RelationKind.CHILD,
    RelationKind.SPOUSE: RelationKind.SPOUSE,
    RelationKind.SIBLING: RelationKind.SIBLING,
    RelationKind.GRANDPARENT: RelationKind.GRANDCHILD,
    RelationKind.OTHER: RelationKind.OTHER,
}


class Relationship(models.Model):
    """`relative` is `person`'s <kind> (e.g. relative=Li Mei, kind=mother: Li Mei is person's mother)."""

    person = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="relatives_of")
    kind = models.CharField(_("relationship"), max_length=16, choices=RelationKind.choices)
    is_guardian = models.BooleanField(_("guardian"), default=False)
    is_family_contact = models.BooleanField(_("family contact"), default=False)
    contact_order = models.PositiveSmallIntegerField(_("contact order"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "person__place__path"

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="one_relationship_per_pair"),
            models.CheckConstraint(condition=~models.Q(person=models.F("relative")), name="not_own_relative"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ← {self.get_kind_display()}: {self.relative}"


class Consent(models.Model):
    """A consent record (PIPL arts. 13-14, 29, 31): purpose, scope, who gave it for whom, when, and
    when withdrawn. For a person under 14 it must come from a guardian."""

    subject = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents", verbose_name=_("for whom"))
    given_by = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="consents_given", verbose_name=_("given by")
    )
    purpose = models.CharField(_("purpose"), max_length=64)
    scope = models.TextField(_("scope"))
    sensitive = models.BooleanField(_("covers sensitive data"), default=False)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_path_field = "subject__place__path"

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["subject", "purpose"])]

    def __str__(self) -> str:
        return f"{self.subject} · {self.purpose}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
