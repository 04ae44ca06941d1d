"""What ecorestore offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

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

from .personal import RETENTION, personal_data

VIEW, MANAGE = "ecorestore.view", "ecorestore.manage"
COURT, SUPERVISE, OWN = "ecorestore.court", "ecorestore.supervise", "ecorestore.own"

PERMISSIONS = {
    VIEW: pgettext_lazy("ecorestore", "See ecological damage cases and their labour"),
    MANAGE: pgettext_lazy("ecorestore", "Handle ecological damage cases: stages, conversion, shifts, breaches, certificates"),
    COURT: pgettext_lazy("ecorestore", "See and file the court's judged damage cases"),
    SUPERVISE: pgettext_lazy("ecorestore", "Supervise restoration shifts in one's zone: check in, check out, sign off"),
    OWN: pgettext_lazy("ecorestore", "See one's own restoration obligation"),
}

# The base's zones are grids under 剑湖社区 (a supervisor holds the role at one zone, or the demo's at
# the community); the procuratorate of the development zone runs the base.
ROLES = [
    Role("ecorestore_prosecutor", pgettext_lazy("ecorestore", "Prosecutor (ecological damage)"),
         frozenset({VIEW, MANAGE}), demo_scope="常州经开区"),
    Role("ecorestore_court", pgettext_lazy("ecorestore", "Judge (environment and resources)"),
         frozenset({COURT}), demo_scope="常州经开区"),
    Role("ecorestore_supervisor", pgettext_lazy("ecorestore", "Restoration base supervisor"),
         frozenset({SUPERVISE}), demo_scope="剑湖社区"),
    Role("ecorestore_party", pgettext_lazy("ecorestore", "Party liable for compensation"),
         frozenset({OWN})),
]


ECORESTORE_AUDIT_ACTIONS = {
    "ecorestore.case.open": pgettext_lazy("ecorestore", "Damage case opened"),
    "ecorestore.case.advance": pgettext_lazy("ecorestore", "Damage case moved to its next stage"),
    "ecorestore.obligation.create": pgettext_lazy("ecorestore", "Labour obligation set (amount converted)"),
    "ecorestore.shift.book": pgettext_lazy("ecorestore", "Restoration shift booked"),
    "ecorestore.shift.check_in": pgettext_lazy("ecorestore", "Checked in on site"),
    "ecorestore.shift.check_out": pgettext_lazy("ecorestore", "Checked out on site"),
    "ecorestore.shift.photo.download": pgettext_lazy("ecorestore", "Shift photo opened"),
    "ecorestore.shift.sign_off": pgettext_lazy("ecorestore", "Shift signed off by the supervisor"),
    "ecorestore.obligation.breach": pgettext_lazy("ecorestore", "Breach recorded (rest reverts to money)"),
    "ecorestore.certificate.issue": pgettext_lazy("ecorestore", "Completion certificate issued"),
    "ecorestore.work.create": pgettext_lazy("ecorestore", "Restoration in kind set (trees, fish, area)"),
    "ecorestore.work.deliver": pgettext_lazy("ecorestore", "Restoration in kind delivered"),
    "ecorestore.work.breach": pgettext_lazy("ecorestore", "Restoration in kind breached (rest reverts to money)"),
    "ecorestore.assessment.record": pgettext_lazy("ecorestore", "Restoration-effect assessment recorded"),
    "ecorestore.agreement.download": pgettext_lazy("ecorestore", "Labour agreement downloaded (PDF)"),
    "ecorestore.certificate.download": pgettext_lazy("ecorestore", "Completion certificate downloaded (PDF)"),
    "ecorestore.threshold.set": pgettext_lazy("ecorestore", "Eligibility thresholds: new version"),
    "ecorestore.money.receive": pgettext_lazy("ecorestore", "Restoration fee or compensation received into the park's fund"),
    "ecorestore.money.spend": pgettext_lazy("ecorestore", "Park's fund spent on restoration"),
    "ecorestore.money.reverse": pgettext_lazy("ecorestore", "Money received or spent reversed (recorded in error)"),
    "ecorestore.shift.missed": pgettext_lazy("ecorestore", "Shift missed (never checked in)"),
}


SPEC = register_module(ModuleSpec(
    code="ecorestore",
    audit_actions=dict(ECORESTORE_AUDIT_ACTIONS),
    label=_("Restoration by labour"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(pgettext_lazy("ecorestore", "Damage cases"), "ecorestore:cases", VIEW, order=200),
        NavItem(pgettext_lazy("ecorestore", "Judged damage cases"), "ecorestore:cases", COURT, order=200),
        NavItem(pgettext_lazy("ecorestore", "Restoration shifts"), "ecorestore:shifts", SUPERVISE, order=201),
        NavItem(pgettext_lazy("ecorestore", "My restoration"), "ecorestore:mine", OWN, order=202),
        NavItem(pgettext_lazy("ecorestore", "Eligibility thresholds"), "ecorestore:thresholds", MANAGE, order=203),
        NavItem(pgettext_lazy("ecorestore", "Restoration base"), "ecorestore:bases", VIEW, order=204),
        NavItem(pgettext_lazy("ecorestore", "Deliveries in kind"), "ecorestore:deliveries", SUPERVISE, order=205),
    ],
    panels=[DashboardPanel(
        "ecorestore", _("Restoration by labour"), VIEW,
        later("longcheng.modules.ecorestore.figures.panel_figures"),
        later("longcheng.modules.ecorestore.figures.panel_charts"),
        order=200)],
    demo=[DemoStep("ecorestore", _("Restoration by labour"),
                   later("longcheng.modules.ecorestore.demo.build"), order=200)],
    urls="longcheng.modules.ecorestore.urls",
    jobs="longcheng.modules.ecorestore.jobs",
    api="longcheng.modules.ecorestore.api.router",
    personal_data=personal_data,
    retention=RETENTION,
))
