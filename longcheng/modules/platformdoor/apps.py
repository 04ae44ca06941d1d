from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformdoorConfig(AppConfig):
    name = "longcheng.modules.platformdoor"
    label = "platformdoor"
    verbose_name = _("Platform doors")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import spec  # noqa: F401  (registers the module with the kernel)
