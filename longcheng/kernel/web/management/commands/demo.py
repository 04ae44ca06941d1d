"""`longcheng demo [--residents N]`: build (or complete) the demo city, step by step, with progress."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from longcheng.kernel import registry
from longcheng.kernel.demo import print_accounts


class Command(BaseCommand):
    help = "Build the synthetic demo city (idempotent). --residents N for city scale (e.g. 1000000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=3000)
        parser.add_argument("--quiet", action="store_true", help="no progress bar, no account table")

    def handle(self, *args: Any, **options: Any) -> None:
        # Faker and tqdm are the `demo` extra: a city's servers need neither.
        try:
            import faker  # noqa: F401
            from tqdm import tqdm
        except ImportError as exc:
            raise CommandError(f"the demo needs the demo extra ({exc.name} is missing): "
                               "pip install -e '.[demo]' (make run installs it)") from None

        residents = options["residents"]
        if residents < 0:
            raise CommandError("--residents must be zero or more")
        quiet = options["quiet"]
        log = (lambda _m: None) if quiet else self.stdout.write
        started = time.monotonic()
        for step in registry.demo_steps():
            log(f"{step.label}…")
            began = time.monotonic()
            bar = None
            if step.key == "residents" and not quiet:
                bar = tqdm(total=residents, unit=" residents", file=sys.stderr, dynamic_ncols=True)
            step.build(residents=residents, progress=bar.update if bar else None, log=log)
            if bar is not None:
                bar.close()
            log(f"  ({time.monotonic() - began:.1f} s)")
        log(f"Demo city ready in {time.monotonic() - started:.1f} s.")
        if not quiet:
            print_accounts(self.stdout.write)
