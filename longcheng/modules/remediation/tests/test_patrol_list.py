"""The patrol's list on a phone: a page of 50 cases with a pager, not hundreds of rows (the bench's
p95 < 200 ms target is for this page)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from longcheng.modules.remediation.models import Case


def test_the_cases_list_is_paged(world: dict[str, Any]) -> None:
    site = world["sites"][0]
    Case.objects.bulk_create([Case(campaign="wuluan", site=site, firm=site.firm, place=site.place, status="closed",
                                   opened_at=timezone.now(), closed_at=timezone.now()) for _ in range(52)])
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(world["patrol"])
    first = client.get("/remediation/").content.decode()
    assert first.count('href="/remediation/cases/') == 50
    assert "第 1 / 2 页（共 52 条）" in first
    second = client.get("/remediation/?page=2").content.decode()
    assert second.count('href="/remediation/cases/') == 2
