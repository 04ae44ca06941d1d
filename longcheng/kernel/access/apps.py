from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "longcheng.kernel.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from longcheng.kernel import kernel_spec  # noqa: F401  (registers the kernel's roles and pages)
