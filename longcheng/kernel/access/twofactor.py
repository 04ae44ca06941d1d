"""Two-factor sign-in (TOTP, django-otp) for the roles that reveal, pay or manage accounts.

A role needs no declaration of its own: a permission is sensitive if the kernel names it here or if
its last part is one of SENSITIVE_VERBS (a module's `youthaid.pay` is sensitive without the module
saying so). A user holding any sensitive permission anywhere (or a superuser) must enrol an
authenticator and confirm a code at every sign-in before any page opens.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from longcheng.kernel import registry
from longcheng.kernel.access.models import User
from longcheng.kernel.audit import actions as audit
from longcheng.kernel.errors import KernelError

from .actions import get_staff
from .models import RoleAssignment, in_force_q

SENSITIVE_PERMISSIONS = frozenset({"people.reveal", "people.privacy", "ledger.post", "access.manage"})
SENSITIVE_VERBS = frozenset({"reveal", "pay", "post"})
ISSUER = "Longcheng"
# Set in the session (to the account's id) when the city's identity provider's own second factor
# counts as ours (kernel/access/oidc.py: only for an amr/acr listed in OIDC_TRUSTED_AMR/_ACR).
IDP_SECOND_FACTOR = "longcheng_idp_second_factor"


def is_sensitive(permission: str) -> bool:
    return permission in SENSITIVE_PERMISSIONS or permission.rsplit(".", 1)[-1] in SENSITIVE_VERBS


def requires_two_factor(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "two_factor_exempt", False):
        return False
    if user.is_superuser:
        return True
    # The gate asks on every page: one query for the roles in force, not one per permission.
    held = set(RoleAssignment.objects.filter(in_force_q(), user=user,
                                             places__isnull=False).values_list("role", flat=True))
    roles = registry.roles()
    return any(is_sensitive(perm) for code in held if code in roles for perm in roles[code].permissions)


def provider_confirmed(request: Any) -> bool:
    """The session's sign-in at the city's identity provider used a second factor the city trusts."""
    session = getattr(request, "session", None)
    return session is not None and session.get(IDP_SECOND_FACTOR) == getattr(request.user, "pk", None)


def confirmed_device(user: Any) -> Any:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> Any:
    """The unconfirmed authenticator being enrolled (one, created on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def manual_key(device: Any) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: Any) -> str:
    """The otpauth:// URL as an inline SVG, drawn on the server (no JavaScript, no CDN)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):] if "<svg" in svg else svg


@transaction.atomic
def do_enrol_totp(user: Any, *, token: str, acting_user: User) -> Any:
    """Confirm the pending authenticator with a code from it; older authenticators are removed."""
    device = pending_device(user)
    if not device.verify_token((token or "").strip()):
        raise KernelError(_("The code is wrong or has expired; enter the code the app shows now."),
                          code="invalid_otp", field="token")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(acting_user, "access.twofactor.enrol", user)
    return device


@transaction.atomic
def do_remove_totp(user: Any, *, reason: str = "", acting_user: User) -> int:
    """An administrator removes a lost authenticator: the person enrols again at next sign-in."""
    user = get_staff(acting_user, user.pk)
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit.record(acting_user, "access.twofactor.remove", user, after={"removed": removed}, reason=reason)
    return int(removed)


def verify(user: Any, token: str) -> Any:
    device = confirmed_device(user)
    if device is None or not device.verify_token((token or "").strip()):
        raise KernelError(_("The code is wrong or has expired; enter the code the app shows now."),
                          code="invalid_otp", field="token")
    return device
