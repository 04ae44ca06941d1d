"""`longcheng places_import FILE.geojson [--user NAME]`: load or update the place tree and its
outlines (kernel.places.importer; all or nothing, a line per feature)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from longcheng.kernel.access.models import User
from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.importer import MAX_BYTES, do_import_places, read_features


class Command(BaseCommand):
    help = "Load or update places and outlines from a GeoJSON FeatureCollection (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", default="", help="act as this account, within its places.manage scope "
                                                         "(default: the system, everywhere)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"--user {options['user']}: no active account of that name")
        try:
            report = do_import_places(read_features(path.read_bytes()), acting_user=actor)
        except KernelError as error:
            raise CommandError(f"{error.field or 'file'}: {error.message}") from None
        for row in report["rows"]:
            if row["ok"]:
                self.stdout.write(f"row {row['row']} {row['code']}: {row['outcome']}")
            else:
                self.stdout.write(f"row {row['row']} {row['code']}: refused, {row['field']}: {row['message']}")
        if not report["applied"]:
            raise CommandError(f"{report['failed']} rows refused: nothing was written")
        counts = report["counts"]
        self.stdout.write(f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}")
