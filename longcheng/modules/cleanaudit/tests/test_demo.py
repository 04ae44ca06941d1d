"""The demo's Wujin pilot: 143 firms through acceptance, others at every stage, a few overdue; the park
roll-up the bureau sees shows them and its intensity chart; every demo round obeys the rules to hold;
a second build adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from longcheng.kernel.access.models import User
from longcheng.modules.cleanaudit import figures, rules
from longcheng.modules.cleanaudit.actions.common import facts_of
from longcheng.modules.cleanaudit.models import AuditRound, Review, StageRecord
from longcheng.modules.cleanaudit.stages import STAGE_BY_CODE, STAGES


@pytest.mark.django_db
def test_the_demo_pilot(settings: Any) -> None:
    from longcheng.kernel import demo

    from ..demo import build

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    demo.build_staff(log=quiet)
    build(log=quiet)
    bureau = User.objects.get(username="cleanaudit_bureau")
    result = figures.rollup(bureau, today=dt.date(2026, 12, 2))  # the demo's overdue few, as of its writing
    assert result.accepted == 143 and result.by_status["failed"] == 2
    assert {code for code in STAGE_BY_CODE} <= set(result.by_status)
    assert 0 < result.overdue < 12
    assert result.firms_compared >= 143
    before, after = result.before["energy_per_wan"], result.after["energy_per_wan"]
    assert before is not None and after is not None and after < before
    # The rules to hold, on every demo round: no stage open before the previous one closed with its
    # artefacts; no acceptance without an assessment passed.
    for audit in AuditRound.objects.all():
        stages = {r.stage: r for r in StageRecord.objects.filter(round=audit)}
        for previous, stage in zip(STAGES, STAGES[1:], strict=False):
            if stage.code in stages:
                assert stages[previous.code].closed_at is not None
                assert not [p for p in rules.gate_problems(previous.code, facts_of(audit))
                            if p[0].startswith("artefact_")], (audit.pk, previous.code)
        if audit.status == "accepted":
            assert Review.objects.filter(round=audit, kind="assessment", passed=True).exists()
    client = Client()
    client.force_login(bureau)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("cleanaudit:rollup")).content.decode()
    assert 'id="total-accepted">143<' in html and "园区万元工业增加值强度" in html and "<svg" in html
    firm_user = User.objects.get(username="cleanaudit_firm")
    assert AuditRound.objects.filter(firm_id=firm_user.organisation_id).exists()
    count = AuditRound.objects.count()
    build(log=quiet)
    assert AuditRound.objects.count() == count
