"""A small world for cleaner-production audits: two firms in 遥观镇's communities and one in 溧城街道, a
qualified consultancy and an unqualified one; the bureau and the park staff of 武进区, an expert of
遥观镇, the first firm's staff, the consultancy's staff and the second firm's staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from longcheng.modules.cleanaudit import actions

FULL = {"process": 18, "focus": 14, "balance": 18, "options": 22, "report": 18}  # 90
ACCEPT = {"implemented": 36, "effect": 34, "continuous": 18}
BEFORE = {"energy_tce": "1250", "water_m3": "84000", "materials_t": "5200", "co2_t": "3100",
          "value_added_fen": "8000000000", "output": "4000"}
AFTER = {"energy_tce": "1100", "water_m3": "70000", "materials_t": "5000", "co2_t": "2700",
         "value_added_fen": "8800000000", "output": "4200"}


def make_uscc(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


@pytest.fixture
def world(city: dict[str, Any], make_user: Callable[..., Any], settings: Any) -> dict[str, Any]:
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.cleanaudit.models import Consultancy

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    firms = [Organisation.objects.create(kind="enterprise", name=name, uscc=make_uscc(body), place=place)
             for name, body, place in (("常州遥观涂料厂", "91320412MA1C0A1B2", city["a"]),
                                       ("常州剑湖电镀厂", "91320412MA1C0C3D4", city["b"]),
                                       ("溧阳纺织厂", "91320481MA1C0E5F6", city["liyang_town"]))]
    good = Consultancy.objects.create(
        org=Organisation.objects.create(kind="enterprise", name="江苏清源咨询", uscc=make_uscc("91320400MA1C0G7H8"),
                                        place=city["root"]),
        legal_qa=True, balance_equipment=True, technicians=True, auditors=True)
    weak = Consultancy.objects.create(
        org=Organisation.objects.create(kind="enterprise", name="某咨询公司", uscc=make_uscc("91320400MA1C0J9K1"),
                                        place=city["root"]),
        legal_qa=True, balance_equipment=False, technicians=True, auditors=True)
    return {
        "firms": firms, "good": good, "weak": weak,
        "bureau": make_user("bureau", {"cleanaudit_bureau": [city["wujin"]]}),
        "park": make_user("park", {"cleanaudit_park": [city["wujin"]]}),
        "expert": make_user("expert", {"cleanaudit_expert": [city["yaoguan"]]}),
        "expert_liyang": make_user("expert_liyang", {"cleanaudit_expert": [city["liyang"]]}),
        "firm_user": make_user("firm_user", {"cleanaudit_firm": [city["wujin"]]}, organisation=firms[0]),
        "other_firm": make_user("other_firm", {"cleanaudit_firm": [city["wujin"]]}, organisation=firms[1]),
        "consultant": make_user("consultant", {"cleanaudit_firm": [city["wujin"]]}, organisation=good.org),
    }


def list_round(world: dict[str, Any], n: int = 0, mode: str = "self", **kw: Any) -> Any:
    return actions.do_list_round(firm=world["firms"][n], year=2026, listed_on=dt.date(2026, 1, 31), trigger="energy",
                                 industry="coatings", mode=mode, acting_user=world["bureau"], **kw)


def fill_stage(audit: Any, user: Any, now: Any = None) -> None:
    """What the round's current stage asks for, filed by `user`."""
    stage = audit.status
    kinds = {"planning": ("team", "plan"), "preaudit": ("targets",), "audit": ("balance_report",),
             "options": ("screening",), "feasibility": ("feasibility",), "implementation": ("implementation",),
             "continuous": ("continuous_plan",)}[stage]
    if stage == "planning" and audit.registered_on is None:
        audit = actions.do_register(audit.pk, acting_user=user, now=now)
    for kind in kinds:
        actions.do_add_artefact(audit.pk, kind=kind, title=f"{kind} 文件", acting_user=user)
    if stage == "preaudit":
        actions.do_set_figures(audit.pk, period="before", values=BEFORE, acting_user=user)
    if stage == "audit":
        actions.do_set_balance(audit.pk, values={"inputs_t": "1000", "products_t": "900", "byproducts_t": "40",
                                                 "losses_t": "30"}, acting_user=user)
    if stage == "options":
        low = actions.do_add_option(audit.pk, title="跑冒滴漏治理", cost_class="low", investment_fen=2_000_000,
                                    yearly_saving_fen=5_000_000, life_years=1, acting_user=user)
        actions.do_set_option_status(low.pk, status="implemented", acting_user=user)
        actions.do_add_option(audit.pk, title="余热回收", cost_class="high", investment_fen=10_000_000,
                              yearly_saving_fen=3_000_000, life_years=5, energy_saved_tce="120", acting_user=user)
    if stage == "feasibility":
        high = audit.options.get(cost_class="high")
        actions.do_set_option_status(high.pk, status="adopted", acting_user=user)
    if stage == "implementation":
        actions.do_set_figures(audit.pk, period="after", values=AFTER, acting_user=user)


def walk(audit: Any, user: Any, until: str = "assessment", now: Any = None) -> Any:
    """Fill and close stages until the round reaches `until` (closing each at `now`, if given)."""
    while audit.status != until:
        fill_stage(audit, user, now)
        audit = actions.do_close_stage(audit.pk, acting_user=user, now=now)
    return audit


def accept(world: dict[str, Any], audit: Any, now: Any = None) -> Any:
    """The whole way: 评估 passed, the high-cost option implemented and measured, 验收 passed."""
    actions.do_review(audit.pk, kind="assessment", scores=FULL, acting_user=world["bureau"], now=now)
    high = audit.options.get(cost_class="high")
    actions.do_set_option_status(high.pk, status="implemented", measured_saving_fen=2_800_000,
                                 acting_user=world["firm_user"])
    return actions.do_review(audit.pk, kind="acceptance", scores=ACCEPT, acting_user=world["bureau"], now=now)
