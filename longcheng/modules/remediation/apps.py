from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "longcheng.modules.remediation"
    label = "remediation"
    verbose_name = _("Remediation campaigns")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import spec  # noqa: F401  (registers the module with the kernel)
