from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "longcheng.kernel.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from . import signin  # in ready(): connects signals once the models are loaded

        signin.connect()
