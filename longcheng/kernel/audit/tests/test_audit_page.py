"""The audit page: filters (period, actor, object, action) within the viewer's places, rows in words
(labels instead of codes, before/after as lines, masked), and the XLSX export, itself audited."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.actions import record
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Resident

# Actions and before/after shapes as the demo writes them (longcheng demo, audit_auditentry).
DEMO_ROWS: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = [
    ("onestop.open_task", None, {"status": "open"}),
    ("onestop.accept", None, {"status": "done", "result": {"note": "已办结"}}),
    ("onestop.start", None, {"service": "relocation", "data": {"new_place": "320400-JK-01", "moving_date": "2026-12-04"}}),
    ("onestop.submit", None, {"status": "submitted", "due_at": "2026-11-23T12:00:00+08:00", "data": {"reason": "扩产"}}),
    ("onestop.escalate", None, {"heads": []}),
    ("onestop.relocation", {"place": "320412-01"}, {"place": "320400-JK-01"}),
    ("onestop.set_standing", {"tax_arrears_fen": 0}, {"tax_arrears_fen": 3408000}),
    ("ledger.commitment", None, {"lines": [["city-charity-general", -1500000], ["city-charity-general:commitment", 1500000]],
                                 "memo": "临时救助"}),
    ("ledger.payment_bulk", None, {"entries": 212, "total_fen": 79100000}),
    ("youthaid.scan", None, {"scanned": 1525, "found": 6, "by_outcome": {"needs_info": 6}, "on": "2026-12-01"}),
    ("youthaid.room_status", {"room": 3, "status": "proposed"}, {"room": 3, "status": "approved", "spent_fen": None}),
    ("youthaid.update", {"hardship_grade": 3, "bank_account": "***"}, {"hardship_grade": 1, "bank_account": "***"}),
    ("homesafety.alarm.resolve", {"status": "arrived"}, {"status": "resolved", "note": "误报"}),
    ("people.update", {"phone": "13800138000"}, {"phone": "13700137000"}),
]


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: Any) -> Client:
    _token, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def people(city: dict[str, Any], rid: Any) -> dict[str, Resident]:
    return {"a": Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                                         place=city["a"]),
            "liyang": Resident.objects.create(resident_id=rid(region="320481", seq=4), name="李建国", gender="M",
                                              birth_date="1951-01-01", place=city["liyang_town"])}


def write(actor: Any, action: str, obj: Any, *, before: Any = None, after: Any = None, at: dt.datetime | None = None) -> AuditEntry:
    with transaction.atomic():
        row = record(actor, action, obj, before=before, after=after)
    if at is not None:
        AuditEntry.objects.filter(pk=row.pk).update(at=at)
    return row


def table(html: str) -> str:
    """The rows' table only (the filter form lists action codes as its options' values)."""
    return html[html.index("<table"):html.index("</table>")]


def test_the_demo_actions_are_shown_in_words_never_as_codes_or_dicts(people, admin):
    for action, before, after in DEMO_ROWS:
        write(admin, action, people["a"], before=before, after=after)
    html = client_of(admin).get("/audit/").content.decode()
    rows = table(html)
    for action, _before, _after in DEMO_ROWS:
        assert action not in rows
    assert not re.search(r"\{['\"]|\[\[|\['|': |None\b|True\b|False\b", rows)
    assert "开启环节" in rows and "预留资金" in rows and "警情已处置" in rows
    assert "税款欠缴: 34,080.00 元" in rows  # a _fen value in yuan, under its label
    assert "137****7000" in rows and "13700137000" not in rows  # masked through kernel/privacy as before


def test_filters_narrow_by_period_actor_object_and_action(people, admin, make_user, city):
    clerk = make_user("clerk", {"community_worker": [city["a"]]})
    old = timezone.make_aware(dt.datetime(2026, 3, 1, 10))
    write(admin, "people.update", people["a"], after={"name": "甲"}, at=old)
    write(clerk, "people.death", people["a"], after={"died_on": "2026-11-01"})
    write(admin, "people.update", people["liyang"], after={"name": "乙"})
    client = client_of(admin)

    def shown(query: str) -> set[str]:
        html = table(client.get("/audit/?" + query).content.decode())
        return {name for name in ("甲", "乙", "2026-11-01") if name in html}

    assert shown("since=2026-02-01&until=2026-03-01") == {"甲"}
    assert shown("actor=clerk") == {"2026-11-01"}
    assert shown("action=people.update") == {"甲", "乙"}
    assert shown(f"object_type=people.resident&object_id={people['liyang'].pk}") == {"乙"}
    assert shown("") == {"甲", "乙", "2026-11-01"}


def test_a_bad_filter_names_the_field_and_shows_no_row(people, admin):
    write(admin, "people.update", people["a"], after={"name": "甲"})
    response = client_of(admin).get("/audit/?since=2026-05-02&until=2026-05-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "早于" in html and "甲" not in table(html)


def test_filters_never_widen_the_viewers_places(people, admin, make_user, city):
    write(admin, "people.update", people["liyang"], after={"name": "乙"})
    auditor = make_user("auditor_wj", {"auditor": [city["wujin"]]})
    html = client_of(auditor).get(f"/audit/?object_type=people.resident&object_id={people['liyang'].pk}").content.decode()
    assert "乙" not in table(html)
    items = token_client(auditor).get(f"/api/v1/audit?object_type=people.resident&object_id={people['liyang'].pk}").json()
    assert items["items"] == []


def test_the_export_holds_the_filtered_rows_in_words_and_is_audited(people, admin):
    write(admin, "people.update", people["a"], before={"phone": "13800138000"}, after={"phone": "13700137000"})
    write(admin, "people.death", people["a"], after={"died_on": "2026-11-01"})
    response = client_of(admin).get("/audit/export.xlsx?action=people.update")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 2  # the header and the one people.update row
    assert values[1][2] == "修改居民信息" and "137****7000" in values[1][7] and "13700137000" not in str(values)
    export = AuditEntry.objects.get(action="audit.export")
    assert export.actor == admin and export.after is not None and export.after["rows"] == 1 and "修改居民信息" in export.after["filters"]


def test_the_export_is_refused_without_the_right_and_writes_nothing(people, worker_a, admin):
    write(admin, "people.update", people["a"], after={"name": "甲"})
    before = list(AuditEntry.objects.values_list("pk", "action"))
    assert client_of(worker_a).get("/audit/export.xlsx").status_code == 403
    assert list(AuditEntry.objects.values_list("pk", "action")) == before


def test_the_api_filters_and_labels_like_the_page(people, admin):
    write(admin, "people.update", people["a"], before={"phone": "13800138000"}, after={"phone": "13700137000"})
    write(admin, "people.death", people["a"], after={"died_on": "2026-11-01"})
    body = token_client(admin).get("/api/v1/audit?action=people.update").json()
    assert [i["action"] for i in body["items"]] == ["people.update"]
    item = body["items"][0]
    assert item["action_label"] == "修改居民信息"
    assert item["after_lines"] == [{"label": "电话", "value": "137****7000"}]
    bad = token_client(admin).get("/api/v1/audit?since=2026-13-01")
    assert bad.status_code in (400, 422) and bad.json()["field"] == "since"
