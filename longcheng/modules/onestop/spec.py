"""What onestop offers the kernel: permissions, roles, pages, API, dashboard panel and demo.

Permissions:
- onestop.apply: an enterprise's staff start and submit applications for their own enterprise
  (User.organisation) and answer corrections. Held anywhere, it reaches the own enterprise wherever
  it is registered: the account follows its enterprise (a relocation out of the district where the
  role was granted does not lock its staff out).
- onestop.view: see cases and tasks in scope.
- onestop.handle.<office>: act on the tasks of one office (market_regulation, tax, …) whose place
  (the handling district) is in scope. One permission per office, so that a user holding two
  clerk roles in different places gets each office only where it was granted (scopes are per
  permission in the kernel).
- onestop.supervise: the head of the one-stop window; receives escalations of overdue tasks.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
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

from .catalogue import OFFICES, RESULTS, services
from .personal import RETENTION, personal_data

APPLY, VIEW, SUPERVISE = "onestop.apply", "onestop.view", "onestop.supervise"
# A permission's or role's label with its office; translated so Chinese gets its full-width colon.
LABEL_OF_OFFICE = _("{what}: {office}")


def handle_permission(office: str) -> str:
    return f"onestop.handle.{office}"


PERMISSIONS: dict[str, Any] = {
    APPLY: _("Apply for one-stop enterprise services for one's own enterprise"),
    VIEW: _("See one-stop cases and tasks"),
    SUPERVISE: _("Supervise the one-stop window (receives overdue escalations)"),
    **{handle_permission(o.code): format_lazy(LABEL_OF_OFFICE, what=_("Handle one-stop tasks"), office=o.label)
       for o in OFFICES.values()},
}

WUJIN = "武进区"

ROLES = [
    Role("enterprise_user", _("Enterprise staff (one-stop applicant)"), frozenset({APPLY}), demo_scope=WUJIN),
    Role("onestop_head", _("Head of the one-stop enterprise window"), frozenset({VIEW, SUPERVISE}),
         demo_scope=WUJIN),
    # Demo clerks work city-wide: a relocation out of Wujin is received by another district's office.
    *(Role(f"onestop_clerk_{o.code}", format_lazy(LABEL_OF_OFFICE, what=_("One-stop clerk"), office=o.label),
           frozenset({VIEW, handle_permission(o.code)}), demo_scope="常州市") for o in OFFICES.values()),
]

ONESTOP_AUDIT_ACTIONS = {
    "onestop.start": _("Application started"),
    "onestop.update_draft": _("Draft application changed"),
    "onestop.attach": _("Document attached"),
    "onestop.submit": _("Application submitted"),
    "onestop.withdraw": _("Application withdrawn"),
    "onestop.accept": _("Step approved"),
    "onestop.open_task": _("Step opened"),
    "onestop.complete": _("Case completed"),
    "onestop.ask_correction": _("Correction requested"),
    "onestop.answer_correction": _("Correction answered"),
    "onestop.correct_data": _("Application data corrected"),
    "onestop.reject": _("Step refused"),
    "onestop.reject_case": _("Case refused"),
    "onestop.escalate": _("Overdue step escalated"),
    "onestop.set_standing": _("Enterprise standing changed"),
    "onestop.download": _("Document downloaded"),
    "onestop.relocation": _("Enterprise relocated (completed case)"),
    "onestop.deregistration": _("Enterprise deregistered (completed case)"),
    "onestop.startup": _("Enterprise registered (completed case)"),
}
ONESTOP_AUDIT_FIELDS = {
    "service": _("Service"), "data": _("Application data"), "result": _("Result"), "outcome": _("Outcome"),
    "answer": _("Answer"), "request": pgettext_lazy("correction", "Request"), "task": _("Step"), "case": _("Case"), "size": _("Size (bytes)"),
    "heads": _("Heads told"), "due_at": _("Due"), "task_due_at": _("Step due"), "new_place": _("New place"),
    "new_address": _("New address"), "moving_date": _("Moving day"), "tax_arrears_fen": _("Tax arrears"),
    "closed_on": _("Closed on"), **RESULTS,
    # The application forms' fields, in the "data" of its rows ("reason" is the kernel's "Reason").
    **{f.name: f.label for s in services() for f in s.form if f.name != "reason"},
}
# Form fields in fen (a money field's value), shown in yuan.
ONESTOP_AUDIT_MONEY = frozenset(f.name for s in services() for f in s.form if f.kind == "money")
ONESTOP_AUDIT_OBJECTS = {f"onestop.{model}": later(f"longcheng.modules.onestop.naming.{model}_names")
                         for model in ("case", "task", "correction", "document")}


SPEC = register_module(ModuleSpec(
    code="onestop",
    label=_("One-stop enterprise services"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(_("My applications"), "onestop:applications", APPLY, order=60),
        NavItem(_("One-stop queue"), "onestop:queue", VIEW, order=61),
        NavItem(_("One-stop figures"), "onestop:figures", VIEW, order=62),
        NavItem(_("Enterprise standing"), "onestop:standing", VIEW, order=63),
    ],
    panels=[DashboardPanel(
        "onestop", _("One-stop enterprise services"), VIEW,
        later("longcheng.modules.onestop.views.panel_figures"),
        later("longcheng.modules.onestop.views.panel_charts"),
        order=40),
        # The applicant's own: their enterprise's applications.
        DashboardPanel("onestop_own", _("My one-stop applications"), APPLY,
                       later("longcheng.modules.onestop.views.own_figures"), order=41)],
    demo=[DemoStep("onestop", _("One-stop enterprise services"),
                   later("longcheng.modules.onestop.demo.build"), order=40)],
    urls="longcheng.modules.onestop.urls",
    jobs="longcheng.modules.onestop.jobs",
    personal_data=personal_data,
    retention=RETENTION,
    api="longcheng.modules.onestop.api.router",
    audit_actions=dict(ONESTOP_AUDIT_ACTIONS),
    audit_fields=dict(ONESTOP_AUDIT_FIELDS),
    audit_money=ONESTOP_AUDIT_MONEY,
    audit_objects=dict(ONESTOP_AUDIT_OBJECTS),
))
