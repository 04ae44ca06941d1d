"""What cleanaudit offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DemoStep, ModuleSpec, NavItem, Role, later, register_module

VIEW, MANAGE = "cleanaudit.view", "cleanaudit.manage"

PERMISSIONS = {
    VIEW: pgettext_lazy("cleanaudit", "See the items"),
    MANAGE: pgettext_lazy("cleanaudit", "Add items"),
}

ROLES = [
    # demo_scope: the place (by name) of the demo city this role's demo account works in; empty: the city.
    Role("cleanaudit_clerk", pgettext_lazy("cleanaudit", "Clerk of Cleaner-production audits"), frozenset({VIEW, MANAGE}),
         demo_scope="上书房社区"),
    Role("cleanaudit_observer", pgettext_lazy("cleanaudit", "Observer of Cleaner-production audits"), frozenset({VIEW})),
]


SPEC = register_module(ModuleSpec(
    code="cleanaudit",
    label=_("Cleaner-production audits"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[NavItem(_("Cleaner-production audits"), "cleanaudit:items", VIEW, order=200)],
    demo=[DemoStep("cleanaudit", _("Cleaner-production audits"), later("longcheng.modules.cleanaudit.demo.build"), order=200)],
    urls="longcheng.modules.cleanaudit.urls",
    api="longcheng.modules.cleanaudit.api.router",
))
