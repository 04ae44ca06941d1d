"""The charity federation's review queue: recommended applications, decided one by one."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import KernelError, parse_id
from longcheng.kernel.forms import YuanField, refusal, yuan_text
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.web.decorators import staff_view

from .. import actions
from ..models import (
    Application,
    AppStatus,
)
from .common import QUEUE_SIZE, REVIEW, _balances, _post

# --- review ---------------------------------------------------------------------------------------------------


class DecideForm(forms.Form):
    """The federation's decision on one recommended application."""

    application = forms.CharField(label=_l("Application"))
    decision = forms.ChoiceField(label=_l("Decision"), choices=(("approve", _l("Approve")), ("reject", _l("Reject"))),
                                 error_messages={"required": _l("Choose approve or reject."),
                                                 "invalid_choice": _l("Choose approve or reject.")})
    amount = YuanField(label=_l("Approved amount"), required=False)
    reason = forms.CharField(label=_l("Reason"), required=False, strip=False)


def _review_step(request: StaffRequest) -> str:
    post, user = request.POST, request.user
    if post.get("step") != "decide":
        raise KernelError(_("Unknown step."), field="step")
    form = DecideForm(post)
    if not form.is_valid():
        raise refusal(form)
    pk = parse_id(form.cleaned_data["application"], field="application")
    approve = form.cleaned_data["decision"] == "approve"
    amount = form.cleaned_data["amount"] if approve else None
    app = actions.do_decide(pk, approve=approve, amount_fen=amount, reason=form.cleaned_data["reason"],
                            acting_user=user)
    if app.status == AppStatus.APPROVED:
        return _("Approved %(amount)s for %(name)s; the money is committed on the fund.") % {
            "amount": format_fen(app.approved_fen), "name": app.youth.person.name}
    return _("The application of %(name)s is rejected.") % {"name": app.youth.person.name}


@staff_view(REVIEW)
def review(request: StaffRequest) -> HttpResponse:
    """The charity federation's queue: recommended applications, oldest first, each with what the
    youth already has this year of that aid type, and the fund's available money above."""
    if request.method == "POST":
        return _post(request, lambda: _review_step(request))
    user = request.user
    queue = list(restrict(Application.objects.filter(status=AppStatus.RECOMMENDED), user, REVIEW)
                 .select_related("youth__person__place__parent", "aid_type", "recommended_by")
                 .prefetch_related("attachments")
                 .order_by("recommended_at", "created_at", "pk")[:QUEUE_SIZE])
    for app in queue:
        # Excluding this application: what was asked for or granted besides it, against the cap.
        app.used = actions.used_fen(app.youth_id, app.aid_type_id, app.year, exclude=app.pk)  # type: ignore[attr-defined]
        app.recommended_text = yuan_text(app.recommended_fen or app.requested_fen)  # type: ignore[attr-defined]
    decided = (restrict(Application.objects.filter(decided_at__isnull=False), user, REVIEW)
               .select_related("youth__person", "aid_type", "decided_by").order_by("-decided_at", "-pk")[:30])
    return render(request, "youthaid/review.html", {
        "queue": queue, "decided": decided, "balances": _balances(),
        "waiting_total": sum(a.recommended_fen or a.requested_fen for a in queue),
    })
