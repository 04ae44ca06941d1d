"""What youthaid offers the kernel: permissions, roles, pages, dashboard panel, demo, and its answer
to the registry's "person.died" event (the deceased's children go on the outreach list)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from longcheng.kernel.privacy import Kind, Level
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

PERMISSIONS = {
    "youthaid.report": _("Report a youth who lost a parent (sees only own reports)"),
    "youthaid.view": _("View the youth aid registry (masked)"),
    "youthaid.manage": _("Screen, follow up and apply for aid (case worker)"),
    "youthaid.health": _("See and record youths' health data (audited)"),
    "youthaid.bank": _("See and record youths' bank accounts (audited)"),
    "youthaid.review": _("Review aid applications (charity federation)"),
    "youthaid.pay": _("Make payment batches and pay them"),
    "youthaid.fund": _("Record donations to the youth aid fund"),
    "youthaid.configure": _("Change the aid rules"),
}

LIYANG = "溧阳市"

# What each role sees of personal data (kernel.privacy, docs/security.md). Those who serve the youth
# see names and notes; health and bank accounts after an audited reveal. An observer (civil affairs,
# education: the figures) names nothing: the defaults mask names and hide notes, health and money.
SERVES: dict[str, int] = {Kind.MINOR: Level.PLAIN, Kind.NOTES: Level.PLAIN, Kind.ADDRESS: Level.PLAIN,
                          Kind.HEALTH: Level.REVEAL, Kind.FINANCIAL: Level.REVEAL}

ROLES = [
    Role("youthaid_reporter", _("Youth aid reporter (teacher, community or village worker, league cadre)"),
         frozenset({"youthaid.report"}), demo_scope=LIYANG, sees={Kind.MINOR: Level.PLAIN}),
    Role("youthaid_caseworker", _("Youth aid case worker (Youth League)"),
         frozenset({"youthaid.view", "youthaid.manage", "youthaid.health", "youthaid.bank", "people.view"}),
         demo_scope=LIYANG, sees=SERVES),
    Role("youthaid_reviewer", _("Charity federation reviewer"),
         frozenset({"youthaid.view", "youthaid.review", "youthaid.pay", "youthaid.fund", "youthaid.bank",
                    "youthaid.health", "youthaid.configure", "ledger.view"}), demo_scope=LIYANG, sees=SERVES),
    Role("youthaid_observer", _("Civil affairs or education officer (youth aid figures)"),
         frozenset({"youthaid.view"}), demo_scope=LIYANG),
]


def _person_died(**payload: Any) -> None:
    from .actions import on_person_died  # cycle: they import this file's permission names

    on_person_died(**payload)


YOUTHAID_AUDIT_ACTIONS = {
    "youthaid.report": _("Youth reported"),
    "youthaid.report_joined": _("Report joined to an existing case"),
    "youthaid.vet": _("Report vetted"),
    "youthaid.update": _("Youth's case changed"),
    "youthaid.life_event": _("Life event recorded"),
    "youthaid.screen": _("Screening recorded"),
    "youthaid.visit": _("Visit recorded"),
    "youthaid.contact": _("Contact recorded"),
    "youthaid.outreach": _("Outreach recorded"),
    "youthaid.aid_type": _("Aid type changed"),
    "youthaid.apply": _("Aid applied for"),
    "youthaid.recommend": _("Aid application recommended"),
    "youthaid.decide": _("Aid application decided"),
    "youthaid.appeal": _("Decision appealed"),
    "youthaid.batch": _("Payment batch made"),
    "youthaid.pay": _("Payment batch paid"),
    "youthaid.return": _("Payment returned by the bank"),
    "youthaid.reissue": _("Payment reissued"),
    "youthaid.room": _("Dream room proposed"),
    "youthaid.room_status": _("Dream room status changed"),
    "youthaid.volunteer": _("Hope parent registered"),
    "youthaid.pair": _("Hope parent paired"),
    "youthaid.unpair": _("Hope parent pairing ended"),
    "youthaid.scan": _("Registry scanned for youths in need"),
    "youthaid.download": _("Document downloaded"),
}
YOUTHAID_AUDIT_FIELDS = {
    "application": _("Aid application"), "aid_type": _("Aid type"), "amount_fen": _("Amount"),
    "without_account": _("Without a bank account"),
    "same_type": _("Second applications of a youth and aid type (next batch)"), "payment": _("Payment"), "batch": _("Batch"),
    "room": _("Dream room"), "budget_fen": _("Budget"), "spent_fen": _("Spent"), "scanned": _("Scanned"),
    "found": _("Found"), "by_outcome": _("By outcome"), "on": _("Day"), "seconds": _("Seconds"),
    "needs_info": _("Needs information"),
    "deceased": _("Deceased resident (number)"), "report": _("Report"), "channel": _("Reported through"),
    "pairing": _("Pairing"), "volunteer": _("Hope parent"), "reaid": _("Aid again"), "year": _("Year"),
    "trigger": _("Trigger"), "next_visit_due": _("Next visit due"),
}


SPEC = register_module(ModuleSpec(
    code="youthaid",
    label=_("Qinglizhu youth aid"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(_("Youth aid cases"), "youthaid:cases", "youthaid.view", order=50),
        NavItem(_("Report a youth"), "youthaid:report", "youthaid.report", order=51),
        NavItem(_("Aid review"), "youthaid:review", "youthaid.review", order=52),
        NavItem(_("Payment batches"), "youthaid:batches", "youthaid.pay", order=53),
        NavItem(_("Hope parents"), "youthaid:volunteers", "youthaid.view", order=54),
        NavItem(_("Dream rooms"), "youthaid:rooms", "youthaid.view", order=55),
        NavItem(_("Youth aid fund"), "youthaid:fund", "youthaid.view", order=56),
        NavItem(_("Youth aid reports"), "youthaid:figures", "youthaid.view", order=57),
    ],
    panels=[DashboardPanel(
        "youthaid", _("Qinglizhu youth aid"), "youthaid.view",
        later("longcheng.modules.youthaid.views.panel_figures"),
        later("longcheng.modules.youthaid.views.panel_charts"),
        order=30),
        # A reporter (teacher, village worker) holds no view permission: their own reports instead.
        DashboardPanel("youthaid_reports", _("My youth aid reports"), "youthaid.report",
                       later("longcheng.modules.youthaid.views.reporter_figures"), order=31)],
    demo=[DemoStep("youthaid", _("Qinglizhu youth aid"),
                   later("longcheng.modules.youthaid.demo.build"), order=30)],
    events={"person.died": [_person_died]},
    urls="longcheng.modules.youthaid.urls",
    jobs="longcheng.modules.youthaid.jobs",
    personal_data=personal_data,
    retention=RETENTION,
    api="longcheng.modules.youthaid.api.router",
    audit_actions=dict(YOUTHAID_AUDIT_ACTIONS),
    audit_fields=dict(YOUTHAID_AUDIT_FIELDS),
))
