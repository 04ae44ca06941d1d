"""A farmer who collects soil is a resident: the access report lists their collector entries and
collections (no one else's, not a village's gardens), a deletion request is refused naming the rule
(the hand-out ledger traces each lot), and the retention job forgets the name and the resident link
3 years after the last collection, once, keeping the collections as figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from longcheng.kernel.people.models import Resident
from longcheng.kernel.rights import actions as rights
from longcheng.kernel.rights.retention import run_retention
from longcheng.modules.wastecycle import personal
from longcheng.modules.wastecycle.actions import soil
from longcheng.modules.wastecycle.models import Batch, Collector, Handout, Lot

from .support import make_station

ID_CHECK = {"requester_name": "李秀英", "identity_check": "id_card", "identity_note": "身份证 当面核验"}
NOW = timezone.now()


@pytest.fixture
def scene(city: dict[str, Any], rid: Any, make_user: Any) -> dict[str, Any]:
    station = make_station(city["yaoguan"])
    operator = make_user("op_personal", {"wastecycle_operator": [city["yaoguan"]]})
    person = Resident.objects.create(resident_id=rid(seq=31), name="李秀英", gender="F",
                                     birth_date=dt.date(1962, 3, 1), place=city["a"])
    farmer = soil.do_add_collector(station, name="李秀英", village=city["a"], person=person, acting_user=operator)
    village = soil.do_add_collector(station, name="勤新村菜园", village=city["a"], acting_user=operator)
    batch = Batch.objects.create(station=station, code="B-P-1", started_at=NOW - dt.timedelta(days=5 * 365))
    lot = Lot.objects.create(batch=batch, code="L-P-1", mass_kg=5_000, state="released")
    return {"station": station, "person": person, "farmer": farmer, "village": village, "lot": lot,
            "officer": make_user("po_personal", {"privacy_officer": [city["wujin"]]})}


def _handout(collector: Collector, lot: Lot, on: dt.date, kg: int) -> Handout:
    return Handout.objects.create(collector=collector, lot=lot, on=on, kg=kg)


def test_the_access_report_lists_the_farmers_collections_only(scene: dict[str, Any], english: Any) -> None:
    _handout(scene["farmer"], scene["lot"], dt.date(2026, 5, 3), 120)
    _handout(scene["village"], scene["lot"], dt.date(2026, 5, 3), 900)
    request = rights.do_register_request(scene["person"], kind="access", acting_user=scene["officer"], **ID_CHECK)
    parts, _data = rights.do_generate_report(request, fmt="json", acting_user=scene["officer"])
    sections = {code: {str(s.title): s.rows for s in found} for code, _label, found in parts}
    assert sections["wastecycle"]["Soil collectors"] == [["遥观镇垃圾转运站", "李秀英", scene["farmer"].village.name]]
    assert sections["wastecycle"]["Soil collected"] == [["遥观镇垃圾转运站", dt.date(2026, 5, 3), 120, "L-P-1"]]


def test_deletion_is_refused_while_the_ledger_keeps_the_collections(scene: dict[str, Any]) -> None:
    _handout(scene["farmer"], scene["lot"], dt.date(2026, 5, 3), 120)
    request = rights.do_register_request(scene["person"], kind="delete", acting_user=scene["officer"], **ID_CHECK)
    decided = rights.do_decide_deletion(request, acting_user=scene["officer"])
    assert decided.status == "refused" and str(personal.RETENTION[0].label) in decided.refusal_rule
    assert Collector.objects.get(pk=scene["farmer"].pk).person_id == scene["person"].pk


def test_retention_forgets_an_idle_farmer_once_and_keeps_the_figures(scene: dict[str, Any]) -> None:
    old, recent = scene["farmer"], scene["village"]
    _handout(old, scene["lot"], (NOW - dt.timedelta(days=4 * 365)).date(), 120)
    _handout(recent, scene["lot"], (NOW - dt.timedelta(days=365)).date(), 900)
    first = run_retention()
    assert first.results["wastecycle.collectors"]["count"] == 1
    old.refresh_from_db()
    assert old.name == f"—{old.pk}" and old.person_id is None
    assert Collector.objects.get(pk=recent.pk).name == "勤新村菜园"
    assert list(Handout.objects.order_by("pk").values_list("kg", flat=True)) == [120, 900]
    assert run_retention().results["wastecycle.collectors"]["count"] == 0
