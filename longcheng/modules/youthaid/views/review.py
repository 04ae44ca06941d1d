"""The charity federation's review queue: recommended applications, decided one by one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import KernelError, parse_id
from longcheng.kernel.forms import refusal, yuan_text
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.web.decorators import staff_view

from .. import actions, rules
from ..forms import DecideForm
from ..models import (
    Application,
    AppStatus,
)
from .common import QUEUE_SIZE, REVIEW, _balances, _shown_again

# --- review ---------------------------------------------------------------------------------------------------


def _review_context(user: Any) -> dict[str, Any]:
    queue = list(restrict(Application.objects.filter(status=AppStatus.RECOMMENDED), user, REVIEW)
                 .select_related("youth__person__place__parent", "aid_type", "recommended_by")
                 .prefetch_related("attachments")
                 .order_by("recommended_at", "created_at", "pk")[:QUEUE_SIZE])
    for app in queue:
        # Excluding this application: what was asked for or granted besides it, against the cap.
        app.used = actions.used_fen(app.youth_id, app.aid_type_id, app.year, exclude=app.pk)  # type: ignore[attr-defined]
        # The youth's own yearly limit (the hardship grade's amount for living assistance), not the type's cap.
        app.limit = rules.yearly_limit(app.aid_type, app.youth.hardship_grade)  # type: ignore[attr-defined]
        app.recommended_text = yuan_text(app.recommended_fen or app.requested_fen)  # type: ignore[attr-defined]
    decided = (restrict(Application.objects.filter(decided_at__isnull=False), user, REVIEW)
               .select_related("youth__person", "aid_type", "decided_by").order_by("-decided_at", "-pk")[:30])
    return {
        "queue": queue, "decided": decided, "balances": _balances(), "typed": {},
        "waiting_total": sum(a.recommended_fen or a.requested_fen for a in queue),
    }


@staff_view(REVIEW)
@require_safe
def review(request: StaffRequest) -> HttpResponse:
    """The charity federation's queue: recommended applications, oldest first, each with what the
    youth already has this year of that aid type, and the fund's available money above."""
    return render(request, "youthaid/review.html", _review_context(request.user))


@staff_view(REVIEW)
@require_POST
def review_decide(request: StaffRequest) -> HttpResponse:
    """The federation's decision on one application (youthaid:review_decide): a refusal is the queue
    again with the message naming the field, the typed values kept, nothing written."""
    form = DecideForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        pk = parse_id(form.cleaned_data["application"], field="application")
        approve = form.cleaned_data["decision"] == "approve"
        amount = form.cleaned_data["amount"] if approve else None
        app = actions.do_decide(pk, approve=approve, amount_fen=amount, reason=form.cleaned_data["reason"],
                                acting_user=request.user)
    except KernelError as error:
        return _shown_again(request, error, form, "youthaid/review.html", _review_context(request.user))
    if app.status == AppStatus.APPROVED:
        messages.success(request, _("Approved %(amount)s for %(name)s; the money is committed on the fund.") % {
            "amount": format_fen(app.approved_fen), "name": app.youth.person.name})
    else:
        messages.success(request, _("The application of %(name)s is rejected.") % {"name": app.youth.person.name})
    return redirect(reverse("youthaid:review"))
