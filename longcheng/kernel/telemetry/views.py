"""The gateways' pages: every gateway account in the administrator's scope with what it last sent,
its tokens (issued and revoked here) and the messages it got refused."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longcheng.kernel import privacy
from longcheng.kernel.errors import KernelError
from longcheng.kernel.privacy import Kind, Level
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.web.views import attach_error
from longcheng.kernel.web.views_account import TokenForm

from .gateways import (
    PERMISSION,
    do_issue_gateway_token,
    do_revoke_gateway_token,
    gateway_of,
    gateways_of,
    rejected_of,
)


@staff_view(PERMISSION)
def gateways(request: HttpRequest) -> HttpResponse:
    return render(request, "telemetry/gateways.html", {"gateways": gateways_of(request.user)})


def _page(request: HttpRequest, username: str, form: TokenForm, raw: str = "") -> HttpResponse:
    gateway = gateway_of(request.user, username)
    # A message carries positions and health readings: shown only to roles that see locations plainly.
    show_payload = privacy.level(request.user, Kind.LOCATION) >= Level.PLAIN
    return render(request, "telemetry/gateway.html", {
        "gateway": gateway, "form": form, "raw": raw, "letters": rejected_of(gateway), "show_payload": show_payload,
    }, status=400 if form.errors else 200)


@never_cache
@staff_view(PERMISSION)
def gateway(request: HttpRequest, username: str) -> HttpResponse:
    return _page(request, username, TokenForm())


@never_cache  # the answer carries the new token's value once: no copy in any cache
@staff_view(PERMISSION)
@require_POST
def issue_token(request: HttpRequest, username: str) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, username, form)
    try:
        _token, raw = do_issue_gateway_token(username, name=form.cleaned_data["name"], days=form.cleaned_data["days"],
                                             acting_user=request.user)
    except KernelError as error:
        if error.field is None:
            raise
        attach_error(form, error)
        return _page(request, username, form)
    return _page(request, username, TokenForm(), raw)


@staff_view(PERMISSION)
@require_POST
def revoke_token(request: HttpRequest, username: str, pk: int) -> HttpResponse:
    token = do_revoke_gateway_token(username, pk, acting_user=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("telemetry:gateway", username=username)
