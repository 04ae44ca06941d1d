"""do_change_organisations: a module's completed procedure changes organisations in one go, each
change audited with the values before and after; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.kernel.orgs.actions import OrganisationChange, do_change_organisations
from longcheng.kernel.orgs.models import Organisation, OrgKind


def _firm(n: int, place: Any) -> Organisation:
    return Organisation.objects.create(kind=OrgKind.ENTERPRISE, name=f"企业{n}", uscc=f"91320412MA0000000{n}",
                                       place=place, address=f"武进区遥观镇{n}号")


def _state(*firms: Organisation) -> list[tuple[Any, ...]]:
    return list(Organisation.objects.filter(pk__in=[f.pk for f in firms]).order_by("pk")
                .values_list("pk", "place_id", "address", "closed_on"))


def test_changes_are_applied_and_audited(city: dict[str, Any], admin: Any) -> None:
    one, two = _firm(1, city["yaoguan"]), _firm(2, city["yaoguan"])
    with transaction.atomic():
        do_change_organisations([
            OrganisationChange(two.pk, {"place": city["liyang_town"], "address": "溧阳市溧城街道1号"},
                               action="test.relocation", reason="case 7"),
            OrganisationChange(one.pk, {"closed_on": dt.date(2026, 11, 30)}, action="test.deregistration",
                               reason="case 8"),
        ], acting_user=admin)
    assert _state(one, two) == [(one.pk, city["yaoguan"].pk, "武进区遥观镇1号", dt.date(2026, 11, 30)),
                                (two.pk, city["liyang_town"].pk, "溧阳市溧城街道1号", None)]
    rows = list(AuditEntry.objects.filter(action__startswith="test.").order_by("pk"))
    assert [(r.action, r.object_id, r.before, r.after, r.reason, r.actor_id) for r in rows] == [
        ("test.relocation", str(two.pk), {"place": "320412104", "address": "武进区遥观镇2号"},
         {"place": "320481100", "address": "溧阳市溧城街道1号"}, "case 7", admin.pk),
        ("test.deregistration", str(one.pk), {"closed_on": None}, {"closed_on": "2026-11-30"}, "case 8", admin.pk),
    ]


def test_one_organisation_changed_twice_ends_as_the_last_change(city: dict[str, Any], admin: Any) -> None:
    firm = _firm(1, city["yaoguan"])
    with transaction.atomic():
        do_change_organisations([
            OrganisationChange(firm.pk, {"address": "武进区第一址"}, action="test.a", reason="case 1"),
            OrganisationChange(firm.pk, {"address": "武进区第二址"}, action="test.b", reason="case 2"),
        ], acting_user=admin)
    assert _state(firm)[0][2] == "武进区第二址"
    assert [(r.before, r.after) for r in AuditEntry.objects.filter(action__startswith="test.").order_by("pk")] == [
        ({"address": "武进区遥观镇1号"}, {"address": "武进区第一址"}),
        ({"address": "武进区第一址"}, {"address": "武进区第二址"})]


def test_a_value_the_directory_cannot_hold_refuses_every_change(city: dict[str, Any], admin: Any) -> None:
    one, two = _firm(1, city["yaoguan"]), _firm(2, city["yaoguan"])
    before = _state(one, two)
    with pytest.raises(KernelError) as err, transaction.atomic():
        do_change_organisations([
            OrganisationChange(one.pk, {"address": "武进区新址"}, action="test.ok", reason="case 1"),
            OrganisationChange(two.pk, {"address": "长" * 201}, action="test.too_long", reason="case 2"),
        ], acting_user=admin)
    assert err.value.field == "address"
    assert _state(one, two) == before
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()


def test_only_the_procedural_fields_may_change(city: dict[str, Any], admin: Any) -> None:
    firm = _firm(1, city["yaoguan"])
    with pytest.raises(ValueError), transaction.atomic():
        do_change_organisations([OrganisationChange(firm.pk, {"name": "别的名字"}, action="test.x", reason="r")],
                                acting_user=admin)
    with pytest.raises(ValueError), transaction.atomic():
        do_change_organisations([OrganisationChange(firm.pk, {"address": "某址"}, action="test.x", reason=" ")],
                                acting_user=admin)
    assert Organisation.objects.get(pk=firm.pk).name == "企业1"
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()
