"""The one scoping layer. Every list and detail query of scoped data goes through restrict() or
access_object(), so no view can forget to limit a community worker to their own community.

A model opts in by naming the lookup to a Place's materialised path in `scope_path_field`
(e.g. Resident.scope_path_field = "place__path"). A user's scope for a permission is the union of the
places of every role assignment whose role grants it; descendants are included by path prefix.

Failing closed: restrict() on a model that declares no scope is an error (Unscoped), never an
unscoped list. The named exceptions are explicit: `scope_filter(paths)` for a model that reaches
its place through a non-key column (a rejected message names its device by serial), and
`scope_public` for the permissions under which a model's rows are public by decision (the
organisation directory under orgs.view).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone

from longcheng.kernel import registry, sql
from longcheng.kernel.errors import NotFound, PermissionDenied
from longcheng.kernel.places.models import PATH_SEPARATOR, Place

from .models import RoleAssignment

M = TypeVar("M", bound=models.Model)

ALL = ("",)  # every path starts with "": a superuser's scope


class Unscoped(TypeError):
    """restrict() was asked to limit a model that declares no scope: a programming error, raised
    instead of returning every row."""


def _cache(user: Any) -> dict[str, tuple[str, ...]]:
    cache = getattr(user, "_longcheng_scope_cache", None)
    if cache is None:
        cache = {}
        user._longcheng_scope_cache = cache
    return cache


def scope_paths(user: Any, permission: str) -> tuple[str, ...]:
    """The place paths within which `user` holds `permission` (empty: nowhere)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    if user.is_superuser:
        return ALL
    cache = _cache(user)
    if permission not in cache:
        role_defs = registry.roles()
        granting = [code for code, role in role_defs.items() if permission in role.permissions]
        paths: set[str] = set()
        if granting:
            paths = _granted_paths(user.pk, granting)
        # Drop paths already covered by an ancestor path so the SQL stays short.
        minimal = tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))
        cache[permission] = minimal
    return cache[permission]


def _granted_paths(user_pk: int, roles: list[str]) -> set[str]:
    """The paths of the places where the user holds one of `roles`: one hand-written statement
    (kernel.sql), as every API request asks this once for its user."""
    m2m: Any = RoleAssignment._meta.get_field("places")
    through = m2m.remote_field.through
    q = sql.quote
    rows = sql.fetch(
        f"SELECT p.{q('path')} FROM {sql.table(RoleAssignment)} ra "
        f"JOIN {sql.table(through)} rp ON rp.{q(m2m.m2m_column_name())} = ra.{q('id')} "
        f"JOIN {sql.table(Place)} p ON p.{q('id')} = rp.{q(m2m.m2m_reverse_name())} "
        f"WHERE ra.{q('user_id')} = %s AND ra.{q('role')} IN ({sql.placeholders(len(roles))}) "
        # An assignment past its end (temporary duty, or ended by an administrator) grants nothing.
        f"AND (ra.{q('ends_at')} IS NULL OR ra.{q('ends_at')} > %s)",
        [user_pk, *roles, sql.field(RoleAssignment, "ends_at").get_db_prep_save(timezone.now(), sql.db())])
    return {path for (path,) in rows if path}


def has_perm(user: Any, permission: str) -> bool:
    return bool(scope_paths(user, permission))


def permissions_of(user: Any) -> set[str]:
    return {perm for perm in registry.all_permissions() if has_perm(user, perm)}


def require_perm(user: Any, permission: str) -> None:
    if not has_perm(user, permission):
        raise PermissionDenied()


def path_q(lookup: str, paths: tuple[str, ...]) -> Q:
    if paths == ALL:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def is_city_wide(paths: tuple[str, ...]) -> bool:
    """Whether the scope includes a root of the place tree (the whole city)."""
    return paths == ALL or any(p.count(PATH_SEPARATOR) == 1 and p.endswith(PATH_SEPARATOR) for p in paths)


def path_or_placeless_q(field: str, paths: tuple[str, ...]) -> Q:
    """For records that carry their place path as text (audit rows, messages): the rows under
    `paths`, and the rows with no place for a city-wide scope only."""
    q = path_q(field, paths)
    if is_city_wide(paths):
        q |= Q(**{field: ""})
    return q


def restrict(qs: models.QuerySet[M], user: Any, permission: str) -> models.QuerySet[M]:
    """Limit a queryset to the rows `user` may see with `permission`. A model without a declared
    scope raises Unscoped (fail closed), whatever the user holds."""
    model = qs.model
    lookup = getattr(model, "scope_path_field", None)
    custom = getattr(model, "scope_filter", None)
    public = permission in getattr(model, "scope_public", ())
    if lookup is None and custom is None and not public:
        raise Unscoped(f"{model._meta.label} declares no scope_path_field (nor scope_filter, nor scope_public "
                       f"for {permission!r}): restrict() refuses to return it unscoped")
    paths = scope_paths(user, permission)
    if not paths:
        return qs.none()
    if public or paths == ALL:
        # A public directory: holding the permission anywhere is enough. A superuser sees all.
        return qs
    if lookup is None:
        assert custom is not None
        return qs.filter(custom(paths))
    if lookup.endswith("__path"):
        # `place_id IN (places under these paths)` rather than a join with a LIKE on every row: the
        # subquery reads a few thousand places, and the outer query uses the index on the foreign key.
        places = Place.objects.filter(path_q("path", paths)).values("pk")
        return qs.filter(**{f"{lookup.removesuffix('__path')}__in": places})
    return qs.filter(path_q(lookup, paths))


def access_object(model: type[M], user: Any, pk: Any, permission: str, *, queryset: models.QuerySet[M] | None = None) -> M:
    """Fetch one object and authorise in one call. Outside the scope, the answer is the same
    not-found a stranger gets for an id that does not exist."""
    qs = restrict(queryset if queryset is not None else model._default_manager.all(), user, permission)
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise NotFound() from exc


def place_in_scope(user: Any, permission: str, place_path: str) -> bool:
    return any(place_path.startswith(p) for p in scope_paths(user, permission))


def path_of(obj: models.Model) -> str:
    """The place path of one object through its model's scope_path_field ("" when it has none or
    its place is not set): from the related objects already loaded, else in one query."""
    return paths_of([obj]).get((type(obj), obj.pk), "")


def paths_of(objects: list[models.Model]) -> dict[tuple[type[models.Model], Any], str]:
    """The place paths of many objects: related objects already loaded are followed, the rest are
    read in one query per model (a batch of 100,000 audit rows costs a few queries, not 100,000)."""
    found: dict[tuple[type[models.Model], Any], str] = {}
    missing: dict[type[models.Model], list[Any]] = {}
    for obj in objects:
        model = type(obj)
        lookup = getattr(model, "scope_path_field", None)
        if lookup is None or obj.pk is None:
            found[(model, obj.pk)] = ""
            continue
        value = _follow_loaded(obj, lookup.split("__"))
        if value is None:
            missing.setdefault(model, []).append(obj.pk)
        else:
            found[(model, obj.pk)] = value
    for model, pks in missing.items():
        lookup = model.scope_path_field  # type: ignore[attr-defined]
        for start in range(0, len(pks), 1000):
            chunk = pks[start:start + 1000]
            for pk, path in model._default_manager.filter(pk__in=chunk).values_list("pk", lookup):
                found[(model, pk)] = path or ""
            for pk in chunk:
                found.setdefault((model, pk), "")
    return found


def _follow_loaded(obj: Any, parts: list[str]) -> str | None:
    """The value at the end of `parts` if every step is already in memory (None: ask the database)."""
    current = obj
    for part in parts[:-1]:
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # e.g. a subclass's instance loaded where its parent's relation goes on
        if not field.concrete:
            return None  # a reverse relation (a module's binding of a kernel row): ask the database
        if getattr(current, field.attname, None) is None:
            return ""  # no place: nothing to follow
        if not field.is_cached(current):
            return None
        current = getattr(current, part)
    return getattr(current, parts[-1], "") or ""
