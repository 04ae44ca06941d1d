"""platformdoor's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: one item in 上书房社区 (city["a"])."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World


def _world(world: World) -> dict[str, Any]:
    from longcheng.modules.platformdoor.models import Item

    return {"item": Item.objects.create(name="矩阵事项", place=world["city"]["a"])}


VIEW, MANAGE = "platformdoor.view", "platformdoor.manage"

PAGES = [
    Page("platformdoor:items", VIEW, post_permission=MANAGE,
         post=lambda w: {"name": "新事项", "place": w["city"]["a"].pk}),
    Page("platformdoor:item", VIEW, lambda w: [w["platformdoor"]["item"].pk], within="a"),
]

API = [
    Api("GET", "/api/v1/platformdoor/items", VIEW),
    Api("GET", "/api/v1/platformdoor/items/{pk}", VIEW, lambda w: {"pk": w["platformdoor"]["item"].pk}, within="a"),
    Api("POST", "/api/v1/platformdoor/items", MANAGE, within="a",
        body=lambda w: {"name": "新事项", "place": w["city"]["a"].code}),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
