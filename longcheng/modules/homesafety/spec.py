"""What homesafety offers the kernel: permissions, roles, pages, dashboard panel, demo."""

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
    Telemetry,
    later,
    register_module,
)

from .personal import RETENTION, personal_data

PERMISSIONS = {
    "homesafety.view": _("View enrolled persons, devices and alarms"),
    "homesafety.handle": _("Handle alarms (acknowledge, dispatch, resolve)"),
    "homesafety.manage": _("Enrol persons and manage the programme"),
    "homesafety.install": _("Install and bind devices"),
    "homesafety.ingest": _("Send device telemetry (gateways)"),
    "homesafety.family": _("Follow one's own relatives (family members)"),
}

# Demo accounts: the escalation chain of one community (上书房社区 in 遥观镇); the duty operator,
# the manager and the gateway serve the whole city (an empty demo_scope).
COMMUNITY, STREET = "上书房社区", "遥观镇"
# Who handles an alarm needs who the person is (an enrolled child too), where they are and what they
# suffer from, at once (kernel.privacy, docs/security.md); an installer needs the name and the
# address to ring the bell, and nothing else.
HANDLES: dict[str, int] = {Kind.MINOR: Level.PLAIN, Kind.ADDRESS: Level.PLAIN, Kind.LOCATION: Level.PLAIN,
                           Kind.HEALTH: Level.PLAIN}

ROLES = [
    Role("homesafety_operator", _("Alarm centre duty operator"),
         frozenset({"homesafety.view", "homesafety.handle", "people.view"}), sees=HANDLES),
    Role("homesafety_community_head", _("Community head (alarm escalation)"),
         frozenset({"homesafety.view", "homesafety.handle", "people.view"}), sees=HANDLES, demo_scope=COMMUNITY),
    Role("homesafety_street_officer", _("Street office officer (alarm escalation)"),
         frozenset({"homesafety.view", "homesafety.handle", "people.view"}), sees=HANDLES, demo_scope=STREET),
    Role("homesafety_manager", _("Home-safety programme manager"),
         frozenset({"homesafety.view", "homesafety.manage", "people.view"}), sees=HANDLES),
    Role("homesafety_installer", _("Device installer"), frozenset({"homesafety.view", "homesafety.install"}),
         sees={Kind.MINOR: Level.PLAIN, Kind.ADDRESS: Level.PLAIN}, demo_scope=COMMUNITY),
    Role("homesafety_gateway", _("Telemetry gateway (machine account)"), frozenset({"homesafety.ingest"})),
    Role("family_member", _("Family member"), frozenset({"homesafety.family"}), demo_scope=COMMUNITY,
         landing="homesafety:family"),
]


def _feed(stop: Any, log: Any, instance: str = "") -> None:
    from .feed import demo_feed  # cycle: they import this file's permission names

    demo_feed(stop, log, instance=instance)


HOMESAFETY_AUDIT_ACTIONS = {
    "homesafety.alarm.acknowledge": _("Alarm acknowledged"),
    "homesafety.alarm.dispatch": _("Alarm: someone sent"),
    "homesafety.alarm.arrive": _("Alarm: arrived on site"),
    "homesafety.alarm.resolve": _("Alarm resolved"),
    "homesafety.alarm.comment": _("Alarm: comment added"),
    "homesafety.alarm.assign": _("Alarm: assignee changed"),
    "homesafety.alarm.export": _("Alarm history exported"),
    "homesafety.report.export": _("Alarm centre figures downloaded"),
    "homesafety.device.bind": _("Device bound to a person"),
    "homesafety.device.unbind": _("Device taken off a person"),
    "homesafety.device.swap": _("Device replaced"),
    "homesafety.console.sound": _("Alarm sound muted or turned on"),
    "homesafety.rules.change": _("Alarm rules changed (new version)"),
    "homesafety.escalation.change": _("Escalation chain changed (new version)"),
    "homesafety.enrol": _("Elder enrolled in home safety"),
    "homesafety.enrollee.update": _("Enrolled elder's data changed"),
    "homesafety.enrollee.thresholds": _("Alarm thresholds changed"),
    "homesafety.workorder.create": _("Installation work order created"),
    "homesafety.workorder.bind": _("Devices bound at installation"),
    "homesafety.workorder.fail": _("Installation failed"),
    "homesafety.feature.request": _("Device feature change requested"),
    "homesafety.feature.decide": _("Device feature change decided"),
}
HOMESAFETY_AUDIT_FIELDS = {
    "installer": _("Installer"), "on": _("Day"), "serials": _("Device serials"), "feature": _("Feature"),
    "enable": _("Switch on"), "approved": _("Approved"), "payment_enabled": _("Payment switched on"),
    "calling_enabled": _("Calling switched on"), "comment": _("Comment"), "assignee": _("Assigned to"),
    "alert_muted": _("Alarm sound muted"), "version": _("Version"), "params": _("Thresholds"),
    "kinds": _("Alarm kinds"), "levels": _("Levels"), "month": _("Month"), "format": _("File format"),
    "alarms": _("Alarms"), "serial": _("Device serial"), "enrollee": _("Enrolled person"),
    "active": _("In service"),
}


SPEC = register_module(ModuleSpec(
    code="homesafety",
    label=_("Home safety"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(_("Alarm centre"), "homesafety:console", "homesafety.view", order=40),
        NavItem(_("Enrolled persons"), "homesafety:persons", "homesafety.view", order=41),
        NavItem(_("My family"), "homesafety:family", "homesafety.family", order=42),
        NavItem(_("Wristband requests"), "homesafety:feature_requests", "people.manage", order=43),
        NavItem(_("Alarm rules"), "homesafety:rules", "homesafety.manage", order=44),
        NavItem(_("Alarm figures"), "homesafety:report", "homesafety.view", order=45),
    ],
    panels=[DashboardPanel(
        "homesafety", _("Home safety"), "homesafety.view",
        later("longcheng.modules.homesafety.views.panel_figures"),
        later("longcheng.modules.homesafety.views.panel_charts"),
        order=20)],
    demo=[DemoStep("homesafety", _("Home safety"),
                   later("longcheng.modules.homesafety.demo.build"), order=20)],
    demo_feeds=[_feed],
    urls="longcheng.modules.homesafety.urls",
    jobs="longcheng.modules.homesafety.jobs",
    personal_data=personal_data,
    retention=RETENTION,
    api="longcheng.modules.homesafety.api.router",
    audit_actions=dict(HOMESAFETY_AUDIT_ACTIONS),
    audit_fields=dict(HOMESAFETY_AUDIT_FIELDS),
    # Wristbands and smoke alarms in the kernel's telemetry (docs/telemetry.md): a gateway account
    # needs homesafety.ingest where the device's person lives.
    telemetry=Telemetry(
        device_types=later("longcheng.modules.homesafety.devices.type_codes"),
        application=later("longcheng.modules.homesafety.ingest.HomeSafety"),
        ingest_permission="homesafety.ingest",
        scope_path="homesafety__enrollee__person__place__path",
        select_related=("homesafety__enrollee",),
        reasons={"invalid_metrics": _("Readings out of range or of the wrong type"),
                 "unknown_event": _("Event this device type does not send"),
                 "invalid_time": _("Unreadable device time"),
                 "time_in_future": _("Device time too far ahead")},
    ),
))
