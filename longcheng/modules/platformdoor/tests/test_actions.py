"""platformdoor's actions: a change in scope is made with its audit row; outside scope nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.modules.platformdoor import actions, rules
from longcheng.modules.platformdoor.models import Item


def test_a_clerk_adds_an_item_in_scope_with_its_audit_row(city: dict[str, Any], make_user: Any) -> None:
    clerk = make_user("clerk", {"platformdoor_clerk": [city["a"]]})
    item = actions.do_create_item(name="事项一", place=city["a"], acting_user=clerk)
    assert list(Item.objects.values_list("name", "place__code")) == [("事项一", city["a"].code)]
    assert AuditEntry.objects.filter(action="platformdoor.item.create", object_id=str(item.pk)).count() == 1
    with pytest.raises(KernelError) as twice:
        actions.do_create_item(name="事项一", place=city["a"], acting_user=clerk)
    assert (twice.value.code, twice.value.field) == ("duplicate_item", "name")


def test_outside_scope_nothing_changes(city: dict[str, Any], make_user: Any) -> None:
    clerk = make_user("clerk", {"platformdoor_clerk": [city["a"]]})
    observer = make_user("observer", {"platformdoor_observer": [city["root"]]})
    for user, place in ((clerk, city["b"]), (observer, city["a"])):
        with pytest.raises(PermissionDenied):
            actions.do_create_item(name="事项二", place=place, acting_user=user)
    assert list(Item.objects.values_list("name")) == []
    assert AuditEntry.objects.filter(action="platformdoor.item.create").count() == 0


def test_the_name_rule() -> None:
    assert rules.name_problem("事项") is None
    assert rules.name_problem("  ") and rules.name_problem("长" * 101)
