"""The youth aid fund's money: payment batches, paying (once, however often the button is pressed),
bank returns and re-issues, the fund statement, and real concurrency on PostgreSQL (50 reviewers
approving at once against a fund that can cover 30; two clerks paying the same batch at once)."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from conftest import require_service
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.actions import InsufficientFunds, statement
from longcheng.kernel.ledger.models import Account, AccountKind, JournalEntry, Posting
from longcheng.kernel.people.models import Resident

from .. import actions
from ..models import (
    AidType,
    Application,
    AppStatus,
    BatchStatus,
    CaseStatus,
    Payment,
    PaymentBatch,
    PayStatus,
    Youth,
)
from .conftest import BANK_ACCOUNT

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def today() -> dt.date:
    return timezone.localdate()


def beneficiaries_balance() -> int:
    return actions.beneficiaries().balance_fen


def postings_match_balances() -> None:
    """Every account's running balance is the sum of its postings."""
    for account in Account.objects.all():
        total = Posting.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert total == account.balance_fen, account.code


@pytest.fixture
def second_case(activate: Callable[..., Any], liyang: dict[str, Any]) -> Youth:
    """王小川 (12), consented by his mother, with a serious illness recorded."""
    return activate(liyang["sibling"], serious_illness=True, health_note="先天性心脏病")


# --- batches and paying --------------------------------------------------------------------------------


def test_a_batch_pays_each_youth_once_per_aid_type_the_second_application_waits(
        active_case: Youth, second_case: Youth, funded: Any, grant: Any, liyang: dict[str, Any],
        counts: Any, english: Any) -> None:
    reviewer = liyang["reviewer"]
    first = grant(active_case, "medical", 500_000)
    waiting = grant(active_case, "medical", 300_000)
    living = grant(active_case, "living", 200_000)
    brother = grant(second_case, "medical", 400_000)

    batch = actions.do_create_batch(title="十一月救助", acting_user=reviewer)
    rows = set(batch.payments.values_list("application_id", "youth_id", "amount_fen", "bank_account", "status"))
    assert rows == {(first.pk, active_case.pk, 500_000, BANK_ACCOUNT, PayStatus.PENDING),
                    (living.pk, active_case.pk, 200_000, BANK_ACCOUNT, PayStatus.PENDING),
                    (brother.pk, second_case.pk, 400_000, BANK_ACCOUNT, PayStatus.PENDING)}
    assert (batch.count, batch.total_fen, batch.status) == (3, 1_100_000, BatchStatus.OPEN)
    assert AuditEntry.objects.filter(action="youthaid.batch", object_id=str(batch.pk)).count() == 1

    following = actions.do_create_batch(title="十二月救助", acting_user=reviewer)
    assert list(following.payments.values_list("application_id", flat=True)) == [waiting.pk]
    assert following.code != batch.code

    before = counts()
    with pytest.raises(KernelError) as nothing:
        actions.do_create_batch(title="空批次", acting_user=reviewer)
    assert (nothing.value.code, nothing.value.field) == ("nothing_to_pay", "applications")
    assert "No approved application" in str(nothing.value.message)
    with pytest.raises(PermissionDenied):  # a case worker neither makes nor pays batches
        actions.do_create_batch(title="十二月救助", acting_user=liyang["caseworker"])
    assert counts() == before


def test_paying_posts_one_entry_per_payment_and_a_retry_pays_nobody_twice(
        active_case: Youth, second_case: Youth, funded: Any, grant: Any, liyang: dict[str, Any],
        balances: Any, counts: Any) -> None:
    reviewer = liyang["reviewer"]
    apps = [grant(active_case, "medical", 500_000), grant(active_case, "living", 200_000),
            grant(second_case, "medical", 400_000)]
    batch = actions.do_create_batch(title="十一月救助", acting_user=reviewer)
    money, entries, paid_out = balances(funded), JournalEntry.objects.count(), beneficiaries_balance()

    before = counts()
    with pytest.raises(PermissionDenied):
        actions.do_pay_batch(batch, acting_user=liyang["caseworker"])
    assert counts() == before and balances(funded) == money

    paid = actions.do_pay_batch(batch, acting_user=reviewer)
    assert (paid.status, paid.paid_by) == (BatchStatus.PAID, reviewer) and paid.paid_at is not None
    assert JournalEntry.objects.count() == entries + 3
    commitment = ledger.fund_account(funded, AccountKind.COMMITMENT)
    payee = actions.beneficiaries()
    for payment in Payment.objects.filter(batch=batch).select_related("entry"):
        assert payment.status == PayStatus.PAID and payment.entry is not None
        assert payment.entry.idempotency_key == f"youthaid:pay:{payment.pk}"
        assert payment.entry.kind == "payment"
        assert set(payment.entry.postings.values_list("account_id", "amount_fen")) == {
            (commitment.pk, -payment.amount_fen), (payee.pk, payment.amount_fen)}
    assert balances(funded) == {"fund": money["fund"], "commitment": money["commitment"] - 1_100_000}
    assert beneficiaries_balance() == paid_out + 1_100_000
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {
        AppStatus.PAID}
    assert actions.paid_total() == 1_100_000

    # A double click, a retried request, a second clerk: the batch is paid once.
    after, money_after = counts(), balances(funded)
    for _ in range(2):
        again = actions.do_pay_batch(batch.pk, acting_user=reviewer)
        assert again.status == BatchStatus.PAID
    assert counts() == after and balances(funded) == money_after
    assert beneficiaries_balance() == paid_out + 1_100_000
    postings_match_balances()


def test_bulk_posting_twice_with_the_same_keys_posts_once(funded: Any, liyang: dict[str, Any], balances: Any,
                                                          english: Any) -> None:
    """The kernel's bulk posting is itself idempotent: a batch whose first posting reached the
    ledger is not posted again, even if the batch row did not record it."""
    available = ledger.fund_account(funded)
    payee = ledger.external_account("test-payees", "测试收款人", fund=funded)
    specs = [ledger.EntrySpec(lines=[(available, -1_000 * (n + 1)), (payee, 1_000 * (n + 1))], memo=f"付款{n}",
                              idempotency_key=f"test:bulk:{n}") for n in range(3)]
    batch = PaymentBatch.objects.create(code="T-1", title="测试")
    first = ledger.do_post_entries(specs, kind="payment", acting_user=liyang["reviewer"], audit_obj=batch)
    money, entries = balances(funded), JournalEntry.objects.count()
    audit_rows = AuditEntry.objects.count()
    second = ledger.do_post_entries(specs, kind="payment", acting_user=liyang["reviewer"], audit_obj=batch)
    assert first == second and len(first) == 3
    assert (balances(funded), JournalEntry.objects.count(), AuditEntry.objects.count()) == (
        money, entries, audit_rows)
    assert Account.objects.get(pk=payee.pk).balance_fen == 6_000

    # One new key among posted ones: only the new entry is posted.
    more = [*specs, ledger.EntrySpec(lines=[(available, -500), (payee, 500)], memo="付款3",
                                     idempotency_key="test:bulk:3")]
    ledger.do_post_entries(more, kind="payment", acting_user=liyang["reviewer"], audit_obj=batch)
    assert JournalEntry.objects.count() == entries + 1
    assert Account.objects.get(pk=payee.pk).balance_fen == 6_500

    # More than the fund holds: nothing of the posting is written.
    entries = JournalEntry.objects.count()
    too_much = [ledger.EntrySpec(lines=[(available, -100), (payee, 100)], memo="小额", idempotency_key="test:ok"),
                ledger.EntrySpec(lines=[(available, -funded_total(funded)), (payee, funded_total(funded))],
                                 memo="超额", idempotency_key="test:too-much")]
    with pytest.raises(InsufficientFunds) as err:
        ledger.do_post_entries(too_much, kind="payment", acting_user=liyang["reviewer"], audit_obj=batch)
    assert err.value.field == "amount_fen" and "cannot be taken from it" in str(err.value.message)
    assert JournalEntry.objects.count() == entries
    assert not JournalEntry.objects.filter(idempotency_key="test:ok").exists()
    unbalanced = [ledger.EntrySpec(lines=[(available, -100), (payee, 99)], memo="不平", idempotency_key="test:u")]
    with pytest.raises(KernelError) as bad:
        ledger.do_post_entries(unbalanced, kind="payment", acting_user=liyang["reviewer"], audit_obj=batch)
    assert (bad.value.code, bad.value.field) == ("unbalanced_entry", "entries[0].lines")
    postings_match_balances()


def test_a_batch_the_commitment_cannot_pay_is_refused_with_nothing_half_written(
        active_case: Youth, second_case: Youth, funded: Any, grant: Any, liyang: dict[str, Any],
        balances: Any, counts: Any, english: Any) -> None:
    """Paying posts entries, postings, balances, payment links and statuses in bulk: when the ledger
    refuses (here the commitment was partly released meanwhile) none of it is left behind."""
    reviewer = liyang["reviewer"]
    apps = [grant(active_case, "medical", 500_000), grant(second_case, "medical", 400_000)]
    batch = actions.do_create_batch(title="十一月救助", acting_user=reviewer)
    ledger.do_release_commitment(funded, ledger.fund_account(funded, AccountKind.COMMITMENT).balance_fen - 100,
                                 memo="撤回", acting_user=reviewer)
    before, money = counts(), balances(funded)
    with pytest.raises(InsufficientFunds):
        actions.do_pay_batch(batch, acting_user=reviewer)
    assert counts() == before and balances(funded) == money
    assert set(Payment.objects.filter(batch=batch).values_list("status", "entry")) == {(PayStatus.PENDING, None)}
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {
        AppStatus.APPROVED}
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.OPEN
    postings_match_balances()


def funded_total(fund: Any) -> int:
    return ledger.fund_account(fund).balance_fen + 1


# --- bank returns and re-issues ---------------------------------------------------------------------------


def test_a_bank_return_goes_back_to_the_commitment_and_is_re_issued_once(
        active_case: Youth, second_case: Youth, funded: Any, grant: Any, liyang: dict[str, Any], balances: Any,
        counts: Any, english: Any) -> None:
    reviewer, cw = liyang["reviewer"], liyang["caseworker"]
    app = grant(active_case, "medical", 500_000)
    batch = actions.do_pay_batch(actions.do_create_batch(title="十一月救助", acting_user=reviewer), acting_user=reviewer)
    payment = batch.payments.get()
    money, paid_out = balances(funded), beneficiaries_balance()

    returned = actions.do_return_payment(payment, reason="账户已销户", acting_user=reviewer)
    assert (returned.status, returned.return_reason) == (PayStatus.RETURNED, "账户已销户")
    assert balances(funded) == {"fund": money["fund"], "commitment": money["commitment"] + 500_000}
    assert beneficiaries_balance() == paid_out - 500_000
    app.refresh_from_db()
    assert app.status == AppStatus.APPROVED
    assert JournalEntry.objects.filter(idempotency_key=f"youthaid:return:{payment.pk}").count() == 1

    before, money = counts(), balances(funded)
    with pytest.raises(KernelError) as twice:
        actions.do_return_payment(payment, reason="再退一次", acting_user=reviewer)
    assert (twice.value.code, twice.value.field) == ("payment_not_paid", "status")
    # While it waits to be re-issued, a new batch does not pick the application up again.
    with pytest.raises(KernelError) as nothing:
        actions.do_create_batch(title="十二月救助", acting_user=reviewer)
    assert nothing.value.field == "applications"
    assert counts() == before and balances(funded) == money

    actions.do_update_profile(active_case, acting_user=cw, reason="家长提供新卡号", bank_account="6228480402564890018")
    reissued = actions.do_reissue(payment, acting_user=reviewer)
    assert (reissued.status, reissued.amount_fen, reissued.bank_account) == (PayStatus.PENDING, 500_000,
                                                                             "6228480402564890018")
    assert reissued.batch.status == BatchStatus.OPEN and reissued.batch_id != batch.pk
    payment.refresh_from_db()
    assert (payment.status, payment.reissued_as) == (PayStatus.REISSUED, reissued)
    with pytest.raises(KernelError) as again:
        actions.do_reissue(payment, acting_user=reviewer)
    assert again.value.code == "payment_not_returned"
    assert Payment.objects.filter(application=app).count() == 2

    # A new batch takes other approved applications, still not this one (its re-issue is pending).
    living = grant(second_case, "living", 200_000)
    december = actions.do_create_batch(title="十二月救助", acting_user=reviewer)
    assert list(december.payments.values_list("application_id", flat=True)) == [living.pk]

    reissue_batch = PaymentBatch.objects.get(pk=reissued.batch_id)
    assert (reissue_batch.count, reissue_batch.total_fen) == (1, 500_000)
    actions.do_pay_batch(reissue_batch, acting_user=reviewer)
    app.refresh_from_db()
    reissued.refresh_from_db()
    assert app.status == AppStatus.PAID and reissued.status == PayStatus.PAID
    assert balances(funded)["commitment"] == money["commitment"] - 500_000 + 200_000  # + the December grant
    assert beneficiaries_balance() == paid_out
    with pytest.raises(KernelError):
        actions.do_create_batch(title="又一批", acting_user=reviewer, applications=[app.pk])
    postings_match_balances()


def test_a_re_issue_joins_the_open_batch(active_case: Youth, second_case: Youth, funded: Any, grant: Any,
                                         liyang: dict[str, Any]) -> None:
    reviewer = liyang["reviewer"]
    grant(active_case, "medical", 500_000)
    first = actions.do_pay_batch(actions.do_create_batch(title="十一月救助", acting_user=reviewer),
                                 acting_user=reviewer)
    payment = first.payments.get()
    actions.do_return_payment(payment, reason="户名不符", acting_user=reviewer)
    grant(second_case, "medical", 400_000)
    open_batch = actions.do_create_batch(title="十二月救助", acting_user=reviewer)
    reissued = actions.do_reissue(payment, acting_user=reviewer)
    assert reissued.batch_id == open_batch.pk
    open_batch.refresh_from_db()
    assert (open_batch.count, open_batch.total_fen) == (2, 900_000)
    actions.do_pay_batch(open_batch, acting_user=reviewer)
    assert set(Payment.objects.filter(batch=open_batch).values_list("status", flat=True)) == {PayStatus.PAID}
    assert actions.paid_total() == 900_000 + 0  # the returned payment no longer counts as paid
    postings_match_balances()


# --- the statement ---------------------------------------------------------------------------------------


def test_the_fund_statement_reconciles(active_case: Youth, grant: Any, liyang: dict[str, Any]) -> None:
    reviewer, cw = liyang["reviewer"], liyang["caseworker"]
    long_ago = dt.datetime.combine(today() - dt.timedelta(days=40), dt.time(10), tzinfo=SHANGHAI)
    actions.do_donate(30_000_000, donor="溧阳市慈善总会", acting_user=reviewer, at=long_ago)
    actions.do_donate(20_000_000, donor="爱心企业", acting_user=reviewer)
    fund = actions.youth_fund()
    grant(active_case, "medical", 500_000)
    grant(active_case, "living", 200_000)
    batch = actions.do_pay_batch(actions.do_create_batch(title="十一月救助", acting_user=reviewer), acting_user=reviewer)
    actions.do_return_payment(batch.payments.get(amount_fen=500_000), reason="账户冻结", acting_user=reviewer)
    room = actions.do_propose_room(active_case, budget_fen=2_000_000, contractor="溧阳安居装饰",
                                   before_note="房间漏雨", acting_user=cw)
    actions.do_advance_room(room, to="approved", acting_user=reviewer)
    actions.do_advance_room(room, to="in_progress", acting_user=cw)
    actions.do_advance_room(room, to="done", acting_user=reviewer, after_note="书桌和床已装好", spent_fen=1_800_000)

    week = statement(fund, today() - dt.timedelta(days=7), today())
    lines = {line.kind: line for line in week.lines}
    assert set(lines) == {"fund", "commitment"}
    for line in week.lines:
        assert line.closing_fen == line.opening_fen + line.in_fen - line.out_fen
        assert line.closing_fen == Account.objects.get(fund=fund, kind=line.kind).balance_fen  # nothing after
    available, committed = lines["fund"], lines["commitment"]
    # available: 300,000 before; in 200,000 + 2,000 unspent; out 7,000 grants + 20,000 room budget
    assert (available.opening_fen, available.in_fen, available.out_fen) == (30_000_000, 20_200_000, 2_700_000)
    assert available.closing_fen == 47_500_000
    # committed: in 7,000 + 20,000 + 5,000 returned; out 7,000 paid + 18,000 to the contractor + 2,000 released
    assert (committed.opening_fen, committed.in_fen, committed.out_fen) == (0, 3_200_000, 2_700_000)
    assert committed.closing_fen == 500_000  # the returned payment, waiting to be re-issued
    in_period = Posting.objects.filter(account__fund=fund, account__kind__in=["fund", "commitment"],
                                       at__date__gte=today() - dt.timedelta(days=7))
    assert len(week.postings) == in_period.count()

    before = statement(fund, today() - dt.timedelta(days=45), today() - dt.timedelta(days=30))
    old = {line.kind: line for line in before.lines}
    assert (old["fund"].opening_fen, old["fund"].in_fen, old["fund"].out_fen, old["fund"].closing_fen) == (
        0, 30_000_000, 0, 30_000_000)
    assert old["commitment"].closing_fen == 0
    # The balance is the closing of a past period plus what was posted after it.
    after = Posting.objects.filter(account__kind="fund", account__fund=fund,
                                   at__gte=dt.datetime.combine(today() - dt.timedelta(days=29), dt.time.min,
                                                               tzinfo=SHANGHAI)).aggregate(s=Sum("amount_fen"))["s"]
    assert old["fund"].closing_fen + after == ledger.fund_account(fund).balance_fen
    postings_match_balances()


# --- PostgreSQL: real concurrency -------------------------------------------------------------------------


def _need_postgres() -> None:
    if connection.vendor == "postgresql":
        return
    url = urlparse(os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"))
    require_service("PostgreSQL", url.hostname or "127.0.0.1", url.port or 5432)
    pytest.skip("needs PostgreSQL for real concurrency (runs in the PostgreSQL pass)")


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads that start together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def _medical_cases(count: int, liyang: dict[str, Any], rid: Any, amount: int) -> list[Application]:
    """`count` youths under monitoring with a serious illness, each with a recommended application
    for medical re-aid (written directly: the intake path is tested in test_actions)."""
    medical = AidType.objects.get(code="medical")
    apps = []
    for i in range(count):
        person = Resident.objects.create(resident_id=rid("320481", "20080808", 100 + i), name=f"测试青少年{i}",
                                         gender="M", birth_date=dt.date(2008, 8, 8), place=liyang["town"])
        youth = Youth.objects.create(person=person, status=CaseStatus.ACTIVE, serious_illness=True, hardship_grade=2,
                                     stage="senior", surviving_parent_status="not_remarried",
                                     bank_account=f"62220202001{i:08d}")
        apps.append(Application.objects.create(
            youth=youth, aid_type=medical, year=today().year, requested_fen=amount, recommended_fen=amount,
            reason="住院费用", status=AppStatus.RECOMMENDED, recommendation="情况属实",
            recommended_by=liyang["caseworker"], created_by=liyang["caseworker"]))
    return apps


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_never_overdraw_the_fund(liyang: dict[str, Any], rid: Any,
                                                           balances: Any) -> None:
    _need_postgres()
    from longcheng.kernel.access.models import User

    reviewer = liyang["reviewer"]
    actions.do_donate(30_000_000, donor="溧阳市慈善总会", acting_user=reviewer)  # 300,000 yuan
    fund = actions.youth_fund()
    apps = _medical_cases(50, liyang, rid, 1_000_000)  # 10,000 yuan each
    entries = JournalEntry.objects.count()
    available = ledger.fund_account(fund)

    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        try:
            while not done.is_set():
                seen.append(Account.objects.get(pk=available.pk).balance_fen)
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        def approve(i: int) -> Any:
            user = User.objects.get(pk=reviewer.pk)
            return actions.do_decide(apps[i].pk, approve=True, reason="", acting_user=user)

        results = _in_threads(50, approve)
    finally:
        done.set()
        watcher.join(timeout=30)

    won = [r for r in results if isinstance(r, Application)]
    lost = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(won) + len(lost) == 50, [r for r in results if not isinstance(r, (Application, InsufficientFunds))]
    assert len(won) == 30 and len(lost) == 20
    assert balances(fund) == {"fund": 0, "commitment": 30_000_000}
    assert seen and min(seen) >= 0
    assert Application.objects.filter(status=AppStatus.APPROVED).count() == 30
    assert Application.objects.filter(status=AppStatus.RECOMMENDED, approved_fen__isnull=True).count() == 20
    assert JournalEntry.objects.count() == entries + 30
    assert JournalEntry.objects.filter(kind="commitment").count() == 30
    assert AuditEntry.objects.filter(action="youthaid.decide").count() == 30
    postings_match_balances()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_the_same_batch_at_once_pay_it_once(liyang: dict[str, Any], rid: Any,
                                                              balances: Any) -> None:
    _need_postgres()
    from longcheng.kernel.access.models import User

    reviewer = liyang["reviewer"]
    actions.do_donate(10_000_000, donor="溧阳市慈善总会", acting_user=reviewer)
    fund = actions.youth_fund()
    for app in _medical_cases(8, liyang, rid, 500_000):
        actions.do_decide(app, approve=True, reason="", acting_user=reviewer)
    batch = actions.do_create_batch(title="十一月救助", acting_user=reviewer)
    assert batch.count == 8
    entries = JournalEntry.objects.count()

    def pay(_i: int) -> Any:
        return actions.do_pay_batch(batch.pk, acting_user=User.objects.get(pk=reviewer.pk))

    results = _in_threads(2, pay)
    assert all(isinstance(r, PaymentBatch) and r.status == BatchStatus.PAID for r in results), results
    assert JournalEntry.objects.count() == entries + 8
    assert JournalEntry.objects.filter(kind="payment").count() == 8
    assert balances(fund) == {"fund": 6_000_000, "commitment": 0}
    assert actions.beneficiaries().balance_fen == 4_000_000
    assert set(Payment.objects.values_list("status", flat=True)) == {PayStatus.PAID}
    assert Payment.objects.filter(entry__isnull=True).count() == 0
    assert AuditEntry.objects.filter(action="youthaid.pay").count() == 1
    postings_match_balances()


def test_reading_the_fund_creates_nothing_and_opening_it_is_explicit(liyang: Any, settings: Any) -> None:
    """youth_fund() is a getter: with no fund open it refuses (409 fund_not_open) and writes no row;
    do_open_fund opens it once, audited, and opening it again returns the same fund."""
    from longcheng.kernel.ledger.models import Fund

    settings.YOUTHAID_FUND_CODE = "liyang-youth-aid-second"
    before = (Fund.objects.count(), Account.objects.count(), AuditEntry.objects.count())
    with pytest.raises(actions.FundNotOpen) as refused:
        actions.youth_fund()
    assert (refused.value.status, refused.value.code, refused.value.field) == (409, "fund_not_open", "fund")
    with pytest.raises(actions.FundNotOpen):
        actions.do_donate(100, donor="某企业", acting_user=liyang["reviewer"])
    assert (Fund.objects.count(), Account.objects.count(), AuditEntry.objects.count()) == before
    with pytest.raises(PermissionDenied):
        actions.do_open_fund(acting_user=liyang["caseworker"])
    assert not Fund.objects.filter(code="liyang-youth-aid-second").exists()
    fund = actions.do_open_fund(acting_user=None, place=liyang["city"]["liyang"])
    assert actions.youth_fund() == fund and fund.code == "liyang-youth-aid-second"
    assert AuditEntry.objects.filter(action="ledger.create_fund", object_id=str(fund.pk)).count() == 1
    assert actions.do_open_fund(acting_user=None) == fund
    assert Fund.objects.filter(code="liyang-youth-aid-second").count() == 1
