"""The registry checks go through the named seam and are stored with the report at each driver's
confirmation (what was checked, by which adapter, when, the result): "unverified" when no registry
is connected (the default), the demo adapter's answers when it is configured; the officer sees both
drivers' checks, each driver only their own."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.accidents import actions, registries
from longcheng.modules.accidents.models import RegistryCheck

from .conftest import T0, details


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(user)
    return client


def _stored(report: Any, side: str) -> dict[str, tuple[str, str]]:
    return {r.item: (r.result, r.source) for r in RegistryCheck.objects.filter(report=report, party__side=side)}


def test_without_a_registry_every_check_is_stored_unverified_and_shown_so(build: Any, people: dict[str, Any],
                                                                         settings: Any) -> None:
    settings.ACCIDENTS_REGISTRY = ""
    report = build(["rear_end"], ["hit_while_lawful"])
    assert _stored(report, "A") == _stored(report, "B") == {code: ("unverified", "") for code in registries.CHECKS}
    assert set(RegistryCheck.objects.filter(report=report).values_list("checked_at", flat=True)) == {T0}
    page = _client(people["officer"]).get(reverse("accidents:review", args=[report.pk])).content.decode()
    assert page.count("未核验") == 8  # four checks for each of the two drivers


def test_the_demo_registrys_answers_are_stored_audited_and_shown_to_whom_they_concern(
        build: Any, people: dict[str, Any], settings: Any) -> None:
    settings.ACCIDENTS_REGISTRY = "demo"
    report = build(["rear_end"], ["hit_while_lawful"], until="paired")
    actions.do_confirm_party(report, details(people, "A", plate="苏D12340", policy_no="X-1"), acting_user=people["a"],
                             now=T0)
    actions.do_confirm_party(report, details(people, "B"), acting_user=people["b"], now=T0)
    assert _stored(report, "A") == {"licence": ("valid", "demo"), "plate": ("valid", "demo"),
                                    "inspection": ("invalid", "demo"), "insurance": ("invalid", "demo")}
    assert {result for result, _s in _stored(report, "B").values()} == {"valid"}
    audit = AuditEntry.objects.filter(action="accidents.party.confirm", object_id=str(report.parties.get(side="A").pk))
    after = audit.get().after
    assert after is not None and after["registry_checks"]["inspection"] == "invalid"
    # The registry changing its mind later does not change what was recorded.
    settings.ACCIDENTS_REGISTRY = ""
    review = _client(people["officer"]).get(reverse("accidents:review", args=[report.pk])).content.decode()
    assert review.count('class="check-inspection invalid"') == 1 and review.count("已核验") == 6
    # Driver A sees their own two failures; driver B sees only their own checks, all verified.
    mine = _client(people["a"]).get(reverse("accidents:report", args=[report.pk])).content.decode()
    assert 'id="my-checks"' in mine and mine.count(" invalid\"") == 2
    theirs = _client(people["b"]).get(reverse("accidents:report", args=[report.pk])).content.decode()
    assert theirs.count('class="check-') == 4 and " invalid\"" not in theirs


def test_a_second_confirmation_shows_the_checks_of_the_latest(build: Any, people: dict[str, Any],
                                                             settings: Any) -> None:
    settings.ACCIDENTS_REGISTRY = "demo"
    report = build(["rear_end"], ["hit_while_lawful"], until="paired")
    a = people["a"]
    actions.do_confirm_party(report, details(people, "A", plate="苏D12340"), acting_user=a, now=T0)
    party = actions.do_confirm_party(report, details(people, "A", plate="苏D12345"), acting_user=a,
                                     now=T0.replace(minute=40))
    assert RegistryCheck.objects.filter(party=party).count() == 8  # both kept
    assert {c["code"]: c["result"] for c in registries.stored(party)}["inspection"] == "valid"
