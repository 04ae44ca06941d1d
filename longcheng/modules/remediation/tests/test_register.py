"""The firm register from XLSX: every bad row named by line and column, nothing written when one is bad;
a clean file registers firms and sites; outside the importer's area a place is refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from longcheng.kernel.errors import KernelError
from longcheng.kernel.orgs.models import Organisation
from longcheng.modules.remediation.models import Site
from longcheng.modules.remediation.register import import_register, read_rows

from .conftest import make_uscc

HEADER = ["企业名称", "统一社会信用代码", "村社区代码", "地址", "地块", "面积（亩）", "园区内"]


def _xlsx(*rows: list[Any]) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_bad_rows_are_named_and_nothing_is_written(world: dict[str, Any]) -> None:
    good = make_uscc("91320412MA1R0G7H8")
    before = (Site.objects.count(), Organisation.objects.count())
    rows = read_rows(_xlsx(
        ["常州新厂", good, "320412104001", "工业路9号", "P9", 3.5, "否"],
        ["坏码厂", "91320412MA1R0XXXX", "320412104001", "工业路10号", "", 2, "否"],
        ["远方厂", make_uscc("91320481MA1R0J1K2"), "320481100", "", "", "很大", "也许"],
        ["常州新厂", good, "320412104001", "工业路9号", "P9", 3.5, "是"],
    ))
    report = import_register(rows, acting_user=world["bureau"])
    named = {(p.line, p.field) for p in report.problems}
    assert named == {(3, "统一社会信用代码"), (4, "村社区代码"), (4, "地址"), (4, "面积（亩）"), (4, "园区内"),
                     (5, "地址")}
    assert report.imported == 0 and (Site.objects.count(), Organisation.objects.count()) == before


def test_a_clean_file_registers_firms_and_sites(world: dict[str, Any]) -> None:
    existing = world["firms"][0]
    rows = read_rows(_xlsx(["常州新厂", make_uscc("91320412MA1R0G7H8"), "320412104001", "工业路9号", "P9", 3.5, "是"],
                           [existing.name, existing.uscc, "320412104002", "剑湖路2号", "", "", "否"]))
    report = import_register(rows, acting_user=world["bureau"])
    assert (report.imported, report.problems) == (2, [])
    new = Site.objects.get(address="工业路9号")
    assert (new.firm.name, str(new.area_mu), new.in_park, new.place.code) == ("常州新厂", "3.50", True, "320412104001")
    assert Site.objects.get(address="剑湖路2号").firm == existing  # the same firm, a second site
    again = import_register(rows, acting_user=world["bureau"])
    assert again.imported == 0 and {p.field for p in again.problems} == {"地址"}


def test_a_file_without_the_columns_is_refused_on_the_file() -> None:
    book = Workbook()
    book.active.append(["名称"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(KernelError) as refused:
        read_rows(buffer.getvalue())
    assert refused.value.field == "file" and "统一社会信用代码" in str(refused.value.message)


def test_the_upload_page_reports_bad_rows_and_imports_a_clean_file(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(world["bureau"])
    bad = _xlsx(["坏码厂", "91320412MA1R0XXXX", "320412104001", "工业路10号", "", 2, "否"])
    answer = client.post("/remediation/sites/import/", {"file": SimpleUploadedFile("r.xlsx", bad)})
    assert answer.status_code == 400 and "<td>2</td><td>统一社会信用代码</td>" in answer.content.decode()
    assert not Site.objects.filter(address="工业路10号").exists()
    good = _xlsx(["常州新厂", make_uscc("91320412MA1R0G7H8"), "320412104001", "工业路9号", "P9", 3.5, "否"])
    done = client.post("/remediation/sites/import/", {"file": SimpleUploadedFile("r.xlsx", good)})
    assert done.status_code == 200 and 'id="imported"' in done.content.decode()
    assert Site.objects.filter(address="工业路9号").count() == 1
