"""The `longcheng` console command: Django's management commands under the project's name
(`longcheng migrate`, `longcheng demo`, `longcheng workdays due …`, `longcheng serve`)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longcheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["longcheng", *sys.argv[1:]])


if __name__ == "__main__":
    main()
