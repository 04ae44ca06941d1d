"""Closed alarms found again: filters, paging that keeps them, the XLSX export, the printable
timeline; nothing of another community's alarms."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from longcheng.kernel.audit.models import AuditEntry

from .. import actions, alarm_work
from ..models import Alarm, AlarmEvent


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _closed(world: Any, *, kind: str, device: str, outcome: str, days_ago: int, severity: int = 1,
            reason: str = "") -> Alarm:
    at = timezone.now() - dt.timedelta(days=days_ago)
    alarm = Alarm.objects.create(enrollee=world["enrollee"], device=world[device], kind=kind, severity=severity,
                                 first_seen=at, last_seen=at, raised_at=at)
    AlarmEvent.objects.create(alarm=alarm, at=at, step="raised")
    return actions.do_resolve(alarm.pk, outcome=outcome, false_alarm_reason=reason, acting_user=world["operator"],
                              notes=f"{kind} {outcome}")


@pytest.fixture
def closed(world: Any) -> dict[str, Alarm]:
    return {
        "sos": _closed(world, kind="sos", device="band", outcome="handled", days_ago=1),
        "smoke": _closed(world, kind="smoke", device="smoke", outcome="false_alarm", days_ago=10, reason="cooking"),
        "fall": _closed(world, kind="fall", device="band", outcome="120", days_ago=40, severity=2),
    }


def _pks(response: Any) -> set[int]:
    return {a.pk for a in response.context["page"]}


def test_filters_find_the_closed_alarms_and_nothing_else(world: Any, closed: dict[str, Alarm]) -> None:
    client = _client(world["operator"])
    today = timezone.localdate()
    cases = [
        ({}, {"sos", "smoke", "fall"}),
        ({"kind": "smoke"}, {"smoke"}),
        ({"severity": "2"}, {"fall"}),
        ({"outcome": "false_alarm"}, {"smoke"}),
        ({"device": "SM-1"}, {"smoke"}),
        ({"q": "王秀"}, {"sos", "smoke", "fall"}),
        ({"q": "张三"}, set()),
        ({"community": world["city"]["a"].pk}, {"sos", "smoke", "fall"}),
        ({"operator": "op"}, {"sos", "smoke", "fall"}),
        ({"operator": "nobody"}, set()),
        ({"since": str(today - dt.timedelta(days=15)), "until": str(today)}, {"sos", "smoke"}),
        ({"until": str(today - dt.timedelta(days=20))}, {"fall"}),
    ]
    for query, expected in cases:
        response = client.get("/homesafety/history/", query)
        assert response.status_code == 200, query
        assert _pks(response) == {closed[k].pk for k in expected}, query


def test_open_alarms_and_other_communities_are_not_in_the_history(world: Any, closed: dict[str, Alarm]) -> None:
    at = timezone.now()
    Alarm.objects.create(enrollee=world["enrollee"], device=world["band"], kind="sos", severity=1, first_seen=at,
                         last_seen=at, raised_at=at)
    assert _pks(_client(world["operator"]).get("/homesafety/history/")) == {a.pk for a in closed.values()}
    assert _pks(_client(world["other_op"]).get("/homesafety/history/")) == set()
    # Another community's operator may not pick 上书房社区 as a filter either.
    response = _client(world["other_op"]).get("/homesafety/history/", {"community": world["city"]["a"].pk})
    assert response.status_code == 400 and _pks(response) == set()


def test_a_bad_date_range_is_refused_naming_the_field(world: Any, closed: dict[str, Alarm]) -> None:
    response = _client(world["operator"]).get("/homesafety/history/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "结束日期" in response.content.decode() and _pks(response) == set()
    response = _client(world["operator"]).get("/homesafety/history/", {"since": "not a date"})
    assert response.status_code == 400


def test_paging_keeps_the_filters(world: Any, closed: dict[str, Alarm]) -> None:
    at = timezone.now() - dt.timedelta(days=2)
    Alarm.objects.bulk_create([Alarm(enrollee=world["enrollee"], device=world["band"], kind="low_battery", severity=4,
                                     first_seen=at, last_seen=at, raised_at=at - dt.timedelta(minutes=i),
                                     is_open=False, status="resolved", outcome="device_fault") for i in range(55)])
    client = _client(world["operator"])
    first = client.get("/homesafety/history/", {"kind": "low_battery"})
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 55
    assert "kind=low_battery&amp;page=2" in first.content.decode()
    second = client.get("/homesafety/history/", {"kind": "low_battery", "page": "2"})
    assert len(second.context["page"]) == 5
    assert all(a.kind == "low_battery" for a in second.context["page"])


def test_the_export_holds_the_filtered_rows_with_real_dates_and_is_audited(world: Any, closed: dict[str, Alarm]) -> None:
    response = _client(world["operator"]).get("/homesafety/history/export.xlsx", {"outcome": "false_alarm"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "告警时间" and len(rows) == 2
    assert rows[1][1] == "烟雾/火情" and rows[1][12] == "误报" and rows[1][13] == "做饭油烟或蒸汽"
    assert isinstance(rows[1][0], dt.datetime)
    entry = AuditEntry.objects.get(action="homesafety.alarm.export")
    assert entry.after is not None
    assert entry.after["rows"] == 1 and entry.after["filters"] == {"outcome": "false_alarm"}


def test_the_printable_timeline_holds_every_step_and_comment(world: Any) -> None:
    at = timezone.now()
    alarm = Alarm.objects.create(enrollee=world["enrollee"], device=world["band"], kind="sos", severity=1,
                                 first_seen=at, last_seen=at, raised_at=at)
    AlarmEvent.objects.create(alarm=alarm, at=at, step="raised")
    op = world["operator"]
    alarm_work.do_comment(alarm.pk, text="已联系女儿李梅", acting_user=op)
    actions.do_dispatch(alarm.pk, to_user=world["worker"], acting_user=op, note="带钥匙")
    actions.do_arrive(alarm.pk, acting_user=op, note="老人摔倒，已扶起")
    actions.do_resolve(alarm.pk, outcome="handled", acting_user=op, notes="送医观察")
    page = _client(op).get(f"/homesafety/alarms/{alarm.pk}/print/")
    text = page.content.decode()
    assert page.status_code == 200 and "homesafety/print.css" in text
    for shown in ("已联系女儿李梅", "带钥匙", "老人摔倒，已扶起", "送医观察", "派单", "到场"):
        assert shown in text, shown
    assert _client(world["other_op"]).get(f"/homesafety/alarms/{alarm.pk}/print/").status_code == 404
