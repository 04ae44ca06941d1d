from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "longcheng.kernel.rights"
    label = "rights"
    verbose_name = _("Data-subject rights and retention")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the nightly retention job with the queue)
