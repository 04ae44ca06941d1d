"""What remediation offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DemoStep, ModuleSpec, NavItem, Role, register_module

VIEW, MANAGE = "remediation.view", "remediation.manage"

PERMISSIONS = {
    VIEW: pgettext_lazy("remediation", "See the items"),
    MANAGE: pgettext_lazy("remediation", "Add items"),
}

ROLES = [
    # demo_scope: the place (by name) of the demo city this role's demo account works in; empty: the city.
    Role("remediation_clerk", pgettext_lazy("remediation", "Clerk of Remediation campaigns"), frozenset({VIEW, MANAGE}),
         demo_scope="上书房社区"),
    Role("remediation_observer", pgettext_lazy("remediation", "Observer of Remediation campaigns"), frozenset({VIEW})),
]


def _demo(**options: Any) -> None:
    from .demo import build

    build(**options)


SPEC = register_module(ModuleSpec(
    code="remediation",
    label=_("Remediation campaigns"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[NavItem(_("Remediation campaigns"), "remediation:items", VIEW, order=200)],
    demo=[DemoStep("remediation", _("Remediation campaigns"), _demo, order=200)],
    urls="longcheng.modules.remediation.urls",
    api="longcheng.modules.remediation.api.router",
))
