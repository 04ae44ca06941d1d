from django import template

from longcheng.kernel.telemetry.labels import reason_label

register = template.Library()


@register.filter
def rejection(code: str) -> str:
    """A dead letter's reason in words (`unknown_device` → 未知设备)."""
    return reason_label(code)
