"""Each demo staff account works in the place its role declares (`Role.demo_scope`); nothing is
guessed from the role's code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from longcheng.kernel import demo, registry
from longcheng.kernel.access.models import RoleAssignment
from longcheng.kernel.places.models import Place


def _quiet(_message: str) -> None:
    pass


@pytest.fixture
def scratch_module() -> Iterator[registry.ModuleSpec]:
    """A module whose role codes say "community" and "district" but declare other scopes (or none)."""
    spec = registry.register_module(registry.ModuleSpec(code="zz_scopes", label="zz", roles=[
        registry.Role("zz_community_worker", "zz", frozenset()),
        registry.Role("zz_district_clerk", "zz", frozenset(), demo_scope="横林镇"),
    ]))
    yield spec
    registry._MODULES.pop(spec.code)


def _places(username: str) -> list[str]:
    assignment = RoleAssignment.objects.get(user__username=username, role=username)
    return [p.name for p in assignment.places.all()]


def test_demo_accounts_take_the_declared_scope(db: Any, scratch_module: registry.ModuleSpec) -> None:
    demo.build_places(log=_quiet)
    demo.build_staff(log=_quiet)
    for code, role in registry.roles().items():
        assert _places(code) == [role.demo_scope or "常州市"], code
    # The code names a community, the role declares nothing: the whole city, not a guessed community.
    assert _places("zz_community_worker") == ["常州市"]
    assert _places("zz_district_clerk") == ["横林镇"]
    assert _places("community_worker") == ["上书房社区"]
    assert _places("homesafety_street_officer") == ["遥观镇"]


def test_a_scope_the_demo_city_lacks_is_refused(db: Any) -> None:
    spec = registry.register_module(registry.ModuleSpec(code="zz_nowhere", label="zz", roles=[
        registry.Role("zz_nowhere_clerk", "zz", frozenset(), demo_scope="不存在镇")]))
    try:
        demo.build_places(log=_quiet)
        with pytest.raises(RuntimeError, match="不存在镇"):
            demo.build_staff(log=_quiet)
    finally:
        registry._MODULES.pop(spec.code)
    assert Place.objects.filter(name="不存在镇").count() == 0
