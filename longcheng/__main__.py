"""The `longcheng` console command: Django's management commands under the project's name
(`longcheng migrate`, `longcheng demo`, `longcheng workdays due …`, `longcheng serve`)."""

from __future__ import annotations

import os
import sys

# Importing these reads no settings (Django reads them lazily): DJANGO_SETTINGS_MODULE is set in main().
from django.core.management import execute_from_command_line
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor

FIX = "run make run or longcheng migrate"


def _unapplied_migrations() -> int | None:
    """How many migrations the database lacks; None when that cannot be told (e.g. no connection)."""
    connections.close_all()  # the failed statement may have left the connection in an aborted transaction
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception:  # the database cannot even be asked: the original error says more
        return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longcheng.settings")
    try:
        execute_from_command_line(["longcheng", *sys.argv[1:]])
    except DatabaseError:
        # A missing table on a fresh checkout is not a bug to show as a traceback but a step not
        # yet taken; any other database error (or one on a migrated database) is raised as it is.
        missing = _unapplied_migrations()
        if not missing:
            raise
        sys.stderr.write(f"longcheng: the database ({connection.settings_dict['NAME']}) is not migrated "
                         f"({missing} migrations not applied): {FIX}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
