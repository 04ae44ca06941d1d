"""Dead-letter reasons in words: the kernel's, then each module's own (`Telemetry.reasons`). A page
never shows `device_out_of_scope` to an operator; an unknown code is shown as it is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from longcheng.kernel.registry import Label

from .plug import telemetry_modules

REASONS: dict[str, Label] = {
    "too_large": _("Message too large"),
    "too_deep": _("Nested too deeply"),
    "malformed_json": _("Not readable JSON"),
    "invalid_batch": _("Not a valid gateway batch"),
    "invalid_envelope": _("Missing or wrong fields"),
    "topic_mismatch": _("Device differs from its topic"),
    "unknown_gateway": _("Unknown gateway"),
    "unknown_device": _("Unknown device"),
    "device_out_of_scope": _("Device outside the gateway's area"),
    "retired_device": _("Device retired"),
    "unknown_device_type": _("Device type no service declares"),
    "seq_conflict": _("Sequence number used with other content"),
    "internal_error": _("Failed while being stored"),
}


def reason_label(code: str) -> str:
    if code in REASONS:
        return str(REASONS[code])
    for _spec, telemetry in telemetry_modules():
        if code in telemetry.reasons:
            return str(telemetry.reasons[code])
    return code
