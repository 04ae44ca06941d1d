"""Hand-written statements for the few kernel paths every API request takes (the token check, the
scope lookup, audit rows). Modules are written on the ORM (docs/architecture.md, "The ORM first");
homesafety's MQTT ingest has its own SQL.

The ORM builds every statement anew: 170–550 µs of Python for one `filter(...).first()` against
6–20 µs for running the statement itself (SQLite, measured while tuning bench_onestop.py). These
helpers keep the rest of what the ORM does: table and column names come from the models, values
go in through each field's get_db_prep_save and come back through the same converters the ORM
applies (aware datetimes, JSON, decimals, booleans), and model instances are made with
Model.from_db, so a field that was not read is deferred exactly as with `.only()`.

Write the statement in portable SQL (SQLite 3.35 or newer for RETURNING, and PostgreSQL) with %s
placeholders; quote names with `quote`. Everything else stays on the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)


def db() -> Any:
    """The default database's connection itself: the `connection` proxy looks it up on every
    attribute read, which the per-value loops here would pay thousands of times a request."""
    return connections[DEFAULT_DB_ALIAS]


def quote(name: str) -> str:
    quoted: str = db().ops.quote_name(name)
    return quoted


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


def field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A concrete field by its name or attribute name (`case` or `case_id`)."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field) or not found.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return found


@dataclass(frozen=True)
class Columns:
    """Some columns of a model, as a SELECT list and as the way back to Python values."""

    model: type[models.Model]
    attnames: tuple[str, ...]
    sql: str  # "alias"."column", … in attnames' order
    fields: tuple[Any, ...]
    converters: tuple[tuple[Any, ...], ...]  # per column: (converter, expression) pairs
    pk_at: int  # where the primary key is among the columns (-1: not read)

    def values(self, row: Sequence[Any]) -> list[Any]:
        out = list(row)
        here = db()
        for i, pairs in enumerate(self.converters):
            for converter, expression in pairs:
                out[i] = converter(out[i], expression, here)
        return out

    def instance(self, row: Sequence[Any]) -> Any:
        """A model instance from a row of exactly these columns (the others deferred)."""
        return self.model.from_db(DEFAULT_DB_ALIAS, list(self.attnames), self.values(row))

    def split(self, row: Sequence[Any], start: int) -> tuple[Any, int]:
        """The instance made of row[start:start + width] (None when its primary key is NULL, as
        from a LEFT JOIN that found nothing), and where the next columns start."""
        end = start + len(self.attnames)
        part = row[start:end]
        if self.pk_at >= 0 and part[self.pk_at] is None:
            return None, end
        return self.instance(part), end


_columns: dict[tuple[Any, ...], Columns] = {}


def columns(model: type[M], attnames: Iterable[str], alias: str | None = None) -> Columns:
    """The columns `attnames` (attribute names: `case_id` for a foreign key) of `model`, read
    through table alias `alias` (default: the table's name)."""
    names = tuple(attnames)
    key = (model, names, alias, db().vendor)
    found = _columns.get(key)
    if found is None:
        opts = model._meta
        fields = tuple(field(model, name) for name in names)
        for name, found_field in zip(names, fields, strict=True):
            if found_field.attname != name:
                raise ValueError(f"{model.__name__}.{name} is not a column's attribute name")
        prefix = quote(alias or opts.db_table)
        converters = []
        for each in fields:
            col = each.get_col(alias or opts.db_table)
            # As SQLCompiler.get_converters: the backend's, then the field's own (from_db_value).
            # Each is called with the connection of the moment (Columns.values), so one cache
            # serves every thread.
            found_converters = db().ops.get_db_converters(col) + col.get_db_converters(db())
            converters.append(tuple((converter, col) for converter in found_converters))
        found = _columns[key] = Columns(model, names, ", ".join(f"{prefix}.{quote(f.column)}" for f in fields),
                                        fields, tuple(converters),
                                        names.index(opts.pk.attname) if opts.pk.attname in names else -1)
    return found


def all_columns(model: type[M], alias: str | None = None) -> Columns:
    return columns(model, [f.attname for f in model._meta.concrete_fields], alias)


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with db().cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


# Fields whose value, when it is already a plain str, int or bool (or None), goes to the database as
# it is: get_db_prep_save would hand it back unchanged, after 5–8 µs of calls.
_PLAIN_TYPES = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey",
                "IntegerField", "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField",
                "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}


@dataclass(frozen=True)
class _Insert:
    head: str  # INSERT INTO t (columns) VALUES
    one: str  # (%s, …) for one row
    returning: str
    fields: tuple[Any, ...]
    plain: tuple[bool, ...]


_inserts: dict[tuple[Any, ...], _Insert] = {}


def _insert_statement(model: type[models.Model], attnames: Sequence[str]) -> _Insert:
    key = (model, tuple(attnames), db().vendor)
    found = _inserts.get(key)
    if found is None:
        opts = model._meta
        fields = tuple(field(model, name) for name in attnames)
        found = _inserts[key] = _Insert(
            f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) VALUES ",
            "(" + placeholders(len(fields)) + ")", f" RETURNING {quote(opts.pk.column)}", fields,
            tuple(f.get_internal_type() in _PLAIN_TYPES for f in fields))
    return found


def _prepared(statement: _Insert, row: Sequence[Any], db: Any) -> list[Any]:
    out = []
    for each, plain, value in zip(statement.fields, statement.plain, row, strict=True):
        if plain and (value is None or type(value) in (str, int, bool)):
            out.append(value)
        else:
            out.append(each.get_db_prep_save(value, db))
    return out


def insert(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]], *,
           chunk: int = 500) -> list[int]:
    """INSERT the rows (values in attnames' order) and return their new primary keys in order."""
    if not rows:
        return []
    statement = _insert_statement(model, attnames)
    here = db()
    pks: list[int] = []
    with here.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            params = [value for row in part for value in _prepared(statement, row, here)]
            cursor.execute(statement.head + ", ".join([statement.one] * len(part)) + statement.returning, params)
            pks.extend(int(r[0]) for r in cursor.fetchall())
    return pks


def insert_objects(objs: Sequence[M]) -> Sequence[M]:
    """INSERT new instances of one model (every column but the auto primary key, auto_now_add
    fields stamped as save() would) and give them their primary keys, in one statement per 500."""
    if not objs:
        return objs
    opts = type(objs[0])._meta
    fields = [f for f in opts.concrete_fields if f is not opts.pk]
    pks = insert(type(objs[0]), [f.attname for f in fields], [[f.pre_save(obj, True) for f in fields] for obj in objs])
    for obj, pk in zip(objs, pks, strict=True):
        saved(obj, pk)
    return objs


def saved(obj: models.Model, pk: Any) -> None:
    """Mark an instance written by a hand-written INSERT as save() would (its key, in the database):
    the one place outside the ORM that touches an instance's state (kernel.bulk uses it too)."""
    obj.pk = pk
    obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
