"""Issue 15 (finding 18): nothing warned that the calendar had no 2027. The working-days page and the
administrators' dashboard warn 60 days before the last loaded year ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.workdays import api as wd

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    wd.invalidate_year()
    yield
    wd.invalidate_year()


def test_the_warning_starts_sixty_days_before_the_last_loaded_year_ends(db: Any, make_user: Any, city: Any) -> None:
    assert not wd.has_year(2027)  # chinese_calendar 1.11 stops at 2026
    assert wd.last_loaded_year(dt.date(2026, 6, 1)) == 2026 and wd.first_missing_year(dt.date(2026, 6, 1)) == 2027
    assert wd.calendar_warning(dt.date(2026, 11, 1)) is None  # 60 days before 31 December
    warning = wd.calendar_warning(dt.date(2026, 11, 2))
    assert warning is not None and "ends on 2026-12-31, in 59 days" in warning and "schedule for 2027" in warning
    # A year whose own calendar is missing says so.
    assert "No holiday schedule for 2027" in str(wd.calendar_warning(dt.date(2027, 1, 4)))
    # Loading 2027 moves the end: no warning until November 2027.
    admin = make_user("cal", {"calendar_admin": [city["root"]]})
    wd.do_set_year_schedule(2027, [(dt.date(2027, 1, 1), "holiday", "元旦")], source="test", acting_user=admin)
    assert wd.last_loaded_year(dt.date(2026, 12, 2)) == 2027
    assert wd.calendar_warning(dt.date(2026, 12, 2)) is None
    assert "schedule for 2028" in str(wd.calendar_warning(dt.date(2027, 11, 15)))


def test_the_working_days_page_and_the_administrators_dashboard_warn(
        db: Any, make_user: Any, city: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(wd, "local_today", lambda: dt.date(2026, 11, 20))
    admin = make_user("cal", {"calendar_admin": [city["root"]]})
    clerk = make_user("clerk", {"community_worker": [city["a"]]})
    pages = {}
    for user in (admin, clerk):
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "zh-hans"
        pages[user.username] = (client.get("/workdays/").content.decode(), client.get("/").content.decode())
    for page in pages["cal"]:
        assert 'id="calendar-warning"' in page and "2027" in page.split('id="calendar-warning"')[1].split("</p>")[0]
    # Everyone reads the working-days page's warning; the dashboard's is for administrators.
    assert 'id="calendar-warning"' in pages["clerk"][0] and 'id="calendar-warning"' not in pages["clerk"][1]
    monkeypatch.setattr(wd, "local_today", lambda: dt.date(2026, 10, 1))
    client = Client()
    client.force_login(admin)
    assert 'id="calendar-warning"' not in client.get("/").content.decode()
