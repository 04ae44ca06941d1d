"""The demo builds through the actions, shows every kind of case, and a second run adds nothing."""

from __future__ import annotations

from typing import Any

from longcheng.modules.accidents import demo
from longcheng.modules.accidents.models import Handoff, Photo, Report


def test_the_demo_builds_every_kind_of_case_once(city: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    lines: list[str] = []
    demo.build(log=lines.append, accidents_days=6)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"refused", "handed_off"} <= statuses
    assert Report.objects.filter(place__code__in=["320412", "320481"]).count() == Report.objects.count() > 0
    assert Photo.objects.filter(reused_from__isnull=False).count() == 1
    assert Handoff.objects.filter(mutual_self_pay=True).exists()
    count = Report.objects.count()
    demo.build(log=lines.append, accidents_days=6)
    assert Report.objects.count() == count and "already" in lines[-1]
