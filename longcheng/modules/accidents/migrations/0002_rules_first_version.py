"""The rules' first version as data rows (seed.py): exclusions and the liability table."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from longcheng.modules.accidents.seed import EXCLUSIONS, LIABILITY_RULES

    Exclusion = apps.get_model("accidents", "Exclusion")
    LiabilityRule = apps.get_model("accidents", "LiabilityRule")
    for order, (code, basis, zh, en) in enumerate(EXCLUSIONS):
        Exclusion.objects.get_or_create(code=code, version=1, defaults={
            "basis": basis, "question_zh": zh, "question_en": en, "order": order})
    for order, (code, zh, en, outcome) in enumerate(LIABILITY_RULES):
        LiabilityRule.objects.get_or_create(code=code, version=1, defaults={
            "situation_zh": zh, "situation_en": en, "outcome": outcome, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accidents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
