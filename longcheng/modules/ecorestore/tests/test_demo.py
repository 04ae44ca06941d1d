"""The demo: the 宋剑湖 base with its seven zones and a year of cases, built through the actions, twice
without adding anything."""

from __future__ import annotations

from typing import Any

from longcheng.modules.ecorestore import demo
from longcheng.modules.ecorestore.models import Case, Certificate, Obligation, Zone

from .support import staff


def test_the_demo_builds_the_base_and_a_year_of_cases_once(city: dict[str, Any]) -> None:
    # city["b"] is 剑湖社区, where the demo puts the base; the accounts are the kernel demo's.
    staff("ecorestore_prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    staff("ecorestore_supervisor", {"ecorestore_supervisor": [city["b"]]})
    party = staff("ecorestore_party", {"ecorestore_party": [city["root"]]})
    lines: list[str] = []
    demo.build(log=lines.append)
    assert Zone.objects.count() == 7
    assert Case.objects.count() == len(demo.CASES)
    assert Certificate.objects.count() == 3
    assert list(Obligation.objects.filter(state="breached").values_list("hours_credited", "reverted_fen")) == [
        (12, 28 * 2200)]
    assert Obligation.objects.filter(case__party_user=party).count() == 1
    demo.build(log=lines.append)
    assert Case.objects.count() == len(demo.CASES) and "already" in lines[-1]
