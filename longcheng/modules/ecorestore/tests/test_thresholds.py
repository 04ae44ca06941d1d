"""Eligibility thresholds as data: Taizhou's < 500 yuan fast lane (no hardship evidence asked) and a cap
per case, the version in force on the decision date deciding; set on a page by the procuratorate, a
new version each time, audited; refusals name the field and change nothing."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.modules.ecorestore import actions, actions_config
from longcheng.modules.ecorestore.models import Obligation, Threshold

from .support import DECIDED, case_in_restoration, make_base, make_rates, staff


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    make_rates()
    make_base(city)
    return {"city": city, "prosecutor": staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]}),
            "court": staff("court", {"ecorestore_court": [city["yaoguan"]]})}


def _convert(case: Any, user: Any, amount: int = 4_400) -> Obligation:
    return actions.do_convert_to_labour(case, amount_fen=amount, consent=True, hardship="", due_on=dt.date(2024, 12, 31),
                                        acting_user=user)


def test_the_fast_lane_in_force_on_the_decision_date(scene: dict[str, Any]) -> None:
    prosecutor = scene["prosecutor"]
    small = case_in_restoration(scene["city"], prosecutor, number="JK-S-1", damage=110_000)  # 1,100 yuan
    with pytest.raises(KernelError) as no_lane:
        _convert(small, prosecutor)
    assert no_lane.value.field == "hardship"
    # A version from after the decision date does not apply to this case...
    actions_config.do_set_threshold(valid_from=DECIDED + dt.timedelta(days=1), fast_lane_below_fen=100_000,
                                    max_convert_fen=None, basis="泰州快速通道", acting_user=prosecutor)
    with pytest.raises(KernelError):
        _convert(small, prosecutor)
    assert not Obligation.objects.exists()
    # ...one in force on it does: 1,100 yuan of damage is not below 800, 700 is.
    actions_config.do_set_threshold(valid_from=DECIDED, fast_lane_below_fen=80_000, max_convert_fen=5_000,
                                    basis="泰州快速通道", acting_user=prosecutor)
    with pytest.raises(KernelError):
        _convert(small, prosecutor)
    lane = case_in_restoration(scene["city"], prosecutor, number="JK-S-2", damage=70_000)
    assert _convert(lane, prosecutor).hours_owed == 2
    with pytest.raises(KernelError) as capped:  # 66 yuan is above the 50 yuan cap
        _convert(lane, prosecutor, amount=6_600)
    assert capped.value.field == "amount"


def test_set_on_the_page_versioned_and_audited(scene: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scene["prosecutor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = {"valid_from": "2025-01-01", "fast_lane_below_fen": "500", "max_convert_fen": "", "basis": "泰州以劳代偿"}
    assert client.post("/ecorestore/thresholds/set/", form).status_code == 302
    row = Threshold.objects.get()
    assert (row.fast_lane_below_fen, row.max_convert_fen) == (50_000, None)
    assert AuditEntry.objects.filter(action="ecorestore.threshold.set").count() == 1
    before = (list(Threshold.objects.values()), AuditEntry.objects.count())
    again = client.post("/ecorestore/thresholds/set/", {**form, "fast_lane_below_fen": "800"})
    assert again.status_code == 400
    page = html.unescape(again.content.decode())
    assert "In force from: A version from this date exists" in page and 'value="800"' in page
    bad = client.post("/ecorestore/thresholds/set/", {**form, "valid_from": "2025-02-01", "fast_lane_below_fen": "-5"})
    assert bad.status_code == 400 and "Fast lane below (yuan of damage):" in html.unescape(bad.content.decode())
    with pytest.raises(PermissionDenied):
        actions_config.do_set_threshold(valid_from=dt.date(2025, 3, 1), fast_lane_below_fen=1, max_convert_fen=None,
                                        basis="法院无权设置", acting_user=scene["court"])
    assert client.get("/ecorestore/thresholds/").status_code == 200
    assert (list(Threshold.objects.values()), AuditEntry.objects.count()) == before
