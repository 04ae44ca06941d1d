"""Pages and API: a patrol's inspection on the phone form opens the case; refusals name their field and
change nothing; the firm's page shows its own case; the totals API adds up the records."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.modules.remediation import actions
from longcheng.modules.remediation.models import Case, Evidence, Inspection

from .conftest import photo, to_accepted


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> Client:
    _t, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


FORM = {"check_safety": "on", "score_danger": "2", "reason_danger": "无消防通道", "score_pollution": "0",
        "score_disorder": "0", "score_scattered": "3", "reason_scattered": "园区外", "score_low": "0"}


def test_the_patrols_phone_form_records_an_inspection(world: dict[str, Any]) -> None:
    client = _client(world["patrol"])
    url = f"/remediation/sites/{world['sites'][0].pk}/inspect/wuluan/"
    page = client.get(url)
    assert page.status_code == 200 and "危（安全隐患）" in page.content.decode()
    refused = client.post(url, {**FORM, "reason_danger": ""})
    assert refused.status_code == 400 and 'id="error-reason_danger"' in refused.content.decode()
    # What the patrol ticked and typed comes back with the refusal.
    assert 'name="check_safety" id="id_check_safety" checked' in refused.content.decode()
    assert "园区外" in refused.content.decode()
    assert Case.objects.count() == 0 and Inspection.objects.count() == 0
    done = client.post(url, FORM)
    case = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/remediation/cases/{case.pk}/"
    assert Inspection.objects.get().scores == {"danger": 2, "pollution": 0, "disorder": 0, "scattered": 3, "low": 0}
    assert "无消防通道" in client.get(done["Location"]).content.decode()


def test_closure_refused_on_the_page_and_in_the_api_changes_nothing(world: dict[str, Any]) -> None:
    case = to_accepted(world)
    Evidence.objects.filter(case=case, kind="utility_cutoff").delete()
    page = _client(world["office"]).post(f"/remediation/cases/{case.pk}/close/", {"note": ""})
    assert page.status_code == 409 and 'id="error-evidence"' in page.content.decode()
    answer = _api(world["office"]).post(f"/api/v1/remediation/cases/{case.pk}/close", data="{}",
                                        content_type="application/json")
    assert answer.status_code == 409
    assert {k: answer.json()[k] for k in ("code", "field")} == {"code": "evidence_missing", "field": "evidence"}
    case.refresh_from_db()
    assert (case.status, case.closed_at) == ("accepted", None)


def test_the_firm_sees_its_own_case_and_uploads_evidence(world: dict[str, Any]) -> None:
    mine = actions.do_record_inspection(site=world["sites"][0], campaign_code="fire_door", checklist={},
                                        scores={"danger": 2}, reasons={"danger": "防火门损坏"},
                                        acting_user=world["patrol"]).case
    other = actions.do_record_inspection(site=world["sites"][1], campaign_code="fire_door", checklist={},
                                         scores={"danger": 2}, reasons={"danger": "x"}, acting_user=world["patrol"]).case
    client = _client(world["firm_user"])
    assert "防火门损坏" in client.get(f"/remediation/mine/{mine.pk}/").content.decode()
    assert client.get(f"/remediation/mine/{other.pk}/").status_code == 404
    assert client.get(f"/remediation/cases/{mine.pk}/").status_code == 403
    sent = client.post(f"/remediation/mine/{mine.pk}/", {"kind": "fire_door", "file": photo()})
    assert sent.status_code == 302
    assert list(Evidence.objects.values_list("case_id", "kind")) == [(mine.pk, "fire_door")]
    assert [c["id"] for c in _api(world["firm_user"]).get("/api/v1/remediation/mine").json()] == [mine.pk]


def test_the_totals_api(world: dict[str, Any]) -> None:
    case = to_accepted(world, mu="7.25", cut=(9000, 1000))
    actions.do_close_case(case.pk, acting_user=world["office"])
    body = _api(world["office"]).get("/api/v1/remediation/totals").json()
    assert (body["closed"], body["area_mu"], body["cut_kg"]) == (1, "7.25", {"cod": 8000})
    past = _api(world["office"]).get("/api/v1/remediation/totals?as_of=2020-01-01").json()
    assert (past["closed"], past["by_stage"]) == (0, {})
    bad = _api(world["office"]).get("/api/v1/remediation/totals?as_of=1900-01-01")
    assert bad.status_code == 400 and bad.json()["field"] == "as_of"
    assert json.loads(_api(world["patrol_liyang"]).get("/api/v1/remediation/totals").content)["closed"] == 0
