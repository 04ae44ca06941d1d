"""Every change in platformdoor: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.places.models import Place

from . import rules
from .errors import ErrorCode
from .models import Item
from .spec import MANAGE


def do_create_item(*, name: str, place: Place, acting_user: User) -> Item:
    require_perm(acting_user, MANAGE)
    problem = rules.name_problem(name)
    if problem:
        raise KernelError(problem, field="name")
    if not place_in_scope(acting_user, MANAGE, place.path):
        raise PermissionDenied(pgettext("platformdoor", "This place is outside your scope."), field="place")
    duplicate = KernelError(pgettext("platformdoor", "This place already has an item of this name."),
                            code=ErrorCode.DUPLICATE_ITEM, field="name")
    try:
        with transaction.atomic():
            if Item.objects.filter(place=place, name=name.strip()).exists():
                raise duplicate
            item = Item.objects.create(name=name.strip(), place=place)
            record(acting_user, "platformdoor.item.create", item, after={"name": item.name, "place": place.code})
    except IntegrityError as exc:
        raise duplicate from exc
    return item
