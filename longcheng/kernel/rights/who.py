"""Who can see this person: the accounts holding each right over a resident's place, the question a
PIPL audit asks first. Derived from the roles in the registry (permissions) and the masking policy
(kernel.privacy levels), counting only role assignments in force and active accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from longcheng.kernel import privacy, registry
from longcheng.kernel.access.models import RoleAssignment, User, in_force_q
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Resident
from longcheng.kernel.privacy import Kind, Level

RIGHTS = {
    "view": _("View in the registry"),
    "reveal": _("Reveal ID and phone numbers"),
    "health": _("Health data"),
    "bank": _("Bank accounts"),
}


def roles_with(right: str) -> set[str]:
    """The role codes granting `right`: view and reveal by permission; health and bank by the level
    the role sees the kind at (reveal or plain: masked health is only '***')."""
    found = set()
    for code, role in registry.roles().items():
        if right == "view":
            granted = "people.view" in role.permissions
        elif right == "reveal":
            granted = "people.reveal" in role.permissions
        else:
            kind = Kind.HEALTH if right == "health" else Kind.FINANCIAL
            granted = Level(role.sees.get(kind, privacy.DEFAULTS[kind])) >= Level.REVEAL
        if granted:
            found.add(code)
    return found


@dataclass(frozen=True)
class Holder:
    user: Any
    role: str
    role_label: Any
    places: list[str]
    ends_at: Any


def who_can_see(person: Resident) -> dict[str, list[Holder]]:
    """right -> the holders over the person's place (ancestors included), superusers as 'superuser'."""
    place = person.place
    result: dict[str, list[Holder]] = {right: [] for right in RIGHTS}
    if place is None:
        return result
    above = [p.pk for p in place.ancestors()] + [place.pk]
    roles = registry.roles()
    granting = {right: roles_with(right) for right in RIGHTS}
    wanted = set().union(*granting.values())
    assignments = (RoleAssignment.objects.filter(in_force_q(), role__in=wanted, user__is_active=True,
                                                 places__in=above)
                   .select_related("user").prefetch_related("places").distinct().order_by("user__username", "role"))
    for assignment in assignments:
        holder = Holder(assignment.user, assignment.role, roles[assignment.role].label,
                        [p.name for p in assignment.places.all() if p.pk in above], assignment.ends_at)
        for right, codes in granting.items():
            if assignment.role in codes:
                result[right].append(holder)
    for user in User.objects.filter(is_superuser=True, is_active=True).order_by("username"):
        for right in RIGHTS:
            result[right].append(Holder(user, "superuser", _("Superuser (break glass)"), [], None))
    return result


def last_reveals(person: Resident, limit: int = 20) -> list[AuditEntry]:
    ct = ContentType.objects.get_for_model(Resident)
    return list(AuditEntry.objects.filter(object_type=ct, object_id=str(person.pk), is_read=True)
                .select_related("actor")[:limit])
