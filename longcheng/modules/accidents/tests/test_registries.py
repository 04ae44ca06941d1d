"""The registry checks go through the named seam: "unverified" when no registry is connected (the
default), the demo adapter's answers when it is configured, shown to the officer on the review page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from longcheng.modules.accidents import registries


def test_without_a_registry_every_check_is_unverified_on_the_officers_page(build: Any, people: dict[str, Any],
                                                                          settings: Any) -> None:
    settings.ACCIDENTS_REGISTRY = ""
    report = build(["rear_end"], ["hit_while_lawful"])
    party = report.parties.get(side="A")
    assert {code: result for code, _, result in registries.checks(party)} == {
        code: str(registries.RESULTS["unverified"]) for code in registries.CHECKS}
    client = Client()
    client.force_login(people["officer"])
    page = client.get(f"/accidents/queue/{report.pk}/").content.decode()
    assert page.count("未核验") == 8  # four checks for each of the two drivers


def test_the_demo_registry_flags_what_fails_and_verifies_the_rest(build: Any, people: dict[str, Any],
                                                                 settings: Any) -> None:
    settings.ACCIDENTS_REGISTRY = "demo"
    report = build(["rear_end"], ["hit_while_lawful"])
    party = report.parties.get(side="A")
    party.plate, party.policy_no = "苏D12340", "X-1"
    results = {code: result for code, _, result in registries.checks(party)}
    assert results["inspection"] == results["insurance"] == str(registries.RESULTS["invalid"])
    assert results["licence"] == results["plate"] == str(registries.RESULTS["valid"])
