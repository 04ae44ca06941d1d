"""Spreadsheet exports: the one place an XLSX file is written.

A cell string starting with `=`, `+`, `-`, `@`, a tab or a carriage return is what spreadsheet
programs take for a formula (`=HYPERLINK(...)` in a youth's name or a return reason would run in the
reader's Excel). openpyxl stores any string starting with `=` as a formula; we store every such cell
as a plain string (data_type "s") with Excel's quote prefix, so it shows as typed and stays text even
when the cell is edited. Every export builds its book with `workbook()` and writes it with
`xlsx_bytes()`, which neutralises every cell of every sheet just before saving.

Dates and times are written as real date cells, never as text: `append()` writes a row, a `date`
with the format `DATE_FORMAT` and a `datetime` in Beijing time (Excel has no time zones) with
`DATETIME_FORMAT`, so a reader's spreadsheet sorts and filters them as dates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def workbook() -> Any:
    return Workbook()


def excel_value(value: Any) -> Any:
    """A value as a cell holds it: an aware datetime in local (Beijing) time, without its zone."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def append(sheet: Any, values: Iterable[Any]) -> None:
    """One row at the end of the sheet, its dates and times as date cells with a number format."""
    sheet.append([excel_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(cell.value, dt.date):
            cell.number_format = DATE_FORMAT


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(book: Any) -> int:
    """Turn every formula-like cell of the book into text; returns how many were turned."""
    turned = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    turned += 1
    return turned


def xlsx_bytes(book: Any) -> bytes:
    neutralise(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
