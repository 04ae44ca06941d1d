"""Alarm rules and escalation chains as the programme manager sets them, without code.

Thresholds: a device type's defaults (devices.py) ← each place's latest RuleVersion from the city
down to the person's community (the narrowest place wins) ← the person's own thresholds
(Enrollee.rule_overrides, the person page). Alarm kinds that may be switched off (not SOS, fall or
smoke) follow the same order. Escalation: the narrowest place's latest EscalationChain, else the
settings' chain (HOMESAFETY_ESCALATION_ROLES, HOMESAFETY_ACK_SECONDS, HOMESAFETY_REMIND_SECONDS).

Every process keeps the current versions in memory and asks the database once per ingest batch
(and per escalation round) for the highest version ids, one indexed query: a change saved on the
page judges the very next reading, in any process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import access_object, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.places.models import Place
from longcheng.kernel.registry import roles

from .actions import THRESHOLDS
from .conf import conf
from .devices import DEVICE_TYPES
from .models import Enrollee, EscalationChain, RuleVersion

MANAGE = "homesafety.manage"
# Alarm kinds a place may switch off. An SOS, a fall or smoke always rings; so does a sensor fault
# (it would hide a heart-rate alarm).
SWITCHABLE = ("heart_rate", "temperature", "safe_zone", "removed", "low_battery", "no_movement")
# The thresholds a place may set for each device type (labels and ranges: actions.THRESHOLDS).
TYPE_THRESHOLDS = {"wristband": ("hr_low", "hr_high", "temp_high", "battery_low", "no_move_hours"),
                   "smoke": ("battery_low",)}
CHANNELS = ("inapp", "sms", "voice")
ESCALATION_ROLES = ("homesafety_operator", "homesafety_community_head", "homesafety_street_officer",
                    "community_worker")
MAX_LEVELS, MAX_DELAY = 6, 3600


@dataclass(frozen=True)
class Level:
    role: str
    after_s: int  # seconds without acknowledgement after the level below was reached
    channels: tuple[str, ...]


class _Book:
    def __init__(self) -> None:
        self.key: tuple[Any, Any] | None = None
        self.rules: dict[str, list[tuple[str, RuleVersion]]] = {}
        self.chains: list[tuple[str, EscalationChain]] = []
        self.lock = threading.Lock()

    def fresh(self) -> _Book:
        # The highest id and the latest change time of each table: rows are only ever added.
        key = (tuple(RuleVersion.objects.aggregate(m=Max("pk"), t=Max("changed_at")).values()),
               tuple(EscalationChain.objects.aggregate(m=Max("pk"), t=Max("changed_at")).values()))
        if key != self.key:
            with self.lock:
                self._load(key)
        return self

    def _load(self, key: tuple[Any, Any]) -> None:
        latest: dict[tuple[str, int], RuleVersion] = {}
        for row in RuleVersion.objects.select_related("place").order_by("version"):
            latest[(row.device_type, row.place_id)] = row
        rules: dict[str, list[tuple[str, RuleVersion]]] = {}
        for (code, _place), row in latest.items():
            rules.setdefault(code, []).append((row.place.path, row))
        chains: dict[int, EscalationChain] = {}
        for chain in EscalationChain.objects.select_related("place").order_by("version"):
            chains[chain.place_id] = chain
        # Broadest first, so that a narrower place's values overwrite a broader one's.
        self.rules = {code: sorted(rows, key=lambda r: len(r[0])) for code, rows in rules.items()}
        self.chains = sorted(((c.place.path, c) for c in chains.values()), key=lambda r: len(r[0]))
        self.key = key


    def forget(self) -> None:
        self.key = None


BOOK = _Book()


def current() -> _Book:
    return BOOK.fresh()


def place_settings(book: _Book, code: str, path: str | None) -> tuple[dict[str, Any], dict[str, bool], list[int]]:
    """The thresholds and kinds set by the places over `path`, narrowest last, and their version ids."""
    params: dict[str, Any] = {}
    kinds: dict[str, bool] = {}
    used: list[int] = []
    for where, row in book.rules.get(code, []):
        if path and path.startswith(where):
            params.update(row.params)
            kinds.update(row.kinds)
            used.append(row.pk)
    return params, kinds, used


def judged_by(book: _Book, code: str, path: str | None, enrollee: Enrollee | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A device's rule parameters and the rules that run for it."""
    kind = DEVICE_TYPES[code]
    params, kinds, _used = place_settings(book, code, path)
    merged = {**kind.defaults, **params, **((enrollee.rule_overrides or {}) if enrollee else {})}
    return merged, tuple(r for r in kind.rules if kinds.get(r, True))


def default_chain() -> list[Level]:
    names = conf("HOMESAFETY_ESCALATION_ROLES")
    delays = [0, conf("HOMESAFETY_ACK_SECONDS")] + [conf("HOMESAFETY_REMIND_SECONDS")] * max(0, len(names) - 2)
    return [Level(role, delays[i], CHANNELS) for i, role in enumerate(names)]


def chain_for(path: str | None, book: _Book | None = None) -> tuple[list[Level], EscalationChain | None]:
    """The escalation levels that apply to a person living at `path`, and the chain they come from
    (None: the settings' chain)."""
    found = None
    for where, chain in (book or current()).chains:
        if path and path.startswith(where):
            found = chain
    if found is None:
        return default_chain(), None
    return [Level(lv["role"], int(lv["after_s"]), tuple(lv["channels"])) for lv in found.levels], found


def clean_thresholds(code: str, values: dict[str, Any]) -> dict[str, Any]:
    """The thresholds given (empty: not set here), checked against their ranges; refusals name the field."""
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in TYPE_THRESHOLDS.get(code, ()):
            raise KernelError(_("Unknown threshold."), code=ErrorCode.INVALID, field=name)
        if raw in (None, ""):
            continue
        label, low, high, whole = THRESHOLDS[name]
        try:
            number: float = int(raw) if whole else round(float(raw), 1)
        except (TypeError, ValueError):
            number = low - 1
        if not low <= number <= high:
            raise KernelError(_("%(label)s must be from %(low)s to %(high)s.") % {"label": label, "low": low, "high": high},
                              code=ErrorCode.INVALID, field=name)
        out[name] = number
    # The clear levels follow the raise levels, so hysteresis holds for every place's thresholds.
    if "temp_high" in out:
        out["temp_clear"] = round(out["temp_high"] - 0.3, 1)
    if "battery_low" in out:
        out["battery_clear"] = out["battery_low"] + 10
    return out


def _place(place_id: Any, acting_user: User) -> Place:
    if not str(place_id or "").isdigit():
        raise KernelError(_("Choose a place."), code=ErrorCode.REQUIRED, field="place")
    return access_object(Place, acting_user, int(place_id), MANAGE)


def do_set_rules(code: str, place_id: Any, *, thresholds: dict[str, Any], kinds: dict[str, bool],
                 acting_user: User) -> RuleVersion | None:
    """A new version of a device type's rules at a place; None when nothing changed. Audited with
    the version before; the next reading of any device there is judged by it."""
    require_perm(acting_user, MANAGE)
    if code not in DEVICE_TYPES:
        raise KernelError(_("Choose a device type."), code=ErrorCode.INVALID, field="device_type")
    place = _place(place_id, acting_user)
    params = clean_thresholds(code, thresholds)
    rules = DEVICE_TYPES[code].rules
    kinds = {k: bool(on) for k, on in kinds.items() if k in SWITCHABLE and k in rules}
    with transaction.atomic():
        last = (RuleVersion.objects.select_for_update().filter(device_type=code, place=place)
                .order_by("-version").first())
        if last is not None and last.params == params and last.kinds == kinds:
            return None
        if last is None and not params and not any(on is False for on in kinds.values()):
            return None
        row = RuleVersion.objects.create(device_type=code, place=place, version=(last.version + 1) if last else 1,
                                         params=params, kinds=kinds, changed_by=acting_user, changed_at=timezone.now())
        BOOK.forget()
        record(acting_user, "homesafety.rules.change", row,
               before={"version": last.version if last else 0, **({"params": last.params, "kinds": last.kinds}
                                                                  if last else {})},
               after={"version": row.version, "params": params, "kinds": kinds})
    return row


def clean_levels(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Levels as [{"role", "after_s", "channels"}]; refusals name the field of the level (role_2, …)."""
    if not levels:
        raise KernelError(_("A chain has at least one level."), code=ErrorCode.REQUIRED, field="role_0")
    if len(levels) > MAX_LEVELS:
        raise KernelError(_("A chain has at most %(n)s levels.") % {"n": MAX_LEVELS}, code=ErrorCode.INVALID,
                          field="role_0")
    out = []
    for i, level in enumerate(levels):
        if level.get("role") not in ESCALATION_ROLES:
            raise KernelError(_("Choose the role told at level %(n)s.") % {"n": i}, code=ErrorCode.INVALID,
                              field=f"role_{i}")
        after = level.get("after_s")
        if i and (not isinstance(after, int) or not 10 <= after <= MAX_DELAY):
            raise KernelError(_("Level %(n)s is reached after 10 to %(max)s seconds.") % {"n": i, "max": MAX_DELAY},
                              code=ErrorCode.INVALID, field=f"after_{i}")
        channels = [c for c in CHANNELS if c in (level.get("channels") or [])]
        if not channels:
            raise KernelError(_("Choose how level %(n)s is told.") % {"n": i}, code=ErrorCode.REQUIRED,
                              field=f"channels_{i}")
        out.append({"role": level["role"], "after_s": after if i and isinstance(after, int) else 0, "channels": channels})
    return out


def do_set_chain(place_id: Any, levels: list[dict[str, Any]], *, acting_user: User) -> EscalationChain | None:
    """A new version of a place's escalation chain (None when unchanged); audited; alarms raised and
    rounds run from now on follow it."""
    require_perm(acting_user, MANAGE)
    place = _place(place_id, acting_user)
    clean = clean_levels(levels)
    with transaction.atomic():
        last = EscalationChain.objects.select_for_update().filter(place=place).order_by("-version").first()
        if last is not None and last.levels == clean:
            return None
        chain = EscalationChain.objects.create(place=place, version=(last.version + 1) if last else 1, levels=clean,
                                               changed_by=acting_user, changed_at=timezone.now())
        BOOK.forget()
        record(acting_user, "homesafety.escalation.change", chain,
               before={"version": last.version if last else 0, "levels": last.levels if last else []},
               after={"version": chain.version, "levels": clean})
    return chain


def role_label(code: str) -> str:
    role = roles().get(code)
    return str(role.label) if role else code
