"""Who sees what: a driver only their own reports, an insurer only the hand-offs addressed to it
(404 otherwise, as for a missing one), and personal data masked for roles that need it not."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from longcheng.kernel.access.models import ApiToken
from longcheng.modules.accidents import actions
from longcheng.modules.accidents.models import Handoff


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> Client:
    _t, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _handed_off(build: Any, people: dict[str, Any]) -> Any:
    report = build(["rear_end"], [])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    for side in ("a", "b"):
        actions.do_sign_agreement(report, acting_user=people[side])
    return report


def test_a_driver_sees_only_their_own_reports(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [], until="paired")
    url = reverse("accidents:report", args=[report.pk])
    assert _client(people["a"]).get(url).status_code == 200
    assert _client(people["b"]).get(url).status_code == 200
    stranger = _client(people["c"])
    assert stranger.get(url).status_code == 404
    assert stranger.post(reverse("accidents:submit", args=[report.pk])).status_code == 404
    assert _api(people["c"]).get(f"/api/v1/accidents/reports/{report.pk}").status_code == 404
    assert _api(people["c"]).get("/api/v1/accidents/reports").json() == []
    mine = _api(people["a"]).get("/api/v1/accidents/reports").json()
    assert [r["id"] for r in mine] == [report.pk]
    report.refresh_from_db()
    assert report.status == "pairing"


def test_an_insurer_sees_only_the_handoffs_addressed_to_it(build: Any, people: dict[str, Any]) -> None:
    _handed_off(build, people)
    to_pingan = Handoff.objects.get(insurer__code="pingan")
    to_renbao = Handoff.objects.get(insurer__code="renbao")
    pingan = _api(people["pingan"])
    assert [h["id"] for h in pingan.get("/api/v1/accidents/handoffs").json()] == [to_pingan.pk]
    assert pingan.get(f"/api/v1/accidents/handoffs/{to_renbao.pk}").status_code == 404
    page = _client(people["pingan"])
    assert page.get(reverse("accidents:claim", args=[to_renbao.pk])).status_code == 404
    assert page.post(reverse("accidents:claim", args=[to_renbao.pk]), {"status": "settled"}).status_code == 404
    to_renbao.refresh_from_db()
    assert to_renbao.status == "sent"
    assert page.post(reverse("accidents:claim", args=[to_pingan.pk]), {"status": "accepted"}).status_code == 302
    to_pingan.refresh_from_db()
    assert to_pingan.status == "accepted"


def test_personal_data_is_masked_for_roles_that_need_it_not(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    licence_a = people["rid"](seq=11)
    officer = _api(people["officer"]).get("/api/v1/accidents/queue").json()[0]["parties"][0]
    assert (officer["phone"], officer["licence_no"], officer["plate"]) == ("13812345678", licence_a, "苏D12345")
    chief = _client(people["chief"]).get(reverse("accidents:review", args=[report.pk])).content.decode()
    assert "138****5678" in chief and "13812345678" not in chief
    assert licence_a not in chief and "苏D12345" not in chief
    seen_by_b = _api(people["b"]).get(f"/api/v1/accidents/reports/{report.pk}").json()["parties"]
    assert seen_by_b[0]["phone"] == "138****5678" and seen_by_b[0]["licence_no"] != licence_a
    assert seen_by_b[1]["phone"] == "13987654321"  # one's own details, plainly


def test_the_officer_queue_shows_the_clock_and_decides_through_the_page(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    officer = _client(people["officer"])
    queue = officer.get(reverse("accidents:queue")).content.decode()
    assert f'href="{reverse("accidents:review", args=[report.pk])}"' in queue and 'class="overdue"' in queue
    refused = officer.post(reverse("accidents:review", args=[report.pk]),
                           {"decision": "change", "liability_a": "equal", "reason": ""})
    assert refused.status_code == 400 and 'id="error-reason"' in refused.content.decode()
    report.refresh_from_db()
    assert (report.status, report.liability_a) == ("submitted", "full")
    assert officer.post(reverse("accidents:review", args=[report.pk]), {"decision": "accept"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.liability_a) == ("decided", "full")


def test_a_refused_start_on_the_page_shows_the_reason_and_110(city: dict[str, Any], people: dict[str, Any]) -> None:
    from longcheng.modules.accidents.seed import EXCLUSIONS

    body = {"place": city["wujin"].pk, "lat": "31.7", "lon": "119.9", "third_party_property": "no",
            **{f"q_{code}": "no" for code, *_ in EXCLUSIONS}, "q_drink_drugs": "yes"}
    client = _client(people["a"])
    response = client.post(reverse("accidents:home"), body)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="refusal"' in page and "110" in page and "饮酒" in page


def test_the_api_starts_joins_and_refuses_with_the_reason(city: dict[str, Any], people: dict[str, Any]) -> None:
    from longcheng.modules.accidents.seed import EXCLUSIONS

    answers = {code: False for code, *_ in EXCLUSIONS}
    started = _api(people["a"]).post("/api/v1/accidents/reports", content_type="application/json",
                                     data={"place": city["a"].code, "lat": 31.7, "lon": 119.9, "answers": answers})
    assert started.status_code == 201 and started.json()["status"] == "pairing"
    from longcheng.modules.accidents.models import Report

    code = Report.objects.get(pk=started.json()["id"]).pairing_code
    joined = _api(people["b"]).post("/api/v1/accidents/pairings", content_type="application/json",
                                    data={"code": code, "answers": answers})
    assert joined.status_code == 200 and [p["side"] for p in joined.json()["parties"]] == ["A", "B"]
    assert joined.json()["status"] == "pairing"
    wrong = _api(people["c"]).post("/api/v1/accidents/pairings", content_type="application/json",
                                   data={"code": code, "answers": answers})
    assert wrong.status_code == 400 and wrong.json()["field"] == "code"
    refused = _api(people["c"]).post("/api/v1/accidents/reports", content_type="application/json", data={
        "place": city["a"].code, "lat": 31.7, "lon": 119.9, "answers": {**answers, "injury": True}})
    assert refused.json()["status"] == "refused" and refused.json()["refused_because"] == "injury"
