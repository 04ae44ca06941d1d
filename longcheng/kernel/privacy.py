"""The one masking policy (docs/security.md, "Masking").

Every personal field is classified once, into a Kind; every role sees each kind at a Level: not at
all, masked, masked until an audited reveal, or plain. Pages, the API, exports, audit rows,
notifications and search ask this module how to show a value, so a new page cannot invent its own
rule.

Fields are classified on their model (`personal_fields = {"phone": Kind.CONTACT, ...}`, the whole
list: an empty one says the model holds nothing personal); for a model that declares nothing, the
names in NAMES classify a value wherever it appears (e.g. in an audit row's before/after). Roles say what they see in `Role.sees`; a kind a role does not name is seen at
DEFAULTS, which fail closed (masked, or not at all).
"""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum
from typing import Any

from django.db import models

from longcheng.kernel import registry
from longcheng.kernel.access.models import RoleAssignment, in_force_q
from longcheng.kernel.people.validators import mask_name, mask_phone, mask_resident_id


class Kind(StrEnum):
    IDENTIFIER = "identifier"  # resident ID numbers
    CONTACT = "contact"  # phone numbers, SMS addresses
    ADDRESS = "address"  # home addresses
    LOCATION = "location"  # coordinates, safe zones, raw device positions
    HEALTH = "health"  # conditions, illnesses, medical notes
    FINANCIAL = "financial"  # bank accounts
    MINOR = "minor_identity"  # the names of youths in care and of their parents and guardians
    NOTES = "notes"  # free-text notes about a person (visit notes, situations)


class Level(IntEnum):
    HIDDEN = 0  # not shown at all
    MASKED = 1  # always masked
    REVEAL = 2  # masked, in plain after an audited reveal (with the right and a reason)
    PLAIN = 3  # shown as is: the role's work needs it


# What a role sees of a kind it does not name: failing closed.
DEFAULTS: dict[Kind, Level] = {
    Kind.IDENTIFIER: Level.MASKED,
    Kind.CONTACT: Level.MASKED,
    Kind.ADDRESS: Level.MASKED,
    Kind.LOCATION: Level.HIDDEN,
    Kind.HEALTH: Level.HIDDEN,
    Kind.FINANCIAL: Level.HIDDEN,
    Kind.MINOR: Level.MASKED,
    Kind.NOTES: Level.HIDDEN,
}

# A superuser (the platform's break-glass account) is treated as the most trusted role: reveals for
# what is revealed, plain for what the case work needs.
SUPERUSER: dict[Kind, Level] = {
    Kind.IDENTIFIER: Level.REVEAL, Kind.CONTACT: Level.REVEAL, Kind.ADDRESS: Level.PLAIN,
    Kind.LOCATION: Level.REVEAL, Kind.HEALTH: Level.REVEAL, Kind.FINANCIAL: Level.REVEAL,
    Kind.MINOR: Level.PLAIN, Kind.NOTES: Level.PLAIN,
}

# Field names that are personal wherever they appear (audit rows' before/after, exports).
NAMES: dict[str, Kind] = {
    "resident_id": Kind.IDENTIFIER,
    "phone": Kind.CONTACT,
    "address": Kind.ADDRESS,
    "home_lat": Kind.LOCATION, "home_lon": Kind.LOCATION, "lat": Kind.LOCATION, "lon": Kind.LOCATION,
    "safe_zone": Kind.LOCATION, "home": Kind.LOCATION, "position": Kind.LOCATION,
    "conditions": Kind.HEALTH, "health_note": Kind.HEALTH, "serious_illness": Kind.HEALTH,
    "bank_account": Kind.FINANCIAL,
}

HIDDEN_TEXT = "***"
_NUMBERS = (Kind.IDENTIFIER, Kind.CONTACT, Kind.FINANCIAL)
_ALREADY_MASKED = re.compile(r"[0-9Xx]{0,4}\*{4,}[0-9Xx]{0,4}")


def kind_of(model: type[models.Model] | None, name: str) -> Kind | None:
    """The kind of a field of `model` (or of a value named `name` anywhere). A model that declares
    `personal_fields` is taken at its word (an organisation's registered address is public, not
    personal); for any other, the names in NAMES decide."""
    declared = getattr(model, "personal_fields", None)
    if declared is not None:
        kind = declared.get(name)
        return Kind(kind) if kind is not None else None
    return NAMES.get(name)


def _mask_text(text: str, keep_start: int, keep_end: int) -> str:
    if len(text) <= keep_start + keep_end:
        return text[:1] + "*" * max(len(text) - 1, 0)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end:]


def mask(kind: Kind, value: Any) -> Any:
    """The masked form of a value of `kind`: enough to recognise, not enough to use or rebuild."""
    if value is None or value == "":
        return value
    if kind in _NUMBERS and _ALREADY_MASKED.fullmatch(str(value)):
        # Audit rows are masked when written and again on display: masking a masked number again
        # would turn 137****7000 into 137******00. Such a value shows no more than its mask would.
        return value
    if kind == Kind.IDENTIFIER:
        return mask_resident_id(str(value))
    if kind == Kind.CONTACT:
        return mask_phone(str(value))
    if kind == Kind.ADDRESS:
        # The first few characters name the town; the house number is what must not leak.
        text = str(value)
        return text[: min(6, max(len(text) // 3, 1))] + "****"
    if kind == Kind.FINANCIAL:
        digits = str(value)
        return "*" * max(len(digits) - 4, 0) + digits[-4:]
    if kind == Kind.MINOR:
        return mask_name(str(value))
    # Location, health and notes have no useful partial form: the masked form says only that
    # there is a value.
    return HIDDEN_TEXT


def mask_values(model: type[models.Model] | None, values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A dict (an audit row's before/after) with every personal value masked."""
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = kind_of(model, key)
        out[key] = mask(kind, value) if kind is not None else value
    return out


# --- what a user sees -------------------------------------------------------------------------------


def _role_paths(user: Any) -> dict[str, set[str]]:
    """The user's roles with the place paths of each (one query, cached on the user object)."""
    cached = getattr(user, "_longcheng_role_paths", None)
    if cached is None:
        cached = {}
        for role, path in RoleAssignment.objects.filter(in_force_q(), user=user).values_list("role", "places__path"):
            cached.setdefault(role, set())
            if path:
                cached[role].add(path)
        user._longcheng_role_paths = cached
    return cached


def level(user: Any, kind: Kind, path: str | None = None) -> Level:
    """How `user` sees values of `kind` (of a person at place `path`, when given): the most any of
    their roles grants there. Someone with no role sees nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Level.HIDDEN
    if user.is_superuser:
        return SUPERUSER[kind]
    roles = registry.roles()
    best = Level.HIDDEN
    for code, paths in _role_paths(user).items():
        role = roles.get(code)
        if role is None or not paths:
            continue
        if path is not None and not any(path.startswith(p) for p in paths):
            continue
        best = max(best, Level(role.sees.get(kind, DEFAULTS[kind])))
    return best


def show(user: Any, kind: Kind, value: Any, path: str | None = None) -> Any:
    """`value` as `user` may see it in a list or a page: plain, masked (also for reveal: the reveal
    action shows it plain), or "" when not at all."""
    seen = level(user, kind, path)
    if seen >= Level.PLAIN:
        return value
    if seen == Level.HIDDEN:
        return ""
    return mask(kind, value)


def shown_name(user: Any, person: Any) -> str:
    """A resident's name as `user` sees it: a minor's through their role's level (Kind.MINOR),
    an adult's as it is."""
    if person.age() >= 18:
        return str(person.name)
    return str(show(user, Kind.MINOR, person.name, person.place.path if person.place else None))


def public_name(name: Any) -> str:
    """A party's name as a public page shows it (a disclosure, a notice read without signing in):
    the first and last characters, the rest masked (张*明, 常********司). Whoever reads, never the
    full name: no role, no reveal."""
    text = str(name or "").strip()
    if len(text) <= 1:
        return "*" if text else ""
    return mask_name(text)
