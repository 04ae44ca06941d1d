"""The rules' first version as data rows (seed.py): exclusions and the liability table."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from longcheng.modules.accidents.seed import load_first_version

    load_first_version(apps.get_model("accidents", "Exclusion"), apps.get_model("accidents", "LiabilityRule"))


class Migration(migrations.Migration):
    dependencies = [("accidents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
