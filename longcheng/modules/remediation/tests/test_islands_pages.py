"""Green islands recorded on pages by the bureau: the island (new, corrected), a firm joining with the case
that moved it, a month's manifest, a firm leaving; each step audited, each refusal naming its field with
what was typed shown again, and a post by someone who may not record changing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.remediation.models import Island, IslandMember, Manifest

from .conftest import inspect

ISLAND = {"name": "遥观表面处理中心", "kind": "surface", "place": "320412104001", "operator": "", "capacity": "500",
          "capacity_unit": "t_per_day", "opened_on": "2024-03-01"}


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(user)
    return client


def _state() -> tuple[Any, ...]:
    return (list(Island.objects.values_list("name", "capacity", "place__code").order_by("pk")),
            list(IslandMember.objects.values_list("firm_id", "left_on").order_by("pk")),
            list(Manifest.objects.values_list("number", "volume_t").order_by("pk")),
            AuditEntry.objects.filter(action__startswith="remediation.").count())


def test_the_bureau_records_an_island_and_corrects_it(world: dict[str, Any]) -> None:
    bureau = _client(world["bureau"])
    response = bureau.post(reverse("remediation:island_new"), ISLAND)
    island = Island.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("remediation:island", args=[island.pk])
    assert (island.name, island.capacity, island.place.code, island.opened_on) == (
        "遥观表面处理中心", Decimal("500.0"), "320412104001", dt.date(2024, 3, 1))
    created = AuditEntry.objects.get(action="remediation.island.create")
    assert created.actor == world["bureau"] and (created.after or {})["capacity"] == "500"

    edit = reverse("remediation:island_edit", args=[island.pk])
    assert "遥观表面处理中心" in bureau.get(edit).content.decode()
    assert bureau.post(edit, {**ISLAND, "capacity": "650", "operator": world["firms"][1].uscc}).status_code == 302
    island.refresh_from_db()
    assert island.capacity == Decimal("650.0") and island.operator == world["firms"][1]
    updated = AuditEntry.objects.get(action="remediation.island.update")
    assert (updated.before or {})["capacity"] == "500.0" and (updated.after or {})["capacity"] == "650"
    assert "name" not in (updated.after or {})  # only what changed


def test_refusals_name_the_field_and_keep_what_was_typed(world: dict[str, Any]) -> None:
    bureau = _client(world["bureau"])
    before = _state()
    # 溧城街道 is outside Wujin's bureau: the same answer as a code no place has.
    outside = bureau.post(reverse("remediation:island_new"), {**ISLAND, "place": "320481100", "name": "越界绿岛"})
    text = outside.content.decode()
    assert outside.status_code == 400 and 'id="error-place"' in text and "越界绿岛" in text
    unknown_operator = bureau.post(reverse("remediation:island_new"), {**ISLAND, "operator": "91320412MA1XXXXXX0"})
    assert unknown_operator.status_code == 400 and 'id="error-operator"' in unknown_operator.content.decode()
    zero = bureau.post(reverse("remediation:island_new"), {**ISLAND, "capacity": "0"})
    assert zero.status_code == 400 and 'id="error-capacity"' in zero.content.decode()
    assert "处理能力" in zero.content.decode()
    assert _state() == before


def test_members_manifests_and_leaving(world: dict[str, Any]) -> None:
    bureau = _client(world["bureau"])
    bureau.post(reverse("remediation:island_new"), ISLAND)
    island = Island.objects.get()
    case = inspect(world, 0).case
    firm = world["firms"][0]
    page = reverse("remediation:island", args=[island.pk])
    add = reverse("remediation:island_member_add", args=[island.pk])
    early = bureau.post(add, {"firm": firm.uscc, "case": case.pk, "joined_on": "2024-01-01"})
    assert early.status_code == 400 and 'id="error-joined_on"' in early.content.decode()
    other_firms_case = bureau.post(add, {"firm": world["firms"][1].uscc, "case": case.pk, "joined_on": "2024-04-02"})
    assert other_firms_case.status_code == 400 and 'id="error-case"' in other_firms_case.content.decode()
    assert bureau.post(add, {"firm": firm.uscc, "case": case.pk, "joined_on": "2024-04-02"})["Location"] == page
    member = IslandMember.objects.get()
    assert (member.firm, member.case, member.joined_on) == (firm, case, dt.date(2024, 4, 2))
    twice = bureau.post(add, {"firm": firm.uscc, "joined_on": "2024-05-01"})
    assert twice.status_code == 409 and 'id="error-firm"' in twice.content.decode()

    manifests = reverse("remediation:island_manifest_add", args=[island.pk])
    row = {"member": member.pk, "number": "ZY-2024-0001", "month": "2024-05", "material": "surface", "volume_t": "12.5"}
    assert bureau.post(manifests, row).status_code == 302
    assert list(Manifest.objects.values_list("month", "volume_t")) == [(dt.date(2024, 5, 1), Decimal("12.50"))]
    again = bureau.post(manifests, {**row, "volume_t": "3"})
    assert again.status_code == 409 and 'id="error-number"' in again.content.decode()
    assert 'value="3"' in again.content.decode()  # the form as typed
    before_join = bureau.post(manifests, {**row, "number": "ZY-2024-0002", "month": "2024-03"})
    assert before_join.status_code == 400 and 'id="error-month"' in before_join.content.decode()

    end = reverse("remediation:island_member_end", args=[island.pk])
    assert bureau.post(end, {"member": member.pk, "left_on": "2024-03-01"}).status_code == 400
    assert bureau.post(end, {"member": member.pk, "left_on": "2024-12-31"}).status_code == 302
    member.refresh_from_db()
    assert member.left_on == dt.date(2024, 12, 31)
    actions = list(AuditEntry.objects.filter(action__startswith="remediation.island_member").values_list(
        "action", flat=True).order_by("pk"))
    assert actions == ["remediation.island_member.add", "remediation.island_member.end"]
    assert AuditEntry.objects.filter(action="remediation.manifest.record").count() == 1
    text = bureau.get(page).content.decode()
    assert "12.50" in text and "2024-12-31" in text


def test_denied_posts_change_nothing(world: dict[str, Any], make_user: Any, city: dict[str, Any]) -> None:
    _client(world["bureau"]).post(reverse("remediation:island_new"), ISLAND)
    island = Island.objects.get()
    before = _state()
    patrol = _client(world["patrol"])  # sees the island, may not record it
    assert patrol.get(reverse("remediation:island", args=[island.pk])).status_code == 200
    assert patrol.post(reverse("remediation:island_new"), {**ISLAND, "name": "巡查员绿岛"}).status_code == 403
    assert patrol.post(reverse("remediation:island_edit", args=[island.pk]), {**ISLAND, "capacity": "1"}).status_code \
        == 403
    liyang_bureau = _client(make_user("ly_bureau", {"remediation_bureau": [city["liyang"]]}))
    assert liyang_bureau.post(reverse("remediation:island_edit", args=[island.pk]),
                              {**ISLAND, "capacity": "1"}).status_code == 404
    assert liyang_bureau.post(reverse("remediation:island_member_add", args=[island.pk]), {
        "firm": world["firms"][2].uscc, "joined_on": "2024-05-01"}).status_code == 404
    assert _state() == before
