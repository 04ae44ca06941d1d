"""Edges of kernel files that scripts/coverage_rules.py keeps fully covered."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from longcheng.kernel.access.scope import scope_paths
from longcheng.kernel.errors import MAX_ID, KernelError, parse_id


def test_a_record_id_is_digits_within_a_64_bit_key() -> None:
    assert parse_id(" 42 ", field="case") == 42
    for bad in ("", None, "0", "-1", "4x", "４２", str(MAX_ID + 1)):
        with pytest.raises(KernelError) as info:
            parse_id(bad, field="case")
        assert info.value.field == "case"


def test_nobody_signed_in_holds_a_permission_anywhere() -> None:
    assert scope_paths(None, "homesafety.view") == ()
    assert scope_paths(AnonymousUser(), "homesafety.view") == ()
