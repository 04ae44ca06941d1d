"""What cleanaudit offers the kernel: permissions, roles, pages, API, dashboard panel and demo.

Permissions:
- cleanaudit.view: see the rounds and the park roll-up in scope (park and bureau staff).
- cleanaudit.guide: the technical team: guidance threads and visits on the rounds in scope.
- cleanaudit.review: the bureau: put firms on the year's list, assess (评估) and accept (验收).
- cleanaudit.respond: a firm's or a consultancy's staff (User.organisation): their own rounds.
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

VIEW, GUIDE = "cleanaudit.view", "cleanaudit.guide"
REVIEW, RESPOND = "cleanaudit.review", "cleanaudit.respond"

PERMISSIONS = {
    VIEW: pgettext_lazy("cleanaudit", "See cleaner-production audits and the park roll-up"),
    GUIDE: pgettext_lazy("cleanaudit", "Guide cleaner-production audits (technical team)"),
    REVIEW: pgettext_lazy("cleanaudit", "List firms, assess and accept cleaner-production audits"),
    RESPOND: pgettext_lazy("cleanaudit", "Carry out one's own firm's cleaner-production audit"),
}

ROLES = [
    # demo_scope: the place (by name) of the demo city this role's demo account works in; empty: the city.
    Role("cleanaudit_park", pgettext_lazy("cleanaudit", "Park staff (cleaner production)"), frozenset({VIEW}),
         demo_scope="武进区"),
    Role("cleanaudit_expert", pgettext_lazy("cleanaudit", "Technical team expert (cleaner production)"),
         frozenset({VIEW, GUIDE}), demo_scope="武进区"),
    Role("cleanaudit_bureau", pgettext_lazy("cleanaudit", "Environment bureau (cleaner production)"),
         frozenset({VIEW, REVIEW}), demo_scope="武进区"),
    Role("cleanaudit_firm", pgettext_lazy("cleanaudit", "Firm or consultancy staff (cleaner production)"),
         frozenset({RESPOND}), demo_scope="武进区"),
]

AUDIT_ACTIONS = {
    "cleanaudit.round.list": pgettext_lazy("cleanaudit", "Firm put on the audit list"),
    "cleanaudit.stage.close": pgettext_lazy("cleanaudit", "Audit stage closed"),
    "cleanaudit.artefact.add": pgettext_lazy("cleanaudit", "Audit artefact added"),
    "cleanaudit.figures.set": pgettext_lazy("cleanaudit", "Firm's figures set"),
    "cleanaudit.balance.set": pgettext_lazy("cleanaudit", "Material balance set"),
    "cleanaudit.option.add": pgettext_lazy("cleanaudit", "Option added"),
    "cleanaudit.option.status": pgettext_lazy("cleanaudit", "Option status changed"),
    "cleanaudit.thread.open": pgettext_lazy("cleanaudit", "Guidance thread opened"),
    "cleanaudit.thread.reply": pgettext_lazy("cleanaudit", "Guidance answered"),
    "cleanaudit.thread.close": pgettext_lazy("cleanaudit", "Guidance thread closed"),
    "cleanaudit.visit.log": pgettext_lazy("cleanaudit", "Expert visit logged"),
    "cleanaudit.review.assessment": pgettext_lazy("cleanaudit", "Audit assessed (评估)"),
    "cleanaudit.review.acceptance": pgettext_lazy("cleanaudit", "Audit accepted or refused (验收)"),
    "cleanaudit.benchmark.set": pgettext_lazy("cleanaudit", "Industry indicator levels set"),
    "cleanaudit.artefact.download": pgettext_lazy("cleanaudit", "Audit document downloaded"),
    "cleanaudit.report.download": pgettext_lazy("cleanaudit", "Audit report outline downloaded"),
    "cleanaudit.term.set": pgettext_lazy("cleanaudit", "Deadlines of a year's audit list set"),
    "cleanaudit.round.register": pgettext_lazy("cleanaudit", "Audit registration (备案) filed"),
}
AUDIT_FIELDS = {
    "stage": pgettext_lazy("cleanaudit", "stage"),
    "total": pgettext_lazy("cleanaudit", "score"),
    "passed": pgettext_lazy("cleanaudit", "passed"),
    "side": pgettext_lazy("cleanaudit", "side"),
    "industry": pgettext_lazy("cleanaudit", "industry"),
    "indicator": pgettext_lazy("cleanaudit", "indicator"),
    "version": pgettext_lazy("cleanaudit", "version"),
    "levels": pgettext_lazy("cleanaudit", "levels (I, II, III)"),
    "restrictive": pgettext_lazy("cleanaudit", "restrictive"),
    "effective_from": pgettext_lazy("cleanaudit", "in force from"),
    "year": pgettext_lazy("cleanaudit", "year of the list"),
    "register_months": pgettext_lazy("cleanaudit", "registration within (months)"),
    "start_months": pgettext_lazy("cleanaudit", "start within (months)"),
    "assess_working_days": pgettext_lazy("cleanaudit", "assessment within (working days)"),
    "accept_months": pgettext_lazy("cleanaudit", "acceptance within (months of the assessment)"),
    "registered_on": pgettext_lazy("cleanaudit", "registered on"),
    "late": pgettext_lazy("cleanaudit", "late"),
}

SPEC = register_module(ModuleSpec(
    code="cleanaudit",
    label=_("Cleaner-production audits"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    audit_actions=dict(AUDIT_ACTIONS),
    audit_fields=dict(AUDIT_FIELDS),
    nav=[NavItem(_("Cleaner-production audits"), "cleanaudit:rounds", VIEW, order=210),
         NavItem(pgettext_lazy("cleanaudit", "My cleaner-production audits"), "cleanaudit:mine", RESPOND, order=211)],
    panels=[DashboardPanel("cleanaudit", _("Cleaner-production audits"), VIEW,
                           later("longcheng.modules.cleanaudit.figures.panel_figures"),
                           later("longcheng.modules.cleanaudit.figures.panel_charts"), order=210)],
    demo=[DemoStep("cleanaudit", _("Cleaner-production audits"), later("longcheng.modules.cleanaudit.demo.build"),
                   order=210)],
    urls="longcheng.modules.cleanaudit.urls",
    jobs="longcheng.modules.cleanaudit.jobs",
    api="longcheng.modules.cleanaudit.api.router",
))
