"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist.

Who sees which round: the park's and bureau's staff and the technical team (VIEW) every round within
their places; a firm's staff (RESPOND) their own firm's rounds; a consultancy's staff (RESPOND) the
rounds it is engaged on."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from longcheng.kernel.access.scope import has_perm, place_in_scope, restrict
from longcheng.kernel.errors import NotFound

from .models import AuditRound
from .spec import RESPOND, VIEW

_RELATED = ("firm", "place", "consultancy__org")


def rounds_for(user: Any, permission: str = VIEW) -> QuerySet[AuditRound]:
    return restrict(AuditRound.objects.select_related(*_RELATED), user, permission)


def party_rounds(user: Any) -> QuerySet[AuditRound]:
    """The rounds the user's organisation takes part in, as the firm or as its consultancy."""
    org = getattr(user, "organisation_id", None)
    if org is None:
        return AuditRound.objects.none()
    return restrict(AuditRound.objects.select_related(*_RELATED), user, RESPOND).filter(
        Q(firm_id=org) | Q(consultancy__org_id=org))


def side_of(user: Any, audit: AuditRound) -> str | None:
    """How the user takes part in a round: 'firm' (its staff or consultancy), 'expert' (the technical
    team, who may guide), 'park' (staff who see it), or None (a stranger to it)."""
    org = getattr(user, "organisation_id", None)
    if org is not None and has_perm(user, RESPOND) and place_in_scope(user, RESPOND, audit.place.path) and (
            org == audit.firm_id or (audit.consultancy is not None and org == audit.consultancy.org_id)):
        return "firm"
    if place_in_scope(user, "cleanaudit.guide", audit.place.path):
        return "expert"
    if place_in_scope(user, VIEW, audit.place.path):
        return "park"
    return None


def round_for(user: Any, pk: int) -> AuditRound:
    """A round the user may see, whichever way: park, expert or party to it."""
    audit = AuditRound.objects.select_related(*_RELATED).filter(pk=pk).first()
    if audit is None or side_of(user, audit) is None:
        raise NotFound()
    return audit


def lock_round(user: Any, pk: int) -> tuple[AuditRound, str]:
    """The round's row locked for a change, with the side the user acts from."""
    audit = (AuditRound.objects.select_for_update(of=("self",)).select_related(*_RELATED).filter(pk=pk).first())
    side = side_of(user, audit) if audit is not None else None
    if audit is None or side is None:
        raise NotFound()
    return audit, side
