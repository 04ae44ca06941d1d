"""ecorestore's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: the base's labour zone (a grid under 上书房社区, city["a"]) and a judged case in city["a"] in
restoration, with an obligation, a booked shift and, for the certificate page, a completed case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from longcheng.kernel.route_matrix import PUBLIC, Api, Page, Routes, World


def _world(world: World) -> dict[str, Any]:
    from longcheng.modules.ecorestore.models import Case, Certificate, DamageHead, Obligation, Shift, Work

    from .support import DECIDED, make_base, make_rates

    make_rates()
    zones = make_base(world["city"])
    cases = []
    for number, stage in (("JK-M-1", "restoration"), ("JK-M-2", "assessment")):
        case = Case.objects.create(
            number=number, title="矩阵案件", source="court", source_organ="常州经开区人民法院", legal_basis="规定",
            place=world["city"]["a"], party_name="张某", party_kind="person", stage=stage, decided_on=DECIDED,
            opened_on=DECIDED)
        DamageHead.objects.create(case=case, head="service_loss", amount_fen=100_000)
        cases.append(case)
    obligation = Obligation.objects.create(case=cases[0], hours_owed=9, fen_per_hour=2200, rate_from=DECIDED,
                                           amount_offset_fen=19_800, hardship_evidence="低保户证明", consent=True,
                                           due_on=DECIDED + dt.timedelta(days=180))
    shift = Shift.objects.create(obligation=obligation, zone=zones["labour"], starts_at=timezone.now(),
                                 ends_at=timezone.now() + dt.timedelta(hours=4))
    shift.check_in_photo.save("matrix.jpg", ContentFile(b"\xff\xd8\xff\xe0" + b"matrix" * 64))
    Certificate.objects.create(case=cases[1], number="JK-M-2-证", hours=9, amount_offset_fen=19_800,
                               sent_to="常州经开区人民法院", issued_by=world["users"]["city_admin"])
    work = Work.objects.create(case=cases[0], zone=zones["planting"], kind="trees", quantity_owed=10, fen_per_unit=500,
                               amount_offset_fen=5_000, tend_months=6, due_on=DECIDED + dt.timedelta(days=180))
    receipt, spend = _money(zones["labour"].base, cases[0], world["city"]["a"])
    return {"receipt": receipt, "spend": spend, "case": cases[0], "done": cases[1], "obligation": obligation, "shift": shift, "zone": zones["labour"],
            "work": work, "planting": zones["planting"], "base": zones["labour"].base}


def _money(base: Any, case: Any, place: Any) -> tuple[Any, Any]:
    """A receipt of ¥500 for the case and a spend of ¥100, each with its entry on the base's fund."""
    from longcheng.modules.ecorestore import actions_money
    from longcheng.modules.ecorestore.actions_money import NewReceipt, NewSpend

    from .support import DECIDED, staff

    user = staff("matrix_treasurer", {"ecorestore_prosecutor": [place]})

    receipt = actions_money.do_record_receipt(base, NewReceipt(kind="fee", amount_fen=50_000, payer="张某",
                                                                received_on=DECIDED, case=case), acting_user=user)
    spend = actions_money.do_record_spend(base, NewSpend(purpose="fry", description="鱼苗", amount_fen=10_000,
                                                          payee="水产站", spent_on=DECIDED), acting_user=user)
    return receipt, spend


VIEW, MANAGE, COURT = "ecorestore.view", "ecorestore.manage", "ecorestore.court"
SUPERVISE, OWN = "ecorestore.supervise", "ecorestore.own"
CASES = (VIEW, COURT)


def _case(w: World) -> list[Any]:
    return [w["ecorestore"]["case"].pk]


def _new_case(w: World) -> dict[str, Any]:
    return {"number": "JK-M-9", "title": "新案件", "source": "court", "source_organ": "常州经开区人民法院",
            "legal_basis": "规定", "place": w["city"]["a"].pk, "party_name": "李某", "party_kind": "person",
            "opened_on": "2024-07-01", "decided_on": "2024-07-01", "head_service_loss": "100"}


def _base(w: World) -> list[Any]:
    return [w["ecorestore"]["base"].pk]


def _shift(w: World) -> list[Any]:
    return [w["ecorestore"]["shift"].pk]


# (change, its form) of a case, each on its own url taking POSTs only (views.CASE_STEPS): all need MANAGE.
CASE_POSTS: list[tuple[str, Any]] = [
    ("advance", lambda w: {"stage": "assessment", "on": "2024-12-01"}),
    ("convert", lambda w: {"amount": "200", "consent": "on", "hardship": "低保户证明", "due_on": "2024-12-31"}),
    ("book", lambda w: {"obligation": w["ecorestore"]["obligation"].pk, "zone": w["ecorestore"]["zone"].pk,
                        "starts_at": "2024-12-01T09:00", "hours": "4"}),
    ("breach", lambda w: {"obligation": w["ecorestore"]["obligation"].pk, "reason": "连续三次未到场"}),
    ("certify", lambda w: {}),
    ("work", lambda w: {"kind": "fish", "zone": w["ecorestore"]["planting"].pk, "quantity": "100",
                        "fen_per_unit": "0.3", "due_on": "2024-12-31"}),
    ("deliver", lambda w: {"work": w["ecorestore"]["work"].pk, "quantity": "2", "on": "2024-08-01"}),
    ("work_breach", lambda w: {"work": w["ecorestore"]["work"].pk, "reason": "逾期未补植"}),
    ("assess", lambda w: {"checked_on": "2025-03-01", "assessor": "江苏环科院", "survival_percent": "90",
                          "satisfactory": "on"}),
]

# (step, its form) of a shift, each on its own url taking POSTs only (views_shifts.SHIFT_STEPS).
SHIFT_POSTS: list[tuple[str, Any]] = [
    ("check_in", lambda w: {"lat": "31.762", "lon": "120.072"}),
    ("check_out", lambda w: {}),
    ("sign_off", lambda w: {}),
]

PAGES = [
    Page("ecorestore:cases", CASES, view_permission=None),
    Page("ecorestore:case_open", CASES, view_permission=None, get=False, post_permission=(MANAGE, COURT),
         post=_new_case),
    Page("ecorestore:case", CASES, _case, within="a", view_permission=None),
    *(Page(f"ecorestore:case_{step}", CASES, _case, within="a", view_permission=None, get=False,
           post_permission=MANAGE, post=body) for step, body in CASE_POSTS),
    Page("ecorestore:certificate", CASES, lambda w: [w["ecorestore"]["done"].pk], within="a", view_permission=None),
    Page("ecorestore:certificate_pdf", CASES, lambda w: [w["ecorestore"]["done"].pk], within="a",
         view_permission=None),
    Page("ecorestore:case_shift_photo", VIEW, lambda w: [w["ecorestore"]["case"].pk, w["ecorestore"]["shift"].pk,
                                                        "check-in"], within="a"),
    Page("ecorestore:agreement_pdf", CASES, lambda w: [w["ecorestore"]["case"].pk, w["ecorestore"]["obligation"].pk],
         within="a", view_permission=None),
    Page("ecorestore:shifts", SUPERVISE),
    Page("ecorestore:shift", SUPERVISE, _shift, within="a"),
    Page("ecorestore:shift_photo", SUPERVISE, lambda w: [w["ecorestore"]["shift"].pk, "check-in"], within="a"),
    *(Page(f"ecorestore:shift_{step}", SUPERVISE, _shift, within="a", get=False, post=body)
      for step, body in SHIFT_POSTS),
    Page("ecorestore:mine", OWN),
    Page("ecorestore:thresholds", MANAGE),
    Page("ecorestore:deliveries", SUPERVISE),
    Page("ecorestore:delivery_record", SUPERVISE, within="a", get=False, post=lambda w: {
        "work": w["ecorestore"]["work"].pk, "quantity": "1", "on": "2024-08-01"}),
    Page("ecorestore:bases", VIEW),
    Page("ecorestore:base", VIEW, _base, within="a"),
    Page("ecorestore:money", VIEW, _base, within="a"),
    Page("ecorestore:money_receive", MANAGE, _base, within="a", get=False, post=lambda w: {
        "kind": "fee", "amount": "500", "payer": "李某", "received_on": "2024-09-01",
        "case": w["ecorestore"]["case"].pk}),
    Page("ecorestore:money_spend", MANAGE, _base, within="a", get=False, post=lambda w: {
        "purpose": "fry", "description": "鱼苗", "amount": "1", "payee": "水产站", "spent_on": "2024-09-01"}),
    Page("ecorestore:money_reverse_receipt", MANAGE, lambda w: [w["ecorestore"]["base"].pk, w["ecorestore"]["receipt"].pk],
         within="a", get=False, post=lambda w: {"reason": "金额录入错误"}),
    Page("ecorestore:money_reverse_spend", MANAGE, lambda w: [w["ecorestore"]["base"].pk, w["ecorestore"]["spend"].pk],
         within="a", get=False, post=lambda w: {"reason": "重复登记"}),
    Page("ecorestore:disclosure", PUBLIC),
    Page("ecorestore:threshold_set", MANAGE, get=False, post=lambda w: {
        "valid_from": "2026-01-01", "fast_lane_below_fen": "500", "basis": "泰州市以劳代偿快速通道"}),
]

API = [
    Api("GET", "/api/v1/ecorestore/cases", CASES),
    Api("GET", "/api/v1/ecorestore/cases/{pk}", CASES, lambda w: {"pk": w["ecorestore"]["case"].pk}, within="a"),
    Api("GET", "/api/v1/ecorestore/cases/{pk}/quote", CASES, lambda w: {"pk": w["ecorestore"]["case"].pk},
        query="?amount_fen=20000", within="a"),
    Api("POST", "/api/v1/ecorestore/cases", (MANAGE, COURT), within="a", body=lambda w: {
        **{k: v for k, v in _new_case(w).items() if not k.startswith("head_")},
        "place": w["city"]["a"].code, "heads": {"service_loss": 10_000}}),
    Api("GET", "/api/v1/ecorestore/cases/{pk}/works", CASES, lambda w: {"pk": w["ecorestore"]["case"].pk},
        within="a"),
    Api("POST", "/api/v1/ecorestore/works/{pk}/deliveries", (MANAGE, SUPERVISE),
        lambda w: {"pk": w["ecorestore"]["work"].pk}, within="a",
        body=lambda w: {"quantity": 1, "on": "2024-08-01"}),
    Api("GET", "/api/v1/ecorestore/shifts", SUPERVISE),
    Api("POST", "/api/v1/ecorestore/shifts/{pk}/check-in", SUPERVISE, lambda w: {"pk": w["ecorestore"]["shift"].pk},
        within="a", body=lambda w: {"lat": 31.762, "lon": 120.072}),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
