"""The deadlines of a year's list (ListTerm, set by the bureau) and the registration (备案) of a round,
its own step with its own deadline, filed by the firm's side before 筹划与组织 may close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError
from longcheng.kernel.workdays.api import SHANGHAI

from .. import access, rules
from ..errors import ErrorCode
from ..models import ListTerm
from ..spec import REVIEW
from ..stages import FIRST
from .common import must_be_party

TERM_FIELDS = tuple(rules.TERM_LIMITS)


def term_for(year: int) -> rules.Term:
    """The deadlines of `year`'s list: the bureau's ListTerm, or the rule's defaults."""
    row = ListTerm.objects.filter(year=year).first()
    if row is None:
        return rules.DEFAULT_TERM
    return rules.Term(**{name: getattr(row, name) for name in TERM_FIELDS})


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def do_set_term(*, year: Any, values: Mapping[str, Any], acting_user: User) -> ListTerm:
    """Set (or change) the deadlines of a year's list. Deadlines already on rounds stay as they were set;
    the new term applies to deadlines computed from now on (listing, closing a stage, an assessment)."""
    require_perm(acting_user, REVIEW)
    number = _whole(year)
    if number is None or not 2016 <= number <= 2100:
        raise KernelError(pgettext("cleanaudit", "A year from 2016 to 2100."), code=ErrorCode.TERM, field="year")
    clean = {name: _whole(values.get(name, "")) for name in TERM_FIELDS}
    problem = rules.term_problem(clean)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.TERM, field=problem[0])
    with transaction.atomic():
        row = ListTerm.objects.select_for_update().filter(year=number).first()
        before = {name: getattr(row, name) for name in TERM_FIELDS} if row else {}
        row, _created = ListTerm.objects.update_or_create(
            year=number, defaults={**clean, "set_by": acting_user, "set_at": timezone.now()})
        record(acting_user, "cleanaudit.term.set", row, before=before or None, after={"year": number, **clean})
    return row


def do_register(round_id: int, *, acting_user: User, now: dt.datetime | None = None) -> Any:
    """The firm's side files the round's registration (备案); once only, while 筹划与组织 is open."""
    at = now or timezone.now()
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        if audit.registered_on is not None:
            raise Conflict(pgettext("cleanaudit", "The registration is already filed."),
                           code=ErrorCode.ALREADY_REGISTERED, field="registration")
        if audit.status != FIRST:
            raise Conflict(pgettext("cleanaudit", "The round is past 筹划与组织: registration is closed."),
                           code=ErrorCode.WRONG_STAGE, field="registration")
        audit.registered_on = at.astimezone(SHANGHAI).date()
        audit.registered_by = acting_user
        audit.save(update_fields=["registered_on", "registered_by"])
        late = rules.is_overdue(audit.registration_due, audit.registered_on, done=False)
        record(acting_user, "cleanaudit.round.register", audit,
               after={"registered_on": audit.registered_on.isoformat(), "late": late})
    return audit
