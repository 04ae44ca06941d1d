"""The kernel's own entry in the registry: its permissions, roles, pages and dashboard panel.

It goes through the same registry as every module, so the navigation and the dashboard have exactly
one way of learning what exists.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from longcheng.kernel.audit import labels as audit_labels
from longcheng.kernel.jobs.api import health
from longcheng.kernel.privacy import Kind, Level
from longcheng.kernel.registry import (
    DashboardPanel,
    DemoStep,
    Figure,
    ModuleSpec,
    NavItem,
    Role,
    later,
    register_module,
)
from longcheng.kernel.rights.report import kernel_sections
from longcheng.kernel.rights.retention import KERNEL_RECORDS
from longcheng.kernel.web.panels import kernel_charts, kernel_figures

PERMISSIONS = {
    "places.view": _("View places"),
    "places.manage": _("Load and update places and their outlines"),
    "people.view": _("View residents (masked)"),
    "people.manage": _("Register and maintain residents"),
    "people.reveal": _("Reveal full ID and phone numbers (audited)"),
    "orgs.view": _("View organisations"),
    "orgs.manage": _("Register organisations"),
    "audit.view": _("View the audit trail"),
    "ledger.view": _("View funds and postings"),
    "ledger.post": _("Post to the ledger"),
    "notify.view": _("View notification deliveries"),
    "workdays.manage": _("Maintain the holiday calendar"),
    "access.manage": _("Manage staff accounts and roles"),
    "people.privacy": _("Answer data-subject requests and see who can see a resident"),
    "telemetry.gateways": _("Manage telemetry gateways: their tokens and what they sent"),
}

# What each role sees of personal data (kernel.privacy; the table is in docs/security.md). Kinds not
# named are seen at privacy.DEFAULTS: identifiers, contacts, addresses and minors' names masked;
# locations, health, bank accounts and notes not at all.
REGISTRY_WORK: dict[str, int] = {Kind.MINOR: Level.PLAIN}  # the registry's staff serve residents by name, minors too
REVEALS: dict[str, int] = {Kind.IDENTIFIER: Level.REVEAL, Kind.CONTACT: Level.REVEAL, Kind.ADDRESS: Level.PLAIN}

ROLES = [
    Role("city_admin", _("City platform administrator"), frozenset(PERMISSIONS),
         _("Runs the platform for the whole city."), sees={**REGISTRY_WORK, **REVEALS}),
    Role("district_officer", _("District officer"),
         frozenset({"places.view", "people.view", "orgs.view", "notify.view"}), sees=REGISTRY_WORK,
         demo_scope="武进区"),
    Role("community_worker", _("Community worker"),
         frozenset({"places.view", "people.view", "people.manage", "orgs.view"}),
         sees={**REGISTRY_WORK, Kind.ADDRESS: Level.PLAIN, Kind.NOTES: Level.PLAIN}, demo_scope="上书房社区"),
    Role("privacy_officer", _("Personal-information protection officer"),
         frozenset({"places.view", "people.view", "people.reveal", "people.privacy", "audit.view"}),
         _("Answers residents' data-subject requests (PIPL art. 44-47) and audits who can see whom."),
         sees={**REGISTRY_WORK, **REVEALS}),
    Role("auditor", _("Auditor"), frozenset({"places.view", "audit.view", "ledger.view", "notify.view"})),
    Role("finance_officer", _("Finance officer"), frozenset({"ledger.view", "ledger.post"})),
    Role("calendar_admin", _("Calendar administrator"), frozenset({"workdays.manage"})),
    # Manages the accounts of one district and can grant there only what it holds itself. No audit.view:
    # the audit trail is not scoped by place yet, and would show the whole city.
    Role("district_admin", _("District platform administrator"),
         frozenset({"places.view", "places.manage", "people.view", "people.manage", "orgs.view", "access.manage",
                    "telemetry.gateways"}),
         _("Manages the staff accounts and roles of one district."), demo_scope="武进区"),
]


def _figures(user: Any) -> list[Any]:
    return kernel_figures(user)


def _charts(user: Any) -> list[Any]:
    return kernel_charts(user)


def _job_figures(user: Any) -> list[Any]:
    """Queue figures for the platform administrator: a growing backlog means consumers are down."""
    figures = health()
    if "error" in figures:
        return [Figure(_("Job queue unreachable"), str(figures["error"])[:80])]
    return [Figure(_("Jobs waiting"), figures["pending"]), Figure(_("Jobs scheduled for later"), figures["scheduled"]),
            Figure(_("Queue engine"), figures["engine"])]


KERNEL = register_module(
    ModuleSpec(
        code="kernel",
        label=_("Platform"),
        permissions=dict(PERMISSIONS),
        roles=ROLES,
        nav=[
            NavItem(_("Places"), "web:places", "places.view", order=10),
            NavItem(_("Residents"), "web:residents", "people.view", order=20),
            NavItem(_("Organisations"), "web:orgs", "orgs.view", order=30),
            NavItem(_("Funds"), "web:funds", "ledger.view", order=80),
            NavItem(_("Notifications"), "web:messages", "notify.view", order=85),
            NavItem(_("Gateways"), "telemetry:gateways", "telemetry.gateways", order=88),
            NavItem(_("Working days"), "web:workdays", None, order=90),
            NavItem(_("Audit trail"), "web:audit", "audit.view", order=95),
            NavItem(_("Staff and roles"), "access:staff", "access.manage", order=97),
            NavItem(_("Data-subject requests"), "rights:requests", "people.privacy", order=98),
            NavItem(_("Retention"), "rights:retention", "people.privacy", order=99),
        ],
        panels=[
            DashboardPanel("kernel", _("The city at a glance"), "places.view", _figures, _charts, order=1),
            DashboardPanel("jobs", _("Background jobs"), "access.manage", _job_figures, order=900),
        ],
        demo=[
            DemoStep("places", _("Places"), later("longcheng.kernel.demo.build_places"), order=1),
            DemoStep("orgs", _("Organisations"), later("longcheng.kernel.demo.build_orgs"), order=2),
            DemoStep("staff", _("Staff accounts"), later("longcheng.kernel.demo.build_staff"), order=3),
            DemoStep("residents", _("Residents"), later("longcheng.kernel.demo.build_residents"), order=4),
            DemoStep("notify", _("Notifications"), later("longcheng.kernel.notify.demo.build"), order=6),
            DemoStep("ledger", _("Funds"), later("longcheng.kernel.ledger.demo.build"), order=5),
        ],
        personal_data=kernel_sections,
        retention=KERNEL_RECORDS,
        audit_actions=dict(audit_labels.ACTIONS),
        audit_fields=dict(audit_labels.FIELDS),
    )
)
