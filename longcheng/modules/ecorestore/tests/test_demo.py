"""The demo: the 宋剑湖 base with its seven zones and a year of cases, built through the actions, twice
without adding anything."""

from __future__ import annotations

from typing import Any

from longcheng.modules.ecorestore import actions_money, demo
from longcheng.modules.ecorestore.models import (
    Assessment,
    Base,
    Case,
    Certificate,
    Obligation,
    Shift,
    Work,
    Zone,
)

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
    # In kind: fish on the two fishing cases certified, trees on the logging one, trees still open on one.
    done = sorted(Work.objects.values_list("kind", "quantity_done", "state"))
    assert done == [("fish", 5000, "complete"), ("fish", 5000, "complete"), ("trees", 50, "open"),
                    ("trees", 60, "complete")]
    assert Assessment.objects.filter(satisfactory=True).count() == 3
    assert Case.objects.filter(stage="disclosed").count() == 2
    assert Shift.objects.filter(state="missed", obligation__case__party_user=party).count() == 1
    money = actions_money.fund_figures(Base.objects.get())
    assert money == {"received": 400_000 + 28 * 2200, "spent": 185_000, "balance": 215_000 + 28 * 2200}
    demo.build(log=lines.append)
    assert Case.objects.count() == len(demo.CASES) and "already" in lines[-1]
