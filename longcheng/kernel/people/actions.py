"""Every change to people data. Each action runs in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import registry
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm, restrict
from longcheng.kernel.audit.actions import changes, record, record_read, snapshot
from longcheng.kernel.errors import ErrorCode, KernelError, PermissionDenied
from longcheng.kernel.places.models import Place

from .models import INVERSE, Consent, Household, RelationKind, Relationship, Resident
from .validators import age_on, birth_date_of, gender_of, validate_phone, validate_resident_id

# PIPL art. 31: personal information of a minor under 14 needs a guardian's consent.
GUARDIAN_CONSENT_AGE = 14
AUDITED_FIELDS = ("name", "phone", "place_id", "household_id", "address", "died_on")


def _check_place(user: Any, place: Place | None, permission: str) -> None:
    if place is not None and not place_in_scope(user, permission, place.path):
        raise PermissionDenied(_("This place is outside your scope."), field="place")


def do_register_resident(
    *, resident_id: str, name: str, place: Place | None, acting_user: User, phone: str = "",
    address: str = "", household: Household | None = None,
) -> Resident:
    require_perm(acting_user, "people.manage")
    number = validate_resident_id(resident_id)
    name = (name or "").strip()
    if not name:
        raise KernelError(_("A name is required."), code=ErrorCode.REQUIRED, field="name")
    if len(name) > 50:
        raise KernelError(_("A name has at most 50 characters."), field="name")
    phone = validate_phone(phone)
    _check_place(acting_user, place, "people.manage")
    try:
        with transaction.atomic():
            if Resident.objects.filter(resident_id=number).exists():
                raise KernelError(
                    _("A resident with this ID number is already registered."),
                    code=ErrorCode.DUPLICATE_RESIDENT, field="resident_id",
                )
            person = Resident.objects.create(
                resident_id=number, name=name, gender=gender_of(number), birth_date=birth_date_of(number),
                phone=phone, place=place, address=address.strip(), household=household,
            )
            record(acting_user, "people.register", person, after=snapshot(person, AUDITED_FIELDS))
    except IntegrityError as exc:
        # Two clerks registering the same person at once: the unique constraint decides.
        raise KernelError(
            _("A resident with this ID number is already registered."),
            code=ErrorCode.DUPLICATE_RESIDENT, field="resident_id",
        ) from exc
    return person


def do_update_resident(person: Resident, *, acting_user: User, reason: str = "", **fields: Any) -> Resident:
    require_perm(acting_user, "people.manage")
    allowed = {"name", "phone", "place", "address", "household"}
    unknown = set(fields) - allowed
    if unknown:
        raise KernelError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "phone" in fields:
        fields["phone"] = validate_phone(fields["phone"])
    if "name" in fields and not (fields["name"] or "").strip():
        raise KernelError(_("A name is required."), code=ErrorCode.REQUIRED, field="name")
    if "place" in fields:
        _check_place(acting_user, fields["place"], "people.manage")
    with transaction.atomic():
        locked = Resident.objects.select_for_update().get(pk=person.pk)
        _check_place(acting_user, locked.place, "people.manage")
        before = snapshot(locked, AUDITED_FIELDS)
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.save()
        old, new = changes(before, snapshot(locked, AUDITED_FIELDS))
        if new:
            record(acting_user, "people.update", locked, before=old, after=new, reason=reason)
    return locked


def do_record_death(person: Resident, *, died_on: dt.date, acting_user: User, reason: str = "") -> Resident:
    """Record a death in the registry and tell the modules (e.g. the youth aid fund puts the
    deceased's minor children on its outreach list) in the same transaction."""
    require_perm(acting_user, "people.manage")
    if died_on > timezone.localdate():
        raise KernelError(_("A date of death cannot be in the future."), code=ErrorCode.INVALID_DATE, field="died_on")
    if died_on < person.birth_date:
        raise KernelError(_("A date of death cannot be before the birth date."), code=ErrorCode.INVALID_DATE, field="died_on")
    with transaction.atomic():
        locked = Resident.objects.select_for_update().get(pk=person.pk)
        _check_place(acting_user, locked.place, "people.manage")
        if locked.died_on is not None:
            raise KernelError(_("A death is already recorded for this person."), code=ErrorCode.CONFLICT, field="died_on")
        locked.died_on = died_on
        locked.save(update_fields=["died_on", "updated_at"])
        record(acting_user, "people.death", locked, before={"died_on": None}, after={"died_on": died_on}, reason=reason)
        registry.emit("person.died", person=locked, acting_user=acting_user)
    return locked


def do_link_relative(
    person: Resident, relative: Resident, *, kind: str, acting_user: User, is_guardian: bool = False,
    is_family_contact: bool = False, contact_order: int = 1,
) -> Relationship:
    require_perm(acting_user, "people.manage")
    if kind not in RelationKind.values:
        raise KernelError(_("Unknown kind of relationship."), field="kind")
    if person.pk == relative.pk:
        raise KernelError(_("A person cannot be their own relative."), field="relative")
    with transaction.atomic():
        _check_place(acting_user, person.place, "people.manage")
        link, created = Relationship.objects.update_or_create(
            person=person, relative=relative,
            defaults={"kind": kind, "is_guardian": is_guardian, "is_family_contact": is_family_contact,
                      "contact_order": contact_order},
        )
        inverse = INVERSE.get(RelationKind(kind))
        if inverse is not None:
            Relationship.objects.get_or_create(person=relative, relative=person, defaults={"kind": inverse})
        record(
            acting_user, "people.link" if created else "people.relink", person,
            after={"relative": relative.pk, "kind": kind, "guardian": is_guardian, "contact": is_family_contact},
        )
    return link


def is_guardian_of(guardian: Resident, subject: Resident) -> bool:
    return Relationship.objects.filter(person=subject, relative=guardian, is_guardian=True).exists()


def do_record_consent(
    subject: Resident, *, given_by: Resident, purpose: str, scope: str, acting_user: User,
    sensitive: bool = False, given_at: dt.datetime | None = None, permission: str = "people.manage",
) -> Consent:
    """`permission`: a module recording consent for its own purpose (e.g. youthaid.manage) passes its
    own permission, so its case workers need not maintain the resident registry."""
    require_perm(acting_user, permission)
    purpose = (purpose or "").strip()
    if not purpose:
        raise KernelError(_("A consent needs a purpose."), code=ErrorCode.REQUIRED, field="purpose")
    if not (scope or "").strip():
        raise KernelError(_("A consent needs a scope: which data, for what use."), code=ErrorCode.REQUIRED, field="scope")
    when = given_at or timezone.now()
    if age_on(subject.birth_date, timezone.localtime(when).date()) < GUARDIAN_CONSENT_AGE:
        if not is_guardian_of(given_by, subject):
            raise KernelError(
                _("For a person under 14, consent must be given by a recorded guardian (PIPL art. 31)."),
                code=ErrorCode.CONSENT_REQUIRED, field="given_by",
            )
    elif given_by.pk != subject.pk and not is_guardian_of(given_by, subject):
        raise KernelError(
            _("From 14 on, a person consents for themselves unless a guardian is recorded."),
            code=ErrorCode.CONSENT_REQUIRED, field="given_by",
        )
    with transaction.atomic():
        consent = Consent.objects.create(
            subject=subject, given_by=given_by, purpose=purpose, scope=scope.strip(), sensitive=sensitive,
            given_at=when, recorded_by=acting_user,
        )
        record(acting_user, "people.consent", subject, after={"purpose": purpose, "sensitive": sensitive,
                                                               "given_by": given_by.pk})
    return consent


def do_withdraw_consent(consent: Consent, *, acting_user: User, reason: str = "") -> Consent:
    require_perm(acting_user, "people.manage")
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        if not updated:
            raise KernelError(_("This consent is already withdrawn."), code=ErrorCode.CONFLICT)
        consent.refresh_from_db()
        record(acting_user, "people.consent_withdrawn", consent.subject, after={"purpose": consent.purpose},
               reason=reason)
    return consent


def has_consent(subject: Resident, purpose: str, *, sensitive: bool = False) -> bool:
    qs = Consent.objects.filter(subject=subject, purpose=purpose, withdrawn_at__isnull=True)
    if sensitive:
        qs = qs.filter(sensitive=True)
    return qs.exists()


REVEALABLE = {"resident_id", "phone"}


def do_search_by_id(number: str, *, reason: str, acting_user: User) -> list[Resident]:
    """A search by an exact ID number is a reveal: it confirms a number, so it needs people.reveal
    where the person lives and a reason, and each person found is an audited read. Without the
    right or the reason the answer is the one for a number nobody holds: nothing (no error that
    would tell the two apart)."""
    number = (number or "").strip().upper()
    reason = (reason or "").strip()
    if len(number) != 18 or len(reason) < 4:
        return []
    found = list(restrict(Resident.objects.select_related("place"), acting_user, "people.reveal")
                 .filter(resident_id=number))
    with transaction.atomic():
        for person in found:
            record(acting_user, "people.search_by_id", person, after={"fields": ["resident_id"]}, reason=reason,
                   is_read=True)
    return found


def do_reveal(person: Resident, *, fields: list[str], reason: str, acting_user: User) -> dict[str, str]:
    """Unmask identifiers for someone entitled to see them, and audit that they did."""
    require_perm(acting_user, "people.reveal")
    if not place_in_scope(acting_user, "people.reveal", person.place.path if person.place else "\0"):
        raise PermissionDenied()
    unknown = set(fields) - REVEALABLE
    if not fields or unknown:
        raise KernelError(_("Only resident_id and phone can be revealed."), field="fields")
    if len((reason or "").strip()) < 4:
        raise KernelError(_("Say why you need to see this (at least 4 characters)."), code=ErrorCode.REQUIRED,
                          field="reason")
    record_read(acting_user, person, fields, reason=reason.strip())
    return {f: getattr(person, f) for f in fields}
