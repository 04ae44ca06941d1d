"""What wastecycle offers the kernel: permissions, roles, pages, API and demo (docs/adding-a-module.md)."""

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

VIEW, WEIGH, OPERATE = "wastecycle.view", "wastecycle.weigh", "wastecycle.operate"

PERMISSIONS = {
    VIEW: pgettext_lazy("wastecycle", "See plate-waste figures and the transfer station's records"),
    WEIGH: pgettext_lazy("wastecycle", "Weigh a class's leftovers, record attendance and kitchen waste"),
    OPERATE: pgettext_lazy("wastecycle", "Run the transfer station: tickets, batches, lots, hand-outs, shipments"),
}

# The demo's school and station are in 遥观镇; the district's observer sees every school and station.
ROLES = [
    Role("wastecycle_teacher", pgettext_lazy("wastecycle", "Teacher (光盘行动)"), frozenset({VIEW, WEIGH}),
         demo_scope="遥观镇"),
    Role("wastecycle_operator", pgettext_lazy("wastecycle", "Transfer station operator"), frozenset({VIEW, OPERATE}),
         demo_scope="遥观镇"),
    Role("wastecycle_observer", pgettext_lazy("wastecycle", "Food-waste and station observer"), frozenset({VIEW}),
         demo_scope="武进区"),
]

AUDIT_ACTIONS = {
    "wastecycle.attendance.record": pgettext_lazy("wastecycle", "Attendance recorded"),
    "wastecycle.weighing.record": pgettext_lazy("wastecycle", "Class leftovers weighed"),
    "wastecycle.weighing.correct": pgettext_lazy("wastecycle", "Class leftovers corrected"),
    "wastecycle.pupils.weigh": pgettext_lazy("wastecycle", "Pupils' plates weighed"),
    "wastecycle.options.set": pgettext_lazy("wastecycle", "School's weighing option set"),
    "wastecycle.kitchen.record": pgettext_lazy("wastecycle", "Kitchen waste recorded"),
    "wastecycle.ticket.record": pgettext_lazy("wastecycle", "Weighbridge ticket written"),
    "wastecycle.ticket.reverse": pgettext_lazy("wastecycle", "Weighbridge ticket reversed"),
    "wastecycle.batch.open": pgettext_lazy("wastecycle", "Processing batch opened"),
    "wastecycle.batch.step": pgettext_lazy("wastecycle", "Processing step recorded"),
    "wastecycle.batch.temperatures": pgettext_lazy("wastecycle", "Temperature readings recorded"),
    "wastecycle.batch.finish": pgettext_lazy("wastecycle", "Processing batch done"),
    "wastecycle.lot.test": pgettext_lazy("wastecycle", "Soil lot tested"),
    "wastecycle.lot.release": pgettext_lazy("wastecycle", "Soil lot released"),
    "wastecycle.collector.add": pgettext_lazy("wastecycle", "Collector added"),
    "wastecycle.handout.record": pgettext_lazy("wastecycle", "Soil handed out"),
    "wastecycle.compaction.record": pgettext_lazy("wastecycle", "Compaction run recorded"),
    "wastecycle.shipment.record": pgettext_lazy("wastecycle", "Shipment to the power plant"),
    "wastecycle.shipment.receive": pgettext_lazy("wastecycle", "Plant's received weight"),
    "wastecycle.stock.record": pgettext_lazy("wastecycle", "Month-end stock counted"),
}

AUDIT_FIELDS = {
    "class": pgettext_lazy("wastecycle", "Class"),
    "station": pgettext_lazy("wastecycle", "Station"),
    "readings": pgettext_lazy("wastecycle", "Readings"),
    "lot": pgettext_lazy("wastecycle", "Soil lot"),
    "collector": pgettext_lazy("wastecycle", "Collector"),
    "tickets": pgettext_lazy("wastecycle", "Input tickets"),
    "flagged": pgettext_lazy("wastecycle", "Gap beyond tolerance"),
    "step": pgettext_lazy("wastecycle", "Step"),
    "at": pgettext_lazy("wastecycle", "At"),
    "passed": pgettext_lazy("wastecycle", "Passed"),
    "failures": pgettext_lazy("wastecycle", "Failed measures"),
    "output_kg": pgettext_lazy("wastecycle", "Soil output (kg)"),
    "residue_kg": pgettext_lazy("wastecycle", "Residue (kg)"),
    "month": pgettext_lazy("wastecycle", "Month"),
    "runs": pgettext_lazy("wastecycle", "Compaction runs"),
    "per_pupil": pgettext_lazy("wastecycle", "Weighs per pupil"),
    "pupils": pgettext_lazy("wastecycle", "Pupils weighed"),
}

SPEC = register_module(ModuleSpec(
    code="wastecycle",
    label=_("Food waste and transfer station"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(pgettext_lazy("wastecycle", "光盘行动"), "wastecycle:school", VIEW, order=210),
        NavItem(pgettext_lazy("wastecycle", "Transfer station"), "wastecycle:station", VIEW, order=211),
    ],
    panels=[DashboardPanel(
        "wastecycle", _("Food waste and transfer station"), VIEW,
        later("longcheng.modules.wastecycle.figures.panel_figures"), order=210)],
    demo=[DemoStep("wastecycle", _("Food waste and transfer station"), later("longcheng.modules.wastecycle.demo.build"), order=210)],
    urls="longcheng.modules.wastecycle.urls",
    jobs="longcheng.modules.wastecycle.jobs",
    api="longcheng.modules.wastecycle.api.router",
    audit_actions=dict(AUDIT_ACTIONS),
    audit_fields=dict(AUDIT_FIELDS),
    personal_data=personal_data,
    retention=RETENTION,
))
