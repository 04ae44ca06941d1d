"""The demo's Wujin campaign: its records add up to the news' figures (3,273 firms remediated, 25,000 mu,
2,104 t of pollutants cut), computed by the same totals the dashboard shows; a second build adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from longcheng.kernel.access.models import User
from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.remediation import figures
from longcheng.modules.remediation.models import Case, IslandMember, Manifest, Site

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_the_demo_adds_up_to_the_news(settings: Any, tmp_path: Any) -> None:
    from longcheng.kernel import demo

    from ..demo import build

    settings.MEDIA_ROOT = str(tmp_path)
    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    demo.build_staff(log=quiet)
    build(log=quiet, now=NOW)  # its speed is not asserted here (no timed unit tests): see docs/remediation.md
    office = User.objects.get(username="remediation_office")
    end_of_2024 = figures.totals(office, dt.datetime(2024, 12, 31, 23, 59, tzinfo=SHANGHAI), campaign="wuluan")
    assert (end_of_2024.closed, end_of_2024.mu, end_of_2024.cut_t) == (3273, Decimal(25000), Decimal(2104))
    # The news' four green islands, counted from their records: two were in service by mid-year.
    assert end_of_2024.islands == 4
    assert figures.totals(office, dt.datetime(2024, 6, 30, 23, 59, tzinfo=SHANGHAI)).islands == 2
    moved = IslandMember.objects.select_related("case__plan")
    cases = [m.case for m in moved if m.case is not None]
    assert moved.count() == len(cases) == 48 and {c.plan.remedy for c in cases} <= {"relocate", "upgrade"}
    assert [m.firm_id for m in moved] == [c.firm_id for c in cases]
    assert Manifest.objects.filter(member__island__name="武进区表面处理中心").exists()
    now = figures.totals(office, campaign="wuluan")
    assert now.closed == 3273 and now.open == 40 and now.by_stage["reopened"] == 6
    assert figures.overdue_milestones(office).count() == 12
    assert Site.objects.filter(host__isnull=False).count() == 3
    assert set(Case.objects.values_list("campaign", flat=True)) == {"wuluan", "hidden_factory", "fire_door"}
    firm_user = User.objects.get(username="remediation_firm")
    assert Case.objects.filter(firm_id=firm_user.organisation_id).exists()
    count = Case.objects.count()
    build(log=quiet, now=NOW)
    assert Case.objects.count() == count
