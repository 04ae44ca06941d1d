"""The aid types come from a data migration; a test that commits for real flushes every table when it
ends. The root conftest gives such tests serialized rollback, so the next one still finds the types
(the accidents browser test once failed this way: its rules were gone after another browser test)."""

from __future__ import annotations

import pytest

from longcheng.modules.youthaid.models import AidType

SEEDED = {"education", "medical", "living"}


@pytest.mark.django_db(transaction=True)
class TestSeedSurvivesAFlush:
    def test_a_committing_test_may_empty_the_table(self) -> None:
        assert set(AidType.objects.values_list("code", flat=True)) == SEEDED
        AidType.objects.all().delete()  # and the flush at the end empties every other table as well

    def test_the_next_one_finds_the_types_again(self) -> None:
        assert set(AidType.objects.values_list("code", flat=True)) == SEEDED
