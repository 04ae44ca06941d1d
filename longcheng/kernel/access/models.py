from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff or family account. Permissions come from role assignments, not Django's groups."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="staff",
        verbose_name=_("organisation"),
    )
    # A family member's account is tied to the resident they are; family pages use it.
    resident = models.OneToOneField(
        "people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="account",
    )
    # The place the account belongs to: an administrator manages the accounts whose place lies within
    # their own `access.manage` scope (a district administrator, the staff of the district).
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("home place"),
    )
    # Set by an administrator's password reset: nothing but setting a new password until it is done.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Only the demo builder sets this, so that `make run` stays usable; pages show a notice for it.
    two_factor_exempt = models.BooleanField(_("exempt from two-factor sign-in (demo)"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """A user holds a role (defined by a module in the registry) within a set of places."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=64)
    places = models.ManyToManyField("places.Place", related_name="+", verbose_name=_("scope"))
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    # Temporary duty: from this moment the assignment grants nothing (the scope query skips it).
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_assignment_per_user_role")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} → {self.role}"

    @property
    def in_force(self) -> bool:
        return self.ends_at is None or self.ends_at > timezone.now()


def in_force_q(prefix: str = "") -> models.Q:
    """Role assignments that still grant something (no end, or an end still to come); `prefix`
    reaches them through a relation, e.g. "role_assignments__"."""
    return models.Q(**{f"{prefix}ends_at__isnull": True}) | models.Q(**{f"{prefix}ends_at__gt": timezone.now()})


def hash_token(raw: str) -> str:
    # Tokens are long random strings, so a fast hash is enough: no rainbow table covers 256 random bits.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Every token expires (API_TOKEN_DAYS by default): a token copied into a script years ago and
    # forgotten is the one that leaks.
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, *, days: int | None = None) -> tuple[ApiToken, str]:
        """A new token (not audited: callers that act for a person use access.actions.do_issue_token)."""
        raw = "lc_" + secrets.token_urlsafe(32)
        expires_at = timezone.now() + dt.timedelta(days=days or settings.API_TOKEN_DAYS)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=hash_token(raw),
                                   expires_at=expires_at)
        return token, raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


