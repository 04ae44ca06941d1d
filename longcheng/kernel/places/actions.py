from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError

from .models import ALLOWED_CHILDREN, Level, Place


def do_create_place(
    *, code: str, name: str, level: str, parent: Place | None, acting_user: User | None,
    official_code: bool = True, outline: dict[str, Any] | None = None,
) -> Place:
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        raise KernelError(_("A place needs a code."), code=ErrorCode.REQUIRED, field="code")
    if not name:
        raise KernelError(_("A place needs a name."), code=ErrorCode.REQUIRED, field="name")
    if level not in Level.values:
        raise KernelError(_("Unknown place level."), code=ErrorCode.INVALID_PLACE, field="level")
    if parent is None and level != Level.CITY:
        raise KernelError(_("Only a city may have no parent place."), code=ErrorCode.INVALID_PLACE, field="parent")
    if parent is not None and level not in ALLOWED_CHILDREN[parent.level]:
        raise KernelError(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": Level(level).label, "parent": Level(parent.level).label},
            code=ErrorCode.INVALID_PLACE,
            field="level",
        )
    with transaction.atomic():
        if Place.objects.filter(code=code).exists():
            raise KernelError(_("A place with this code already exists."), code=ErrorCode.CONFLICT, field="code")
        place = Place(code=code, name=name, level=level, parent=parent, official_code=official_code,
                      outline=outline)
        place.path = place.compute_path()
        place.depth = (parent.depth + 1) if parent else 0
        place.save()
        record(acting_user, "places.create", place, after={"code": code, "name": name, "level": level,
                                                           **({"outline": True} if outline else {})})
    return place


def do_update_place(place: Place, *, name: str, outline: dict[str, Any] | None, acting_user: User | None) -> bool:
    """Rename a place and replace its outline (a place keeps its code, level and parent: moving a
    place would move every path below it). Returns whether anything changed; no change, no row."""
    name = (name or "").strip()
    if not name:
        raise KernelError(_("A place needs a name."), code=ErrorCode.REQUIRED, field="name")
    with transaction.atomic():
        locked = Place.objects.select_for_update().get(pk=place.pk)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if locked.name != name:
            before["name"], after["name"] = locked.name, name
        if outline is not None and locked.outline != outline:
            before["outline"], after["outline"] = locked.outline is not None, True
        if not after:
            return False
        locked.name = name
        locked.outline = outline if outline is not None else locked.outline
        locked.save(update_fields=["name", "outline"])
        record(acting_user, "places.update", locked, before=before, after=after)
    return True
