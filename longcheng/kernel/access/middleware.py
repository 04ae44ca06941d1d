"""The sign-in gate: before any page, a person whose password was reset (or given by an
administrator) sets their own, and a person whose roles need a second factor confirms one."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import twofactor

# Open while the gate is shut: the gate's own pages, signing out, the language switch, static files.
ALWAYS_OPEN = ("/logout/", "/i18n/", "/static/", "/access/password/set/")


class SignInGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(ALWAYS_OPEN):
            gate = self._gate(request)
            if gate is not None:
                return gate
        return self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if (not user.is_verified() and not twofactor.provider_confirmed(request)  # type: ignore[union-attr]
                and twofactor.requires_two_factor(user)):
            if twofactor.confirmed_device(user) is not None:
                target, code = reverse("access:twofactor_verify"), "two_factor_required"
            else:
                target, code = reverse("access:twofactor_setup"), "two_factor_enrolment_required"
            if request.path == target:
                return None
            return self._refuse(request, target, code, _("Confirm your sign-in with a code from your authenticator."))
        if getattr(user, "must_change_password", False):
            target = reverse("access:password_change")
            if request.path == target:
                return None
            return self._refuse(request, target, "password_change_required", _("Set a new password first."))
        return None

    @staticmethod
    def _refuse(request: HttpRequest, target: str, code: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "message": message, "field": None}, status=403)
        return redirect(target)
