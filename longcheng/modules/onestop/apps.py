from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OneStopConfig(AppConfig):
    name = "longcheng.modules.onestop"
    label = "onestop"
    verbose_name = _("One-stop enterprise services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import catalogue, prechecks, spec  # noqa: F401  (declarations, registry; the spec names its jobs)
