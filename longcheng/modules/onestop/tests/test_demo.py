"""The demo's week of applications in 武进区: every state a department meets occurs, built through
the actions, and a second build adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message
from longcheng.kernel.places.models import Place

from .. import clock
from ..models import Case, CaseStatus, EnterpriseStanding, Task, TaskStatus
from .conftest import SHANGHAI

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)  # a Friday afternoon


@pytest.mark.django_db
def test_demo_builds_a_week_of_cases_once(monkeypatch: Any) -> None:
    from longcheng.kernel import demo

    from ..demo import build

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    demo.build_staff(log=quiet)
    lines: list[str] = []
    # No time limit here: a timed assertion fails on a loaded machine (speed lives in bench/).
    build(log=lines.append, now=NOW)
    assert clock.now is not None and clock.now.__name__ == "now"  # the clock is given back

    cases: Any = Case.objects.all()
    assert 35 <= cases.count() <= 45
    assert {c.place.parent.code for c in cases.select_related("place__parent")} == {"320412"}  # Wujin towns
    assert set(cases.values_list("service", flat=True)) == {"relocation", "deregistration", "startup"}
    submitted: list[Any] = list(cases.exclude(submitted_at=None))
    assert len({c.submitted_at.astimezone(SHANGHAI).date() for c in submitted}) >= 6  # spread over the week
    assert all(c.submitted_at <= NOW for c in submitted)

    completed: list[Any] = list(cases.filter(status=CaseStatus.COMPLETED))
    on_time = [c for c in completed if c.completed_at <= c.due_at]
    late = [c for c in completed if c.completed_at > c.due_at]
    assert on_time and late
    assert Task.objects.filter(status=TaskStatus.CORRECTION, case__status=CaseStatus.SUBMITTED).exists()
    open_tasks = list(Task.objects.filter(status=TaskStatus.OPEN))
    assert any(clock.due_soon(t, NOW) for t in open_tasks)
    overdue = [t for t in open_tasks if clock.overdue(t, NOW)]
    assert overdue and all(t.escalated_at is not None for t in overdue)
    assert Message.objects.filter(recipient_user__username="onestop_head").exists()
    assert cases.filter(status=CaseStatus.REJECTED).exists()
    drafts = cases.filter(status=CaseStatus.DRAFT)
    assert drafts.count() >= 2 and all(EnterpriseStanding.objects.filter(enterprise=c.enterprise).exists()
                                       for c in drafts)
    # Relocations went out of Wujin: the completed ones moved their enterprise.
    moved: list[Any] = [c for c in completed if c.service == "relocation"]
    wujin = Place.objects.get(code="320412")
    assert moved and all(not c.enterprise.place.path.startswith(wujin.path) for c in moved)
    assert any(c.data["new_place"].startswith("320400-JK") for c in cases.filter(service="relocation"))
    assert AuditEntry.objects.filter(action="onestop.relocation").count() == len(moved)
    assert "cases" in lines[-1]

    before = (Case.objects.count(), Task.objects.count(), AuditEntry.objects.count(), Message.objects.count())
    build(log=quiet, now=NOW)
    assert (Case.objects.count(), Task.objects.count(), AuditEntry.objects.count(), Message.objects.count()) == before
