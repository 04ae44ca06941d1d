"""platformdoor's API under /api/v1/platformdoor/: parse, authorise, call an action."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema, Status

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.errors import NotFound
from longcheng.kernel.places.models import Place

from . import access, actions
from .spec import MANAGE, VIEW

router = Router(tags=["platformdoor"])


class ItemOut(Schema):
    id: int
    name: str
    place: str = Field(alias="place.code")


class ItemIn(Schema):
    name: str
    place: str


@router.get("/items", response=list[ItemOut])
def list_items(request: StaffRequest) -> Any:
    require_perm(request.user, VIEW)
    return list(access.items_for(request.user)[:500])


@router.get("/items/{pk}", response=ItemOut)
def get_item(request: StaffRequest, pk: int) -> Any:
    require_perm(request.user, VIEW)
    return access.item_for(request.user, pk)


@router.post("/items", response={201: ItemOut})
def create_item(request: StaffRequest, payload: ItemIn) -> Any:
    require_perm(request.user, MANAGE)
    place = Place.objects.filter(code=payload.place).first()
    if place is None:
        raise NotFound(field="place")
    return Status(201, actions.do_create_item(name=payload.name, place=place, acting_user=request.user))
