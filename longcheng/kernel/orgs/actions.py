from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import entry, record, record_many
from longcheng.kernel.errors import ErrorCode, KernelError, PermissionDenied
from longcheng.kernel.people.validators import validate_phone
from longcheng.kernel.places.models import Place

from .models import Organisation, OrgKind
from .validators import validate_uscc


def do_register_organisation(
    *, kind: str, name: str, acting_user: User, uscc: str | None = None, place: Place | None = None,
    parent: Organisation | None = None, address: str = "", phone: str = "", code: str | None = None,
) -> Organisation:
    require_perm(acting_user, "orgs.manage")
    if kind not in OrgKind.values:
        raise KernelError(_("Unknown kind of organisation."), field="kind")
    name = (name or "").strip()
    if not name:
        raise KernelError(_("A name is required."), code=ErrorCode.REQUIRED, field="name")
    if kind in (OrgKind.ENTERPRISE, OrgKind.INDIVIDUAL_BUSINESS) or uscc:
        uscc = validate_uscc(uscc)
    else:
        uscc = None
    phone = validate_phone(phone)
    if place is not None and not place_in_scope(acting_user, "orgs.manage", place.path):
        raise PermissionDenied(_("This place is outside your scope."), field="place")
    try:
        with transaction.atomic():
            if uscc and Organisation.objects.filter(uscc=uscc).exists():
                raise KernelError(_("An organisation with this credit code is already registered."),
                                  code=ErrorCode.DUPLICATE_USCC, field="uscc")
            org = Organisation.objects.create(kind=kind, name=name, uscc=uscc, place=place, parent=parent,
                                              address=address, phone=phone, code=code)
            record(acting_user, "orgs.register", org, after={"kind": kind, "name": name, "uscc": uscc})
    except IntegrityError as exc:
        raise KernelError(_("An organisation with this credit code is already registered."),
                          code=ErrorCode.DUPLICATE_USCC, field="uscc") from exc
    return org


# What a module's completed procedure may change in an organisation (a relocation moves it, a
# deregistration closes it); names, credit codes and the hierarchy stay with orgs.manage.
CHANGEABLE = ("place", "address", "closed_on")


@dataclass(frozen=True)
class OrganisationChange:
    """New values for some fields of one organisation, with the audit action and reason that name
    the procedure deciding it (e.g. `onestop.relocation`, "One-stop case 12 completed")."""

    organisation_id: int
    values: Mapping[str, Any]
    action: str
    reason: str


def _plain(value: Any) -> Any:
    """A field as the audit keeps it: a place by its code, a date as ISO text."""
    if isinstance(value, Place):
        return str(value.code)
    return value.isoformat() if isinstance(value, dt.date) else value


def do_change_organisations(changes: Sequence[OrganisationChange], *, acting_user: User) -> list[Organisation]:
    """Apply the outcome of a module's procedure to organisations: the rows locked in id order, each
    change checked against the field's own rules, one UPDATE per set of changed fields
    (bulk_update), one audit row per change with the fields' values before and after.

    The caller has authorised the procedure (a clerk completing a case in their scope); the acting
    user may have no orgs.manage, and the organisation may lie outside their scope (a receiving
    district moves an enterprise in). All or nothing: a value the directory cannot hold refuses
    every change, naming the field, and the caller's transaction writes nothing."""
    if not changes:
        return []
    for change in changes:
        unknown = set(change.values) - set(CHANGEABLE)
        if unknown:
            raise ValueError(f"{change.action} may not change {sorted(unknown)} of an organisation")
        if not change.reason.strip():
            raise ValueError(f"{change.action}: a change of an organisation names its reason")
    with transaction.atomic():
        ids = sorted({c.organisation_id for c in changes})
        orgs = {o.pk: o for o in Organisation.objects.select_for_update(of=("self",)).select_related("place")
                .filter(pk__in=ids).order_by("pk")}
        rows = []
        by_fields: dict[tuple[str, ...], dict[int, Organisation]] = {}
        for change in changes:
            org = orgs[change.organisation_id]
            fields = tuple(change.values)
            before = {name: _plain(getattr(org, name)) for name in fields}
            for name, value in change.values.items():
                setattr(org, name, value)
            # The fields' own rules (length, date); a place is an instance the caller has read, so
            # the foreign key's existence query (one per row) is left to the database's constraint.
            checked = [name for name in fields if name != "place"]
            try:
                org.clean_fields(exclude=[f.name for f in Organisation._meta.fields if f.name not in checked])
            except ValidationError as exc:
                name = next(iter(exc.message_dict))
                raise KernelError(" ".join(exc.message_dict[name]), field=name) from exc
            after = {name: _plain(getattr(org, name)) for name in fields}
            by_fields.setdefault(tuple(sorted(fields)), {})[org.pk] = org  # saved once, as it ends up
            rows.append(entry(acting_user, change.action, org, before=before, after=after, reason=change.reason))
        for fields, changed in by_fields.items():
            Organisation.objects.bulk_update(list(changed.values()), list(fields))
        record_many(rows)
        return list(orgs.values())
