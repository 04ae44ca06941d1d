"""The rules in force, read from their data rows: the newest active version of each code."""

from __future__ import annotations

from .models import Exclusion, LiabilityRule


def exclusions_in_force() -> list[Exclusion]:
    newest: dict[str, Exclusion] = {}
    for row in Exclusion.objects.order_by("code", "-version"):
        newest.setdefault(row.code, row)
    return sorted((r for r in newest.values() if r.active), key=lambda r: (r.order, r.code))


def rules_in_force() -> list[LiabilityRule]:
    newest: dict[str, LiabilityRule] = {}
    for row in LiabilityRule.objects.order_by("code", "-version"):
        newest.setdefault(row.code, row)
    return sorted((r for r in newest.values() if r.active), key=lambda r: (r.order, r.code))


def liability_table() -> dict[str, str]:
    return {r.code: r.outcome for r in rules_in_force()}
