"""Issue 11 (2, 3): a posting's idempotency key belongs to whoever posted it, amounts have an upper
bound checked before the database sees them, and an outside party's (ext:) account belongs to a
fund and is posted to only within that fund's places."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.db.models import Sum
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.kernel.ledger import actions
from longcheng.kernel.ledger.models import Account, JournalEntry, Posting
from longcheng.kernel.ledger.money import parse_yuan

from .test_ledger import snapshot

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def liyang_fund(city):
    fund = actions.do_create_fund(code="ly", name="溧阳基金", place=city["liyang"], acting_user=None)
    actions.do_donate(fund, 500_000, donor_name="甲", acting_user=None)
    return fund


@pytest.fixture
def finance(make_user, city):
    return {"wujin": make_user("fin_wujin", {"finance_officer": [city["wujin"]]}),
            "liyang": make_user("fin_liyang", {"finance_officer": [city["liyang"]]})}


def lines_of(entry):
    return sorted(Posting.objects.filter(entry=entry).values_list("account__code", "amount_fen"))


def api(user):
    _token, raw = ApiToken.issue(user, "t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- keys ----------------------------------------------------------------------------------------------


def test_a_manual_posting_cannot_claim_a_modules_key(liyang_fund, finance):
    manual = actions.do_manual_entry([("ly", -1), ("ly:commitment", 1)], memo="1 分", acting_user=finance["liyang"],
                                     idempotency_key="youthaid:pay:215")
    assert manual.idempotency_key != "youthaid:pay:215"
    commitment = actions.fund_account(liyang_fund, "commitment")
    payee = actions.external_account("ly-payees", "收款人", fund=liyang_fund)
    actions.do_commit(liyang_fund, 90_000, memo="批准", acting_user=None)
    paid = actions.do_post_entry([(commitment, -90_000), (payee, 90_000)], memo="发放", kind="payment",
                                 acting_user=None, idempotency_key="youthaid:pay:215")
    assert paid.pk != manual.pk and paid.idempotency_key == "youthaid:pay:215"
    assert lines_of(paid) == [("ext:ly-payees", 90_000), ("ly:commitment", -90_000)]
    assert Account.objects.get(code="ext:ly-payees").balance_fen == 90_000


def test_a_manual_key_is_the_posters_own(liyang_fund, finance, make_user, city):
    first = actions.do_manual_entry([("ly", -1), ("ly:commitment", 1)], memo="a", acting_user=finance["liyang"],
                                    idempotency_key="k-1")
    again = actions.do_manual_entry([("ly", -1), ("ly:commitment", 1)], memo="a", acting_user=finance["liyang"],
                                    idempotency_key="k-1")
    assert again.pk == first.pk
    other = make_user("fin_other", {"finance_officer": [city["liyang"]]})
    theirs = actions.do_manual_entry([("ly", -1), ("ly:commitment", 1)], memo="a", acting_user=other,
                                     idempotency_key="k-1")
    assert theirs.pk != first.pk


def test_a_key_replayed_with_other_lines_is_a_conflict_and_changes_nothing(liyang_fund):
    fund_acc, commitment = actions.fund_account(liyang_fund), actions.fund_account(liyang_fund, "commitment")
    first = actions.do_post_entry([(fund_acc, -100), (commitment, 100)], memo="m", kind="commitment",
                                  acting_user=None, idempotency_key="youthaid:commit:1")
    before = snapshot()
    for lines, kind in [([(fund_acc, -101), (commitment, 101)], "commitment"),
                        ([(commitment, -100), (fund_acc, 100)], "commitment"),
                        ([(fund_acc, -100), (commitment, 100)], "release")]:
        with pytest.raises(KernelError) as info:
            actions.do_post_entry(lines, memo="m", kind=kind, acting_user=None, idempotency_key="youthaid:commit:1")
        assert info.value.status == 409 and info.value.field == "idempotency_key"
    assert snapshot() == before
    # The same lines again: the same entry, nothing posted twice.
    assert actions.do_post_entry([(commitment, 100), (fund_acc, -100)], memo="other memo", kind="commitment",
                                 acting_user=None, idempotency_key="youthaid:commit:1").pk == first.pk


def test_a_bulk_replay_with_other_lines_is_a_conflict(liyang_fund):
    fund_acc, commitment = actions.fund_account(liyang_fund), actions.fund_account(liyang_fund, "commitment")
    actions.do_post_entry([(fund_acc, -5), (commitment, 5)], memo="m", kind="manual", acting_user=None,
                          idempotency_key="mod:pay:1")
    before = snapshot()
    specs = [actions.EntrySpec([(fund_acc, -7), (commitment, 7)], "m", "mod:pay:2"),
             actions.EntrySpec([(fund_acc, -9), (commitment, 9)], "m", "mod:pay:1")]
    with pytest.raises(KernelError) as info:
        actions.do_post_entries(specs, kind="manual", acting_user=None, audit_obj=liyang_fund)
    assert info.value.status == 409 and info.value.field == "entries[1].idempotency_key"
    assert snapshot() == before


def test_the_manual_namespace_is_reserved(liyang_fund):
    fund_acc, commitment = actions.fund_account(liyang_fund), actions.fund_account(liyang_fund, "commitment")
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entry([(fund_acc, -5), (commitment, 5)], memo="m", kind="x", acting_user=None,
                              idempotency_key="manual:1:abc")
    assert info.value.field == "idempotency_key"
    assert snapshot() == before


def test_the_api_keeps_a_claimed_key_out_of_the_module_namespace(liyang_fund, finance):
    client = api(finance["liyang"])
    body = {"memo": "1 分", "lines": [{"account": "ly", "amount_fen": -1}, {"account": "ly:commitment", "amount_fen": 1}],
            "idempotency_key": "youthaid:pay:215"}
    first = post_json(client, "/api/v1/ledger/entries", body)
    assert first.status_code == 201, first.content
    assert not JournalEntry.objects.filter(idempotency_key="youthaid:pay:215").exists()
    assert post_json(client, "/api/v1/ledger/entries", body).json()["id"] == first.json()["id"]
    body["lines"] = [{"account": "ly", "amount_fen": -2}, {"account": "ly:commitment", "amount_fen": 2}]
    before = snapshot()
    again = post_json(client, "/api/v1/ledger/entries", body)
    assert again.status_code == 409 and again.json()["field"] == "idempotency_key"
    assert snapshot() == before


# --- amounts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [actions.MAX_AMOUNT_FEN + 1, 2**63 - 1, 2**63, -(2**63) - 1])
def test_amounts_beyond_the_bound_are_refused_before_the_database(liyang_fund, amount):
    donors = actions.external_account("ly-donors", "捐赠人", fund=liyang_fund)
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entry([(donors, -amount), (actions.fund_account(liyang_fund), amount)], memo="x",
                              kind="t", acting_user=None)
    assert info.value.code == "invalid_amount" and info.value.field == "lines[0].amount_fen"
    with pytest.raises(KernelError) as info:
        actions.do_post_entries([actions.EntrySpec([(donors, -amount), (actions.fund_account(liyang_fund), amount)],
                                                   "x", "t:1")], kind="t", acting_user=None, audit_obj=liyang_fund)
    assert info.value.code == "invalid_amount"
    assert snapshot() == before


def test_the_bound_itself_is_accepted(liyang_fund):
    donors = actions.external_account("ly-donors", "捐赠人", fund=liyang_fund)
    actions.do_post_entry([(donors, -actions.MAX_AMOUNT_FEN), (actions.fund_account(liyang_fund),
                                                               actions.MAX_AMOUNT_FEN)], memo="x", kind="t",
                          acting_user=None)
    balance = Account.objects.get(pk=actions.fund_account(liyang_fund).pk).balance_fen
    assert balance == 500_000 + actions.MAX_AMOUNT_FEN and isinstance(balance, int)


def test_a_balance_cannot_grow_past_its_bound(liyang_fund):
    donors = actions.external_account("ly-donors", "捐赠人", fund=liyang_fund)
    Account.objects.filter(pk=donors.pk).update(balance_fen=-actions.MAX_BALANCE_FEN + 10)
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entry([(donors, -11), (actions.fund_account(liyang_fund), 11)], memo="x", kind="t",
                              acting_user=None)
    assert info.value.code == "invalid_amount"
    assert snapshot() == before


@pytest.mark.parametrize("raw", ["9223372036854775807", "9223372036854775808", "1e23", "1000000000001"])
def test_the_api_refuses_huge_amounts_with_the_error_shape(liyang_fund, finance, raw):
    client = api(finance["liyang"])
    body = ('{"memo": "x", "lines": [{"account": "ly", "amount_fen": -' + raw + '}, '
            '{"account": "ly:commitment", "amount_fen": ' + raw + '}]}')
    before = snapshot()
    response = client.post("/api/v1/ledger/entries", data=body, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert set(response.json()) == {"code", "message", "field"}
    assert snapshot() == before


# --- outside parties -----------------------------------------------------------------------------------


def test_an_outside_partys_account_belongs_to_its_fund(liyang_fund):
    payee = actions.external_account("ly-payees", "收款人", fund=liyang_fund)
    assert payee.fund_id == liyang_fund.pk and payee.kind == "external"
    other = actions.do_create_fund(code="other", name="另一基金", acting_user=None)
    with pytest.raises(KernelError):
        actions.external_account("ly-payees", "收款人", fund=other)


def test_a_finance_officer_cannot_move_money_between_another_places_outside_accounts(liyang_fund, finance):
    a = actions.external_account("ly-a", "甲", fund=liyang_fund)
    actions.external_account("ly-b", "乙", fund=liyang_fund)
    actions.do_post_entry([(a, 100), (actions.fund_account(liyang_fund), -100)], memo="x", kind="t", acting_user=None)
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_manual_entry([("ext:ly-a", -100_000_000), ("ext:ly-b", 100_000_000)], memo="挪用",
                                acting_user=finance["wujin"])
    assert info.value.status == 404
    response = post_json(api(finance["wujin"]), "/api/v1/ledger/entries", {
        "memo": "挪用", "lines": [{"account": "ext:ly-a", "amount_fen": -100_000_000},
                                {"account": "ext:ly-b", "amount_fen": 100_000_000}]})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert snapshot() == before
    # Within the fund's places the same posting is the finance office's to make.
    actions.do_manual_entry([("ext:ly-a", -100), ("ext:ly-b", 100)], memo="更正", acting_user=finance["liyang"])
    assert Account.objects.get(code="ext:ly-b").balance_fen == 100


def test_an_account_of_no_fund_is_not_posted_to_by_hand(liyang_fund, finance, make_user, city):
    Account.objects.create(code="ext:shared", name="共用", kind="external", allow_negative=True)
    boss = make_user("fin_city", {"finance_officer": [city["root"]]})
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_manual_entry([("ext:shared", -100), ("ly", 100)], memo="x", acting_user=boss)
    assert info.value.status == 404
    assert snapshot() == before


def test_the_statement_shows_the_funds_own_accounts_only(liyang_fund):
    payee = actions.external_account("ly-payees", "收款人", fund=liyang_fund)
    actions.do_commit(liyang_fund, 1_000, memo="批准", acting_user=None)
    actions.do_pay_from_commitment(liyang_fund, 1_000, payee=payee, memo="发放", acting_user=None)

    today = dt.date.today()
    result = actions.statement(liyang_fund, today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    assert sorted(line.kind for line in result.lines) == ["commitment", "fund"]
    assert all(p.account.kind != "external" for p in result.postings)


def test_the_migration_gives_keys_and_shared_accounts_their_owners(liyang_fund, city, finance):
    migration = importlib.import_module("longcheng.kernel.ledger.migrations.0002_ledgerapi_owned_keys_and_accounts")
    other = actions.do_create_fund(code="wj", name="武进基金", place=city["wujin"], acting_user=None)
    shared = Account.objects.create(code="ext:donors", name="捐赠人", kind="external", allow_negative=True)
    single = Account.objects.create(code="ext:bank", name="银行", kind="external", allow_negative=True)
    for fund, amount in [(liyang_fund, 300), (other, 500), (liyang_fund, 7)]:
        actions.do_post_entry([(shared, -amount), (actions.fund_account(fund), amount)], memo="d", kind="donation",
                              acting_user=None)
    actions.do_post_entry([(single, -9), (actions.fund_account(other), 9)], memo="d", kind="t", acting_user=None)
    claimed = actions.do_manual_entry([("ly", -1), ("ly:commitment", 1)], memo="x", acting_user=finance["liyang"])
    JournalEntry.objects.filter(pk=claimed.pk).update(idempotency_key="youthaid:pay:215")

    migration.forwards(apps, None)

    claimed.refresh_from_db()
    assert claimed.idempotency_key == f"manual:{finance['liyang'].pk}:youthaid:pay:215"
    assert Account.objects.get(code="ext:bank").fund_id == other.pk
    moved = {a.code: (a.fund_id, a.balance_fen) for a in Account.objects.filter(code__startswith="ext:")}
    assert moved["ext:donors"] == (None, 0)
    assert moved["ext:ly:donors"] == (liyang_fund.pk, -500_307)  # the fixture's donation was already its own
    assert moved["ext:wj:donors"] == (other.pk, -500)
    for account in Account.objects.all():
        assert account.balance_fen == sum(Posting.objects.filter(account=account).values_list("amount_fen", flat=True))


@pytest.mark.parametrize("text", ["10000000000.01", "9223372036854775807", "1e23", "1E+999999"])
def test_a_typed_amount_beyond_the_bound_is_refused(text):
    with pytest.raises(KernelError) as info:
        parse_yuan(text, field="amount")
    assert info.value.code == "invalid_amount" and info.value.field == "amount"
    assert parse_yuan("10000000000") == actions.MAX_AMOUNT_FEN


# --- bulk posting: set-based balances (issue 23) --------------------------------------------------------


def postings_match_balances():
    """Every account's running balance is the sum of its postings."""
    sums = dict(Posting.objects.values("account_id").annotate(s=Sum("amount_fen")).values_list("account_id", "s"))
    assert {a.pk: a.balance_fen for a in Account.objects.all()} == {
        a.pk: sums.get(a.pk, 0) for a in Account.objects.all()}


def test_a_bulk_posting_over_many_accounts_moves_each_by_its_total(liyang_fund):
    fund_acc, commitment = actions.fund_account(liyang_fund), actions.fund_account(liyang_fund, "commitment")
    payees = [actions.external_account(f"ly-payee-{n}", f"收款人{n}", fund=liyang_fund) for n in range(3)]
    specs = [actions.EntrySpec([(fund_acc, -(n + 1) * 100), (payees[n % 3], (n + 1) * 100)], f"付{n}", f"mod:b:{n}")
             for n in range(30)]
    specs.append(actions.EntrySpec([(fund_acc, -1_000), (commitment, 1_000)], "留", "mod:b:commit"))
    audit = AuditEntry.objects.count()
    ids = actions.do_post_entries(specs, kind="payment", acting_user=None, audit_obj=liyang_fund)
    assert set(ids) == {s.idempotency_key for s in specs} and len(set(ids.values())) == 31
    assert Account.objects.get(pk=fund_acc.pk).balance_fen == 500_000 - sum(range(1, 31)) * 100 - 1_000
    assert [Account.objects.get(pk=p.pk).balance_fen for p in payees] == [
        sum((n + 1) * 100 for n in range(30) if n % 3 == k) for k in range(3)]
    assert AuditEntry.objects.count() == audit + 1
    postings_match_balances()
    # Run again: the same entries, nothing posted twice.
    before = snapshot()
    assert actions.do_post_entries(specs, kind="payment", acting_user=None, audit_obj=liyang_fund) == ids
    assert snapshot() == before


def test_a_bulk_posting_refused_on_one_account_writes_nothing_and_names_it(liyang_fund):
    fund_acc, commitment = actions.fund_account(liyang_fund), actions.fund_account(liyang_fund, "commitment")
    payee = actions.external_account("ly-payee", "收款人", fund=liyang_fund)
    actions.do_commit(liyang_fund, 300, memo="留", acting_user=None)
    before = snapshot()
    # The fund holds enough; the commitment (a later account in the statement) does not.
    specs = [actions.EntrySpec([(fund_acc, -100), (payee, 100)], "付", "mod:r:1"),
             actions.EntrySpec([(commitment, -400), (payee, 400)], "付", "mod:r:2")]
    with pytest.raises(actions.InsufficientFunds) as info:
        actions.do_post_entries(specs, kind="payment", acting_user=None, audit_obj=liyang_fund)
    assert info.value.field == "amount_fen" and "cannot be taken from it" in str(info.value.message)
    assert snapshot() == before
    postings_match_balances()


def test_a_bulk_posting_beyond_the_balance_bound_writes_nothing(liyang_fund):
    donors = actions.external_account("ly-donors", "捐赠人", fund=liyang_fund)
    outside = actions.external_account("ly-outside", "外部", fund=liyang_fund)
    amount = actions.MAX_AMOUNT_FEN
    specs = [actions.EntrySpec([(donors, -amount), (outside, amount)], "大额", f"mod:big:{n}")
             for n in range(actions.MAX_BALANCE_FEN // amount + 1)]
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entries(specs, kind="t", acting_user=None, audit_obj=liyang_fund)
    assert info.value.code == "invalid_amount" and "cannot hold more than" in str(info.value.message)
    assert snapshot() == before


def test_an_entry_moving_an_account_to_itself_changes_no_balance(liyang_fund):
    fund_acc = actions.fund_account(liyang_fund)
    entry = actions.do_post_entry([(fund_acc, -5), (fund_acc, 5)], memo="内部", kind="t", acting_user=None)
    assert Posting.objects.filter(entry=entry).count() == 2
    assert Account.objects.get(pk=fund_acc.pk).balance_fen == 500_000
    postings_match_balances()


@pytest.mark.parametrize(("spec", "code", "field"), [
    (("lines", [(-5, "fund"), (4, "commitment")], "m", "mod:x:1"), "unbalanced_entry", "entries[0].lines"),
    (("lines", [(-5, "fund"), (5, "commitment")], " ", "mod:x:1"), "required", "entries[0]"),
    (("lines", [(-5, "fund"), (5, "commitment")], "m", ""), "required", "entries[0]"),
    (("lines", [(-5, "fund"), (5, "commitment")], "m", "manual:1:x"), "invalid", "entries[0].idempotency_key"),
])
def test_a_bulk_posting_names_the_entry_it_refuses(liyang_fund, spec, code, field):
    _kind, lines, memo, key = spec
    accounts = {"fund": actions.fund_account(liyang_fund), "commitment": actions.fund_account(liyang_fund, "commitment")}
    before = snapshot()
    with pytest.raises(KernelError) as info:
        actions.do_post_entries([actions.EntrySpec([(accounts[a], amount) for amount, a in lines], memo, key)],
                                kind="t", acting_user=None, audit_obj=liyang_fund)
    assert (info.value.code, info.value.field) == (code, field)
    assert snapshot() == before
