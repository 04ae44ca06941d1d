"""Compaction runs at the transfer station: records of their own, loaded onto shipments (their blocks
the shipment's, a run shipped once), audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.modules.wastecycle import actions
from longcheng.modules.wastecycle.models import CompactionRun, Shipment

from .support import DAY, at, make_station


@pytest.fixture
def station(city: dict[str, Any]) -> Any:
    return make_station(city["yaoguan"])


@pytest.fixture
def operator(city: dict[str, Any], make_user: Any) -> Any:
    return make_user("operator", {"wastecycle_operator": [city["yaoguan"]]})


def _ship(station: Any, operator: Any, blocks: int, runs: list[int]) -> Shipment:
    return actions.do_record_shipment(station, shipped_at=at(DAY, 15), vehicle="苏D8", blocks=blocks,
                                      shipped_kg=blocks * 3000, acting_user=operator, runs=runs)


def test_runs_are_shipped_once_with_their_blocks(city: dict[str, Any], station: Any, operator: Any) -> None:
    first = actions.do_record_compaction(station, at=at(DAY, 9), blocks=3, kg=9000, acting_user=operator)
    second = actions.do_record_compaction(station, at=at(DAY, 11), blocks=2, kg=6100, acting_user=operator)
    with pytest.raises(KernelError) as wrong:
        _ship(station, operator, 4, [first.pk, second.pk])
    assert wrong.value.field == "blocks" and not Shipment.objects.exists()
    shipment = _ship(station, operator, 5, [first.pk, second.pk])
    assert set(shipment.runs.values_list("pk", flat=True)) == {first.pk, second.pk}
    with pytest.raises(KernelError) as again:
        _ship(station, operator, 3, [first.pk])
    assert again.value.code == "run_shipped" and Shipment.objects.count() == 1
    other = make_station(city["yaoguan"], name="另一转运站")
    foreign = actions.do_record_compaction(other, at=at(DAY, 9), blocks=1, kg=3000, acting_user=operator)
    with pytest.raises(KernelError) as elsewhere:
        _ship(station, operator, 1, [foreign.pk])
    assert elsewhere.value.field == "runs"
    assert CompactionRun.objects.get(pk=foreign.pk).shipment_id is None
    assert AuditEntry.objects.filter(action="wastecycle.compaction.record").count() == 3
    entry = AuditEntry.objects.get(action="wastecycle.shipment.record")
    assert sorted((entry.after or {})["runs"]) == sorted([first.pk, second.pk])


@pytest.mark.parametrize(("blocks", "kg", "field"), [(0, 100, "blocks"), (51, 100, "blocks"), (2, 0, "kg")])
def test_a_run_out_of_range_is_refused(station: Any, operator: Any, blocks: int, kg: int, field: str) -> None:
    with pytest.raises(KernelError) as refused:
        actions.do_record_compaction(station, at=at(DAY), blocks=blocks, kg=kg, acting_user=operator)
    assert refused.value.field == field and not CompactionRun.objects.exists()


def test_the_operator_records_runs_and_ships_them_on_the_page(station: Any, operator: Any) -> None:
    client = Client()
    client.force_login(operator)
    client.cookies["django_language"] = "zh-hans"
    done = client.post(f"/wastecycle/stations/{station.pk}/compactions/",
                       {"at": "2026-11-02T09:00", "blocks": "3", "kg": "9000"})
    assert done.status_code == 302
    run = CompactionRun.objects.get()
    page = client.get(f"/wastecycle/stations/{station.pk}/").content.decode()
    assert f'name="runs" value="{run.pk}"' in page and "压块记录" in page
    refused = client.post(f"/wastecycle/stations/{station.pk}/shipments/",
                          {"shipped_at": "2026-11-02T15:00", "vehicle": "苏D9", "blocks": "4", "shipped_kg": "9000",
                           "runs": [str(run.pk)]})
    assert refused.status_code == 400 and not Shipment.objects.exists()
    shipped = client.post(f"/wastecycle/stations/{station.pk}/shipments/",
                          {"shipped_at": "2026-11-02T15:00", "vehicle": "苏D9", "blocks": "3", "shipped_kg": "9000",
                           "runs": [str(run.pk)]})
    assert shipped.status_code == 302
    assert CompactionRun.objects.get().shipment == Shipment.objects.get()
