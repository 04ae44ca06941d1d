from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "longcheng.kernel.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # In ready(): the app registry must be loaded before these import models.
        from longcheng.kernel import registry

        from .api import register_module_jobs

        # Wherever Django is set up (web, `run_huey`, `ingest_mqtt`), each module's jobs are imported
        # from its spec: a consumer that has never imported a module's jobs discards them as unknown.
        registry.on_register(register_module_jobs)
