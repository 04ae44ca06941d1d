from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError, PermissionDenied
from longcheng.kernel.people.validators import validate_phone
from longcheng.kernel.places.models import Place

from .models import Organisation, OrgKind
from .validators import validate_uscc


def do_register_organisation(
    *, kind: str, name: str, acting_user: Any, uscc: str | None = None, place: Place | None = None,
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
