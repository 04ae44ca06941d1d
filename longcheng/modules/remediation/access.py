"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist. A firm's staff see their own firm's cases only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from longcheng.kernel.access.scope import place_in_scope, require_perm, restrict
from longcheng.kernel.errors import NotFound

from .models import Case, ReboundCheck, Site
from .spec import DETERMINE, INSPECT, RESPOND, VIEW


def cases_for(user: Any, permission: str = VIEW) -> QuerySet[Case]:
    return restrict(Case.objects.select_related("firm", "place", "site"), user, permission)


def firm_cases(user: Any) -> QuerySet[Case]:
    """The cases of the user's own firm within the user's RESPOND scope; none without a firm."""
    firm = getattr(user, "organisation_id", None)
    if firm is None:
        return Case.objects.none()
    return restrict(Case.objects.select_related("firm", "place", "site"), user, RESPOND).filter(firm_id=firm)


def case_for(user: Any, pk: int, permission: str = VIEW) -> Case:
    case = cases_for(user, permission).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def own_case(user: Any, pk: int) -> Case:
    require_perm(user, RESPOND)
    case = firm_cases(user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def case_for_upload(user: Any, pk: int) -> Case:
    """A case the user may add evidence to: staff who inspect or determine at its place, or its firm's own
    staff; any other case is NotFound, like one that does not exist."""
    case = Case.objects.select_related("place").filter(pk=pk).first()
    staff = case is not None and any(place_in_scope(user, p, case.place.path) for p in (INSPECT, DETERMINE))
    if case is None or not (staff or firm_cases(user).filter(pk=pk).exists()):
        raise NotFound()
    return case


def lock_case(user: Any, pk: int, permission: str) -> Case:
    """The case row locked for a change, if the user holds `permission` at its place."""
    require_perm(user, permission)
    case = Case.objects.select_for_update(of=("self",)).select_related("place", "firm", "site").filter(pk=pk).first()
    if case is None or not place_in_scope(user, permission, case.place.path):
        raise NotFound()
    return case


def site_for(user: Any, pk: int, permission: str) -> Site:
    site = restrict(Site.objects.select_related("firm", "place", "host"), user, permission).filter(pk=pk).first()
    if site is None:
        raise NotFound()
    return site


def rebound_checks_due(user: Any, permission: str) -> QuerySet[ReboundCheck]:
    """A patrol's list: the rebound checks still to do in scope, soonest first (index remediation_rebound_due)."""
    return (restrict(ReboundCheck.objects.filter(inspection__isnull=True), user, permission)
            .select_related("case__firm", "case__site", "case__place").order_by("due_on", "pk"))
