from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "longcheng.kernel.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the delivery jobs with the queue)
