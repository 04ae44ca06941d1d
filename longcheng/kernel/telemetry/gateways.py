"""Gateway accounts: the machine accounts that hold a module's ingest permission (home safety's
`homesafety_gateway` role, say). An administrator holding `telemetry.gateways` over all of a
gateway's places issues and revokes its API tokens, and sees what it last sent and what was refused.

This is the kernel's one named exception to "nobody issues a token for another account"
(access.actions.do_issue_token): only for an account whose every role is an ingest role, so no
person's account can be given a token this way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import registry
from longcheng.kernel.access.actions import token_name
from longcheng.kernel.access.models import ApiToken, RoleAssignment, User
from longcheng.kernel.access.scope import ALL, scope_paths
from longcheng.kernel.audit import actions as audit
from longcheng.kernel.errors import KernelError, NotFound

from .models import DeadLetter, GatewayActivity
from .plug import ingest_permissions

PERMISSION = "telemetry.gateways"


class _System:
    """The platform itself acting from the command line (`longcheng gateway`), everywhere; audited as
    the system. A page always passes its signed-in user."""


SYSTEM: Any = _System()


@dataclass
class Gateway:
    account: User
    places: list[tuple[str, str]] = field(default_factory=list)  # (role label, place name)
    activity: GatewayActivity | None = None
    tokens: list[ApiToken] = field(default_factory=list)
    rejected_day: int = 0

    @property
    def active_tokens(self) -> int:
        return sum(1 for token in self.tokens if token.is_active)


def ingest_roles() -> dict[str, Any]:
    """The roles that let an account send telemetry (a module's ingest permission), by code."""
    wanted = set(ingest_permissions())
    return {code: role for code, role in registry.roles().items() if role.permissions & wanted}


def _live(assignments: list[RoleAssignment], now: dt.datetime) -> list[RoleAssignment]:
    return [a for a in assignments if a.ends_at is None or a.ends_at > now]


def _is_machine(assignments: list[RoleAssignment], roles: dict[str, Any]) -> bool:
    """Every live role an ingest role, and at least one: a gateway, not a person."""
    return bool(assignments) and all(a.role in roles for a in assignments)


def _covers(manager_paths: tuple[str, ...], assignments: list[RoleAssignment]) -> bool:
    """The manager's scope holds every place of the gateway's (fails closed: a gateway without a
    place is nobody's but a superuser's)."""
    paths = [place.path for a in assignments for place in a.places.all()]
    return bool(paths) and all(any(p.startswith(m) for m in manager_paths) for p in paths)


def _candidates(manager: Any, username: str | None = None) -> list[tuple[User, list[RoleAssignment]]]:
    paths = ALL if manager is SYSTEM else scope_paths(manager, PERMISSION)
    if not paths:
        return []
    roles, now = ingest_roles(), timezone.now()
    users = User.objects.filter(role_assignments__role__in=list(roles), is_active=True)
    if username is not None:
        users = users.filter(username=username)  # one gateway's page: not every gateway's rows
    users = (users.distinct()
             .prefetch_related("role_assignments__places").order_by("username"))
    found = []
    for user in users:
        live = _live(list(user.role_assignments.all()), now)
        if _is_machine(live, roles) and _covers(paths, live):
            found.append((user, live))
    return found


def gateways_of(manager: Any, username: str | None = None) -> list[Gateway]:
    """The gateway accounts this manager may manage (or only `username`'s), with their activity,
    tokens and the messages refused in the last 24 hours."""
    roles = ingest_roles()
    found = [Gateway(user, [(str(roles[a.role].label), p.name) for a in live for p in a.places.all()])
             for user, live in _candidates(manager, username)]
    names = [g.account.username for g in found]
    activity = {a.account: a for a in GatewayActivity.objects.filter(account__in=names)}
    tokens: dict[int, list[ApiToken]] = {}
    for token in ApiToken.objects.filter(user__in=[g.account for g in found]).order_by("-created_at", "-pk"):
        tokens.setdefault(token.user_id, []).append(token)
    since = timezone.now() - dt.timedelta(days=1)
    counts = dict(DeadLetter.objects.filter(gateway__in=names, received_at__gte=since)
                  .values("gateway").annotate(n=Count("pk")).values_list("gateway", "n"))
    for gateway in found:
        gateway.activity = activity.get(gateway.account.username)
        gateway.tokens = tokens.get(gateway.account.pk, [])
        gateway.rejected_day = counts.get(gateway.account.username, 0)
    return found


def gateway_of(manager: Any, username: str) -> Gateway:
    """One gateway this manager may manage; any other name is the same not-found as a stranger's."""
    found = gateways_of(manager, username)
    if not found:
        raise NotFound()
    return found[0]


def _actor(acting_user: Any) -> Any:
    return None if acting_user is SYSTEM else acting_user


def rejected_of(gateway: Gateway, limit: int = 50) -> list[DeadLetter]:
    return list(DeadLetter.objects.filter(gateway=gateway.account.username).order_by("-received_at", "-pk")[:limit])


def do_issue_gateway_token(username: str, *, name: str, days: int | None = None,
                           acting_user: Any) -> tuple[ApiToken, str]:
    """A token for a gateway account; its raw value is returned once, only its hash is kept."""
    gateway = gateway_of(acting_user, username)
    name = token_name(name, days)
    with transaction.atomic():
        token, raw = ApiToken.issue(gateway.account, name, days=days)
        audit.record(_actor(acting_user), "telemetry.gateway_token_issue", token,
                     after={"gateway": username, "name": name, "prefix": token.prefix,
                            "expires_at": token.expires_at.isoformat()})
    return token, raw


def do_revoke_gateway_token(username: str, token: int | str, *, acting_user: Any) -> ApiToken:
    """Revoke a gateway's token (by id, or by the prefix the pages show) at once: the next request
    with it is refused."""
    gateway = gateway_of(acting_user, username)
    which: dict[str, Any] = {"pk": token} if isinstance(token, int) else {"prefix": str(token).rstrip("…")}
    with transaction.atomic():
        matches = list(ApiToken.objects.select_for_update().filter(user_id=gateway.account.pk, **which)[:2])
        if not matches:
            raise NotFound()
        if len(matches) > 1:
            raise KernelError(_("Several tokens begin with this; give the token's number."), field="token")
        found = matches[0]
        if found.revoked_at is None:
            found.revoked_at = timezone.now()
            found.save(update_fields=["revoked_at"])
            audit.record(_actor(acting_user), "telemetry.gateway_token_revoke", found,
                         after={"gateway": username, "prefix": found.prefix})
    return found
