"""Sign-in through the city's identity provider over OpenID Connect (mozilla-django-oidc), off unless
OIDC_ENABLED (docs/operations.md, "Sign-in through the city's identity provider").

- The authorization code flow with PKCE, state and nonce (the library's views). The id_token's
  signature is checked by the library against the provider's JWKS; its issuer, audience and expiry
  are checked here as well (the library checks none of them).
- The verified identity maps to an existing, active local account: the one whose username equals
  the OIDC_ACCOUNT_CLAIM claim (by default `sub`). No account is ever created or given a role here;
  an unknown or deactivated identity is refused with a message and an audit row.
- The second factor: a role that needs one still confirms a TOTP code after the provider's sign-in,
  unless the provider's `amr`/`acr` is one the city listed in OIDC_TRUSTED_AMR / OIDC_TRUSTED_ACR.
"""

from __future__ import annotations

import time
from typing import Any

import josepy
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from longcheng.kernel.audit.actions import record
from longcheng.kernel.audit.models import AuditEntry

from .models import User
from .twofactor import IDP_SECOND_FACTOR

# How far the provider's clock may be ahead of or behind ours.
LEEWAY_SECONDS = 120
REFUSAL = "longcheng_oidc_refusal"
TRUSTED = "longcheng_oidc_second_factor"


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _refuse(request: HttpRequest, reason: str, *, account: User | None = None, value: str = "") -> None:
    """Remember why (the callback shows it) and audit the refusal. An identity that maps to no
    account has no row to hang on: the row names the provider's identity instead (object: the user
    type, no id), so that a city-wide auditor sees who tried."""
    setattr(request, REFUSAL, reason)
    after = {"ip": _address(request), "reason": reason, "claim": settings.OIDC_ACCOUNT_CLAIM, "value": value[:150]}
    with transaction.atomic():
        if account is not None:
            record(None, "access.oidc_refused", account, after=after)
        else:
            AuditEntry.objects.create(action="access.oidc_refused", object_type=ContentType.objects.get_for_model(User),
                                      object_id="", object_repr=f"{settings.OIDC_OP_ISSUER} {value}"[:200], after=after)


def second_factor_trusted(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    amr = [amr] if isinstance(amr, str) else list(amr)
    trusted_amr = set(settings.OIDC_TRUSTED_AMR)
    trusted_acr = set(settings.OIDC_TRUSTED_ACR)
    return bool(trusted_amr & {str(a) for a in amr}) or (bool(trusted_acr) and str(claims.get("acr", "")) in trusted_acr)


class CityIdentityBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # the library is untyped
    """Answers only the OIDC callback, and only when OIDC_ENABLED; every other sign-in (a password)
    passes it by. Listed in AUTHENTICATION_BACKENDS always, so that a session it started keeps
    working; with OIDC off it reads no OIDC setting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = User
        if enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not enabled() or request is None or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, josepy.errors.Error, ValueError, KeyError,
                TypeError) as exc:
            # A bad token, an unreachable provider, a malformed answer: refused, never a 500.
            _refuse(request, "invalid_token", value=type(exc).__name__)
            return None

    def verify_token(self, token: Any, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        now = time.time()
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("id_token issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences or (len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID):
            raise SuspiciousOperation("id_token audience")
        if not isinstance(payload.get("exp"), int | float) or payload["exp"] < now - LEEWAY_SECONDS:
            raise SuspiciousOperation("id_token expired")
        if isinstance(payload.get("iat"), int | float) and payload["iat"] > now + LEEWAY_SECONDS:
            raise SuspiciousOperation("id_token issued in the future")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The existing account the verified identity maps to, or None (refused). Never creates."""
        claims = dict(payload)
        claim = settings.OIDC_ACCOUNT_CLAIM
        if claim not in claims and settings.OIDC_OP_USER_ENDPOINT:
            info = self.get_userinfo(access_token, id_token, payload)
            # The userinfo answer must be about the same subject as the signed id_token (OIDC Core 5.3.2).
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo subject")
            claims = {**info, **payload}
        value = str(claims.get(claim) or "")
        account = User.objects.filter(username=value).first() if value else None
        if account is None:
            _refuse(self.request, "unknown_identity", value=value)
            return None
        if not account.is_active:
            _refuse(self.request, "inactive_account", account=account, value=value)
            return None
        setattr(self.request, TRUSTED, second_factor_trusted(claims))
        return account


REFUSALS = {
    "unknown_identity": lambda: _("Your identity at the city's identity provider is not linked to an account on "
                                  "this platform. Ask the platform administrator to create your account; nothing "
                                  "was created."),
    "inactive_account": lambda: _("The account linked to your identity is deactivated."),
    "invalid_token": lambda: _("The city's identity provider's answer could not be verified; try again or sign "
                               "in with your password."),
}


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, REFUSAL, "")
        message = REFUSALS[reason]() if reason in REFUSALS else _("The city's identity provider did not sign you in.")
        messages.error(self.request, message)
        return redirect(settings.LOGIN_URL)

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        trusted = bool(getattr(self.request, TRUSTED, False))
        if trusted:
            # Holds the account's id: the flag counts for this account's session only.
            self.request.session[IDP_SECOND_FACTOR] = self.user.pk
        with transaction.atomic():
            record(self.user, "access.sign_in", self.user,
                   after={"ip": _address(self.request), "via": "oidc",
                          "second_factor": "provider" if trusted else "platform"})
        return response


def start(request: HttpRequest) -> HttpResponse:
    """Off: there is no such page. On: to the provider's sign-in page."""
    if not enabled():
        raise Http404
    response: HttpResponse = OIDCAuthenticationRequestView.as_view()(request)
    return response


def callback(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404
    response: HttpResponse = CallbackView.as_view()(request)
    return response
