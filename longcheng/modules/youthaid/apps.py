from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthAidConfig(AppConfig):
    name = "longcheng.modules.youthaid"
    label = "youthaid"
    verbose_name = _("Qinglizhu aid fund for youths who lost a parent")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import spec  # noqa: F401  (registers the module with the kernel, which loads its jobs)
