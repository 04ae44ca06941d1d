"""Spreadsheet exports: the one place an XLSX file is written.

A cell string starting with `=`, `+`, `-`, `@`, a tab or a carriage return is what spreadsheet
programs take for a formula (`=HYPERLINK(...)` in a youth's name or a return reason would run in the
reader's Excel). openpyxl stores any string starting with `=` as a formula; we store every such cell
as a plain string (data_type "s") with Excel's quote prefix, so it shows as typed and stays text even
when the cell is edited. Every export builds its book with `workbook()` and writes it with
`xlsx_bytes()`, which neutralises every cell of every sheet just before saving.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def workbook() -> Any:
    return Workbook()


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
