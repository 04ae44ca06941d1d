"""Each change of a case and each step of a shift on its own POST-only url, with its Django form: a bad
value shows the page again (400/409) with a message naming the field and the rule, the user's typing
kept and nothing written (every row a step may touch compared); a good value makes the change; the
pages themselves take GETs only."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.ecorestore import actions
from longcheng.modules.ecorestore.models import Case, Certificate, DamageHead, Obligation, Shift, StageStep

from .support import DECIDED, INSIDE, OUTSIDE, case_in_restoration, make_base, make_rates, staff

TABLES: tuple[Any, ...] = (Case, DamageHead, StageStep, Obligation, Shift, Certificate, AuditEntry)


def state() -> dict[str, list[dict[str, Any]]]:
    return {table.__name__: list(table.objects.order_by("pk").values()) for table in TABLES}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    """A case in restoration with ¥200 converted into 9 hours of labour, and the base's zones."""
    make_rates()
    zones = make_base(city)
    prosecutor = staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    case = case_in_restoration(city, prosecutor)
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=DECIDED + dt.timedelta(days=180), acting_user=prosecutor)
    supervisor = staff("supervisor", {"ecorestore_supervisor": [zones["labour"].place]})
    return {"city": city, "case": case, "obligation": obligation, "zones": zones, "prosecutor": prosecutor,
            "supervisor": supervisor}


def _soon() -> str:
    return (timezone.localtime() + dt.timedelta(days=2)).replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


# (url under the case, the form, the message, what of the typing the page shows again)
BAD: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], str, list[str]]] = [
    ("advance", lambda s: {"stage": "assessment", "on": "2024-13-40"}, "Date: Enter a valid date.",
     ['value="2024-13-40"']),
    ("advance", lambda s: {"stage": "disclosed", "on": "2024-12-01"},
     "Next stage: A case moves only in the order of the rules: this stage cannot follow the current one.",
     ['value="2024-12-01"']),
    ("convert", lambda s: {"amount": "200", "hardship": "家庭困难证明", "due_on": "2024-12-31"},
     "The party consents: The party's consent is required.",
     ['value="200"', 'value="家庭困难证明"', 'value="2024-12-31"']),
    ("convert", lambda s: {"amount": "12.345", "consent": "on", "hardship": "家庭困难证明", "due_on": "2024-12-31"},
     "Amount to convert (yuan): An amount has at most two decimal places (whole fen).",
     ['value="12.345"', 'value="家庭困难证明"']),
    ("book", lambda s: {"obligation": s["obligation"].pk, "zone": s["zones"]["labour"].pk, "starts_at": "2024-12-01T09:00",
                        "hours": "9"},
     "Hours: Ensure this value is less than or equal to 8.", ['value="2024-12-01T09:00"', 'value="9"']),
    ("breach", lambda s: {"obligation": s["obligation"].pk, "reason": "未到"},
     "Reason: Ensure this value has at least 4 characters (it has 2).", ['value="未到"']),
    ("certify", lambda s: {}, "An obligation is short of its hours.", []),
]


@pytest.mark.parametrize(("step", "form", "message", "kept"), BAD, ids=[f"{r[0]}-{i}" for i, r in enumerate(BAD)])
def test_a_bad_value_shows_the_case_again_naming_the_field_and_changes_nothing(
        scene: dict[str, Any], step: str, form: Callable[[dict[str, Any]], dict[str, Any]], message: str,
        kept: list[str]) -> None:
    if step == "certify":
        actions.do_book_shift(scene["obligation"], zone=scene["zones"]["labour"], starts_at=timezone.now(), hours=4,
                              acting_user=scene["prosecutor"])
    before = state()
    response = _client(scene["prosecutor"]).post(f"/ecorestore/cases/{scene['case'].pk}/{step}/", form(scene))
    page = text(response)
    assert response.status_code in (400, 409), page[:3000]
    assert message in page, page[page.find('class="error"') - 50:][:400]
    for typed in kept:
        assert typed in page, typed
    assert state() == before


def test_opening_a_case_refused_keeps_the_form_and_writes_nothing(scene: dict[str, Any]) -> None:
    before = state()
    client = _client(scene["prosecutor"])
    response = client.post("/ecorestore/open/", {
        "number": "JK-2024-099", "title": "非法采砂", "source": "court", "source_organ": "常州经开区人民法院",
        "legal_basis": "规定", "place": scene["city"]["a"].pk, "party_name": "王某", "party_kind": "person",
        "opened_on": "2024-06-10", "head_service_loss": "abc"})
    page = text(response)
    assert response.status_code == 400
    assert "An amount is a number of yuan such as 1234.56." in page
    assert 'value="非法采砂"' in page and 'value="abc"' in page
    assert f'value="{scene["city"]["a"].pk}" selected' in page
    assert state() == before


def test_a_check_in_outside_the_zone_shows_the_shift_again(scene: dict[str, Any]) -> None:
    shift = actions.do_book_shift(scene["obligation"], zone=scene["zones"]["labour"], starts_at=timezone.now(),
                                  hours=4, acting_user=scene["prosecutor"])
    before = state()
    phone = _client(scene["supervisor"])
    response = phone.post(f"/ecorestore/shifts/{shift.pk}/check-in/", {"lat": OUTSIDE[0], "lon": OUTSIDE[1]})
    assert response.status_code == 400 and 'id="error-location"' in response.content.decode()
    assert "Outside the zone" in text(response)
    response = phone.post(f"/ecorestore/shifts/{shift.pk}/sign-off/", {})
    assert response.status_code in (400, 409) and 'class="error"' in response.content.decode()
    assert state() == before
    assert phone.post(f"/ecorestore/shifts/{shift.pk}/check-in/", {"lat": INSIDE[0], "lon": INSIDE[1]}).status_code == 302
    assert Shift.objects.get(pk=shift.pk).state == "checked_in"


# (url under the case, the form, what the change is)
GOOD: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], Callable[[dict[str, Any]], bool]]] = [
    ("advance", lambda s: {"stage": "assessment", "on": "2024-12-01"},
     lambda s: Case.objects.get(pk=s["case"].pk).stage == "assessment"),
    ("convert", lambda s: {"amount": "100", "consent": "on", "hardship": "低保户证明", "due_on": "2024-12-31"},
     lambda s: Obligation.objects.filter(case=s["case"]).count() == 2),
    ("book", lambda s: {"obligation": s["obligation"].pk, "zone": s["zones"]["labour"].pk, "starts_at": _soon(),
                        "hours": "4"},
     lambda s: Shift.objects.filter(obligation=s["obligation"], zone=s["zones"]["labour"]).exists()),
    ("breach", lambda s: {"obligation": s["obligation"].pk, "reason": "连续三次未到场"},
     lambda s: Obligation.objects.get(pk=s["obligation"].pk).state == "breached"),
]


@pytest.mark.parametrize(("step", "form", "changed"), GOOD, ids=[r[0] for r in GOOD])
def test_a_good_value_makes_the_change(scene: dict[str, Any], step: str,
                                       form: Callable[[dict[str, Any]], dict[str, Any]],
                                       changed: Callable[[dict[str, Any]], bool]) -> None:
    assert not changed(scene)
    client = _client(scene["prosecutor"])
    url = f"/ecorestore/cases/{scene['case'].pk}/{step}/"
    assert client.get(url).status_code == 405  # the change takes POSTs only
    response = client.post(url, form(scene))
    assert response.status_code == 302, text(response)[:3000]
    assert changed(scene)


def test_the_pages_take_gets_only(scene: dict[str, Any]) -> None:
    before = state()
    client = _client(scene["prosecutor"])
    assert client.post(f"/ecorestore/cases/{scene['case'].pk}/", {"op": "certify"}).status_code == 405
    assert client.post("/ecorestore/", {"number": "JK-9"}).status_code == 405
    assert state() == before
    shift = Shift.objects.create(obligation=scene["obligation"], zone=scene["zones"]["labour"],
                                 starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=4))
    before = state()
    phone = _client(scene["supervisor"])
    assert phone.post(f"/ecorestore/shifts/{shift.pk}/", {"op": "check_in", "lat": INSIDE[0],
                                                           "lon": INSIDE[1]}).status_code == 405
    assert state() == before
