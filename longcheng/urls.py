from django.urls import include, path, re_path

from longcheng.kernel import registry
from longcheng.kernel.web.api import api, unknown_route

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_route),
    # Each module's pages live under /<module code>/, declared in its registry entry.
    *[path(f"{spec.code}/", include(spec.urls)) for spec in registry.modules() if spec.urls],
    # Staff, roles, passwords and two-factor sign-in (the kernel's access pages).
    path("access/", include("longcheng.kernel.access.urls")),
    # Data-subject requests and retention (kernel/rights).
    path("rights/", include("longcheng.kernel.rights.urls")),
    # Telemetry gateways: their tokens and what they sent (kernel/telemetry).
    path("telemetry/", include("longcheng.kernel.telemetry.urls")),
    path("", include("longcheng.kernel.web.urls")),
]
