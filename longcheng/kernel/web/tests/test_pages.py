"""Pages in Chinese by default, masked numbers, forms that name the field, reveal audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Resident


@pytest.fixture
def person(city, rid):
    return Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                                   phone="13800138000", place=city["a"])


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_login_page_is_chinese_by_default(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_english_is_switchable(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get("/login/").content.decode()


def test_dashboard_shows_figures_in_chinese(person, admin):
    page = login(admin).get("/").content.decode()
    assert "居民" in page and "<svg" in page


def test_only_the_platform_administrator_sees_the_job_queue(person, admin, worker_a):
    assert "后台任务" in login(admin).get("/").content.decode()
    assert "后台任务" not in login(worker_a).get("/").content.decode()


def test_residents_page_masks_numbers(person, worker_a):
    page = login(worker_a).get("/residents/").content.decode()
    assert person.masked_id in page and person.resident_id not in page and "13800138000" not in page


def test_other_community_resident_is_not_found(person, worker_b):
    assert login(worker_b).get(f"/residents/{person.pk}/").status_code == 404


def test_register_form_names_the_bad_field_and_writes_nothing(city, worker_a):
    response = login(worker_a).post("/residents/new/", {
        "resident_id": "320412195001010010", "name": "李四", "place": city["a"].pk})
    assert response.status_code == 400
    assert "校验" in response.content.decode() or "check character" in response.content.decode()
    assert not Resident.objects.exists()


def test_reveal_on_the_page_is_audited(person, city, make_user):
    officer = make_user("officer", {"privacy_officer": [city["root"]]})
    response = login(officer).post(f"/residents/{person.pk}/", {"fields": ["resident_id"], "reason": "核实身份"})
    assert person.resident_id in response.content.decode()
    assert AuditEntry.objects.filter(is_read=True, actor=officer).count() == 1


def test_worker_cannot_reveal_through_the_page(person, worker_a):
    response = login(worker_a).post(f"/residents/{person.pk}/", {"fields": ["resident_id"], "reason": "核实身份"})
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_unknown_page_is_a_friendly_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(person, worker_a):
    client = login(worker_a)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作台" in page and "Dashboard" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_date_pickers_carry_iso_values_in_chinese() -> None:
    """The Chinese locale's first date format (2026/01/01) is one a browser's date picker throws away:
    the statement form came up with empty dates and refused its own defaults."""
    import datetime as dt

    from django.utils import translation

    from longcheng.kernel.web.forms import StatementForm, WorkdaysForm

    with translation.override("zh-hans"):
        html = str(StatementForm(initial={"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 1)}))
        assert 'type="date"' in html and 'value="2026-01-01"' in html and 'value="2026-12-01"' in html
        html = str(WorkdaysForm(initial={"start": dt.datetime(2026, 9, 30, 16, 0)}))
        assert 'type="datetime-local"' in html and 'value="2026-09-30T16:00"' in html


def test_the_places_page_links_residents_only_for_who_may_see_them(city: Any, make_user: Any) -> None:
    """An auditor (no people.view) was sent from the places page to a 403."""
    auditor = make_user("aud", {"auditor": [city["root"]]})
    officer = make_user("off", {"district_officer": [city["root"]]})
    for user, shown in ((auditor, False), (officer, True)):
        client = Client()
        client.force_login(user)
        assert ("/residents/?place=" in client.get("/places/").content.decode()) is shown
