"""The case's registry data: consent, profile changes and the audited reveal of hidden fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import has_perm, require_perm, restrict
from longcheng.kernel.audit.actions import changes, record, record_read, snapshot
from longcheng.kernel.errors import MAX_ID, ErrorCode, KernelError, NotFound, PermissionDenied
from longcheng.kernel.people.actions import do_record_consent as kernel_record_consent
from longcheng.kernel.people.models import Relationship, Resident
from longcheng.kernel.people.validators import validate_resident_id

from ..access import _in_scope, _lock
from ..models import (
    ParentStatus,
    Risk,
    Stage,
    Youth,
)
from . import common
from .common import (
    BANK,
    BANK_FIELDS,
    HEALTH,
    HEALTH_FIELDS,
    MANAGE,
    PURPOSE,
    VIEW,
    _date,
    _int,
    _text,
    consent_missing,
    is_under_14,
)


def do_record_consent(youth: Youth | int, *, given_by: Resident, sensitive: bool, acting_user: User,
                      scope: str = "") -> Any:
    """Consent for the registry (PIPL arts. 13, 31): from a recorded guardian for an under-14, from
    the youth from 14 on (the kernel enforces who may give it). Sensitive data (health, bank
    account) needs its own, separate consent (art. 29)."""
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        text = scope or (_("Health and bank account, for screening and paying aid")
                         if sensitive else _("Identity, family, school and household, to follow and help the youth"))
        return kernel_record_consent(locked.person, given_by=given_by, purpose=PURPOSE, scope=text,
                                     sensitive=sensitive, acting_user=acting_user, permission=MANAGE)


def _parent(value: Any, field: str, youth: Youth, user: Any) -> Resident | None:
    """The parent or guardian a case links, by ID number (or record id). A number is looked up only
    among the residents the case worker may manage and the youth's own relatives in the registry
    (a parent may live in another district), so the profile is no look-up of any number in the
    city: any other number, registered elsewhere or not at all, gets the same answer."""
    if value in (None, ""):
        return None
    if isinstance(value, Resident):
        value = value.pk
    try:
        number = validate_resident_id(str(value), field=field)
    except KernelError:
        if not str(value).isdigit():
            raise
        found = Q(pk=int(value)) if int(value) <= MAX_ID else Q(pk__in=[])
    else:
        found = Q(resident_id=number)
    relatives = Relationship.objects.filter(person_id=youth.person_id).values("relative_id")
    kin = Relationship.objects.filter(relative_id=youth.person_id).values("person_id")
    linked = [pk for pk in (youth.deceased_parent_id, youth.surviving_parent_id, youth.guardian_id) if pk]
    reachable = restrict(Resident.objects.all(), user, MANAGE).values("pk")
    person = (Resident.objects.filter(found)
              .filter(Q(pk__in=reachable) | Q(pk__in=relatives) | Q(pk__in=kin) | Q(pk__in=linked)).first())
    if person is None:
        raise KernelError(_("No resident with this ID number is registered in your area or linked to this youth "
                            "in the registry."), code=ErrorCode.NOT_FOUND, field=field)
    return person


PARENT_FIELDS = ("deceased_parent", "surviving_parent", "guardian")


def _clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in PARENT_FIELDS:
            out[key] = value  # resolved once the case is locked: the youth and the user decide (_parent)
        elif key == "parent_died_on":
            out[key] = _date(value, key) if value not in (None, "") else None
        elif key == "risk":
            if value not in Risk.values:
                raise KernelError(_("Choose a risk level."), field=key)
            out[key] = value
        elif key == "surviving_parent_status":
            if value not in ParentStatus.values:
                raise KernelError(_("Choose the surviving parent's situation."), field=key)
            out[key] = value
        elif key == "stage":
            if value not in Stage.values and value != "":
                raise KernelError(_("Choose a school stage."), field=key)
            out[key] = value
        elif key in ("university_admitted_year", "household_size", "hardship_grade"):
            number = _int(value, key) if value not in (None, "") else (0 if key == "hardship_grade" else None)
            bounds = {"university_admitted_year": (2000, common._today().year + 1), "household_size": (1, 20),
                      "hardship_grade": (0, 3)}[key]
            if number is not None and not bounds[0] <= number <= bounds[1]:
                raise KernelError(_("Between %(low)d and %(high)d.") % {"low": bounds[0], "high": bounds[1]},
                                  field=key)
            out[key] = number
        elif key == "monthly_income_fen":
            if value in (None, ""):
                out[key] = None
            else:
                from longcheng.kernel.ledger.money import parse_yuan

                out[key] = value if isinstance(value, int) else parse_yuan(value, field=key, allow_zero=True)
                if out[key] < 0:
                    raise KernelError(_("An amount must not be negative."), field=key)
        elif key in ("school", "grade", "needs", "health_note", "bank_name"):
            out[key] = _text(value, key, required=False, limit=2000 if key in ("needs", "health_note") else 100)
        elif key == "serious_illness":
            out[key] = bool(value) and value not in ("0", "false", "off")
        elif key == "bank_account":
            digits = str(value or "").replace(" ", "")
            if digits and (not digits.isdigit() or not 12 <= len(digits) <= 19):
                raise KernelError(_("A bank card number has 12 to 19 digits."), field=key)
            out[key] = digits
        else:
            raise KernelError(_("These fields cannot be changed here: %(f)s") % {"f": key}, field=key)
    return out


def do_update_profile(youth: Youth | int, *, acting_user: User, reason: str, **values: Any) -> Youth:
    """Change the case's registry data; each change is kept with who, when and why. Health and bank
    fields need the role that may see them and the separate sensitive-data consent."""
    reason = _text(reason, "reason", minimum=2, limit=200)
    cleaned = _clean_profile(values)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if consent_missing(locked):
            raise KernelError(
                _("Record the consent first (from a guardian for a youth under 14, PIPL art. 31).")
                if is_under_14(locked) else _("Record the youth's consent first."),
                code=ErrorCode.CONSENT_REQUIRED, field="consent")
        if any(k in cleaned for k in HEALTH_FIELDS + BANK_FIELDS):
            if any(k in cleaned for k in HEALTH_FIELDS) and not has_perm(acting_user, HEALTH):
                raise PermissionDenied(_("Your role may not record health data."), field="health_note")
            if any(k in cleaned for k in BANK_FIELDS) and not has_perm(acting_user, BANK):
                raise PermissionDenied(_("Your role may not record bank accounts."), field="bank_account")
            if consent_missing(locked, sensitive=True):
                raise KernelError(_("Health and bank data need their own consent (PIPL art. 29); record it first."),
                                  code=ErrorCode.CONSENT_REQUIRED, field="sensitive_consent")
        for key in PARENT_FIELDS:
            if key in cleaned:
                cleaned[f"{key}_id"] = (p := _parent(cleaned.pop(key), key, locked, acting_user)) and p.pk
        for key in ("deceased_parent_id", "surviving_parent_id", "guardian_id"):
            if cleaned.get(key) == locked.person_id:
                raise KernelError(_("A youth cannot be their own parent or guardian."), field=key.removesuffix("_id"))
        fields = [k for k in cleaned]
        before = snapshot(locked, fields)
        for key, value in cleaned.items():
            setattr(locked, key, value)
        if "deceased_parent_id" in cleaned and cleaned["deceased_parent_id"] and not locked.parent_died_on:
            locked.parent_died_on = Resident.objects.get(pk=cleaned["deceased_parent_id"]).died_on
        locked.save()
        old, new = changes(before, snapshot(locked, fields))
        if new:
            for key in set(new) & set(HEALTH_FIELDS + BANK_FIELDS):  # the trail says it changed, not to what
                old[key], new[key] = "***", "***"
            record(acting_user, "youthaid.update", locked, before=_jsonable(old), after=_jsonable(new), reason=reason)
    return locked


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def mask_account(number: str) -> str:
    if not number:
        return ""
    return "**** " + number[-4:]


def do_reveal(youth: Youth | int, *, fields: Sequence[str], reason: str, acting_user: User) -> dict[str, Any]:
    """Show health or bank data to a named role, and audit that they looked."""
    allowed = {"health": HEALTH, "bank": BANK}
    if not fields or set(fields) - set(allowed):
        raise KernelError(_("Only health and bank can be revealed."), field="fields")
    for f in fields:
        require_perm(acting_user, allowed[f])
    reason = _text(reason, "reason", minimum=4, limit=200)
    with transaction.atomic():
        locked = _lock(youth, acting_user, VIEW)
        for f in fields:
            if not _in_scope(acting_user, allowed[f], locked):
                raise NotFound()
        record_read(acting_user, locked, fields, reason=reason)
    out: dict[str, Any] = {}
    if "health" in fields:
        out.update(serious_illness=locked.serious_illness, health_note=locked.health_note)
    if "bank" in fields:
        out.update(bank_name=locked.bank_name, bank_account=locked.bank_account)
    return out
