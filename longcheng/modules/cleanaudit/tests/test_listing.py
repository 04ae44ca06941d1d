"""The year's list imported from a file: every row checked, a bad row named by its line and column and
nothing imported; a clean file lists every firm."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from longcheng.kernel.errors import KernelError
from longcheng.modules.cleanaudit import listing
from longcheng.modules.cleanaudit.models import AuditRound

HEADER = "统一社会信用代码,审核原因,行业,审核方式,咨询机构\n"


def _csv(world: dict[str, Any], *rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_a_bad_row_names_its_line_and_column_and_nothing_is_listed(world: dict[str, Any]) -> None:
    a, b = world["firms"][0].uscc, world["firms"][1].uscc
    content = _csv(world, f"{a},高耗能,涂料,自行审核,", f"{b},双有,电镀,委托,{world['weak'].org.uscc}",
                   "91320412MA1ZZZZZZ9,自愿,机械,自行审核,")
    report = listing.do_import_list(content, filename="list.csv", year=2026, listed_on=dt.date(2026, 1, 31),
                                    acting_user=world["bureau"])
    assert [(p.line, p.field) for p in report.problems] == [(3, "咨询机构"), (4, "统一社会信用代码")]
    assert report.imported == 0 and not AuditRound.objects.exists()


def test_a_clean_file_lists_every_firm(world: dict[str, Any]) -> None:
    a, b = world["firms"][0].uscc, world["firms"][1].uscc
    content = _csv(world, f"{a},energy,coatings,self,", f"{b},双有,电镀,委托,{world['good'].org.uscc}")
    report = listing.do_import_list(content, filename="list.csv", year=2026, listed_on=dt.date(2026, 1, 31),
                                    acting_user=world["bureau"])
    assert (report.rows, report.imported, report.problems) == (2, 2, [])
    assert set(AuditRound.objects.values_list("firm__uscc", "mode")) == {(a, "self"), (b, "consultancy")}


def test_a_file_without_the_columns_is_refused_on_the_file(world: dict[str, Any]) -> None:
    with pytest.raises(KernelError) as refused:
        listing.do_import_list(b"name\nx\n", filename="list.csv", year=2026, listed_on=dt.date(2026, 1, 31),
                               acting_user=world["bureau"])
    assert refused.value.field == "file"


def test_the_import_page(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["bureau"])
    client.cookies["django_language"] = "zh-hans"
    upload = SimpleUploadedFile("list.csv", _csv(world, f"{world['firms'][0].uscc},高耗能,涂料,自行审核,"))
    response = client.post(reverse("cleanaudit:import"), {"year": "2026", "listed_on": "2026-01-31", "file": upload})
    assert response.status_code == 200 and 'id="import-result"' in response.content.decode()
    assert AuditRound.objects.count() == 1
