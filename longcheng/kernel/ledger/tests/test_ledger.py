"""The ledger: whole fen, balanced entries, no fund below zero, idempotent retries, statements."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.kernel.ledger import actions
from longcheng.kernel.ledger.models import Account, JournalEntry, Posting
from longcheng.kernel.ledger.money import format_fen, parse_yuan

# The rule names are checked in English; Chinese is the default and has its own tests.
pytestmark = pytest.mark.usefixtures("english")

SH = actions.SHANGHAI


@pytest.fixture
def fund(db, city):
    return actions.do_create_fund(code="aid", name="救助基金", place=city["root"], acting_user=None)


def balances(fund):
    return {a.kind: a.balance_fen for a in Account.objects.filter(fund=fund, kind__in=["fund", "commitment"])}


def snapshot():
    return (JournalEntry.objects.count(), Posting.objects.count(), AuditEntry.objects.count(),
            sorted(Account.objects.values_list("code", "balance_fen")))


@pytest.mark.parametrize("amount", [1.5, Decimal("10.5"), True, "100", 0])
def test_amounts_must_be_whole_non_zero_fen(fund, amount):
    donors = actions.external_account("donors", "捐赠人", fund=fund)
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entry([(donors, -1), (actions.fund_account(fund), amount)], memo="x", kind="t",
                              acting_user=None)
    assert info.value.field == "lines[1].amount_fen" and info.value.code == "invalid_amount"
    assert snapshot() == before


def test_an_unbalanced_entry_is_refused(fund):
    donors = actions.external_account("donors", "捐赠人", fund=fund)
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entry([(donors, -100), (actions.fund_account(fund), 99)], memo="x", kind="t",
                              acting_user=None)
    assert info.value.code == "unbalanced_entry"
    assert snapshot() == before


def test_a_payment_beyond_the_balance_is_refused_atomically(fund):
    actions.do_donate(fund, 10_000, donor_name="某企业", acting_user=None)
    before = snapshot()
    with pytest.raises(actions.InsufficientFunds) as info:
        actions.do_commit(fund, 10_001, memo="超额", acting_user=None)
    assert info.value.status == 409 and "¥100.00" in str(info.value.message)
    assert snapshot() == before
    actions.do_commit(fund, 10_000, memo="全部", acting_user=None)
    assert balances(fund) == {"fund": 0, "commitment": 10_000}


def test_a_retried_request_posts_once(fund):
    first = actions.do_donate(fund, 500, donor_name="甲", acting_user=None, idempotency_key="k1")
    again = actions.do_donate(fund, 500, donor_name="甲", acting_user=None, idempotency_key="k1")
    assert first.pk == again.pk
    assert balances(fund)["fund"] == 500 and JournalEntry.objects.count() == 1


def test_a_reversing_entry_names_the_entry_it_undoes(fund):
    donors = actions.external_account("aid:donors", "捐赠人", fund=fund)
    first = actions.do_donate(fund, 700, donor_name="甲", acting_user=None)
    undo = actions.do_post_entry([(actions.fund_account(fund), -700), (donors, 700)], memo="冲销", kind="reversal",
                                 acting_user=None, reverses=first)
    assert undo.reverses == first and first.reverses is None
    assert balances(fund)["fund"] == 0 and JournalEntry.objects.count() == 2
    assert AuditEntry.objects.filter(action="ledger.reversal").count() == 1


def test_pay_and_bank_return(fund):
    payee = actions.external_account("bank", "银行", fund=fund)
    actions.do_donate(fund, 100_000, donor_name="甲", acting_user=None)
    actions.do_commit(fund, 60_000, memo="批准", acting_user=None)
    actions.do_pay_from_commitment(fund, 60_000, payee=payee, memo="发放", acting_user=None)
    actions.do_return_payment(fund, 60_000, payee=payee, memo="退回", acting_user=None)
    assert balances(fund) == {"fund": 40_000, "commitment": 60_000}


def test_manual_entries_need_the_role_and_the_scope(fund, worker_a, make_user, city):
    before = snapshot()
    with pytest.raises(KernelError):
        actions.do_manual_entry([("aid", -1), ("aid:commitment", 1)], memo="x", acting_user=worker_a)
    far = make_user("far", {"finance_officer": [city["liyang"]]})
    with pytest.raises(KernelError) as info:
        actions.do_manual_entry([("aid", -1), ("aid:commitment", 1)], memo="x", acting_user=far)
    assert info.value.status == 404
    assert snapshot() == before


operations = st.lists(
    st.tuples(st.sampled_from(["donate", "commit", "pay", "release"]), st.integers(1, 50_000), st.integers(0, 400)),
    min_size=1, max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, a=st.integers(0, 400), b=st.integers(0, 400))
def test_any_period_statement_reconciles(fund, ops, a, b):
    # Entries may be back-dated, so a past closing balance can dip below zero; what must hold is that
    # every period reconciles with the postings and the running balances.
    payee = actions.external_account("bank", "银行", fund=fund)
    base = dt.datetime(2025, 1, 1, 10, tzinfo=SH)
    for index, (op, amount, day) in enumerate(ops):
        when = base + dt.timedelta(days=day)
        key = f"h{fund.pk}-{index}-{JournalEntry.objects.count()}"
        try:
            if op == "donate":
                actions.do_donate(fund, amount, donor_name="d", acting_user=None, idempotency_key=key, at=when)
            elif op == "commit":
                actions.do_commit(fund, amount, memo="c", acting_user=None, idempotency_key=key, at=when)
            elif op == "pay":
                actions.do_pay_from_commitment(fund, amount, payee=payee, memo="p", acting_user=None,
                                               idempotency_key=key, at=when)
            else:
                actions.do_post_entry([(actions.fund_account(fund, "commitment"), -amount),
                                       (actions.fund_account(fund), amount)], memo="r", kind="release",
                                      acting_user=None, idempotency_key=key, at=when)
        except actions.InsufficientFunds:
            pass
    start, end = sorted((dt.date(2025, 1, 1) + dt.timedelta(days=a), dt.date(2025, 1, 1) + dt.timedelta(days=b)))
    result = actions.statement(fund, start, end)
    for line in result.lines:
        account = Account.objects.get(fund=fund, kind=line.kind)
        after = Posting.objects.filter(account=account, at__gte=dt.datetime.combine(
            end + dt.timedelta(days=1), dt.time.min, tzinfo=SH)).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert line.closing_fen == line.opening_fen + line.in_fen - line.out_fen
        assert account.balance_fen == line.closing_fen + after
        total = Posting.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert total == account.balance_fen


def test_statement_exports_to_xlsx(fund):
    actions.do_donate(fund, 123_456, donor_name="甲", acting_user=None)
    today = dt.date.today()
    book = load_workbook(io.BytesIO(actions.statement_xlsx(actions.statement(fund, today, today))))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "救助基金"
    assert any(row[:1] == ("Available money",) or 1234.56 in row for row in rows if row)


@given(fen=st.integers(1, 10**12))
def test_parse_yuan_round_trips(fen):
    assert parse_yuan(format_fen(fen)) == fen


@pytest.mark.parametrize(("text", "rule"), [("12.345", "two decimal places"), ("-5", "more than zero"),
                                            ("", "required"), ("abc", "number of yuan")])
def test_parse_yuan_names_the_rule(text, rule):
    with pytest.raises(KernelError) as info:
        parse_yuan(text, field="amount")
    assert rule in str(info.value.message) and info.value.field == "amount"


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    results = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results.append(work(i))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_commitments_never_overdraw(city):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrency (runs in the PostgreSQL pass)")
    fund = actions.do_create_fund(code="race", name="并发基金", place=city["root"], acting_user=None)
    actions.do_donate(fund, 1_000_000, donor_name="甲", acting_user=None)
    results = _in_threads(50, lambda i: actions.do_commit(fund, 30_000, memo=f"批准{i}", acting_user=None))
    won = [r for r in results if isinstance(r, JournalEntry)]
    lost = [r for r in results if isinstance(r, actions.InsufficientFunds)]
    assert len(won) + len(lost) == 50, [r for r in results if not isinstance(r, (JournalEntry, KernelError))]
    assert len(won) == 33  # 33 × 30,000 ≤ 1,000,000 < 34 × 30,000
    assert balances(fund) == {"fund": 10_000, "commitment": 990_000}
    for account in Account.objects.filter(fund=fund, kind__in=["fund", "commitment"]):
        assert Posting.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] == account.balance_fen


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_identical_retries_at_once_post_once(city):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrency (runs in the PostgreSQL pass)")
    fund = actions.do_create_fund(code="retry", name="重试基金", place=city["root"], acting_user=None)
    results = _in_threads(10, lambda i: actions.do_donate(fund, 700, donor_name="甲", acting_user=None,
                                                          idempotency_key="same-click"))
    assert all(isinstance(r, JournalEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert balances(fund)["fund"] == 700
