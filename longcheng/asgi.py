"""The production web application: `uvicorn longcheng.asgi:application` (docs/operations.md).

ASGI so that the alarm console's event streams wait on the event loop instead of holding a worker.
Static files (collected into STATIC_ROOT) are served by whitenoise in front of Django, routed here
rather than through WhiteNoiseMiddleware: that middleware is synchronous, and in the middle of the
asynchronous stack it would cost every request a hop to a thread and back."""

import os

from asgiref.wsgi import WsgiToAsgi
from django.conf import settings
from django.core.asgi import get_asgi_application
from whitenoise import WhiteNoise

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longcheng.settings")
django_application = get_asgi_application()


def _static_application() -> object:
    def not_found(environ: dict, start_response: object) -> list[bytes]:
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])  # type: ignore[operator]
        return [b"Not found"]

    # An hour: the names carry no content hash (no manifest storage), so browsers must look again.
    return WsgiToAsgi(WhiteNoise(not_found, root=str(settings.STATIC_ROOT), prefix=settings.STATIC_URL, max_age=3600))


_static = _static_application()


async def application(scope: dict, receive: object, send: object) -> None:
    if scope["type"] == "http" and scope["path"].startswith(settings.STATIC_URL):
        await _static(scope, receive, send)  # type: ignore[operator]
    else:
        await django_application(scope, receive, send)  # type: ignore[arg-type]
