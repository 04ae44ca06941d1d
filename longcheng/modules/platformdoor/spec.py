"""What platformdoor offers the kernel: permissions, roles, pages, API, jobs, demo and its device types
in the kernel's telemetry (docs/adding-a-module.md, docs/platformdoor.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DemoStep, ModuleSpec, NavItem, Role, Telemetry, later, register_module

VIEW, HANDLE, BYPASS = "platformdoor.view", "platformdoor.handle", "platformdoor.bypass"
APPROVE, MAINTAIN, INGEST = "platformdoor.approve", "platformdoor.maintain", "platformdoor.ingest"

PERMISSIONS = {
    VIEW: _("See platform doors, dwells, alarms and bypasses"),
    HANDLE: _("Acknowledge and close platform-door alarms"),
    BYPASS: _("Ask for a platform-door bypass"),
    APPROVE: _("Approve a platform-door bypass (the second person)"),
    MAINTAIN: _("Record functional tests of gap detectors"),
    INGEST: _("Send platform-door telemetry (gateways)"),
}

# The demo line's first station lies in 上书房社区: its staff work there; the controller and the
# maintenance team serve the whole line (the city).
STATION_PLACE = "上书房社区"

ROLES = [
    Role("platformdoor_station_staff", _("Station staff (platform doors)"), frozenset({VIEW, HANDLE, BYPASS}),
         demo_scope=STATION_PLACE),
    Role("platformdoor_controller", _("Line controller"), frozenset({VIEW, HANDLE, APPROVE})),
    Role("platformdoor_maintenance", _("Platform-door maintenance"), frozenset({VIEW, MAINTAIN})),
    Role("platformdoor_gateway", _("Platform-door telemetry gateway (machine account)"), frozenset({INGEST})),
]

AUDIT_ACTIONS = {
    "platformdoor.alarm.acknowledge": _("Platform-door alarm acknowledged"),
    "platformdoor.alarm.close": _("Platform-door alarm closed"),
    "platformdoor.bypass.request": _("Platform-door bypass asked for"),
    "platformdoor.bypass.approve": _("Platform-door bypass approved"),
    "platformdoor.bypass.end": _("Platform-door bypass ended"),
    "platformdoor.test.record": _("Detector functional test recorded"),
    "platformdoor.incident.export": _("Platform-door incident timeline exported"),
}
AUDIT_FIELDS = {
    "cause": pgettext_lazy("platform door alarm", "Cause"), "note": _("Note"), "reason": _("Reason"),
    "expires_at": _("Expires at"), "requested_by": _("Requested by"), "ended_at": _("Ended at"),
    "result": pgettext_lazy("functional test", "Result"), "kind": pgettext_lazy("platform door alarm", "Alarm"),
    "alarm": pgettext_lazy("platform door alarm", "Alarm"),
}

SPEC = register_module(ModuleSpec(
    code="platformdoor",
    label=_("Platform doors"),
    permissions=dict(PERMISSIONS),
    roles=ROLES,
    nav=[
        NavItem(_("Platform-door board"), "platformdoor:board", VIEW, order=200),
        NavItem(_("Gap detectors"), "platformdoor:detectors", VIEW, order=201),
        NavItem(_("Functional tests due"), "platformdoor:tests", VIEW, order=202),
    ],
    demo=[DemoStep("platformdoor", _("Platform doors"), later("longcheng.modules.platformdoor.demo.build"), order=200)],
    urls="longcheng.modules.platformdoor.urls",
    api="longcheng.modules.platformdoor.api.router",
    jobs="longcheng.modules.platformdoor.jobs",
    audit_actions=dict(AUDIT_ACTIONS),
    audit_fields=dict(AUDIT_FIELDS),
    # Detectors, door switches, loops and train signals in the kernel's telemetry (docs/telemetry.md):
    # a gateway account needs platformdoor.ingest where the device's station is.
    telemetry=Telemetry(
        device_types=later("longcheng.modules.platformdoor.devices.type_codes"),
        application=later("longcheng.modules.platformdoor.ingest.PlatformDoors"),
        ingest_permission=INGEST,
        scope_path="platformdoor__platform__station__place__path",
        select_related=("platformdoor__platform__station__line", "platformdoor__door",
                        "platformdoor__detector__door"),
    ),
))
