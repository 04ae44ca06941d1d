"""`longcheng run`: what `make run` does. Migrate the embedded database, build the demo city when the
database is empty, print the demo accounts, then serve the web and the background jobs together."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from longcheng.kernel.demo import print_accounts
from longcheng.kernel.places.models import Place


class Command(BaseCommand):
    help = "Migrate, build the demo city if the database is empty, and serve the platform with its jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--residents", type=int, default=3000, help="residents in a new demo city")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if not Place.objects.exists():
            self.stdout.write("The database is empty: building the demo city…")
            call_command("demo", residents=options["residents"])
        else:

            print_accounts(self.stdout.write)
        call_command("serve", host=options["host"], port=options["port"], demo_feeds=True)
