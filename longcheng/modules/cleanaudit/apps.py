from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CleanauditConfig(AppConfig):
    name = "longcheng.modules.cleanaudit"
    label = "cleanaudit"
    verbose_name = _("Cleaner-production audits")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import spec  # noqa: F401  (registers the module with the kernel)
