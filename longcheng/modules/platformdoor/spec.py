"""What platformdoor offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DemoStep, ModuleSpec, NavItem, Role, later, register_module

VIEW, MANAGE = "platformdoor.view", "platformdoor.manage"

PERMISSIONS = {
    VIEW: pgettext_lazy("platformdoor", "See the items"),
    MANAGE: pgettext_lazy("platformdoor", "Add items"),
}

ROLES = [
    # demo_scope: the place (by name) of the demo city this role's demo account works in; empty: the city.
    Role("platformdoor_clerk", pgettext_lazy("platformdoor", "Clerk of Platform doors"), frozenset({VIEW, MANAGE}),
         demo_scope="上书房社区"),
    Role("platformdoor_observer", pgettext_lazy("platformdoor", "Observer of Platform doors"), frozenset({VIEW})),
]


SPEC = register_module(ModuleSpec(
    code="platformdoor",
    label=_("Platform doors"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[NavItem(_("Platform doors"), "platformdoor:items", VIEW, order=200)],
    demo=[DemoStep("platformdoor", _("Platform doors"), later("longcheng.modules.platformdoor.demo.build"), order=200)],
    urls="longcheng.modules.platformdoor.urls",
    api="longcheng.modules.platformdoor.api.router",
))
