"""Bulk writes for batches of tens of thousands of rows (a payment batch of 100,000 with its ledger
entries): rows in as tuples, primary keys out, no model instance per row.

On PostgreSQL the new rows' ids are drawn from the table's sequence in one query and the rows go in
by COPY (psycopg 3's cursor.copy); on SQLite by multi-row INSERT … RETURNING, as many rows per
statement as its variable limit allows. Updates are one `UPDATE … FROM` a temporary table of the
rows (SQLite ≥ 3.33); `temporary` gives such a table for joining to many values at once.

Values go to the database through each field's get_db_prep_save, as with the ORM (a value repeated
from the row before, such as one timestamp for the whole batch, is prepared once). Model signals,
`auto_now` and Python-side defaults are NOT applied: give every column the row needs. Call inside
the action's transaction: a failure then leaves nothing half-written.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models

from longcheng.kernel import sql

_UNSET = object()


def max_params() -> int:
    """How many %s one statement may carry: SQLite's compiled limit (32,766 since 3.32, where Django
    assumes 999); PostgreSQL's 65,535 (a limit of server-side binding, kept all the same)."""
    here = sql.db()
    if here.vendor != "sqlite":
        return 65_535
    here.ensure_connection()
    return int(here.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def prepared(fields: Sequence[models.Field[Any, Any]], rows: Sequence[Sequence[Any]]) -> Iterator[list[Any]]:
    """The rows' values as the database takes them (get_db_prep_save), plain str/int/bool/None of
    plain columns as they are, and a value that is the same object as the row before's reused."""
    here = sql.db()
    plain = [f.get_internal_type() in sql._PLAIN_TYPES for f in fields]
    last: list[tuple[Any, Any]] = [(_UNSET, None)] * len(fields)
    for row in rows:
        out = []
        for i, value in enumerate(row):
            if plain[i] and (value is None or type(value) in (str, int, bool)):
                out.append(value)
            elif last[i][0] is value:
                out.append(last[i][1])
            else:
                last[i] = (value, fields[i].get_db_prep_save(value, here))
                out.append(last[i][1])
        yield out


def insert(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """INSERT the rows (values in attnames' order) and return their new primary keys, in order."""
    if not rows:
        return []
    fields = [sql.field(model, name) for name in attnames]
    if sql.db().vendor == "postgresql":
        return _copy(model, fields, rows)
    return _insert_returning(model, fields, rows)


def load(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """INSERT the rows whose new primary keys the caller does not need (ledger postings, a batch's
    payments): COPY on PostgreSQL, one executemany on SQLite. Returns how many were written."""
    if not rows:
        return 0
    fields = [sql.field(model, name) for name in attnames]
    names = ", ".join(sql.quote(f.column) for f in fields)
    with sql.db().cursor() as cursor:
        if sql.db().vendor == "postgresql":
            with cursor.copy(f"COPY {sql.table(model)} ({names}) FROM STDIN") as copy:
                for values in prepared(fields, rows):
                    copy.write_row(values)
        else:
            cursor.executemany(f"INSERT INTO {sql.table(model)} ({names}) VALUES ({sql.placeholders(len(fields))})",
                               list(prepared(fields, rows)))
    return len(rows)


M = TypeVar("M", bound=models.Model)


def _object_rows(objs: Sequence[models.Model]) -> tuple[list[str], list[list[Any]]]:
    """Every column but the auto primary key, of each instance, auto_now_add stamped as save() would."""
    opts = type(objs[0])._meta
    fields = [f for f in opts.concrete_fields if f is not opts.pk]
    return [f.attname for f in fields], [[f.pre_save(obj, True) for f in fields] for obj in objs]


def defaults(model: type[models.Model]) -> dict[str, Any]:
    """{attname: value} of every column but the auto primary key of a new instance (field defaults,
    auto_now_add stamped as save() would): rows for insert or load start from it, so thousands of
    rows cost no model instance each."""
    names, rows = _object_rows([model()])
    return dict(zip(names, rows[0], strict=True))


def insert_objects(objs: Sequence[M]) -> Sequence[M]:
    """New instances of one model written by `insert` and given their primary keys (defaults come
    from the instances, as with bulk_create; no signals)."""
    if not objs:
        return objs
    names, rows = _object_rows(objs)
    for obj, pk in zip(objs, insert(type(objs[0]), names, rows), strict=True):
        sql.saved(obj, pk)
    return objs


def load_objects(objs: Sequence[models.Model]) -> int:
    """New instances of one model written by `load`: their primary keys are not read back."""
    if not objs:
        return 0
    names, rows = _object_rows(objs)
    return load(type(objs[0]), names, rows)


def _new_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids drawn from the table's sequence (ascending): the rows' primary keys before COPY."""
    opts = model._meta
    found = sql.fetch("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                      [opts.db_table, opts.pk.column, count])
    return sorted(int(row[0]) for row in found)


def _copy(model: type[models.Model], fields: Sequence[models.Field[Any, Any]], rows: Sequence[Sequence[Any]],
          ) -> list[int]:
    ids = _new_ids(model, len(rows))
    names = ", ".join(sql.quote(f.column) for f in (model._meta.pk, *fields))
    with sql.db().cursor() as cursor, cursor.copy(f"COPY {sql.table(model)} ({names}) FROM STDIN") as copy:
        for pk, values in zip(ids, prepared(fields, rows), strict=True):
            copy.write_row([pk, *values])
    return ids


def _insert_returning(model: type[models.Model], fields: Sequence[models.Field[Any, Any]],
                      rows: Sequence[Sequence[Any]]) -> list[int]:
    head = f"INSERT INTO {sql.table(model)} ({', '.join(sql.quote(f.column) for f in fields)}) VALUES "
    one = "(" + sql.placeholders(len(fields)) + ")"
    returning = f" RETURNING {sql.quote(model._meta.pk.column)}"
    chunk = max(1, max_params() // len(fields))
    values = list(prepared(fields, rows))
    pks: list[int] = []
    with sql.db().cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            cursor.execute(head + ", ".join([one] * len(part)) + returning, [v for row in part for v in row])
            pks.extend(int(r[0]) for r in cursor.fetchall())
    return pks


@contextmanager
def temporary(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[str]:
    """A temporary table of the rows (columns c1, c2, … of these SQL types; untyped on SQLite),
    filled by COPY on PostgreSQL and by one executemany on SQLite, dropped after the block: for
    joining a statement to tens of thousands of values without a placeholder each. Inside the
    action's transaction only (PostgreSQL drops it at commit at the latest)."""
    here = sql.db()
    if not here.in_atomic_block:
        raise RuntimeError("bulk.temporary() needs the action's transaction")
    name = sql.quote(f"bulk_{uuid.uuid4().hex[:12]}")
    columns = [f"c{n}" for n in range(1, len(types) + 1)]
    postgres = here.vendor == "postgresql"
    with here.cursor() as cursor:
        if postgres:
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(f'{c} {t}' for c, t in zip(columns, types, strict=True))}) "
                           "ON COMMIT DROP")
            with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")  # a plan for its real size, not a guess (50 ms for 100,000)
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(columns)})")
            cursor.executemany(f"INSERT INTO {name} VALUES ({sql.placeholders(len(columns))})", rows)
    yield name
    with here.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name}")


def update(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Set the columns `attnames` of the rows whose primary key is each row's first value to the
    row's other values (`(pk, value, …)`), in one `UPDATE … FROM` a temporary table of the rows.
    Returns how many rows were updated."""
    if not rows:
        return 0
    here = sql.db()
    fields = [sql.field(model, name) for name in attnames]
    values = [[row[0], *rest] for row, rest in zip(rows, prepared(fields, [row[1:] for row in rows]), strict=True)]
    types = [str(f.db_type(here)) for f in (model._meta.pk, *fields)]
    table = sql.table(model)
    sets = ", ".join(f"{sql.quote(f.column)} = v.c{n}" for n, f in enumerate(fields, start=2))
    with temporary(types, values) as name, here.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} FROM {name} AS v "
                       f"WHERE {table}.{sql.quote(model._meta.pk.column)} = v.c1")
        return int(cursor.rowcount)
