"""`longcheng serve`: the web server and the background-job consumer in one process, for `make run`
and a small town. A city runs uvicorn and `longcheng run_huey` separately (docs/operations.md).

The web server is uvicorn with the project's ASGI application, as in production, so that open alarm
consoles (server-sent events) wait on the event loop instead of each holding a thread; static files
come from the apps' folders through Django's static files handler, as `runserver` served them. Where
uvicorn is not installed (a bare `pip install longcheng`) it falls back to Django's threaded
development server."""

from __future__ import annotations

import importlib.util
import socket
import threading
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from huey.contrib.djhuey import HUEY

from longcheng.kernel import registry


class Command(BaseCommand):
    help = "Serve the web pages and run background jobs in the same process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-jobs", action="store_true", help="do not start the job consumer")
        parser.add_argument("--demo-feeds", action="store_true",
                            help="also start the modules' demo feeds (device simulators), as make run does")

    def handle(self, *args: Any, **options: Any) -> None:
        consumer = None
        if not options["no_jobs"] and not HUEY.immediate:
            consumer = HUEY.create_consumer(workers=settings.JOBS_WORKERS, worker_type="thread", periodic=True,
                                            check_worker_health=False,
                                            max_delay=1.0)  # as run_huey (settings.HUEY)
            # The web server owns Ctrl-C in this process; the consumer stops when it returns.
            consumer._set_signal_handlers = lambda: None
            consumer.start()
            self.stdout.write(f"Background jobs: {settings.JOBS_WORKERS} worker threads on {type(HUEY).__name__}")

        stop = threading.Event()
        if options["demo_feeds"]:
            for feed in registry.demo_feeds():
                threading.Thread(target=feed, args=(stop, self.stdout.write), daemon=True,
                                 kwargs={"instance": f"{socket.gethostname()}-{options['port']}"},
                                 name=f"demo-feed-{feed.__module__}").start()
        self.stdout.write(f"Serving http://{options['host']}:{options['port']}/  (Ctrl-C to stop)")
        try:
            if importlib.util.find_spec("uvicorn") is None:
                call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False,
                             insecure_serving=True, use_threading=True)
            else:
                import uvicorn  # the optional prod extra: imported only when installed

                # Open event streams end within a few seconds of Ctrl-C instead of at their renewal.
                uvicorn.run(ASGIStaticFilesHandler(get_asgi_application()), host=options["host"], port=options["port"],
                            log_level="warning", lifespan="off", timeout_graceful_shutdown=3)
        finally:
            stop.set()
            if consumer is not None:
                consumer.stop(graceful=True)
