"""privacy.public_name: how a public page (read without signing in) shows a person's or a firm's
name — the first and last characters, the rest masked — whoever reads, with no reveal."""

from __future__ import annotations

import pytest

from longcheng.kernel.privacy import public_name


@pytest.mark.parametrize(("name", "shown"), [
    ("张三丰", "张*丰"), ("李四", "李*"), ("王", "*"), ("  欧阳建国 ", "欧**国"), ("", ""), (None, ""), ("   ", ""),
    ("常州某某环保科技有限公司", "常" + "*" * 10 + "司"),
])
def test_public_name_masks_every_name(name: object, shown: str) -> None:
    assert public_name(name) == shown


def test_public_name_never_shows_a_name_of_two_or_more_characters_in_full() -> None:
    for name in ("李四", "张三丰", "诸葛孔明", "Smith"):
        assert public_name(name) != name and "*" in public_name(name)
