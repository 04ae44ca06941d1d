"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from longcheng.kernel.access.scope import access_object, restrict

from .models import Item
from .spec import VIEW


def items_for(user: Any, permission: str = VIEW) -> QuerySet[Item]:
    return restrict(Item.objects.select_related("place"), user, permission).order_by("name", "pk")


def item_for(user: Any, pk: int, permission: str = VIEW) -> Item:
    return access_object(Item, user, pk, permission)
