"""What the youth aid pages share: the permissions, the POSTed-step runner and the fund's balances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import AccountKind

from .. import actions

VIEW, MANAGE, REVIEW, PAY, FUND = actions.VIEW, actions.MANAGE, actions.REVIEW, actions.PAY, actions.FUND
CONFIGURE = "youthaid.configure"
QUEUE_SIZE = 200


# --- small helpers -------------------------------------------------------------------------------------------


def _post(request: StaffRequest, step: Callable[[], str | tuple[str, str]]) -> HttpResponse:
    """Run one POSTed step: its message, then back to the page (or where the step says). A refusal
    becomes a message naming the rule, having written nothing; out of scope stays a 404 page."""
    try:
        outcome = step()
    except KernelError as error:
        if error.status == 404:
            raise
        messages.error(request, str(error.message))
        return redirect(request.get_full_path())
    text, target = outcome if isinstance(outcome, tuple) else (outcome, request.get_full_path())
    messages.success(request, text)
    return redirect(target)


def _balances() -> dict[str, int]:
    fund = actions.youth_fund()
    return {"available": ledger.fund_account(fund).balance_fen,
            "committed": ledger.fund_account(fund, AccountKind.COMMITMENT).balance_fen}



def _youth_name(user: Any, youth: Any) -> str:
    person = youth.person
    return privacy.show(user, privacy.Kind.MINOR, person.name, person.place.path if person.place else None)
