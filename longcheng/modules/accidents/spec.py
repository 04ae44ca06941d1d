"""What accidents offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DemoStep, ModuleSpec, NavItem, Role, register_module

VIEW, MANAGE = "accidents.view", "accidents.manage"

PERMISSIONS = {
    VIEW: pgettext_lazy("accidents", "See the items"),
    MANAGE: pgettext_lazy("accidents", "Add items"),
}

ROLES = [
    # demo_scope: the place (by name) of the demo city this role's demo account works in; empty: the city.
    Role("accidents_clerk", pgettext_lazy("accidents", "Clerk of Accident quick handling"), frozenset({VIEW, MANAGE}),
         demo_scope="上书房社区"),
    Role("accidents_observer", pgettext_lazy("accidents", "Observer of Accident quick handling"), frozenset({VIEW})),
]


def _demo(**options: Any) -> None:
    from .demo import build

    build(**options)


SPEC = register_module(ModuleSpec(
    code="accidents",
    label=_("Accident quick handling"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[NavItem(_("Accident quick handling"), "accidents:items", VIEW, order=200)],
    demo=[DemoStep("accidents", _("Accident quick handling"), _demo, order=200)],
    urls="longcheng.modules.accidents.urls",
    api="longcheng.modules.accidents.api.router",
))
