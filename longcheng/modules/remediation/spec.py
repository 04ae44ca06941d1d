"""What remediation offers the kernel: permissions, roles, pages, API, dashboard panel and demo.

Permissions:
- remediation.view: see cases, sites and totals in scope (bureaus, the campaign office).
- remediation.inspect: record inspections and rebound checks on a phone (street and town patrols).
- remediation.determine: determine targets (认定), set the plan (一企一策), accept the work (bureaus).
- remediation.close: 销号 (the campaign office).
- remediation.respond: a firm's own staff (User.organisation) see their own cases and upload evidence.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import (
    DashboardPanel,
    DemoStep,
    ModuleSpec,
    NavItem,
    Role,
    later,
    register_module,
)

from .campaigns import STAGES
from .personal import RETENTION, personal_data

VIEW, INSPECT, DETERMINE = "remediation.view", "remediation.inspect", "remediation.determine"
CLOSE, RESPOND = "remediation.close", "remediation.respond"

PERMISSIONS = {
    VIEW: pgettext_lazy("remediation", "See remediation cases and totals"),
    INSPECT: pgettext_lazy("remediation", "Record remediation inspections"),
    DETERMINE: pgettext_lazy("remediation", "Determine targets, set plans and accept remediation"),
    CLOSE: pgettext_lazy("remediation", "Close remediation cases (销号)"),
    RESPOND: pgettext_lazy("remediation", "See one's own firm's remediation and upload evidence"),
}

ROLES = [
    # demo_scope: the place (by name) of the demo city this role's demo account works in; empty: the city.
    Role("remediation_inspector", pgettext_lazy("remediation", "Remediation inspector (street patrol)"),
         frozenset({VIEW, INSPECT}), demo_scope="湖塘镇"),
    Role("remediation_bureau", pgettext_lazy("remediation", "District bureau (remediation)"),
         frozenset({VIEW, DETERMINE}), demo_scope="武进区"),
    Role("remediation_office", pgettext_lazy("remediation", "Remediation campaign office"),
         frozenset({VIEW, CLOSE}), demo_scope=""),
    Role("remediation_firm", pgettext_lazy("remediation", "Firm staff (remediation)"), frozenset({RESPOND}),
         demo_scope="武进区"),
]


REMEDIATION_AUDIT_ACTIONS = {
    "remediation.inspection.record": pgettext_lazy("remediation", "Inspection recorded"),
    "remediation.plan.set": pgettext_lazy("remediation", "Remediation plan set"),
    "remediation.evidence.add": pgettext_lazy("remediation", "Remediation evidence added"),
    "remediation.rebound_check.record": pgettext_lazy("remediation", "Rebound check recorded"),
    "remediation.milestone.done": pgettext_lazy("remediation", "Milestone done"),
    "remediation.site.import": pgettext_lazy("remediation", "Site imported from the register"),
    "remediation.island.create": pgettext_lazy("remediation", "Green island recorded"),
    "remediation.island.update": pgettext_lazy("remediation", "Green island corrected"),
    "remediation.island_member.add": pgettext_lazy("remediation", "Firm joined a green island"),
    "remediation.island_member.end": pgettext_lazy("remediation", "Firm left a green island"),
    "remediation.manifest.record": pgettext_lazy("remediation", "Transfer manifest recorded"),
    "remediation.milestone.add": pgettext_lazy("remediation", "Milestone added to a plan"),
    # A stage change writes remediation.case.<stage>: one label per stage the campaigns declare.
    **{f"remediation.case.{code}": label for code, label in STAGES.items()},
}


SPEC = register_module(ModuleSpec(
    code="remediation",
    audit_actions=dict(REMEDIATION_AUDIT_ACTIONS),
    label=_("Remediation campaigns"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[NavItem(_("Remediation campaigns"), "remediation:cases", VIEW, order=200),
         NavItem(pgettext_lazy("remediation", "My firm's remediation"), "remediation:my_cases", RESPOND, order=201)],
    panels=[DashboardPanel(
        "remediation", _("Remediation campaigns"), VIEW,
        later("longcheng.modules.remediation.figures.panel_figures"),
        later("longcheng.modules.remediation.figures.panel_charts"),
        order=200)],
    demo=[DemoStep("remediation", _("Remediation campaigns"),
                   later("longcheng.modules.remediation.demo.build"), order=200)],
    urls="longcheng.modules.remediation.urls",
    jobs="longcheng.modules.remediation.jobs",
    api="longcheng.modules.remediation.api.router",
    personal_data=personal_data,
    retention=RETENTION,
))
