"""Green islands: counted as built from their records at any date, seen only within the viewer's scope,
a firm moved there by its case shown with that case, the monthly volumes summed from the manifests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse

from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.remediation import figures
from longcheng.modules.remediation.models import Case, Island, IslandMember, Manifest, Site


def _island(city: dict[str, Any], key: str, opened: dt.date) -> Island:
    return Island.objects.create(name=f"{city[key].name}表面处理中心", kind="surface", place=city[key], capacity=300,
                                 capacity_unit="t_per_day", opened_on=opened)


def test_islands_in_service_are_counted_at_a_date_and_within_scope(city: dict[str, Any], make_user: Any) -> None:
    _island(city, "a", dt.date(2024, 3, 1))
    _island(city, "liyang_town", dt.date(2024, 9, 1))
    office = make_user("office", {"remediation_office": [city["root"]]})
    wujin = make_user("wujin", {"remediation_office": [city["wujin"]]})
    at = lambda y, m, d: dt.datetime(y, m, d, 23, 59, tzinfo=SHANGHAI)  # noqa: E731
    assert figures.totals(office, at(2024, 2, 28)).islands == 0
    assert figures.totals(office, at(2024, 6, 30)).islands == 1
    assert figures.totals(office, at(2024, 12, 31)).islands == 2
    assert figures.totals(wujin, at(2024, 12, 31)).islands == 1


def test_the_island_page_shows_its_members_case_and_monthly_volumes(city: dict[str, Any], make_user: Any) -> None:
    island = _island(city, "a", dt.date(2024, 3, 1))
    firm = Organisation.objects.create(kind="enterprise", name="遥观电镀厂", uscc="91320412MA1ISLAND0", place=city["a"])
    site = Site.objects.create(firm=firm, place=city["a"], address="遥观路2号", area_mu=3)
    case = Case.objects.create(campaign="wuluan", site=site, firm=firm, place=city["a"],
                               opened_at=dt.datetime(2024, 1, 5, tzinfo=SHANGHAI), status="closed")
    member = IslandMember.objects.create(island=island, firm=firm, case=case, joined_on=dt.date(2024, 4, 2))
    for month, t in ((4, "10.50"), (5, "20.25"), (5, "1.00")):
        Manifest.objects.create(member=member, number=f"ZY-{month}-{t}", month=dt.date(2024, month, 1),
                                material="surface", volume_t=Decimal(t))
    assert figures.monthly_volumes(island) == [(dt.date(2024, 4, 1), Decimal("10.50")),
                                               (dt.date(2024, 5, 1), Decimal("21.25"))]
    inspector = make_user("insp", {"remediation_inspector": [city["yaoguan"]]})
    client = Client()
    client.force_login(inspector)
    page = client.get(reverse("remediation:island", args=[island.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "遥观电镀厂" in text and reverse("remediation:case", args=[case.pk]) in text and "21.25" in text
    outside = make_user("ly", {"remediation_inspector": [city["liyang"]]})
    client.force_login(outside)
    assert client.get(reverse("remediation:island", args=[island.pk])).status_code == 404
    assert client.get("/api/v1/remediation/islands").json() == []
