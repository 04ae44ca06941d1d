"""Changes to accounts: API tokens issued and revoked, each with its audit row in one transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound

from .models import ApiToken, User


def do_issue_token(user: User, *, name: str, days: int | None = None, acting_user: Any) -> tuple[ApiToken, str]:
    """A token for `user` (who must be the one acting: nobody issues tokens for another account).
    Returns the token and its raw value, which is shown once; only its hash is kept."""
    if acting_user is None or acting_user.pk != user.pk:
        raise NotFound()
    name = (name or "").strip()
    if not name:
        raise KernelError(_("Give the token a name, e.g. the program that will use it."),
                          code=ErrorCode.REQUIRED, field="name")
    if len(name) > 100:
        raise KernelError(_("At most %(n)d characters.") % {"n": 100}, field="name")
    if days is not None and not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise KernelError(_("A token lasts between 1 and %(n)d days.") % {"n": settings.API_TOKEN_MAX_DAYS},
                          field="days")
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name, days=days)
        record(acting_user, "access.token_issue", token,
               after={"name": name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()})
    return token, raw


def tokens_of(user: Any) -> list[ApiToken]:
    """One's own tokens, newest first (revoked and expired ones too, so one can see what happened)."""
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk"))


def do_revoke_token(token_id: int, *, acting_user: Any) -> ApiToken:
    """Revoke one of one's own tokens; another account's token is 'not found', as if it did not exist."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user_id=acting_user.pk).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(acting_user, "access.token_revoke", token, after={"prefix": token.prefix})
    return token


def do_change_password(user: User, new_password: str, *, acting_user: Any) -> User:
    """Set one's own password, held to Django's password validators (AUTH_PASSWORD_VALIDATORS)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if acting_user is None or acting_user.pk != user.pk:
        raise NotFound()
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise KernelError(" ".join(exc.messages), code="weak_password", field="new_password1") from None
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        record(acting_user, "access.password_change", locked)
    user.password = locked.password
    return locked
