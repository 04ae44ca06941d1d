"""Green islands recorded by the bureau: the island itself, its member firms (with the case that moved
each there) and the members' monthly transfer manifests. Each change is one transaction with its audit
row; the bureau (remediation.determine) acts at the island's place only, so a town's bureau cannot
record an island of another town, nor move one out of its area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, NotFound
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place

from .errors import ErrorCode
from .models import Case, Island, IslandMember, Manifest
from .spec import DETERMINE

MAX_CAPACITY = Decimal("1000000")
MAX_VOLUME_T = Decimal("100000")
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class IslandIn:
    name: str
    kind: str
    place: Place
    capacity: Decimal
    capacity_unit: str
    opened_on: dt.date
    operator: Organisation | None = None


def _island_problem(data: IslandIn, acting_user: User) -> KernelError | None:
    if not data.name.strip() or len(data.name.strip()) > 100:
        return KernelError(pgettext("remediation", "Name the island (at most 100 characters)."), code="required",
                           field="name")
    if data.kind not in Island.Kind.values:
        return KernelError(pgettext("remediation", "Choose the kind of island."), code="required", field="kind")
    if not place_in_scope(acting_user, DETERMINE, data.place.path):
        return KernelError(pgettext("remediation", "No place with this code in your area."),
                           code=ErrorCode.ISLAND, field="place")
    if not Decimal(0) < data.capacity <= MAX_CAPACITY:
        return KernelError(pgettext("remediation", "Capacity: more than 0, at most 1,000,000."), code="invalid",
                           field="capacity")
    if data.capacity_unit not in Island.Unit.values:
        return KernelError(pgettext("remediation", "Choose the unit of the capacity."), code="required",
                           field="capacity_unit")
    if not EARLIEST <= data.opened_on <= dt.date(2100, 1, 1):
        return KernelError(pgettext("remediation", "A date from 2000 to 2100."), code="invalid_date",
                           field="opened_on")
    return None


def _values(island: Island) -> dict[str, str]:
    return {"name": island.name, "kind": island.kind, "place": island.place.code,
            "operator": island.operator.name if island.operator else "", "capacity": str(island.capacity),
            "capacity_unit": island.capacity_unit, "opened_on": island.opened_on.isoformat()}


def do_save_island(island_id: int | None, data: IslandIn, *, acting_user: User) -> Island:
    """Record a new island (island_id None) or correct one: the bureau at its place (old and new)."""
    require_perm(acting_user, DETERMINE)
    with transaction.atomic():
        before: dict[str, str] = {}
        if island_id is None:
            island = Island()
        else:
            island = Island.objects.select_for_update(of=("self",)).select_related("place", "operator").filter(
                pk=island_id).first() or Island()
            if island.pk is None or not place_in_scope(acting_user, DETERMINE, island.place.path):
                raise NotFound()
            before = _values(island)
        problem = _island_problem(data, acting_user)
        if problem:
            raise problem
        island.name, island.kind, island.place = data.name.strip(), data.kind, data.place
        island.operator, island.capacity, island.capacity_unit = data.operator, data.capacity, data.capacity_unit
        island.opened_on = data.opened_on
        island.save()
        after = _values(island)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        record(acting_user, "remediation.island.update" if before else "remediation.island.create", island,
               before={k: before[k] for k in changed if k in before}, after=changed)
    return island


def _lock_island(acting_user: User, island_id: int) -> Island:
    require_perm(acting_user, DETERMINE)
    island = Island.objects.select_for_update(of=("self",)).select_related("place").filter(pk=island_id).first()
    if island is None or not place_in_scope(acting_user, DETERMINE, island.place.path):
        raise NotFound()
    return island


def _lock_member(acting_user: User, member_id: int) -> IslandMember:
    require_perm(acting_user, DETERMINE)
    member = (IslandMember.objects.select_for_update(of=("self",)).select_related("island__place", "firm")
              .filter(pk=member_id).first())
    if member is None or not place_in_scope(acting_user, DETERMINE, member.island.place.path):
        raise NotFound()
    return member


def do_add_island_member(island_id: int, *, firm: Organisation, joined_on: dt.date, acting_user: User,
                         case_id: int | None = None) -> IslandMember:
    """A firm joins the island; `case_id` names the firm's remediation case that moved it there (a case
    the bureau sees: of this firm, at a place within the bureau's area)."""
    with transaction.atomic():
        island = _lock_island(acting_user, island_id)
        case = None
        if case_id is not None:
            case = Case.objects.select_related("place").filter(pk=case_id, firm=firm).first()
            if case is None or not place_in_scope(acting_user, DETERMINE, case.place.path):
                raise KernelError(pgettext("remediation", "No case of this firm with this number in your area."),
                                  code=ErrorCode.ISLAND, field="case")
        if not EARLIEST <= joined_on <= dt.date(2100, 1, 1) or joined_on < island.opened_on:
            raise KernelError(pgettext("remediation", "A firm joins on or after the day the island came into "
                                       "service."), code="invalid_date", field="joined_on")
        try:
            with transaction.atomic():
                member = IslandMember.objects.create(island=island, firm=firm, case=case, joined_on=joined_on)
        except IntegrityError as exc:
            raise Conflict(pgettext("remediation", "This firm is already a member of the island."),
                           code=ErrorCode.ISLAND, field="firm") from exc
        record(acting_user, "remediation.island_member.add", island, after={
            "firm": firm.name, "case": case_id, "joined_on": joined_on.isoformat()})
    return member


def do_end_island_member(member_id: int, *, left_on: dt.date, acting_user: User) -> IslandMember:
    """A member firm leaves the island (once); its manifests stay."""
    with transaction.atomic():
        member = _lock_member(acting_user, member_id)
        if member.left_on is not None:
            raise Conflict(pgettext("remediation", "This firm has already left the island."), code=ErrorCode.ISLAND,
                           field="left_on")
        if not member.joined_on <= left_on <= dt.date(2100, 1, 1):
            raise KernelError(pgettext("remediation", "A firm leaves on or after the day it joined."),
                              code="invalid_date", field="left_on")
        member.left_on = left_on
        member.save(update_fields=["left_on"])
        record(acting_user, "remediation.island_member.end", member.island, before={"left_on": None},
               after={"firm": member.firm.name, "left_on": left_on.isoformat()})
    return member


def do_record_manifest(member_id: int, *, number: str, month: dt.date, material: str, volume_t: Decimal,
                       acting_user: User) -> Manifest:
    """One month's electronic transfer manifest (转移联单) of a member; its number is unique in the city."""
    number = number.strip()
    with transaction.atomic():
        member = _lock_member(acting_user, member_id)
        if not number or len(number) > 32:
            raise KernelError(pgettext("remediation", "The manifest's number is required (at most 32 characters)."),
                              code="required", field="number")
        month = month.replace(day=1)
        joined = member.joined_on.replace(day=1)
        left = member.left_on.replace(day=1) if member.left_on else dt.date(2100, 1, 1)
        if not joined <= month <= left:
            raise KernelError(pgettext("remediation", "A month while the firm was a member."), code="invalid_date",
                              field="month")
        if material not in Island.Kind.values:
            raise KernelError(pgettext("remediation", "Choose what was sent."), code="required", field="material")
        if not Decimal(0) < volume_t <= MAX_VOLUME_T:
            raise KernelError(pgettext("remediation", "Volume: more than 0, at most 100,000 t."), code="invalid",
                              field="volume_t")
        try:
            with transaction.atomic():
                manifest = Manifest.objects.create(member=member, number=number, month=month, material=material,
                                                   volume_t=volume_t)
        except IntegrityError as exc:
            raise Conflict(pgettext("remediation", "A manifest with this number is already recorded."),
                           code=ErrorCode.ISLAND, field="number") from exc
        record(acting_user, "remediation.manifest.record", member.island, after={
            "firm": member.firm.name, "number": number, "month": month.strftime("%Y-%m"), "volume_t": str(volume_t)})
    return manifest
