from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WastecycleConfig(AppConfig):
    name = "longcheng.modules.wastecycle"
    label = "wastecycle"
    verbose_name = _("Food waste and transfer station")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import spec  # noqa: F401  (registers the module with the kernel)
