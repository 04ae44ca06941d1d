"""Totals by street or town and the 通报预警 flag: computed from the records, at any date; the dashboard
computes the totals once for its figures and charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

from django.conf import settings
from django.test import Client
from django.utils import timezone

from longcheng.modules.remediation import actions, figures
from longcheng.modules.remediation.models import Milestone

from .conftest import FIVE_HIGH, REASONS, inspect, to_accepted


def _liyang_case_with_overdue_milestone(world: dict[str, Any]) -> Any:
    case = actions.do_record_inspection(site=world["sites"][2], campaign_code="wuluan", checklist={},
                                        scores=FIVE_HIGH, reasons=REASONS, acting_user=world["patrol_liyang"]).case
    actions.do_determine_case(case.pk, target=True, acting_user=world["office2"])
    actions.do_set_plan(case.pk, remedy="upgrade", lead_agency="ecology", responsible="李科长",
                        acting_user=world["office2"], milestones=[actions.MilestoneIn("提标改造", working_days=5)])
    # The deadline has passed (the plan form refuses a past date, so the clock is moved instead).
    Milestone.objects.filter(plan__case=case).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    return case


def test_streets_add_up_and_the_lagging_street_is_flagged(world: dict[str, Any], city: dict[str, Any]) -> None:
    before = timezone.now()
    closed = to_accepted(world, 0)
    actions.do_close_case(closed.pk, acting_user=world["office"])
    inspect(world, 1)  # 遥观镇: one closed, one open
    _liyang_case_with_overdue_milestone(world)  # 溧城街道: one open, overdue
    now = figures.totals(world["office"])
    rows = {r.place.name: r for r in now.streets}
    assert {n: (r.closed, r.open, r.overdue, r.warned) for n, r in rows.items()} == {
        "遥观镇": (1, 1, 0, False), "溧城街道": (0, 1, 1, True)}
    assert sum(r.closed for r in now.streets) == now.closed and sum(r.open for r in now.streets) == now.open
    assert len(rows["溧城街道"].reasons) == 2  # overdue, and 0% closed against 33% overall
    assert now.streets[0].place.name == "溧城街道"  # flagged first
    # Before anything happened there were no streets to list; a patrol sees only its own street.
    assert figures.totals(world["office"], before).streets == []
    assert [r.place.name for r in figures.totals(world["patrol"]).streets] == ["遥观镇"]


def test_a_done_milestone_no_longer_flags_its_street(world: dict[str, Any], settings: Any) -> None:
    settings.REMEDIATION_WARNING = {"rate_share": 0}  # the overdue rule alone
    case = _liyang_case_with_overdue_milestone(world)
    assert [r.warned for r in figures.totals(world["office"]).streets] == [True]
    Milestone.objects.filter(plan__case=case).update(done_at=timezone.now())
    assert [r.warned for r in figures.totals(world["office"]).streets] == [False]


def test_the_totals_page_lists_streets_and_the_dashboard_computes_once(world: dict[str, Any]) -> None:
    _liyang_case_with_overdue_milestone(world)
    inspect(world, 0)
    client = Client()
    client.force_login(world["office"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get("/remediation/totals/").content.decode()
    assert 'class="warned" data-street="320481100"' in page and 'data-street="320412104"' in page
    assert "通报预警" in page
    real = figures.totals
    with mock.patch.object(figures, "totals", side_effect=real) as spy:
        home = client.get("/")
    assert home.status_code == 200 and spy.call_count == 1
    assert Decimal(0) == figures.totals(world["office"]).mu


def test_the_totals_export_as_xlsx_keeps_a_formula_like_name_as_text(world: dict[str, Any], city: dict[str, Any]) -> None:
    import io

    from openpyxl import load_workbook

    city["liyang_town"].name = "=HYPERLINK(\"http://x\")"
    city["liyang_town"].save(update_fields=["name"])
    _liyang_case_with_overdue_milestone(world)
    client = Client()
    client.force_login(world["office"])
    answer = client.get("/remediation/totals/?format=xlsx")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    totals_sheet, streets = book.worksheets
    assert [c.value for c in totals_sheet["B"]][1:3] == [0, 1]  # none closed, one open
    name = streets["A2"]
    assert name.value == "=HYPERLINK(\"http://x\")" and name.data_type == "s" and streets["C2"].value == 1
