"""cleanaudit's pages and API: the firm's round page in Chinese, a refusal on the page naming its field,
the park roll-up with its SVG chart (no CDN) and totals equal to the sum of the firms, the API's reads
and a write refused with {code, message, field}."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.cleanaudit import figures
from longcheng.modules.cleanaudit.models import AuditRound, Option

from .conftest import accept, list_round, walk

IN_TIME = dt.datetime(2026, 2, 16, 10, 0, tzinfo=SHANGHAI)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_firm_sees_its_stages_and_a_refused_close_names_what_is_missing(world: dict[str, Any]) -> None:
    audit = list_round(world)
    client = _client(world["firm_user"])
    page = client.get(reverse("cleanaudit:round", args=[audit.pk])).content.decode()
    assert "筹划与组织" in page and "持续清洁生产" in page and 'id="close-stage"' in page
    refused = client.post(reverse("cleanaudit:close_stage", args=[audit.pk]))
    assert refused.status_code == 400 and 'id="error-artefact_team"' in refused.content.decode()
    assert AuditRound.objects.get(pk=audit.pk).status == "planning"
    done = client.post(reverse("cleanaudit:artefact", args=[audit.pk]), {"kind": "team", "title": "审核小组"})
    assert done.status_code == 302 and audit.artefacts.count() == 1
    # The park's staff see the page but have no forms of the firm's.
    park_page = _client(world["park"]).get(reverse("cleanaudit:round", args=[audit.pk])).content.decode()
    assert 'id="close-stage"' not in park_page and 'id="thread-form"' in park_page
    assert _client(world["other_firm"]).get(reverse("cleanaudit:round", args=[audit.pk])).status_code == 404


def test_the_rollup_adds_up_to_its_firms_and_draws_its_chart(world: dict[str, Any]) -> None:
    one = accept(world, walk(list_round(world), world["firm_user"], now=IN_TIME), now=IN_TIME)
    walk(list_round(world, n=1, mode="consultancy", consultancy=world["good"]), world["consultant"], now=IN_TIME)
    result = figures.rollup(world["park"])
    implemented = Option.objects.filter(status="implemented")
    assert result.savings_fen == sum(o.yearly_saving_fen for o in implemented) == 13_000_000  # fen: 50,000 + 30,000 and 50,000 yuan
    assert (result.rounds, result.accepted, result.by_status["assessment"]) == (2, 1, 1)
    # Two firms of the same figures: the park's intensity is the firms' sums divided, 1250*2 / 8000*2.
    assert result.before["energy_per_wan"] == Decimal("0.1563") and result.after["energy_per_wan"] == Decimal("0.1250")
    assert one.round.grade == "A"
    page = _client(world["park"]).get(reverse("cleanaudit:rollup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "cdn" not in html.lower()
    assert 'id="total-accepted">1<' in html and "园区汇总" in html


def test_the_api_reads_and_refuses_with_the_field(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"], now=IN_TIME)
    client = _client(world["park"])
    detail = client.get(f"/api/v1/cleanaudit/rounds/{audit.pk}").json()
    assert detail["status"] == "assessment" and len(detail["stages"]) == 7
    high = next(o for o in detail["options"] if o["cost_class"] == "high")
    assert Decimal(high["irr"]) == Decimal("0.1524") and Decimal(high["payback_years"]) == Decimal("3.33")
    assert Decimal(detail["indicators"]["before"]["energy_per_output"]) == Decimal("0.3125")
    rollup = client.get("/api/v1/cleanaudit/rollup").json()
    assert rollup["rounds"] == 1 and rollup["accepted"] == 0
    bureau = _client(world["bureau"])
    refused = bureau.post(f"/api/v1/cleanaudit/rounds/{audit.pk}/reviews", data=json.dumps(
        {"kind": "acceptance", "scores": {"implemented": 30, "effect": 30, "continuous": 15}}),
        content_type="application/json")
    assert refused.status_code == 409 and refused.json()["field"] == "status"
    assert AuditRound.objects.get(pk=audit.pk).status == "assessment"


def test_the_rollup_as_xlsx_and_the_consultancies_record(world: dict[str, Any]) -> None:
    import io

    import openpyxl

    from longcheng.modules.cleanaudit import actions

    engaged = walk(list_round(world, n=1, mode="consultancy", consultancy=world["good"]), world["consultant"],
                   now=IN_TIME)
    actions.do_review(engaged.pk, kind="assessment", scores={"process": 18, "focus": 14, "balance": 18,
                                                              "options": 22, "report": 18},
                      vetoes=["fabricated"], reasons="与现场不符", acting_user=world["bureau"], now=IN_TIME)
    record = next(c for c in figures.consultancy_records(world["park"]) if c.name == "江苏清源咨询")
    assert (record.rounds, record.reviewed, record.passed, record.veto_hits, record.pass_rate) == (1, 1, 0, 1, 0)
    response = _client(world["park"]).get(reverse("cleanaudit:rollup") + "?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert names == ["常州剑湖电镀厂"]


def test_the_round_page_grades_the_firm_against_its_industry(world: dict[str, Any]) -> None:
    from longcheng.modules.cleanaudit.models import Benchmark

    # Coatings, energy per unit of output restrictive: before 0.3125 (level II), after 1100/4200 = 0.2619 (I).
    since = dt.date(2016, 7, 1)
    Benchmark.objects.create(industry="coatings", indicator="energy_per_output", level_1=Decimal("0.27"),
                             level_2=Decimal("0.32"), level_3=Decimal("0.40"), restrictive=True, effective_from=since)
    Benchmark.objects.create(industry="coatings", indicator="water_per_output", level_1=Decimal(18),
                             level_2=Decimal(22), level_3=Decimal(30), effective_from=since)
    audit = walk(list_round(world), world["firm_user"], now=IN_TIME)
    html = _client(world["park"]).get(reverse("cleanaudit:round", args=[audit.pk])).content.decode()
    assert 'data-period="before">II<' in html and 'data-period="after">I<' in html
    # A new version of the restrictive indicator, stricter: the firm falls below level III before.
    Benchmark.objects.create(industry="coatings", indicator="energy_per_output", version=2, level_1=Decimal("0.20"),
                             level_2=Decimal("0.25"), level_3=Decimal("0.30"), restrictive=True,
                             effective_from=timezone.localdate())
    html = _client(world["park"]).get(reverse("cleanaudit:round", args=[audit.pk])).content.decode()
    assert 'data-period="before">—<' in html and 'data-period="after">III<' in html
