"""The park's money: restoration fees and compensation recovered go into the base's fund on the
kernel ledger, and what the fund paid for comes out of it. Integer fen; each record posts one
balanced entry keyed under `ecorestore:` (`ecorestore:receipt:<id>`, `ecorestore:spend:<id>`), in the
same transaction as its row and its audit row, so a refusal (a spend beyond the balance) writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, PermissionDenied
from longcheng.kernel.errors import ErrorCode as KernelCode
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import Fund
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN

from .actions import money_owed
from .models import Base, Case, MoneyKind, MoneyReversal, Receipt, Spend, SpendPurpose, Zone
from .spec import MANAGE

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_PREFIX = "ecorestore:"


def fund_code(base: Base) -> str:
    return f"ecorestore-base-{base.pk}"


def _require(user: User, path: str, field: str | None = None) -> None:
    if not place_in_scope(user, MANAGE, path):
        raise PermissionDenied(pgettext("ecorestore", "This is outside your scope."), field=field)


def base_fund(base: Base, *, acting_user: User | None) -> Fund:
    """The base's fund, opened on first use (inside the caller's transaction)."""
    locked = Base.objects.select_for_update(of=("self",)).select_related("fund").get(pk=base.pk)
    if locked.fund is not None:
        return locked.fund
    fund = ledger.do_create_fund(code=fund_code(locked), name=pgettext("ecorestore", "%(base)s restoration fund")
                                 % {"base": locked.name}, place=locked.place, acting_user=acting_user)
    locked.fund = fund
    locked.save(update_fields=["fund"])
    return fund


def _check(amount_fen: int, on: tuple[str, dt.date], text: tuple[str, str], today: dt.date | None) -> None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or not 0 < amount_fen <= MAX_AMOUNT_FEN:
        raise KernelError(pgettext("ecorestore", "The amount must be more than zero."),
                          code=KernelCode.INVALID_AMOUNT, field="amount")
    if on[1] > (today or timezone.localdate()):
        raise KernelError(pgettext("ecorestore", "The date cannot be in the future."), field=on[0])
    if not text[1].strip():
        raise KernelError(pgettext("ecorestore", "This field is required."), code=KernelCode.REQUIRED, field=text[0])


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), SHANGHAI)


def _within_owed(case: Case, amount_fen: int) -> None:
    """A receipt for a case pays at most what the case still owes in money (the case locked while it is checked)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if amount_fen > money_owed(locked):
        raise KernelError(pgettext("ecorestore", "The amount is more than what the case still owes in money."),
                          code=KernelCode.INVALID_AMOUNT, field="amount")


@dataclass(frozen=True)
class NewReceipt:
    kind: str
    amount_fen: int
    payer: str
    received_on: dt.date
    case: Case | None = None


def do_record_receipt(base: Base, new: NewReceipt, *, acting_user: User, today: dt.date | None = None) -> Receipt:
    """A restoration fee or compensation recovered, into the base's fund."""
    _require(acting_user, base.place.path)
    if new.case is not None:
        _require(acting_user, new.case.place.path, "case")
    if new.kind not in MoneyKind.values:
        raise KernelError(pgettext("ecorestore", "Choose what the money is."), field="kind")
    _check(new.amount_fen, ("received_on", new.received_on), ("payer", new.payer), today)
    with transaction.atomic():
        if new.case is not None:
            _within_owed(new.case, new.amount_fen)
        fund = base_fund(base, acting_user=acting_user)
        receipt = Receipt.objects.create(base=base, case=new.case, kind=new.kind, amount_fen=new.amount_fen,
                                         payer=new.payer.strip()[:100], received_on=new.received_on,
                                         recorded_by=acting_user)
        payers = ledger.external_account(f"{fund.code}:payers", pgettext("ecorestore", "Parties and payers"),
                                         fund=fund)
        memo = f"{MoneyKind(new.kind).label} · {receipt.payer}" + (f" · {new.case.number}" if new.case else "")
        receipt.entry = ledger.do_post_entry(
            [(payers, -new.amount_fen), (ledger.fund_account(fund), new.amount_fen)], memo=memo, kind="receipt",
            acting_user=acting_user, idempotency_key=f"{KEY_PREFIX}receipt:{receipt.pk}", at=_at(new.received_on))
        receipt.save(update_fields=["entry"])
        record(acting_user, "ecorestore.money.receive", receipt, after={
            "kind": new.kind, "amount_fen": new.amount_fen, "received_on": new.received_on.isoformat(),
            "case": new.case.number if new.case else None})
    return receipt


@dataclass(frozen=True)
class NewSpend:
    purpose: str
    description: str
    amount_fen: int
    payee: str
    spent_on: dt.date
    zone: Zone | None = None


def do_record_spend(base: Base, new: NewSpend, *, acting_user: User, today: dt.date | None = None) -> Spend:
    """What the fund paid for; refused (InsufficientFunds, nothing written) beyond what it holds."""
    _require(acting_user, base.place.path)
    if new.zone is not None and new.zone.base_id != base.pk:
        raise KernelError(pgettext("ecorestore", "Choose a zone of the base in your scope."), field="zone")
    if new.purpose not in SpendPurpose.values:
        raise KernelError(pgettext("ecorestore", "Choose what the money paid for."), field="purpose")
    _check(new.amount_fen, ("spent_on", new.spent_on), ("description", new.description), today)
    if not new.payee.strip():
        raise KernelError(pgettext("ecorestore", "This field is required."), code=KernelCode.REQUIRED, field="payee")
    with transaction.atomic():
        fund = base_fund(base, acting_user=acting_user)
        spend = Spend.objects.create(base=base, zone=new.zone, purpose=new.purpose,
                                     description=new.description.strip()[:200], amount_fen=new.amount_fen,
                                     payee=new.payee.strip()[:100], spent_on=new.spent_on, recorded_by=acting_user)
        payees = ledger.external_account(f"{fund.code}:payees", pgettext("ecorestore", "Suppliers and payees"),
                                         fund=fund)
        spend.entry = ledger.do_post_entry(
            [(ledger.fund_account(fund), -new.amount_fen), (payees, new.amount_fen)],
            memo=f"{SpendPurpose(new.purpose).label} · {spend.description}", kind="payment",
            acting_user=acting_user, idempotency_key=f"{KEY_PREFIX}spend:{spend.pk}", at=_at(new.spent_on))
        spend.save(update_fields=["entry"])
        record(acting_user, "ecorestore.money.spend", spend, after={
            "purpose": new.purpose, "amount_fen": new.amount_fen, "spent_on": new.spent_on.isoformat(),
            "payee": spend.payee})
    return spend


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not 4 <= len(text) <= 200:
        raise KernelError(pgettext("ecorestore", "Give the reason for the correction (4 to 200 characters)."),
                          code=KernelCode.REQUIRED, field="reason")
    return text


def _reverse(record_: Receipt | Spend, name: str, reason: str, acting_user: User) -> MoneyReversal:
    """The reversing entry of a receipt or a spend: its lines negated, `reverses` naming the entry,
    in one transaction with the reversal's row and its audit row; refused if reversed before."""
    model = type(record_)
    locked = model.objects.select_for_update(of=("self",)).select_related("entry").get(pk=record_.pk)
    if MoneyReversal.objects.filter(**{name: locked}).exists():
        raise Conflict(pgettext("ecorestore", "This record has already been reversed."), field="record")
    original = locked.entry
    if original is None:  # every receipt and spend posts its entry with its row; never reached
        raise Conflict(pgettext("ecorestore", "This record has already been reversed."), field="record")
    lines = [(p.account, -p.amount_fen) for p in original.postings.select_related("account").order_by("pk")]
    entry = ledger.do_post_entry(
        lines, memo=pgettext("ecorestore", "Reversal: %(reason)s") % {"reason": reason}, kind="reversal",
        acting_user=acting_user, idempotency_key=f"{KEY_PREFIX}{name}:{locked.pk}:reverse", reverses=original)
    reversal = MoneyReversal.objects.create(**{name: locked}, reason=reason, entry=entry, recorded_by=acting_user)
    record(acting_user, "ecorestore.money.reverse", locked, before={"amount_fen": locked.amount_fen},
           after={"reversed": name, "reason": reason, "amount_fen": 0})
    return reversal


def do_reverse_receipt(receipt: Receipt, *, reason: str, acting_user: User) -> MoneyReversal:
    """A receipt recorded in error: the money goes back out of the fund to the payers' account (refused,
    nothing written, if the fund no longer holds it), and the case owes it again."""
    _require(acting_user, receipt.base.place.path)
    if receipt.case is not None:
        _require(acting_user, receipt.case.place.path, "case")
    text = _reason(reason)
    with transaction.atomic():
        return _reverse(receipt, "receipt", text, acting_user)


def do_reverse_spend(spend: Spend, *, reason: str, acting_user: User) -> MoneyReversal:
    """A spend recorded in error: the money comes back into the fund from the payees' account."""
    _require(acting_user, spend.base.place.path)
    text = _reason(reason)
    with transaction.atomic():
        return _reverse(spend, "spend", text, acting_user)


def fund_figures(base: Base) -> dict[str, Any]:
    """Received, spent (less what was reversed) and the balance of the base's fund (the ledger's own)."""
    received = Receipt.objects.filter(base=base, reversal__isnull=True).aggregate(s=Sum("amount_fen"))["s"] or 0
    spent = Spend.objects.filter(base=base, reversal__isnull=True).aggregate(s=Sum("amount_fen"))["s"] or 0
    fund = Fund.objects.filter(pk__in=Base.objects.filter(pk=base.pk).values("fund_id")).first()  # never a stale base's
    balance = ledger.fund_account(fund).balance_fen if fund is not None else 0
    return {"received": received, "spent": spent, "balance": balance}
