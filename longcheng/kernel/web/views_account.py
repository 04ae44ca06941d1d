"""One's own account: API tokens (issue, list, revoke) and the password. Every change goes through
the access actions, which audit it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longcheng.kernel.access.actions import do_issue_token, do_revoke_token, tokens_of
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError

from .decorators import staff_view
from .views import attach_error


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What will use the token, e.g. the gateway's host name."))
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The upper bound is the action's rule (API_TOKEN_MAX_DAYS); its refusal lands on this field.
        self.fields["days"].initial = settings.API_TOKEN_DAYS


def _page(request: StaffRequest, form: TokenForm, raw: str = "") -> HttpResponse:
    return render(request, "web/tokens.html", {"form": form, "raw": raw, "tokens": tokens_of(request.user)},
                  status=400 if form.errors else 200)


@never_cache
@staff_view(None)
def tokens(request: StaffRequest) -> HttpResponse:
    return _page(request, TokenForm())


@never_cache  # the answer carries a new token's value once: no copy in any cache
@staff_view(None)
@require_POST
def issue_token(request: StaffRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        _token, raw = do_issue_token(request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"],
                                     acting_user=request.user)
    except KernelError as error:
        attach_error(form, error)
        return _page(request, form)
    return _page(request, TokenForm(), raw)


@staff_view(None)
@require_POST
def revoke_token(request: StaffRequest, pk: int) -> HttpResponse:
    token = do_revoke_token(pk, acting_user=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("web:tokens")
