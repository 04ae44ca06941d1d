"""Reading an uploaded table (XLSX, or CSV where a module allows it) into rows keyed by our column
names, for every module's import: one reader, one set of refusals, one way of numbering lines.

- The header row may spell a column in Chinese or English; `headers` maps each accepted spelling
  to our name. A problem names the column as the file spells it (`TableRows.headers`), or by the
  column's default name when the file lacks it.
- Line numbers are the spreadsheet's: the header is line 1, and blank lines are skipped but keep
  their place, so "line 7" is the line a clerk sees in Excel.
- Cells arrive as text: a date as YYYY-MM-DD, a whole number without ".0", nothing as "".
- A file that is not a workbook, is empty, lacks a required column or has more than `max_rows`
  rows is refused on the field "file" with a message saying which.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .errors import KernelError

MAX_ROWS = 5000


@dataclass
class RowProblem:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def bad_lines(self) -> int:
        return len({p.line for p in self.problems})


class TableRows(list[dict[str, str]]):
    """The non-blank rows of a file, each with its spreadsheet line number, and the file's own
    spelling of each of our column names."""

    def __init__(self, rows: list[dict[str, str]], lines: list[int], headers: dict[str, str]) -> None:
        super().__init__(rows)
        self.lines = lines
        self.headers = headers


def numbered(rows: list[dict[str, str]]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs: the file's own line numbers, or 2, 3, ... for rows built in code."""
    lines = getattr(rows, "lines", None) or range(2, len(rows) + 2)
    return zip(lines, rows, strict=False)


def column_names(rows: list[dict[str, str]], defaults: Mapping[str, str]) -> dict[str, str]:
    """Our column name → the name to show in a problem: the file's spelling, else the default."""
    return {**defaults, **getattr(rows, "headers", {})}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx(content: bytes) -> list[list[str]]:
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise KernelError(_("This is not a readable XLSX file."), field="file") from exc


def _csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")  # Excel in China saves CSV in GBK
        except UnicodeDecodeError as exc:
            raise KernelError(_("The CSV file is neither UTF-8 nor GBK text."), field="file") from exc
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def read_table(content: bytes, *, headers: Mapping[str, str], required: Iterable[str],
               defaults: Mapping[str, str], filename: str = "", allow_csv: bool = False,
               max_rows: int = MAX_ROWS) -> TableRows:
    """The rows of the first sheet (or of a CSV file when `allow_csv` and the name ends in .csv).

    `headers`: accepted spelling (matched as written and lower-cased) → our column name.
    `required`: our names of the columns the header must have; `defaults`: our name → the name a
    message uses for a column the file lacks."""
    if allow_csv and filename.lower().endswith(".csv"):
        raw = _csv(content)
    elif not filename or filename.lower().endswith(".xlsx"):
        raw = _xlsx(content)
    else:
        raise KernelError(_("Upload a .csv or .xlsx file.") if allow_csv else _("Upload an .xlsx file."), field="file")
    first = next((i for i, row in enumerate(raw) if any(row)), None)  # the header may follow blank lines
    if first is None:
        raise KernelError(_("The file is empty."), field="file")
    keys = [headers.get(h.strip(), headers.get(h.strip().lower(), "")) for h in raw[first]]
    missing = [defaults.get(k, k) for k in required if k not in keys]
    if missing:
        raise KernelError(_("The header row lacks the columns: %(columns)s.") % {"columns": "、".join(missing)},
                          field="file")
    body = [(line, row) for line, row in enumerate(raw[first + 1:], start=first + 2) if any(row)]
    if len(body) > max_rows:
        raise KernelError(_("At most %(n)d rows per file.") % {"n": max_rows}, field="file")
    rows = [{k: (row[i] if i < len(row) else "") for i, k in enumerate(keys) if k} for _line, row in body]
    spelled = {k: raw[first][i].strip() for i, k in enumerate(keys) if k}
    return TableRows(rows, [line for line, _row in body], spelled)
