"""The one table reader every import uses: the spreadsheet's line numbers, the file's own column
names in problems, cells as text, and refusals on the field "file"."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pytest
from django.utils import translation
from openpyxl import Workbook

from longcheng.kernel import tables
from longcheng.kernel.errors import KernelError

HEADERS = {"姓名": "name", "name": "name", "日期": "day", "day": "day", "数量": "count"}
DEFAULTS = {"name": "姓名", "day": "日期", "count": "数量"}


def _xlsx(*rows: Sequence[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _read(content: bytes, **kw: object) -> tables.TableRows:
    return tables.read_table(content, headers=HEADERS, required=("name",), defaults=DEFAULTS, **kw)  # type: ignore[arg-type]


def test_lines_are_the_spreadsheets_and_cells_are_text() -> None:
    rows = _read(_xlsx(["Name", "日期", "数量", "其他"], ["张三", dt.datetime(2026, 3, 1, 9, 30), 3.0, "x"],
                       [None, None, None], ["李四", dt.date(2026, 4, 2), 2.5]))
    assert list(rows) == [{"name": "张三", "day": "2026-03-01", "count": "3"},
                          {"name": "李四", "day": "2026-04-02", "count": "2.5"}]
    assert rows.lines == [2, 4]  # the blank line 3 keeps its place
    assert list(tables.numbered(rows)) == [(2, rows[0]), (4, rows[1])]
    assert tables.column_names(rows, DEFAULTS) == {"name": "Name", "day": "日期", "count": "数量"}


def test_rows_built_in_code_are_numbered_from_two() -> None:
    assert [line for line, _row in tables.numbered([{"name": "a"}, {"name": "b"}])] == [2, 3]


@pytest.mark.parametrize(("content", "filename", "says"), [
    (b"not a workbook", "", "XLSX"),
    (_xlsx([None]), "", "empty"),
    (_xlsx(["日期"], ["2026-01-01"]), "", "姓名"),
    (_xlsx(["姓名"], *([["a"]] * 4)), "", "3"),
    (b"name\n", "people.txt", ".xlsx"),
])
def test_a_bad_file_is_refused_on_the_file_saying_why(content: bytes, filename: str, says: str) -> None:
    with translation.override("en"), pytest.raises(KernelError) as refused:
        _read(content, filename=filename, max_rows=3)
    assert refused.value.field == "file" and says in str(refused.value.message)


def test_csv_in_gbk_is_read_where_allowed_and_refused_where_not() -> None:
    content = "姓名,日期\n王五,2026-05-05\n".encode("gb18030")
    rows = _read(content, filename="p.csv", allow_csv=True)
    assert list(rows) == [{"name": "王五", "day": "2026-05-05"}] and rows.lines == [2]
    with pytest.raises(KernelError) as refused:
        _read(content, filename="p.csv")
    assert refused.value.field == "file"
