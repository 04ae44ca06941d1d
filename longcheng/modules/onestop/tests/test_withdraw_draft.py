"""Issue 11 (11): an applicant withdraws a draft (it was never submitted) without a 500."""

from __future__ import annotations

import json
from typing import Any

from longcheng.kernel.audit.models import AuditEntry

from .. import actions
from ..models import Case, CaseStatus
from .conftest import RELOCATION_DATA


def test_a_draft_can_be_withdrawn(world: dict[str, Any]) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    actions.do_withdraw(case, acting_user=world["applicant"])
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.WITHDRAWN and case.submitted_at is None and case.completed_at is not None
    assert AuditEntry.objects.filter(action="onestop.withdraw", object_id=str(case.pk)).count() == 1


def test_a_draft_is_withdrawn_through_the_api(world: dict[str, Any]) -> None:
    from django.test import Client

    from longcheng.kernel.access.models import ApiToken

    _t, raw = ApiToken.issue(world["applicant"], "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = client.post("/api/v1/onestop/cases", json.dumps({"service": "relocation", "uscc": world["firm"].uscc,
                                                          "data": RELOCATION_DATA}), content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/onestop/cases/{r.json()['id']}/withdraw", "{}", content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "withdrawn"
