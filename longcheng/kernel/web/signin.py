"""Sign-in around Django's own: the lock-out answer (django-axes decides when), the idle timeout,
and the audit rows of signing in and out.

The audit rows are written from Django's auth signals, so the login page and the API's token
exchange are audited by the same code. A failure for a username that does not exist has no account
to hang a row on; django-axes keeps it (AccessAttempt) and counts it towards the address's limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record

LAST_SEEN = "longcheng_last_seen"


def client_address(request: HttpRequest | None) -> str:
    """The client's address, for the lock-out's count and the audit row. Behind the reverse proxy
    every request comes from the proxy, so when REMOTE_ADDR is one of TRUSTED_PROXIES the address
    is the last one in X-Forwarded-For that is not a trusted proxy (the earlier entries are whatever
    the client chose to send)."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote




def _audit(user: Any, action: str, request: HttpRequest | None, *, by_owner: bool = True, **after: Any) -> None:
    """A row on the account. A wrong password or a locked-out attempt was made by someone unknown,
    not by the account's owner: its actor is left empty."""
    with transaction.atomic():
        record(user if by_owner else None, action, user, after={"ip": client_address(request), **after})


def _account(username: str) -> Any:
    return User.objects.filter(username=username).first() if username else None


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many wrong passwords. Sign-in is locked for %(minutes)d minutes; try again later "
             "or ask the platform administrator.") % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: Any = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a locked-out attempt: our error shape on the API, the login page with
    the message on the web. 429 either way."""
    username = str((credentials or {}).get("username") or "")
    account = _account(username)
    if account is not None:
        _audit(account, "access.locked_out", request, by_owner=False)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": lockout_message(), "field": "password"}, status=429)

    form = AuthenticationForm(request)
    form.cleaned_data = {}
    form.add_error(None, lockout_message())
    return TemplateResponse(request, "web/login.html", {"form": form, "next": request.POST.get("next", "")},
                            status=429).render()


def signed_in(request: HttpRequest, user: Any) -> None:
    """A person signed in with their password (the login page's form_valid): audit it. Not a signal
    receiver: force_login() in tests and tools is nobody signing in."""
    _audit(user, "access.sign_in", request)


def _start_idle_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Every new session starts its idle clock at once, so its first request need not write it.
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN] = int(timezone.now().timestamp())


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                     **kwargs: Any) -> None:
    account = _account(str(credentials.get("username") or ""))
    if account is not None and not getattr(request, "axes_locked_out", False):
        _audit(account, "access.sign_in_failed", request, by_owner=False)


def _on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and request is not None and not getattr(request, "longcheng_idle_logout", False):
        _audit(user, "access.sign_out", request)


def connect() -> None:
    user_logged_in.connect(_start_idle_clock, dispatch_uid="longcheng.idle_clock")
    user_login_failed.connect(_on_login_failed, dispatch_uid="longcheng.sign_in_failed")
    user_logged_out.connect(_on_logged_out, dispatch_uid="longcheng.sign_out")


class IdleTimeoutMiddleware:
    """Signs a session out after SESSION_IDLE_MINUTES without a request. The time of the last request
    is written to the session at most once a minute, so that not every page view is a write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_MINUTES * 60:
                request.longcheng_idle_logout = True  # type: ignore[attr-defined]
                _audit(user, "access.idle_timeout", request, idle_minutes=(now - last) // 60)
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                                  % {"minutes": settings.SESSION_IDLE_MINUTES})
                    return redirect_to_login(request.get_full_path())
            elif not isinstance(last, int) or now - last >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
