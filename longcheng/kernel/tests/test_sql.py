"""kernel.sql: hand-written statements give back what the ORM would (values converted the same
way, unread fields deferred), write rows the ORM reads back unchanged, and refuse what is not a
column."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from longcheng.kernel import sql
from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.actions import entry
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.orgs.models import Organisation


@pytest.fixture
def firm(city: dict[str, Any]) -> Organisation:
    return Organisation.objects.create(kind="enterprise", name="常州测试有限公司", uscc="91320412MA1TEST01X",
                                       place=city["yaoguan"], address="某路1号", closed_on=dt.date(2026, 5, 4))


def test_rows_come_back_as_the_orm_reads_them(firm: Organisation) -> None:
    columns = sql.columns(Organisation, ["id", "name", "place_id", "closed_on", "created_at"], "o")
    rows = sql.fetch(f"SELECT {columns.sql} FROM {sql.table(Organisation)} o WHERE o.{sql.quote('id')} = %s",
                     [firm.pk])
    got = columns.instance(rows[0])
    orm = Organisation.objects.get(pk=firm.pk)
    assert (got.pk, got.name, got.place_id, got.closed_on, got.created_at) == (
        orm.pk, orm.name, orm.place_id, orm.closed_on, orm.created_at)
    assert isinstance(got.closed_on, dt.date) and timezone.is_aware(got.created_at)
    # What was not read is deferred and loads on use, as with .only().
    assert "address" in got.get_deferred_fields()
    assert got.address == "某路1号"


def test_a_left_join_that_found_nothing_gives_none(firm: Organisation) -> None:
    org = sql.all_columns(Organisation, "o")
    parent = sql.all_columns(Organisation, "p")
    q = sql.quote
    rows = sql.fetch(f"SELECT {org.sql}, {parent.sql} FROM {sql.table(Organisation)} o "
                     f"LEFT JOIN {sql.table(Organisation)} p ON p.{q('id')} = o.{q('parent_id')} "
                     f"WHERE o.{q('id')} = %s", [firm.pk])
    found, at = org.split(rows[0], 0)
    missing, end = parent.split(rows[0], at)
    assert found.pk == firm.pk and missing is None and end == len(rows[0])


def test_inserted_rows_read_back_unchanged_in_order(admin: Any) -> None:
    rows = [entry(admin, f"test.sql{k}", admin, after={"k": k, "名": "值"}, before=None, is_read=k % 2 == 1)
            for k in range(7)]
    with transaction.atomic():
        sql.insert_objects(rows)
    assert [r.pk for r in rows] == sorted(r.pk for r in rows) and not rows[0]._state.adding
    stored = {r.pk: r for r in AuditEntry.objects.filter(action__startswith="test.sql")}
    for row in rows:
        again = stored[row.pk]
        assert (again.action, again.after, again.before, again.is_read, again.actor_id, again.object_id) == (
            row.action, row.after, None, row.is_read, admin.pk, str(admin.pk))
        assert again.at is not None and timezone.is_aware(again.at)


def test_insert_in_chunks_returns_every_key(admin: Any) -> None:
    pks = sql.insert(AuditEntry, ["at", "action", "object_type_id", "object_id", "object_repr", "reason", "is_read"],
                     [[timezone.now(), f"test.chunk{k}", entry(admin, "x", admin).object_type_id, "1", "r", "", False]
                      for k in range(5)], chunk=2)
    assert len(pks) == 5 and len(set(pks)) == 5
    assert list(AuditEntry.objects.filter(pk__in=pks).order_by("pk").values_list("action", flat=True)) == [
        f"test.chunk{k}" for k in range(5)]


def test_what_is_not_a_columns_attribute_name_is_refused() -> None:
    with pytest.raises(ValueError):
        sql.columns(Organisation, ["place"])  # the column is place_id
    with pytest.raises(ValueError):
        sql.columns(Organisation, ["units"])  # a reverse relation


def test_the_token_check_refuses_revoked_tokens_and_inactive_users(admin: Any, make_user: Any) -> None:
    user = make_user("token_holder")
    token, raw = ApiToken.issue(user, "test")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    stamped = token.last_used_at
    assert stamped is not None
    # Used again within the minute: not stamped again.
    Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == stamped
    user.is_active = False
    user.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401
    user.is_active = True
    user.save()
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v1/me").status_code == 401
