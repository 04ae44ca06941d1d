"""The one way the platform writes a PDF (an access report, an accident agreement, a certificate):
reportlab with its built-in CID font for Chinese, so no font file is shipped and nothing is fetched.

A document is a title and a list of blocks — a heading, a paragraph, a table of rows, a labelled
list of (label, value) pairs, or a picture (a kernel.drawing) — written in that order on A4. Every text is escaped here: a value a
user typed is never read as reportlab markup."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from longcheng.kernel.drawing import Drawing, flowable

# reportlab's built-in CID font: Chinese without shipping a font file.
FONT = "STSong-Light"


def text(value: Any) -> str:
    """A value as a reader expects it: times in Asia/Shanghai, yes/no, blanks for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Rows:
    """A table: the first row is its header."""

    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Pairs:
    """A two-column table of labels and values."""

    pairs: Sequence[tuple[Any, Any]]


@dataclass(frozen=True)
class Picture:
    """A vector drawing (kernel.drawing), as wide as `width` points."""

    drawing: Drawing
    width: float = 300


Block = Heading | Para | Rows | Pairs | Picture


def document(title: str, blocks: Sequence[Block]) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=16, spaceBefore=8)

    def cell(value: Any) -> Paragraph:
        return Paragraph(escape(text(value)), body)

    def grid(rows: list[list[Paragraph]], header: bool) -> Table:
        table = Table(rows, repeatRows=1 if header else 0)
        style: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
        table.setStyle(TableStyle(style))
        return table

    story: list[Any] = [Paragraph(escape(title), ParagraphStyle("title", parent=heading, fontSize=14, leading=20))]
    for block in blocks:
        if isinstance(block, Heading):
            story += [Spacer(1, 6), Paragraph(escape(block.text), heading)]
        elif isinstance(block, Para):
            story.append(Paragraph(escape(block.text), body))
        elif isinstance(block, Picture):
            story.append(flowable(block.drawing, block.width, FONT))
        elif isinstance(block, Rows):
            story.append(grid([[cell(v) for v in row] for row in block.rows], header=True))
        else:
            story.append(grid([[cell(label), cell(value)] for label, value in block.pairs], header=False))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title).build(story)
    return buffer.getvalue()
