"""platformdoor's share of the demo city. Idempotent: a second run adds nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from longcheng.kernel.places.models import Place

from .models import Item


@transaction.atomic
def build(*, log: Any = print, **options: Any) -> None:
    place = Place.objects.filter(name="上书房社区").order_by("depth", "code").first()
    if place is None:
        return
    Item.objects.get_or_create(place=place, name="演示事项")
    log(f"  platformdoor: {Item.objects.count()} items")
