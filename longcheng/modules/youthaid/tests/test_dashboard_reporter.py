"""A reporter's dashboard shows their own reports and where each youth stands, nothing of anyone
else's (issue 15: the reporter's dashboard was empty)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ..models import CaseStatus
from .test_pages_cases import client_for, report_form
from .test_pages_cases import world as world


def _figures(html: str) -> str:
    start = html.index("My youth aid reports")
    return html[start:html.index("</section>", start)]


def test_the_reporters_dashboard_counts_their_own_reports_only(world: dict[str, Any]) -> None:
    empty = client_for(world["reporter"]).get("/")
    assert "No figures for your role yet." not in empty.content.decode()
    client_for(world["reporter"]).post(reverse("youthaid:report"), report_form(world["teen"]))
    client_for(world["reporter2"]).post(reverse("youthaid:report"), report_form(world["child"]))
    from ..models import Youth

    youth = Youth.objects.get(person=world["teen"])
    youth.status = CaseStatus.ACTIVE
    youth.save(update_fields=["status"])

    panel = _figures(client_for(world["reporter"]).get("/").content.decode())
    figures = dict(zip(("My reports", "Awaiting screening", "Found eligible, under monitoring", "Found not eligible"),
                       [int(v) for v in __import__("re").findall(r'<div class="v">(\d+)', panel)], strict=True))
    assert figures == {"My reports": 1, "Awaiting screening": 0, "Found eligible, under monitoring": 1,
                       "Found not eligible": 0}
    assert world["child"].name not in panel and world["teen"].name not in panel


def test_a_case_worker_does_not_get_the_reporters_panel(world: dict[str, Any]) -> None:
    assert "My youth aid reports" not in client_for(world["worker"]).get("/").content.decode()
