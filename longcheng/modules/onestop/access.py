"""Who may act: fetch and authorise in one call through kernel.access.scope (an applicant's own
enterprise's cases, a handler's queue by office and place). Out of scope reads as not found."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from longcheng.kernel import registry
from longcheng.kernel.access.models import RoleAssignment
from longcheng.kernel.access.scope import has_perm, place_in_scope, require_perm, restrict
from longcheng.kernel.errors import Conflict, KernelError, NotFound

from .catalogue import DEPARTMENTS, OFFICES, departments_of
from .errors import ErrorCode as Code
from .models import Case, Task, TaskStatus
from .spec import APPLY, VIEW, handle_permission


def _lock_case(pk: int) -> Case:
    # One statement: lock the case row only (`of`), read its enterprise and places with it.
    case = (Case.objects.select_for_update(of=("self",)).select_related("enterprise__place", "place")
            .filter(pk=pk).first())
    if case is None:
        raise NotFound()
    return case


def _as_applicant(case: Case | int, user: Any) -> Case:
    locked = _lock_case(case.pk if isinstance(case, Case) else case)
    require_perm(user, APPLY)
    # The applicant's access is to their enterprise, wherever it is registered now (a relocation
    # moves it out of the district the role was granted in; the account follows it).
    if getattr(user, "organisation_id", None) != locked.enterprise_id:
        raise NotFound()
    return locked


def _as_handler(task: Task | int, user: Any, *, allowed: tuple[str, ...] = (TaskStatus.OPEN,)) -> Task:
    """The task, its case locked, if it is in the user's queue (right office, place in scope)."""
    pk = task.pk if isinstance(task, Task) else task
    case_id = Task.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound()
    _lock_case(case_id)
    locked = (Task.objects.select_for_update(of=("self",)).select_related("case__enterprise__place", "place")
              .get(pk=pk))
    permission = handle_permission(DEPARTMENTS[locked.department].office)
    if not place_in_scope(user, permission, locked.place.path):
        raise NotFound(_("This task is not in your department's queue."))
    if locked.status not in allowed:
        raise Conflict(_("This task is %(status)s, not open: it cannot be handled now.") % {
            "status": locked.get_status_display()}, code=Code.TASK_NOT_OPEN, field="task")
    return locked


def offices_of(user: Any) -> list[str]:
    """The offices whose tasks the user may handle somewhere (has_perm per office, in one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(OFFICES)
    defs = registry.roles()
    roles = {r for r in RoleAssignment.objects.filter(user=user, places__isnull=False).values_list("role", flat=True)
             if r in defs}
    return [code for code in OFFICES if any(handle_permission(code) in defs[r].permissions for r in roles)]


def queue(user: Any, office: str) -> QuerySet[Task]:
    """An office's open tasks within the user's scope, oldest due first (one query; index
    onestop_task_queue)."""
    return (restrict(Task.objects.filter(department__in=departments_of(office), status=TaskStatus.OPEN), user,
                     handle_permission(office))
            .select_related("case__enterprise").order_by("due_at", "pk"))


# How deep the queue can be paged: each page scans up to this many rows per department.
QUEUE_DEPTH = 10_000


def queue_filter(search: str = "", service_code: str = "") -> Q:
    """The clerk's narrowing of the queue: an enterprise's name (part of it) or credit code, and a
    service; applied inside each department's scan, so the scope stays the queue's."""
    q = Q()
    search = search.strip()
    if search:
        q &= Q(case__enterprise__name__icontains=search) | Q(case__enterprise__uscc=search.upper())
    if service_code:
        q &= Q(case__service=service_code)
    return q


def queue_slice(user: Any, offices: list[str], start: int, stop: int, *, fields: tuple[str, ...] = (),
                related: tuple[str, ...] = ("case__enterprise",), where: Q | None = None) -> list[Task]:
    """Rows start..stop of the merged queue of several offices, oldest due first.

    One ordered index scan per department (index onestop_task_queue: department, status, due_at),
    each stopping after `stop` rows, merged here; then the page's rows with their case and
    enterprise by primary key. A single `department IN (...) ORDER BY due_at` query has to sort
    every open task of those departments first: 270 ms for a city-wide clerk with 100,000 open
    cases (bench_onestop.py), against a few ms this way. Deeper than QUEUE_DEPTH is refused.
    `where` (queue_filter) narrows each scan: by enterprise or service."""
    if stop > QUEUE_DEPTH + 1:  # +1: the row that tells whether a next page exists
        raise KernelError(_("The queue can be paged %(n)s tasks deep; narrow it by office.") % {"n": QUEUE_DEPTH},
                          field="page")
    keys: list[tuple[Any, int]] = []
    for office in offices:
        permission = handle_permission(office)
        for department in departments_of(office):
            scan = restrict(Task.objects.filter(department=department, status=TaskStatus.OPEN), user, permission)
            if where:
                scan = scan.filter(where)
            keys.extend(scan.order_by("due_at", "pk").values_list("due_at", "pk")[:stop])
    # A task with no due time (its clock ran into a year without a calendar) comes last.
    keys.sort(key=lambda key: (key[0] is None, key[0] or 0, key[1]))
    ids = [pk for _due, pk in keys[start:stop]]
    if not ids:
        return []
    page = Task.objects.filter(pk__in=ids).select_related(*related)
    rows = {t.pk: t for t in (page.only(*fields) if fields else page)}
    return [rows[pk] for pk in ids if pk in rows]


def cases_of(user: Any) -> QuerySet[Case]:
    """The applicant's own enterprise's cases: holding onestop.apply anywhere is enough, the access
    is to the enterprise, not to a district (an enterprise that moved out stays its staff's)."""
    org = getattr(user, "organisation_id", None)
    if org is None or not has_perm(user, APPLY):
        return Case.objects.none()
    return Case.objects.filter(enterprise_id=org).order_by("-created_at", "-pk")


def cases_in_scope(user: Any) -> QuerySet[Case]:
    return restrict(Case.objects.all(), user, VIEW).order_by("-created_at", "-pk")
