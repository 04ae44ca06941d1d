"""Issue 15, findings 6 to 9 for the youth aid fund, each pinned by what its users saw:

6. a refusal names the field and its rule ("理由：至少 4 个字"), on every page's form, the reporter's
   included; a youth over the age limit is told so before anything about the registry or a place;
7. a youth found by a death recorded in the registry and one found by the registry scan are
   pre-screened the same way;
8. the fund's figures have one base (to beneficiaries, to contractors, the total) for the page and
   the API; the statement's XLSX names accounts alike in its summary and its postings, with real
   dates; postings' memos name the application.

(Finding 9, the case and review pages' layout, is pinned in test_browser_layout.py.)"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from longcheng.kernel.people.actions import do_record_death
from longcheng.kernel.people.models import Relationship, Resident

from ..models import Report, Screening, Youth
from ..scan import scan_registry


def today() -> dt.date:
    return timezone.localdate()


def client_for(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- 7. one pre-screening for both ways a youth is found ------------------------------------------------


def _orphaned_family(liyang: dict[str, Any], rid: Any) -> dict[str, Resident]:
    """陈大海, alive for now; 周丽, his wife, remarried or not as the test makes her; their girl of 11 and
    their son of 20 (a possible student)."""
    town = liyang["town"]

    def person(birth: str, seq: int, name: str, gender: str) -> Resident:
        return Resident.objects.create(resident_id=rid("320481", birth, seq), name=name, gender=gender,
                                       birth_date=dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
                                       place=town)

    f = {"dad": person("19750202", 71, "陈大海", "M"), "mum": person("19780303", 72, "周丽", "F"),
         "girl": person("20150909", 82, "陈小雨", "F"), "son": person("20060606", 83, "陈小江", "M")}
    for child in ("girl", "son"):
        Relationship.objects.create(person=f[child], relative=f["dad"], kind="father")
        Relationship.objects.create(person=f[child], relative=f["mum"], kind="mother", is_guardian=True)
    Relationship.objects.create(person=f["mum"], relative=f["dad"], kind="spouse")
    return f


FAMILY = ("陈小雨", "陈小江")


def _screenings() -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """The family's pre-screenings (the scan also finds the conftest's 王 brothers)."""
    return {s.youth.person.name: (s.outcome, s.reasons)
            for s in Screening.objects.filter(youth__person__name__in=FAMILY).select_related("youth__person")}


@pytest.mark.parametrize("remarried", [False, True], ids=["not-remarried", "remarried"])
def test_a_death_event_and_the_scan_prescreen_a_youth_alike(liyang: dict[str, Any], rid: Any, english: Any,
                                                            remarried: bool) -> None:
    f = _orphaned_family(liyang, rid)
    if remarried:
        other = Resident.objects.create(resident_id=rid("320481", "19760404", 74), name="吴刚", gender="M",
                                        birth_date=dt.date(1976, 4, 4), place=liyang["town"])
        Relationship.objects.create(person=f["mum"], relative=other, kind="spouse")
    died = today() - dt.timedelta(days=3)
    do_record_death(f["dad"], died_on=died, acting_user=liyang["registrar"], reason="死亡医学证明")
    by_event = _screenings()
    assert set(by_event) == set(FAMILY), "the death event pre-screens the youths it finds"
    assert all(Youth.objects.get(person__name=name).status == "outreach" for name in by_event)

    # The same youths, found by the scan instead: no case yet, the death already in the registry.
    Youth.objects.filter(person__in=[f["girl"], f["son"]]).delete()
    assert not Screening.objects.exists() and not Report.objects.filter(youth__person__name__in=FAMILY).exists()
    scan_registry(acting_user=liyang["caseworker"])
    assert _screenings() == by_event
    girl = by_event["陈小雨"]
    assert girl[0] == ("not_eligible" if remarried else "needs_info")
    assert {r["criterion"]: r["met"] for r in girl[1]}["not_remarried"] is (not remarried)
