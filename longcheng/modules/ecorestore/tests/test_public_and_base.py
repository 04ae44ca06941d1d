"""The public disclosure page (no sign-in): only disclosed cases, the party's name masked through the
kernel's policy, the restoration done, paged by the kernel's pager. The base page draws every zone's
outline on the kernel map; the dashboard counts trees, fish and the park's money in the viewer's places."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from longcheng.modules.ecorestore import actions_money, figures
from longcheng.modules.ecorestore.actions_money import NewReceipt, NewSpend
from longcheng.modules.ecorestore.models import (
    Assessment,
    Case,
    DamageHead,
    Delivery,
    Obligation,
    Stage,
    Work,
)

from .support import DECIDED, make_base, staff


def _case(city: dict[str, Any], n: int, stage: str, zone: Any, user: Any) -> Case:
    case = Case.objects.create(
        number=f"JK-P-{n:03d}", title="非法捕捞水产品", source="court", source_organ="常州经开区人民法院",
        legal_basis="规定", place=city["a"], party_name=f"欧阳建{n:03d}国", party_kind="person", stage=stage,
        decided_on=DECIDED, opened_on=DECIDED + dt.timedelta(days=n))
    DamageHead.objects.create(case=case, head="service_loss", amount_fen=100_000)
    DamageHead.objects.create(case=case, head="assessment_cost", amount_fen=100_000)  # equal heads: both count
    Obligation.objects.create(case=case, hours_owed=9, hours_credited=9, fen_per_hour=2200, rate_from=DECIDED,
                              amount_offset_fen=19_800, hardship_evidence="证明", consent=True, due_on=DECIDED,
                              state="complete")
    work = Work.objects.create(case=case, zone=zone, kind="trees", quantity_owed=60, quantity_done=60,
                               fen_per_unit=500, amount_offset_fen=30_000, due_on=DECIDED, state="complete")
    Delivery.objects.create(work=work, quantity=60, on=DECIDED, recorded_by=user)
    if stage in (Stage.ASSESSMENT, Stage.DISCLOSED):
        Assessment.objects.create(case=case, checked_on=DECIDED, assessor="江苏环科院", survival_percent=95,
                                  satisfactory=True, recorded_by=user)
    return case


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    zones = make_base(city)
    prosecutor = staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    return {"zones": zones, "prosecutor": prosecutor, "base": zones["labour"].base}


def test_the_disclosure_page_is_public_masks_names_and_pages(city: dict[str, Any], scene: dict[str, Any]) -> None:
    for n in range(23):
        _case(city, n, Stage.DISCLOSED, scene["zones"]["planting"], scene["prosecutor"])
    hidden = _case(city, 99, Stage.ASSESSMENT, scene["zones"]["planting"], scene["prosecutor"])
    response = Client().get("/ecorestore/disclosure/")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert page.count('class="disclosed"') == 20
    assert "欧阳建" not in page and "欧*****国" in page  # the masked name, never the plain one
    assert "¥2,000.00" in page or "2,000.00" in page  # two equal heads of ¥1,000 both counted
    assert hidden.number not in page
    second = html.unescape(Client().get("/ecorestore/disclosure/?page=2").content.decode())
    assert second.count('class="disclosed"') == 3
    assert "JK-P-000" in second  # oldest last
    assert Client().post("/ecorestore/disclosure/").status_code == 405


def test_the_base_page_draws_every_zone_and_its_money(city: dict[str, Any], scene: dict[str, Any]) -> None:
    base = scene["base"]
    actions_money.do_record_receipt(base, NewReceipt(kind="fee", amount_fen=80_000, payer="某公司",
                                                     received_on=DECIDED), acting_user=scene["prosecutor"])
    actions_money.do_record_spend(base, NewSpend(purpose="seedlings", description="香樟苗", amount_fen=30_000,
                                                 payee="苗圃", spent_on=DECIDED), acting_user=scene["prosecutor"])
    client = Client()
    client.force_login(scene["prosecutor"])
    page = html.unescape(client.get(f"/ecorestore/bases/{base.pk}/").content.decode())
    found = re.search(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', page, re.S)
    assert found is not None, page[:2000]
    features = json.loads(found.group(1))["features"]
    assert sorted(f["properties"]["label"].split(" · ")[0] for f in features) == ["劳务代偿区", "补植复绿区"]
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    assert re.search(r'id="balance">[^<]*500\.00', page)
    elsewhere = staff("elsewhere", {"ecorestore_prosecutor": [city["liyang"]]})
    client.force_login(elsewhere)
    assert client.get(f"/ecorestore/bases/{base.pk}/").status_code == 404


def test_the_dashboard_counts_trees_fish_and_money_in_scope(city: dict[str, Any], scene: dict[str, Any]) -> None:
    _case(city, 1, Stage.DISCLOSED, scene["zones"]["planting"], scene["prosecutor"])
    actions_money.do_record_receipt(scene["base"], NewReceipt(kind="compensation", amount_fen=12_345, payer="张某",
                                                              received_on=DECIDED), acting_user=scene["prosecutor"])
    with translation.override("en"):
        shown = {str(f.label): f.value for f in figures.restoration_figures(scene["prosecutor"])}
    assert shown["Trees planted"] == 60 and shown["Fish released"] == 0
    assert "123.45" in str(shown["Money received"]) and "0.00" in str(shown["Money spent"])
    outsider = staff("outsider", {"ecorestore_prosecutor": [city["liyang"]]})
    with translation.override("en"):
        shown = {str(f.label): f.value for f in figures.restoration_figures(outsider)}
    assert shown["Trees planted"] == 0 and "123.45" not in str(shown["Money received"])
    assert len(figures.panel_charts(scene["prosecutor"])) == 3
