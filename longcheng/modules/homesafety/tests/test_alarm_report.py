"""The month's figures against the norm, worked by hand on a small stream: per operator, per shift
(split at 08:00 and 20:00 local time), per device type; the page, its charts with their target
lines, the XLSX and PDF and their audit; scope and refusals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.test import Client
from django.utils.translation import gettext

from longcheng.kernel.audit.models import AuditEntry

from .. import report
from ..models import Alarm

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)


def _at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _alarm(world: Any, raised: dt.datetime, *, ack_s: int | None = None, by: str = "operator", device: str = "band",
           outcome: str = "handled", arrive_min: int | None = None) -> Alarm:
    return Alarm.objects.create(
        enrollee=world["enrollee"], device=world[device], kind="sos", severity=4, status="resolved", is_open=False,
        first_seen=raised, last_seen=raised, raised_at=raised, outcome=outcome,
        acknowledged_at=None if ack_s is None else raised + dt.timedelta(seconds=ack_s),
        acknowledged_by=None if ack_s is None else world[by],
        arrived_at=None if arrive_min is None else raised + dt.timedelta(minutes=arrive_min))


@pytest.fixture
def stream(world: Any) -> list[Alarm]:
    return [
        _alarm(world, _at(5, 9), ack_s=30, arrive_min=12),                           # day, in 60 s
        _alarm(world, _at(5, 21), ack_s=90, device="smoke", outcome="false_alarm"),  # night, in 180 s only
        _alarm(world, _at(6, 7, 59), ack_s=200, by="head"),                          # night (before 08:00), late
        _alarm(world, _at(6, 20), ack_s=None),                                       # night (20:00), never acknowledged
        _alarm(world, _at(7, 8), ack_s=60, by="head", device="smoke", outcome="false_alarm", arrive_min=20),  # day
        _alarm(world, _at(8, 10), ack_s=5, outcome="cleared"),                       # cleared by itself: not counted
        _alarm(world, _at(1, 10, month=11), ack_s=5),                                # November: another month
    ]


def _name(user: Any) -> str:
    return str(user.display_name or user.username)


def _by_label(tallies: list[report.Tally]) -> dict[str, tuple[int, float, float, float]]:
    return {t.label: (t.n, t.pct60, t.pct180, t.false_pct) for t in tallies}


def test_the_month_worked_by_hand(world: Any, stream: list[Alarm]) -> None:
    result = report.month_report(world["operator"], OCTOBER)
    total = result.total
    assert (total.n, total.n60, total.in60, total.n180, total.in180) == (5, 5, 2, 5, 3)
    assert (total.pct60, total.pct180, total.false_pct, total.arrival_median, total.met) == (40.0, 60.0, 40.0, 16.0, False)
    assert _by_label(result.by_operator) == {
        _name(world["operator"]): (2, 50.0, 100.0, 50.0),
        _name(world["head"]): (2, 50.0, 50.0, 50.0),
        gettext("(not acknowledged)"): (1, 0.0, 0.0, 0.0),
    }
    day, night = report.shift_of(_at(5, 9)), report.shift_of(_at(5, 21))
    assert day != night and report.shift_of(_at(6, 7, 59)) == night and report.shift_of(_at(6, 20)) == night
    assert _by_label(result.by_shift) == {day: (2, 100.0, 100.0, 50.0), night: (3, 0.0, 33.3, 33.3)}
    assert _by_label(result.by_device_type) == {
        report.device_type_label("wristband"): (3, 33.3, 33.3, 0.0),
        report.device_type_label("smoke"): (2, 50.0, 100.0, 100.0),
    }
    assert [t.label for t in result.by_community] == ["上书房社区"]


def test_an_operator_elsewhere_counts_none_of_it(world: Any, stream: list[Alarm]) -> None:
    result = report.month_report(world["other_op"], OCTOBER)
    assert result.total.n == 0 and result.by_operator == [] and result.by_community == []


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_draws_each_share_against_its_target(world: Any, stream: list[Alarm]) -> None:
    response = _login(world["operator"]).get("/homesafety/report/", {"month": "2026-10"})
    page = response.content.decode()
    assert response.status_code == 200 and "2026-10" in page
    assert page.count("<svg") == 8  # 60 s and 180 s for community, operator, shift; false alarms; arrivals
    assert page.count('class="major guide line target"') == 6  # each share chart's target line
    assert "60 秒内确认" in page and "夜班" in page and "误报" in page
    assert "{" not in page.split("<main", 1)[-1].split("<svg", 1)[0]  # no raw template or dict text above the charts


def test_the_month_downloads_as_xlsx_and_pdf_each_audited(world: Any, stream: list[Alarm]) -> None:
    client = _login(world["operator"])
    response = client.get("/homesafety/report/figures.xlsx", {"month": "2026-10"})
    assert response.status_code == 200 and "alarm-figures-2026-10.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert first[1][1:4] == (5, 40.0, 60.0)
    pdf = client.get("/homesafety/report/figures.pdf", {"month": "2026-10"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    entries = AuditEntry.objects.filter(action="homesafety.report.export").order_by("pk")
    assert [(e.after or {}).get("format") for e in entries] == ["xlsx", "pdf"]
    assert [((e.after or {})["month"], (e.after or {})["alarms"]) for e in entries] == [("2026-10", 5)] * 2
    assert entries.count() == 2 and [
e.action for e in entries] == ["homesafety.report.export"] * 2


@pytest.mark.parametrize("month", ["2026-13", "2099-01", "1999-12"])
def test_a_bad_month_is_refused_by_its_field(world: Any, stream: list[Alarm], month: str) -> None:
    client = _login(world["operator"])
    audits = AuditEntry.objects.count()
    for url in ("/homesafety/report/", "/homesafety/report/figures.xlsx"):
        response = client.get(url, {"month": month})
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
        assert "月份" in response.content.decode() and 'role="alert"' in response.content.decode()
    assert AuditEntry.objects.count() == audits


def test_the_family_cannot_see_the_figures(world: Any, stream: list[Alarm]) -> None:
    assert _login(world["family"]).get("/homesafety/report/", {"month": "2026-10"}).status_code == 403


def test_a_device_event_is_written_in_words_on_the_console() -> None:
    from django.utils import translation

    from ..templatetags.homesafety import event_label

    with translation.override("zh-hans"):
        assert str(event_label("fall")) == "跌倒" and str(event_label("test")) == "自检"
    assert event_label("") == "" and event_label("unknown_event") == "unknown_event"
