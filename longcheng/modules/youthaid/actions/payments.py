"""Payment batches: creating, paying on the fund ledger, bank returns and re-issues."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import bulk
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import Fund

from ..access import _lock_payment
from ..errors import ErrorCode as Code
from ..models import (
    AidType,
    Application,
    AppStatus,
    BatchStatus,
    Payment,
    PaymentBatch,
    PayStatus,
    Youth,
)
from . import common
from .common import PAY, _text
from .fund import beneficiaries, youth_fund


def _next_batch_code() -> str:
    year = common._today().year
    count = PaymentBatch.objects.filter(code__startswith=f"{year}-").count()
    return f"{year}-{count + 1:03d}"


def do_create_batch(*, title: str, acting_user: User, applications: Iterable[int] | None = None) -> PaymentBatch:
    """A payment batch from approved applications not yet in a batch (in the user's scope). A youth
    with two approved applications of one type gets one of them now and the other in the next
    batch: one payment per youth per aid type per batch."""
    require_perm(acting_user, PAY)
    title = _text(title, "title", limit=100)
    with transaction.atomic():
        _number_lock()
        rows = _waiting(acting_user, applications)
        if not rows:
            raise KernelError(_("No approved application is waiting for payment."), code=Code.NOTHING_TO_PAY,
                              field="applications")
        # A payment without a bank account could only come back: those wait, and the caller is told.
        unpayable = [r for r in rows if not r[4]]
        rows = [r for r in rows if r[4]]
        if not rows:
            raise KernelError(_("No approved application waiting for payment has a bank account recorded; record "
                                "the accounts on the cases first."), code=Code.NO_BANK_ACCOUNT, field="bank_account")
        batch = PaymentBatch.objects.create(code=_next_batch_code(), title=title, created_by=acting_user)
        payments = _payment_rows(batch, rows)
        bulk.load(Payment, PAYMENT_COLUMNS, payments)
        batch.count, batch.total_fen = len(payments), sum(p[4] for p in payments)
        batch.save(update_fields=["count", "total_fen"])
        # What waits for the next batch, and why: the page says so (issue 15, finding 5).
        left_out = {"without_account": len(unpayable), "same_type": len(rows) - len(payments)}
        record(acting_user, "youthaid.batch", batch, after={"count": batch.count, "total_fen": batch.total_fen,
                                                             **left_out})
    batch.without_account = left_out["without_account"]  # type: ignore[attr-defined]  # shown by the page
    batch.left_out = left_out  # type: ignore[attr-defined]
    return batch


def _waiting(acting_user: User, applications: Iterable[int] | None) -> list[tuple[Any, ...]]:
    """(application, youth, aid type, amount, bank account) of the approved applications waiting
    for payment in the user's scope (of `applications`, if given), locked. A long list of ids is
    joined as a temporary table (kernel.bulk), not as a placeholder each."""
    qs = restrict(Application.objects.filter(status=AppStatus.APPROVED), acting_user, PAY).exclude(
        payments__status__in=[PayStatus.PENDING, PayStatus.PAID, PayStatus.RETURNED])  # returned: re-issue
    columns = ("pk", "youth_id", "aid_type_id", "approved_fen", "youth__bank_account")
    if applications is None:
        return list(qs.select_for_update(of=("self",)).order_by("pk").values_list(*columns))
    with bulk.temporary(["bigint"], [(int(pk),) for pk in applications]) as ids:
        qs = qs.filter(pk__in=RawSQL(f"SELECT c1 FROM {ids}", []))
        return list(qs.select_for_update(of=("self",)).order_by("pk").values_list(*columns))


PAYMENT_COLUMNS = ["batch_id", "application_id", "youth_id", "aid_type_id", "amount_fen", "status", "bank_account",
                   "return_reason", "created_at"]


def _payment_rows(batch: PaymentBatch, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The batch's payments as rows of PAYMENT_COLUMNS (kernel.bulk): one per youth and aid type."""
    seen: set[tuple[int, int]] = set()
    now = timezone.now()
    payments = []
    for pk, youth_id, type_id, amount, account in rows:
        if (youth_id, type_id) in seen:
            continue
        seen.add((youth_id, type_id))
        payments.append((batch.pk, pk, youth_id, type_id, amount or 0, PayStatus.PENDING.value, account or "", "", now))
    return payments


def _number_lock() -> None:
    """Batch numbers come from counting this year's batches: two payers making batches at once wait
    for each other on the fund's row instead of colliding on the unique code."""
    Fund.objects.select_for_update().filter(pk=youth_fund().pk).first()


def do_pay_batch(batch: PaymentBatch | int, *, acting_user: User) -> PaymentBatch:
    """Send the batch to the bank: each payment leaves the fund's commitment for the beneficiary's
    account. A double click or a retried request finds the batch paid and pays nobody twice (the
    batch row is locked, and each payment's posting carries its own idempotency key)."""
    require_perm(acting_user, PAY)
    pk = batch.pk if isinstance(batch, PaymentBatch) else batch
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound()
        if locked.status == BatchStatus.PAID:
            return locked
        if restrict(Payment.objects.filter(batch=locked), acting_user, PAY).count() != locked.count:
            raise PermissionDenied(_("This batch pays youths outside your scope."))
        fund = youth_fund()
        commitment = ledger.fund_account(fund, ledger.AccountKind.COMMITMENT)
        payee = beneficiaries()
        rows = list(Payment.objects.filter(batch=locked, status=PayStatus.PENDING)
                    .values_list("pk", "amount_fen", "application_id", "aid_type_id"))
        entries = ledger.do_post_entries(_payment_specs(locked, rows, commitment, payee), kind="payment",
                                         acting_user=acting_user, audit_obj=locked)
        now = timezone.now()
        bulk.update(Payment, ["entry_id", "status"],
                    [(pk_, entries[f"youthaid:pay:{pk_}"], PayStatus.PAID.value) for pk_, _a, _app, _k in rows])
        bulk.update(Application, ["status"], [(app, AppStatus.PAID.value) for _p, _a, app, _k in rows])
        locked.status, locked.paid_by, locked.paid_at = BatchStatus.PAID, acting_user, now
        locked.save(update_fields=["status", "paid_by", "paid_at"])
        record(acting_user, "youthaid.pay", locked, after={"count": len(rows), "total_fen": locked.total_fen})
    return locked


def _payment_specs(batch: PaymentBatch, rows: list[tuple[int, int, int, int]], commitment: Any, payee: Any,
                   ) -> list[ledger.EntrySpec]:
    """Each payment's ledger entry (commitment → beneficiaries), keyed `youthaid:pay:<payment>`."""
    kinds = {t.pk: str(t) for t in AidType.objects.all()}
    memo = _("Application #%(n)d · %(type)s · paid in batch %(batch)s (payment #%(p)d)")
    return [ledger.EntrySpec(lines=[(commitment, -amount), (payee, amount)],
                             memo=memo % {"n": app, "type": kinds[kind], "batch": batch.code, "p": pk},
                             idempotency_key=f"youthaid:pay:{pk}") for pk, amount, app, kind in rows]


def do_return_payment(payment: Payment | int, *, reason: str, acting_user: User) -> Payment:
    """The bank returned a payment (closed account, wrong number): the money goes back to the
    commitment, ready to be re-issued."""
    reason = _text(reason, "return_reason", minimum=2, limit=200)
    require_perm(acting_user, PAY)
    with transaction.atomic():
        locked = _lock_payment(payment, acting_user)
        if locked.status != PayStatus.PAID:
            raise KernelError(_("Only a paid payment can come back from the bank."), code=Code.PAYMENT_NOT_PAID,
                              field="status")
        ledger.do_return_payment(youth_fund(), locked.amount_fen, payee=beneficiaries(), acting_user=acting_user,
                                 memo=_("Application #%(n)d · %(type)s · payment #%(p)d returned by the bank: "
                                        "%(reason)s") % {"n": locked.application_id, "type": locked.aid_type,
                                                         "p": locked.pk, "reason": reason},
                                 idempotency_key=f"youthaid:return:{locked.pk}")
        locked.status, locked.return_reason, locked.returned_at = PayStatus.RETURNED, reason, timezone.now()
        locked.save(update_fields=["status", "return_reason", "returned_at"])
        Application.objects.filter(pk=locked.application_id).update(status=AppStatus.APPROVED)
        record(acting_user, "youthaid.return", locked, after={"amount_fen": locked.amount_fen}, reason=reason)
    return locked


def do_reissue(payment: Payment | int, *, acting_user: User) -> Payment:
    """Put a returned payment into the open batch (a new one if none is open), with the youth's
    current bank account (correct it on the case first)."""
    require_perm(acting_user, PAY)
    with transaction.atomic():
        locked = _lock_payment(payment, acting_user)
        if locked.status != PayStatus.RETURNED:
            raise KernelError(_("Only a returned payment can be re-issued."), code=Code.PAYMENT_NOT_RETURNED, field="status")
        _number_lock()
        batch = PaymentBatch.objects.filter(status=BatchStatus.OPEN).order_by("-pk").first()
        if batch is None or Payment.objects.filter(batch=batch, youth_id=locked.youth_id,
                                                   aid_type_id=locked.aid_type_id).exists():
            batch = PaymentBatch.objects.create(code=_next_batch_code(), title=_("Re-issued payments"),
                                                created_by=acting_user)
        account = Youth.objects.filter(pk=locked.youth_id).values_list("bank_account", flat=True).first() or ""
        new = Payment.objects.create(batch=batch, application_id=locked.application_id, youth_id=locked.youth_id,
                                     aid_type_id=locked.aid_type_id, amount_fen=locked.amount_fen, bank_account=account)
        PaymentBatch.objects.filter(pk=batch.pk).update(count=batch.count + 1, total_fen=batch.total_fen + new.amount_fen)
        locked.status, locked.reissued_as = PayStatus.REISSUED, new
        locked.save(update_fields=["status", "reissued_as"])
        record(acting_user, "youthaid.reissue", locked, after={"payment": new.pk, "batch": batch.code})
    return new
