"""kernel.bulk: rows written in bulk (COPY on PostgreSQL, multi-row statements on SQLite) read back
through the ORM exactly as written, in order, with their ids; updates set exactly the rows named;
a temporary table joins to many values and is gone afterwards. Runs in both database passes."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from longcheng.kernel import bulk
from longcheng.kernel.ledger import actions
from longcheng.kernel.ledger.models import Account, JournalEntry, Posting

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def accounts(db, city):
    fund = actions.do_create_fund(code="bulk", name="批量基金", place=city["root"], acting_user=None)
    return actions.fund_account(fund), actions.external_account("bulk-out", "外部", fund=fund)


def test_inserted_rows_read_back_as_written_with_their_ids_in_order(accounts):
    when = dt.datetime(2026, 12, 3, 9, 30, tzinfo=SH)
    rows = [(when, f"第{n}笔", "t", None, f"bulk:{n}") for n in range(7)]
    with transaction.atomic():
        ids = bulk.insert(JournalEntry, ["at", "memo", "kind", "actor_id", "idempotency_key"], rows)
    assert ids == sorted(ids) and len(set(ids)) == 7
    stored = {e.pk: e for e in JournalEntry.objects.filter(pk__in=ids)}
    for pk, (at, memo, kind, _actor, key) in zip(ids, rows, strict=True):
        assert (stored[pk].at, stored[pk].memo, stored[pk].kind, stored[pk].idempotency_key) == (at, memo, kind, key)
        assert timezone.is_aware(stored[pk].at)
    # The sequence moved past them: the ORM's next row takes a new id.
    assert JournalEntry.objects.create(at=when, memo="next", kind="t").pk > max(ids)


def test_loaded_rows_are_written_without_ids(accounts):
    fund_acc, outside = accounts
    entry = JournalEntry.objects.create(at=timezone.now(), memo="m", kind="t")
    when = timezone.now()
    with transaction.atomic():
        assert bulk.load(Posting, ["entry_id", "account_id", "amount_fen", "at"],
                         [(entry.pk, outside.pk, -5, when), (entry.pk, fund_acc.pk, 5, when)]) == 2
    assert sorted(Posting.objects.filter(entry=entry).values_list("account_id", "amount_fen")) == sorted(
        [(outside.pk, -5), (fund_acc.pk, 5)])


def test_nothing_to_write_writes_nothing(accounts):
    before = JournalEntry.objects.count()
    assert bulk.insert(JournalEntry, ["memo"], []) == []
    assert bulk.load(JournalEntry, ["memo"], []) == 0
    assert bulk.update(JournalEntry, ["memo"], []) == 0
    assert JournalEntry.objects.count() == before


def test_an_update_sets_exactly_the_rows_named_nulls_included(accounts):
    when = timezone.now()
    entries = [JournalEntry.objects.create(at=when, memo=f"m{n}", kind="t", idempotency_key=f"u:{n}") for n in range(4)]
    later = dt.datetime(2027, 1, 1, 8, 0, tzinfo=SH)
    with transaction.atomic():
        changed = bulk.update(JournalEntry, ["memo", "idempotency_key", "at"],
                              [(entries[0].pk, "改一", None, later), (entries[2].pk, "改三", "u:new", later)])
    assert changed == 2
    got = {e.pk: (e.memo, e.idempotency_key, e.at) for e in JournalEntry.objects.filter(pk__in=[e.pk for e in entries])}
    assert got[entries[0].pk] == ("改一", None, later)
    assert got[entries[2].pk] == ("改三", "u:new", later)
    assert got[entries[1].pk][:2] == ("m1", "u:1") and got[entries[3].pk][:2] == ("m3", "u:3")


def test_a_temporary_table_joins_many_values_and_is_dropped(accounts):
    keys = [f"k:{n}" for n in range(3000)]
    JournalEntry.objects.create(at=timezone.now(), memo="m", kind="t", idempotency_key="k:17")
    JournalEntry.objects.create(at=timezone.now(), memo="m", kind="t", idempotency_key="other")
    with transaction.atomic():
        with bulk.temporary(["varchar(100)"], [(k,) for k in keys]) as name:
            found = list(JournalEntry.objects.filter(idempotency_key__in=RawSQL(f"SELECT c1 FROM {name}", []))
                         .values_list("idempotency_key", flat=True))
        assert found == ["k:17"]
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT c1 FROM {name}")


@pytest.mark.django_db(transaction=True)
def test_a_temporary_table_needs_the_actions_transaction():
    with pytest.raises(RuntimeError), bulk.temporary(["bigint"], [(1,)]):
        pass  # pragma: no cover - not reached


def test_statements_carry_as_many_values_as_the_database_allows(db):
    assert bulk.max_params() == (65_535 if connection.vendor == "postgresql" else
                                 connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    assert bulk.max_params() >= 999


def test_a_failure_inside_leaves_nothing_of_the_bulk_write(accounts):
    before = (JournalEntry.objects.count(), Posting.objects.count(), list(Account.objects.values_list("balance_fen")))
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        ids = bulk.insert(JournalEntry, ["at", "memo", "kind"], [(timezone.now(), "m", "t")] * 50)
        bulk.load(Posting, ["entry_id", "account_id", "amount_fen", "at"],
                  [(pk, accounts[0].pk, 1, timezone.now()) for pk in ids])
        _ = 1 / 0
    assert (JournalEntry.objects.count(), Posting.objects.count(),
            list(Account.objects.values_list("balance_fen"))) == before


def test_objects_and_default_rows_are_written_as_the_orm_would(accounts):
    fund_acc, outside = accounts
    start = bulk.defaults(JournalEntry)
    assert start["memo"] == "" and start["idempotency_key"] is None and "id" not in start
    entries = [JournalEntry(at=timezone.now(), memo=f"对象{n}", kind="t") for n in range(3)]
    with transaction.atomic():
        assert bulk.insert_objects(entries) is entries
        assert bulk.insert_objects([]) == [] and bulk.load_objects([]) == 0
        written = bulk.load_objects([Posting(entry=entries[n], account=fund_acc, amount_fen=n + 1, at=entries[n].at)
                                     for n in range(3)])
    assert written == 3 and all(e.pk for e in entries)
    assert [JournalEntry.objects.get(pk=e.pk).memo for e in entries] == ["对象0", "对象1", "对象2"]
    assert sorted(Posting.objects.filter(entry__in=entries).values_list("entry_id", "amount_fen")) == [
        (entries[n].pk, n + 1) for n in range(3)]
