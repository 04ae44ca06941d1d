"""Hope parents: registration, vetting, pairing with a youth and contacts."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound, PermissionDenied
from longcheng.kernel.people.validators import validate_phone
from longcheng.kernel.places.models import Place

from ..access import _lock
from ..errors import ErrorCode as Code
from ..models import (
    CaseStatus,
    Contact,
    ContactKind,
    Pairing,
    VettingStatus,
    Volunteer,
    Youth,
)
from . import common
from .common import MANAGE, _date, _text


def do_register_volunteer(*, name: str, phone: str, place: Place | None, acting_user: User,
                          occupation: str = "") -> Volunteer:
    require_perm(acting_user, MANAGE)
    name = _text(name, "name", limit=50)
    phone = validate_phone(phone, required=True)
    if place is None:
        raise KernelError(_("Choose where the volunteer lives."), code=ErrorCode.REQUIRED, field="place")
    if not place_in_scope(acting_user, MANAGE, place.path):
        raise PermissionDenied(_("This place is outside your scope."), field="place")
    with transaction.atomic():
        if Volunteer.objects.filter(phone=phone).exists():
            raise KernelError(_("A volunteer with this phone is registered."), code=Code.VOLUNTEER_REGISTERED, field="phone")
        volunteer = Volunteer.objects.create(name=name, phone=phone, place=place, occupation=occupation.strip()[:60])
        record(acting_user, "youthaid.volunteer", volunteer, after={"name": name})
    return volunteer


def do_vet_volunteer(volunteer: Volunteer | int, *, status: str, note: str, acting_user: User) -> Volunteer:
    if status not in (VettingStatus.VETTED, VettingStatus.REJECTED, VettingStatus.SUSPENDED):
        raise KernelError(_("Choose vetted, not accepted or suspended."), field="status")
    note = _text(note, "vetting_note", minimum=2, limit=300)
    require_perm(acting_user, MANAGE)
    with transaction.atomic():
        pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
        locked = restrict(Volunteer.objects.select_for_update(), acting_user, MANAGE).filter(pk=pk).first()
        if locked is None:
            raise NotFound()
        before = locked.status
        locked.status, locked.vetting_note, locked.vetted_by, locked.vetted_at = status, note, acting_user, timezone.now()
        locked.save()
        if status != VettingStatus.VETTED:  # a suspended volunteer's pairings end today
            Pairing.objects.filter(volunteer=locked, ended_on__isnull=True).update(ended_on=common._today())
        record(acting_user, "youthaid.vet", locked, before={"status": before}, after={"status": status}, reason=note)
    return locked


def do_pair(volunteer: Volunteer | int, youth: Youth | int, *, acting_user: User, on: Any = None) -> Pairing:
    day = _date(on, "started_on") if on else common._today()
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
        vol = restrict(Volunteer.objects.all(), acting_user, MANAGE).filter(pk=pk).first()
        if vol is None:
            raise KernelError(_("Choose a volunteer."), code=ErrorCode.NOT_FOUND, field="volunteer")
        if vol.status != VettingStatus.VETTED:
            raise KernelError(_("Only a vetted volunteer can be paired with a youth."), field="volunteer")
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Pair hope parents with youths under monitoring."), code=Code.CASE_NOT_MONITORED,
                              field="youth")
        if Pairing.objects.filter(youth=locked, ended_on__isnull=True).exists():
            raise KernelError(_("This youth already has a hope parent; end that pairing first."),
                              code=Code.ALREADY_PAIRED, field="youth")
        try:
            with transaction.atomic():
                pairing = Pairing.objects.create(volunteer=vol, youth=locked, started_on=day, created_by=acting_user)
        except IntegrityError as exc:
            raise KernelError(_("This youth already has a hope parent; end that pairing first."),
                              code=Code.ALREADY_PAIRED, field="youth") from exc
        record(acting_user, "youthaid.pair", locked, after={"volunteer": vol.pk, "on": day.isoformat()})
    return pairing


def do_end_pairing(pairing: Pairing | int, *, reason: str, acting_user: User) -> Pairing:
    reason = _text(reason, "reason", minimum=2, limit=200)
    with transaction.atomic():
        pk = pairing.pk if isinstance(pairing, Pairing) else pairing
        found = Pairing.objects.filter(pk=pk).first()
        if found is None:
            raise NotFound()
        locked = _lock(found.youth_id, acting_user, MANAGE)
        if found.ended_on is not None:
            raise KernelError(_("This pairing has ended."), code=Code.PAIRING_ENDED)
        found.ended_on = common._today()
        found.save(update_fields=["ended_on"])
        record(acting_user, "youthaid.unpair", locked, after={"volunteer": found.volunteer_id}, reason=reason)
    return found


def do_log_contact(pairing: Pairing | int, *, on: Any, kind: str, note: str, acting_user: User) -> Contact:
    day = _date(on, "on")
    if day > common._today():
        raise KernelError(_("The date cannot be in the future."), code=ErrorCode.INVALID_DATE, field="on")
    if kind not in ContactKind.values:
        raise KernelError(_("Choose the kind of contact."), field="kind")
    note = _text(note, "note", minimum=2)
    with transaction.atomic():
        pk = pairing.pk if isinstance(pairing, Pairing) else pairing
        found = Pairing.objects.filter(pk=pk).first()
        if found is None:
            raise NotFound()
        _lock(found.youth_id, acting_user, MANAGE)
        if day < found.started_on:
            raise KernelError(_("The date is before the pairing began."), code=ErrorCode.INVALID_DATE, field="on")
        if found.ended_on is not None and day > found.ended_on:
            raise KernelError(_("This pairing has ended."), code=ErrorCode.INVALID_DATE, field="on")
        contact = Contact.objects.create(pairing=found, on=day, kind=kind, note=note, by=acting_user)
        record(acting_user, "youthaid.contact", found.youth, after={"pairing": found.pk, "kind": kind})
    return contact
