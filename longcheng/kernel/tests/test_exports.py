"""Issue 11 (9): the one XLSX writer neutralises formulas, and every export goes through it."""

from __future__ import annotations

import io
import pathlib
import zipfile

import pytest
from openpyxl import load_workbook

from longcheng.kernel import exports

DANGEROUS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


def test_formula_like_cells_are_written_as_text():
    book = exports.workbook()
    sheet = book.active
    sheet.append([*DANGEROUS, "plain", 12, -3.5])
    sheet["A3"] = "=2+2"
    content = exports.xlsx_bytes(book)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    loaded = load_workbook(io.BytesIO(content)).active
    row = [c for c in loaded[1]]
    assert [c.value for c in row[:len(DANGEROUS)]] == DANGEROUS
    assert all(c.data_type == "s" for c in row[:len(DANGEROUS)])
    assert [c.value for c in row[len(DANGEROUS):]] == ["plain", 12, -3.5]
    assert loaded["A3"].value == "=2+2" and loaded["A3"].data_type == "s"


@pytest.mark.parametrize("text", ["a=1", "名字", "1-2", ""])
def test_ordinary_text_is_left_alone(text):
    assert not exports.is_formula_like(text)


def test_no_export_writes_a_workbook_of_its_own():
    root = pathlib.Path(exports.__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "exports.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "import Workbook" in text or "Workbook(" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
