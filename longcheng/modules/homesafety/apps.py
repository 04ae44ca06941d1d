from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeSafetyConfig(AppConfig):
    name = "longcheng.modules.homesafety"
    label = "homesafety"
    verbose_name = _("Home safety (elders and children)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals, spec  # noqa: F401  (registers the module with the kernel; cache signals)
