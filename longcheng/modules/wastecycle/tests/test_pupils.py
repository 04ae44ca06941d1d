"""Per-pupil weighing where the school does it: the class's weighing is the plates' sum, its diners the
pupils weighed; refused where the school weighs per class; the 光盘 pupils are praised on the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.modules.wastecycle import actions, reports
from longcheng.modules.wastecycle.models import PupilWeighing, SchoolDay, Weighing

from .support import DAY, make_school


@pytest.fixture
def school(city: dict[str, Any]) -> dict[str, Any]:
    return make_school(city["a"])


@pytest.fixture
def teacher(city: dict[str, Any], make_user: Any) -> Any:
    return make_user("teacher", {"wastecycle_teacher": [city["a"]]})


def test_the_plates_make_the_class_weighing_where_the_school_weighs_per_pupil(
        school: dict[str, Any], teacher: Any) -> None:
    klass = school["classes"][0]
    with pytest.raises(KernelError) as per_class:
        actions.do_weigh_pupils(klass, day=DAY, meal="lunch", plates={1: 30}, acting_user=teacher)
    assert per_class.value.code == "not_per_pupil" and not Weighing.objects.exists()
    actions.do_set_school_options(klass, per_pupil=True, acting_user=teacher)
    with pytest.raises(KernelError) as heavy:
        actions.do_weigh_pupils(klass, day=DAY, meal="lunch", plates={1: 30, 2: 2500}, acting_user=teacher)
    assert heavy.value.field == "plates" and not Weighing.objects.exists()
    row = actions.do_weigh_pupils(klass, day=DAY, meal="lunch", plates={1: 30, 2: 0, 3: 120}, acting_user=teacher)
    assert (row.grams, row.diners) == (150, 3)
    assert list(PupilWeighing.objects.values_list("seat", "grams")) == [(1, 30), (2, 0), (3, 120)]
    assert [(m.grams, m.diners, m.shown) for m in reports.district_report(SchoolDay.objects.all(), DAY, DAY)] == [
        (150, 3, "50.0")]
    with pytest.raises(KernelError) as again:
        actions.do_weigh_pupils(klass, day=DAY, meal="lunch", plates={1: 10}, acting_user=teacher)
    assert again.value.code == "already_weighed"
    with pytest.raises(KernelError) as corrected:
        actions.do_correct_weighing(row, grams=10, reason="称错了重量", acting_user=teacher)
    assert corrected.value.code == "weighed_per_pupil" and Weighing.objects.get().grams == 150
    assert AuditEntry.objects.filter(action="wastecycle.pupils.weigh").count() == 1
    assert AuditEntry.objects.filter(action="wastecycle.options.set").count() == 1


def test_the_teacher_weighs_plates_on_the_page_and_the_clean_ones_are_praised(
        school: dict[str, Any], teacher: Any) -> None:
    klass = school["classes"][0]
    client = Client()
    client.force_login(teacher)
    client.cookies["django_language"] = "zh-hans"
    url = f"/wastecycle/classes/{klass.pk}/pupils/"
    assert 'id="per-class"' in client.get(url).content.decode()
    assert client.post(f"/wastecycle/classes/{klass.pk}/options/", {"per_pupil": "on"}).status_code == 302
    refused = client.post(url, {"day": "2026-11-02", "meal": "lunch", "plates": "1 30\n1 40"})
    assert refused.status_code == 400 and 'id="error-pupils-plates"' in refused.content.decode()
    done = client.post(url, {"day": "2026-11-02", "meal": "lunch", "plates": "1 30\n2 0\n3 15\n4 120"})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "真棒，你今天光盘啦" in page and "2号" in page and "3号" in page and "1号" not in page
