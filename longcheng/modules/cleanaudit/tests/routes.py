"""cleanaudit's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: one item in 上书房社区 (city["a"])."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World


def _world(world: World) -> dict[str, Any]:
    from longcheng.modules.cleanaudit.models import Item

    return {"item": Item.objects.create(name="矩阵事项", place=world["city"]["a"])}


VIEW, MANAGE = "cleanaudit.view", "cleanaudit.manage"

PAGES = [
    Page("cleanaudit:items", VIEW, post_permission=MANAGE,
         post=lambda w: {"name": "新事项", "place": w["city"]["a"].pk}),
    Page("cleanaudit:item", VIEW, lambda w: [w["cleanaudit"]["item"].pk], within="a"),
]

API = [
    Api("GET", "/api/v1/cleanaudit/items", VIEW),
    Api("GET", "/api/v1/cleanaudit/items/{pk}", VIEW, lambda w: {"pk": w["cleanaudit"]["item"].pk}, within="a"),
    Api("POST", "/api/v1/cleanaudit/items", MANAGE, within="a",
        body=lambda w: {"name": "新事项", "place": w["city"]["a"].code}),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
