"""What accidents offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

REPORT = "accidents.report"  # report one's own accidents (drivers)
REVIEW = "accidents.review"  # review reports and decide liability (officers, duty chief)
CLAIMS = "accidents.claims"  # receive hand-offs addressed to one's insurer
FIGURES = "accidents.figures"  # the figures
RULES = "accidents.rules"  # keep the rule tables (exclusions, liability): new versions, city-wide
CHIEF_ROLE = "accidents_chief"  # overdue reports escalate to its holders (escalation.py)

PERMISSIONS = {
    REPORT: pgettext_lazy("accidents", "Report one's own minor accidents"),
    REVIEW: pgettext_lazy("accidents", "Review accident reports and decide liability"),
    CLAIMS: pgettext_lazy("accidents", "Receive accident hand-offs addressed to one's insurer"),
    FIGURES: pgettext_lazy("accidents", "See the accident figures"),
    RULES: pgettext_lazy("accidents", "Keep the accident rule tables (exclusions and liability)"),
}

# Officers call the parties and check licences: both in plain. Insurers settle the claim of their
# insured: the same. Drivers and the duty chief see the other party's details masked.
_HANDLERS: dict[str, int] = {Kind.IDENTIFIER: Level.PLAIN, Kind.CONTACT: Level.PLAIN}

ROLES = [
    # A driver is a citizen account (real-name verified at sign-up) reporting anywhere in the city;
    # what they see is narrowed to the reports they are a party of (access.py).
    Role("accidents_driver", pgettext_lazy("accidents", "Driver (龙e处)"), frozenset({REPORT}), landing="accidents:home"),
    Role("accidents_officer", pgettext_lazy("accidents", "Traffic officer (龙e处)"), frozenset({REVIEW, FIGURES}),
         demo_scope="武进区", sees=_HANDLERS),
    Role(CHIEF_ROLE, pgettext_lazy("accidents", "Duty chief (龙e处)"), frozenset({REVIEW, FIGURES})),
    # The traffic police's rules desk owns both tables: the rules hold for the whole city, so the
    # role is held city-wide (views_rules refuses a holder scoped to a part of it).
    Role("accidents_rules", pgettext_lazy("accidents", "Rule keeper (龙e处)"), frozenset({RULES})),
    Role("accidents_insurer", pgettext_lazy("accidents", "Insurer claim handler (龙e处)"), frozenset({CLAIMS}),
         sees=_HANDLERS),
]


ACCIDENTS_AUDIT_ACTIONS = {
    "accidents.report.start": pgettext_lazy("accidents", "Accident report started"),
    "accidents.report.refuse": pgettext_lazy("accidents", "Quick handling refused (eligibility)"),
    "accidents.report.join": pgettext_lazy("accidents", "Second driver joined the report"),
    "accidents.party.confirm": pgettext_lazy("accidents", "Driver confirmed licence, vehicle and insurer"),
    "accidents.party.tick": pgettext_lazy("accidents", "Driver ticked the circumstances"),
    "accidents.report.sketch": pgettext_lazy("accidents", "Driver drew the sketch"),
    "accidents.photo.add": pgettext_lazy("accidents", "Accident photo added"),
    "accidents.report.submit": pgettext_lazy("accidents", "Accident report submitted"),
    "accidents.liability.accept": pgettext_lazy("accidents", "Officer accepted the proposed liability"),
    "accidents.liability.change": pgettext_lazy("accidents", "Officer changed the liability"),
    "accidents.report.scene": pgettext_lazy("accidents", "Parties called to the scene"),
    "accidents.report.escalate": pgettext_lazy("accidents", "Overdue report escalated to the duty chief"),
    "accidents.agreement.sign": pgettext_lazy("accidents", "Agreement signed"),
    "accidents.handoff.send": pgettext_lazy("accidents", "Claim handed to the insurer"),
    "accidents.handoff.status": pgettext_lazy("accidents", "Claim status updated by the insurer"),
    "accidents.photo.download": pgettext_lazy("accidents", "Accident photo opened"),
    "accidents.agreement.download": pgettext_lazy("accidents", "Accident agreement downloaded"),
    "accidents.rules.exclusion": pgettext_lazy("accidents", "New version of an accident exclusion"),
    "accidents.rules.liability": pgettext_lazy("accidents", "New version of an accident liability rule"),
}

# The keys of accidents' audit rows (before/after) that the audit page would otherwise show as
# stored. "licence_no" and "side" are written "driving_licence_no" and "party_side": other modules
# label the former their own way.
ACCIDENTS_AUDIT_FIELDS = {
    "chiefs": pgettext_lazy("accidents", "Duty chiefs told"),
    "party_side": pgettext_lazy("accidents", "Driver (A or B)"),
    "circumstances": pgettext_lazy("accidents", "Situations ticked"),
    "sketch": pgettext_lazy("accidents", "Sketch"),
    "claim_no": pgettext_lazy("accidents", "Claim number"),
    "escalated_at": pgettext_lazy("accidents", "Escalated at"),
    "insurer": pgettext_lazy("accidents", "Insurer"),
    "liability_a": pgettext_lazy("accidents", "Liability of driver A"),
    "liability_b": pgettext_lazy("accidents", "Liability of driver B"),
    "driving_licence_no": pgettext_lazy("accidents", "Driving licence number"),
    "minutes": pgettext_lazy("accidents", "Minutes waiting"),
    "mutual_self_pay": pgettext_lazy("accidents", "互碰自赔 (each insurer pays its own)"),
    "plate": pgettext_lazy("accidents", "Plate"),
    "problems": pgettext_lazy("accidents", "Photo problems"),
    "proposed_a": pgettext_lazy("accidents", "Rule table's proposal for driver A"),
    "refused_because": pgettext_lazy("accidents", "Refused because"),
    "registry_checks": pgettext_lazy("accidents", "Registry checks"),
    "rule_versions": pgettext_lazy("accidents", "Versions of the rules applied"),
    "rules": pgettext_lazy("accidents", "Rules applied"),
    "shot": pgettext_lazy("accidents", "Which photo"),
    "version": pgettext_lazy("accidents", "Version"),
    "basis": pgettext_lazy("accidents", "Basis"),
    "question_zh": pgettext_lazy("accidents", "Question (Chinese)"),
    "question_en": pgettext_lazy("accidents", "Question (English)"),
    "situation_zh": pgettext_lazy("accidents", "Situation (Chinese)"),
    "situation_en": pgettext_lazy("accidents", "Situation (English)"),
    "outcome": pgettext_lazy("accidents", "Liability of the party it applies to"),
    "order": pgettext_lazy("accidents", "Position in the list"),
    "active": pgettext_lazy("accidents", "In force"),
}


SPEC = register_module(ModuleSpec(
    code="accidents",
    audit_actions=dict(ACCIDENTS_AUDIT_ACTIONS),
    audit_fields=dict(ACCIDENTS_AUDIT_FIELDS),
    label=_("Accident quick handling"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(pgettext_lazy("accidents", "My accidents"), "accidents:home", REPORT, order=200),
        NavItem(pgettext_lazy("accidents", "Accident queue"), "accidents:queue", REVIEW, order=201),
        NavItem(pgettext_lazy("accidents", "Accident hand-offs"), "accidents:claims", CLAIMS, order=202),
        NavItem(pgettext_lazy("accidents", "Accident hot spots"), "accidents:hotspots", FIGURES, order=203),
        NavItem(pgettext_lazy("accidents", "Accident rules"), "accidents:rules", RULES, order=204),
    ],
    panels=[DashboardPanel(
        "accidents", _("Accident quick handling"), FIGURES,
        figures=later("longcheng.modules.accidents.figures.panel_figures"),
        charts=later("longcheng.modules.accidents.figures.panel_charts"),
        order=200)],
    demo=[DemoStep("accidents", _("Accident quick handling"),
                   later("longcheng.modules.accidents.demo.build"), order=200)],
    urls="longcheng.modules.accidents.urls",
    jobs="longcheng.modules.accidents.jobs",
    api="longcheng.modules.accidents.api.router",
    personal_data=personal_data,
    retention=RETENTION,
))
