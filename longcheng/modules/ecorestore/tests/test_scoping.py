"""Who sees what: the procuratorate its places' cases, a court the cases it judged, a supervisor the
shifts of their zone, the party their own obligation and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from longcheng.modules.ecorestore import access, actions

from .support import case_in_restoration, make_base, make_rates, new_case, staff

START = dt.datetime(2024, 7, 6, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    make_rates()
    zones = make_base(city)
    prosecutor = staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    party, other_party = staff("party", {"ecorestore_party": [city["root"]]}), staff(
        "other", {"ecorestore_party": [city["root"]]})
    judged = case_in_restoration(city, prosecutor, party_user=party)
    brought = actions.do_open_case(new_case(city["b"], number="JK-2024-009", source="procuratorate", decided_on=None,
                                            party_user=other_party), acting_user=prosecutor)
    obligation = actions.do_convert_to_labour(judged, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=dt.date(2024, 12, 31), acting_user=prosecutor)
    labour = actions.do_book_shift(obligation, zone=zones["labour"], starts_at=START, hours=4, acting_user=prosecutor)
    planting = actions.do_book_shift(obligation, zone=zones["planting"], starts_at=START, hours=4,
                                     acting_user=prosecutor)
    return {"zones": zones, "prosecutor": prosecutor, "party": party, "other_party": other_party, "judged": judged,
            "brought": brought, "obligation": obligation, "labour": labour, "planting": planting}


def test_each_role_sees_what_it_should(city: dict[str, Any], scene: dict[str, Any]) -> None:
    court_a = staff("court", {"ecorestore_court": [city["a"]]})
    court_wide = staff("court_wide", {"ecorestore_court": [city["root"]]})
    prosecutor_b = staff("prosecutor_b", {"ecorestore_prosecutor": [city["b"]]})
    supervisor = staff("supervisor", {"ecorestore_supervisor": [scene["zones"]["labour"].place]})
    numbers = {user.username: sorted(access.cases_for(user).values_list("number", flat=True))
               for user in (scene["prosecutor"], court_a, court_wide, prosecutor_b, supervisor, scene["party"])}
    assert numbers == {"prosecutor": ["JK-2024-001", "JK-2024-009"], "court": ["JK-2024-001"],
                       "court_wide": ["JK-2024-001"],  # the procuratorate's own case is not the court's
                       "prosecutor_b": ["JK-2024-009"], "supervisor": [], "party": []}
    assert list(access.shifts_for(supervisor)) == [scene["labour"]]
    assert list(access.own_obligations(scene["party"])) == [scene["obligation"]]
    assert list(access.own_obligations(scene["other_party"])) == []  # their case has no obligation yet
    assert list(access.own_obligations(scene["prosecutor"])) == []  # no `own` right: nothing, even as its officer


def test_pages_refuse_out_of_scope_as_not_found(city: dict[str, Any], scene: dict[str, Any]) -> None:
    supervisor = staff("supervisor", {"ecorestore_supervisor": [scene["zones"]["labour"].place]})
    client = Client()
    client.force_login(supervisor)
    assert client.get(f"/ecorestore/shifts/{scene['labour'].pk}/").status_code == 200
    assert client.get(f"/ecorestore/shifts/{scene['planting'].pk}/").status_code == 404
    assert client.get(f"/ecorestore/cases/{scene['judged'].pk}/").status_code == 403
    party = Client()
    party.force_login(scene["party"])
    page = party.get("/ecorestore/mine/").content.decode()
    assert "JK-2024-001" in page and "JK-2024-009" not in page
    assert party.get(f"/ecorestore/cases/{scene['judged'].pk}/").status_code == 403
    other = Client()
    other.force_login(scene["other_party"])
    assert "JK-2024-001" not in other.get("/ecorestore/mine/").content.decode()
