"""The one scoping layer. Every list and detail query of scoped data goes through restrict() or
access_object(), so no view can forget to limit a community worker to their own community.

A model opts in by naming the lookup to a Place's materialised path in `scope_path_field`
(e.g. Resident.scope_path_field = "place__path"). A user's scope for a permission is the union of the
places of every role assignment whose role grants it; descendants are included by path prefix.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from longcheng.kernel import registry
from longcheng.kernel.errors import NotFound, PermissionDenied

M = TypeVar("M", bound=models.Model)

ALL = ("",)  # every path starts with "": a superuser's scope


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
    from longcheng.kernel import sql
    from longcheng.kernel.places.models import Place

    from .models import RoleAssignment

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


def restrict(qs: models.QuerySet[M], user: Any, permission: str) -> models.QuerySet[M]:
    """Limit a queryset to the rows `user` may see with `permission`."""
    paths = scope_paths(user, permission)
    if not paths:
        return qs.none()
    lookup = getattr(qs.model, "scope_path_field", None)
    if lookup is None:
        # Unscoped data (e.g. the calendar): holding the permission anywhere is enough.
        return qs
    if paths != ALL and lookup.endswith("__path"):
        # `place_id IN (places under these paths)` rather than a join with a LIKE on every row: the
        # subquery reads a few thousand places, and the outer query uses the index on the foreign key.
        from longcheng.kernel.places.models import Place

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
