"""accidents's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: one rear-end report in 上书房社区 (city["a"]) taken to the insurers, whose parties are the
city-wide driver (A) and the driver of city["a"] (B), and whose insurer counts the city-wide and the
city["a"] claim handlers among its members; a driver or a handler beside it is a stranger (404)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_resident_id
from longcheng.kernel.route_matrix import Api, Page, Routes, World

REPORT, REVIEW, CLAIMS, RULES = "accidents.report", "accidents.review", "accidents.claims", "accidents.rules"


def _world(world: World) -> dict[str, Any]:
    from longcheng.kernel.people.models import Resident
    from longcheng.modules.accidents import actions
    from longcheng.modules.accidents.models import Insurer
    from longcheng.modules.accidents.seed import EXCLUSIONS

    a, b = world["users"]["accidents_driver"], world["accounts"][("accidents_driver", "a")]
    insurer = Insurer.objects.create(code="matrix", name="矩阵保险")
    insurer.members.add(world["users"]["accidents_insurer"], world["accounts"][("accidents_insurer", "a")])
    report = actions.do_start_report(place=world["city"]["a"], lat=31.7, lon=119.9,
                                     answers={code: False for code, *_ in EXCLUSIONS}, third_party_property=False,
                                     acting_user=a)
    actions.do_join_report(code=report.pairing_code, answers={code: False for code, *_ in EXCLUSIONS}, acting_user=b)
    # Two drivers, two licences: the masking sweep tells a driver's own (plain) licence from the other's.
    # Its own second resident: the matrix may build this part's world alone (without the residents
    # other parts make).
    other = Resident.objects.create(resident_id=make_resident_id(birth="19800101", seq=77), name="赵司机",
                                    gender="M", birth_date="1980-01-01", place=world["city"]["a"])
    for user, plate, licence in ((a, "苏D11111", world["person"].resident_id), (b, "苏D22222", other.resident_id)):
        actions.do_confirm_party(report, {"name": "司机", "phone": "13800000000",
                                          "licence_no": licence, "licence_class": "C1",
                                          "plate": plate, "insurer": insurer, "policy_no": "P1", "loss_fen": 100},
                                 acting_user=user)
    photo = actions.do_add_photo(report, shot="front", upload=SimpleUploadedFile(
        "p.jpg", b"\xff\xd8\xff\xe0" + b"matrix" * 64, content_type="image/jpeg"),
        taken_at=None, lat=None, lon=None, acting_user=a)
    actions.do_tick_circumstances(report, ["rear_end"], acting_user=a)
    actions.do_tick_circumstances(report, [], acting_user=b)
    actions.do_submit_report(report, acting_user=a)
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=world["users"]["accidents_officer"])
    for user in (a, b):
        actions.do_sign_agreement(report, acting_user=user)
    return {"report": report, "handoff": report.handoffs.order_by("pk").first(), "photo": photo}


def _codes() -> list[Any]:
    from longcheng.modules.accidents.seed import EXCLUSIONS

    return EXCLUSIONS


def _report(w: World) -> list[Any]:
    return [w["accidents"]["report"].pk]


def _handoff(w: World) -> list[Any]:
    return [w["accidents"]["handoff"].pk]


def _report_photo(w: World) -> list[Any]:
    return [w["accidents"]["report"].pk, w["accidents"]["photo"].pk]


def _handoff_photo(w: World) -> list[Any]:
    return [w["accidents"]["handoff"].pk, w["accidents"]["photo"].pk]


def _step(name: str, body: dict[str, Any] | None = None) -> Page:
    """A step of the drivers' report page: its own URL, POST only."""
    return Page(f"accidents:{name}", REPORT, _report, within="a", get=False, post=lambda w: dict(body or {}))


def _exclusion(**over: Any) -> dict[str, Any]:
    return {"basis": "local", "question_zh": "矩阵？", "question_en": "Matrix?", "order": "50", "active": "on",
            "based_on": "0", **over}


def _door() -> dict[str, Any]:
    return {"situation_zh": "开关车门", "situation_en": "Door", "outcome": "equal", "order": "9", "active": "on",
            "based_on": "1"}


PAGES = [
    Page("accidents:home", REPORT, post=lambda w: {"place": w["city"]["wujin"].pk, "lat": "31.7", "lon": "119.9",
                                                    "third_party_property": "no"}),
    Page("accidents:join", REPORT, post=lambda w: {"code": "NOSUCH22", **{f"q_{c}": "no" for c, *_ in _codes()}}),
    Page("accidents:report", REPORT, _report, within="a"),
    _step("confirm", {"name": "矩阵", "phone": "13900000000", "licence_no": "X", "licence_class": "C1",
                      "plate": "苏D99999", "policy_no": "P9", "loss_fen": "100"}),
    _step("photo", {"shot": "front"}),
    _step("tick", {"circumstances": ["rear_end"]}),
    _step("sketch", {"layout": "straight", "a_cell": "C4", "a_heading": "N", "b_cell": "C3", "b_heading": "N"}),
    _step("submit"),
    _step("sign"),
    Page("accidents:photo_file", REPORT, _report_photo, within="a"),
    Page("accidents:agreement", REPORT, _report, within="a"),
    Page("accidents:review_photo", REVIEW, _report_photo, within="a"),
    Page("accidents:review_agreement", REVIEW, _report, within="a"),
    Page("accidents:claim_photo", CLAIMS, _handoff_photo, within="a"),
    Page("accidents:claim_agreement", CLAIMS, _handoff, within="a"),
    Page("accidents:queue", REVIEW),
    Page("accidents:hotspots", "accidents.figures"),
    Page("accidents:review", REVIEW, _report, within="a",
         post=lambda w: {"decision": "change", "liability_a": "equal", "reason": "矩阵"}),
    Page("accidents:claims", CLAIMS),
    # The rule tables: city-wide data (no `within`), a new version previewed, then saved.
    Page("accidents:rules", RULES),
    Page("accidents:rule_new", RULES, lambda w: ["exclusions"], post=lambda w: _exclusion(code="matrix")),
    Page("accidents:rule_new_preview", RULES, lambda w: ["exclusions"], get=False,
         post=lambda w: _exclusion(code="matrix")),
    Page("accidents:rule_edit", RULES, lambda w: ["liability", "door"], post=lambda w: _door()),
    Page("accidents:rule_preview", RULES, lambda w: ["liability", "door"], get=False, post=lambda w: _door()),
    Page("accidents:claim", CLAIMS, _handoff, within="a", post=lambda w: {"status": "settled"}),
]

API = [
    Api("GET", "/api/v1/accidents/reports", REPORT),
    Api("GET", "/api/v1/accidents/reports/{pk}", REPORT, lambda w: {"pk": _report(w)[0]}, within="a"),
    Api("POST", "/api/v1/accidents/reports", REPORT, within="a",
        body=lambda w: {"place": w["city"]["a"].code, "lat": 31.7, "lon": 119.9, "answers": {}}),
    Api("POST", "/api/v1/accidents/pairings", REPORT, body=lambda w: {"code": "NOSUCH22", "answers": {}}),
    Api("GET", "/api/v1/accidents/queue", REVIEW),
    Api("POST", "/api/v1/accidents/reports/{pk}/decision", REVIEW, lambda w: {"pk": _report(w)[0]}, within="a",
        body=lambda w: {"liability_a": "equal", "reason": "矩阵"}),
    Api("GET", "/api/v1/accidents/handoffs", CLAIMS),
    Api("GET", "/api/v1/accidents/handoffs/{pk}", CLAIMS, lambda w: {"pk": _handoff(w)[0]}, within="a"),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
