"""The fund on the kernel ledger: reading it, donations and the aid rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import changes, record, snapshot
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import Account, Fund
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place

from ..conf import conf
from ..errors import ErrorCode as Code
from ..models import AidType
from .common import FUND, _text

FUND_NAME = "倾溧助 失亲青少年帮扶基金"


class FundNotOpen(KernelError):
    """The fund has not been opened on this installation: nothing can be donated, committed or paid."""

    status = 409
    default_code = Code.FUND_NOT_OPEN


def youth_fund() -> Fund:
    """The fund (a kernel ledger fund, YOUTHAID_FUND_CODE) the aid is paid from. It only reads: the
    fund is opened once by `do_open_fund` (the demo, or `longcheng youthaid openfund`)."""
    code = conf("YOUTHAID_FUND_CODE")
    fund = Fund.objects.filter(code=code).first()
    if fund is None:
        raise FundNotOpen(_("The youth aid fund %(code)s has not been opened yet "
                            "(longcheng youthaid openfund).") % {"code": code}, field="fund")
    return fund


def do_open_fund(*, acting_user: User | None, owner: Organisation | None = None, place: Place | None = None) -> Fund:
    """Open the fund on the ledger, owned by the charity federation and kept at its place; opening
    an open fund returns it unchanged. Run once per installation, by the system (acting_user None:
    the demo, the command line) or by a user holding youthaid.configure."""
    if acting_user is not None:
        require_perm(acting_user, "youthaid.configure")
    code = conf("YOUTHAID_FUND_CODE")
    with transaction.atomic():
        fund = Fund.objects.select_for_update().filter(code=code).first()
        if fund is not None:
            return fund
        fund = ledger.do_create_fund(code=code, name=FUND_NAME, owner=owner, place=place, acting_user=acting_user)
        return fund


def beneficiaries() -> Account:
    return ledger.external_account("youthaid-beneficiaries", "倾溧助 受助人银行账户", fund=youth_fund())


def do_donate(amount_fen: int, *, donor: str, acting_user: User, idempotency_key: str | None = None,
              at: dt.datetime | None = None) -> Any:
    require_perm(acting_user, FUND)
    donor = _text(donor, "donor", limit=100)
    return ledger.do_donate(youth_fund(), amount_fen, donor_name=donor, acting_user=acting_user,
                            idempotency_key=idempotency_key, at=at)


def do_update_aid_type(aid_type: AidType | str, *, acting_user: User, reason: str, **values: Any) -> AidType:
    """The aid rules are data: the federation changes amounts and caps here, audited; applications
    are checked against the rules in force when they are filed and decided."""
    require_perm(acting_user, "youthaid.configure")
    reason = _text(reason, "reason", minimum=2, limit=200)
    allowed = {"name", "name_en", "min_fen", "max_fen", "yearly_cap_fen", "grade_amounts", "proof_required",
               "proof_label", "active"}
    unknown = set(values) - allowed
    if unknown:
        raise KernelError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        code = aid_type.code if isinstance(aid_type, AidType) else aid_type
        locked = AidType.objects.select_for_update().filter(code=code).first()
        if locked is None:
            raise NotFound()
        before = snapshot(locked, sorted(values))
        for key, value in values.items():
            setattr(locked, key, value)
        for key in ("min_fen", "max_fen", "yearly_cap_fen"):
            value = getattr(locked, key)
            if not isinstance(value, int) or value <= 0:
                raise KernelError(_("An amount must be more than zero."), code=ErrorCode.INVALID_AMOUNT, field=key)
        if locked.max_fen < locked.min_fen:
            raise KernelError(_("The largest amount cannot be below the smallest."), field="max_fen")
        if locked.yearly_cap_fen < locked.max_fen:
            raise KernelError(_("The yearly cap cannot be below the largest amount."), field="yearly_cap_fen")
        for grade, amount in (locked.grade_amounts or {}).items():
            if grade not in ("1", "2", "3") or not isinstance(amount, int) or not locked.min_fen <= amount <= locked.max_fen:
                raise KernelError(_("Each grade's amount lies between the smallest and the largest amount."),
                                  field="grade_amounts")
        locked.save()
        old, new = changes(before, snapshot(locked, sorted(values)))
        if new:
            record(acting_user, "youthaid.aid_type", locked, before=old, after=new, reason=reason)
    return locked
