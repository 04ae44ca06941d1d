"""The access report (PIPL art. 45): everything every part holds about one resident, gathered
through each part's `personal_data` hook (ModuleSpec), as XLSX (kernel.exports) and as PDF.

The report is the person's own data, written out for them: values as stored, not masked. Generating
it is an audited read (kernel/rights/actions.py)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import exports, registry
from longcheng.kernel.people.models import Consent, Relationship, Resident
from longcheng.kernel.registry import DataSection

# reportlab's built-in CID font: Chinese without shipping a font file.
PDF_FONT = "STSong-Light"


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def kernel_sections(person: Resident) -> list[DataSection]:
    """What the kernel holds: the registry record, relatives and consents."""
    rows: list[list[Any]] = [[_("name"), person.name], [_("resident ID number"), person.resident_id],
            [_("gender"), person.get_gender_display()], [_("birth date"), person.birth_date],
            [_("phone"), person.phone], [_("place"), person.place.full_name() if person.place else ""],
            [_("address"), person.address], [_("date of death"), person.died_on]]
    sections = [DataSection(_("Resident registry"), [_("field"), _("value")], rows)]
    relatives = [[r.get_kind_display(), r.relative.name, r.is_guardian, r.is_family_contact]
                 for r in Relationship.objects.filter(person=person).select_related("relative")]
    if relatives:
        sections.append(DataSection(_("Relatives"), [_("relationship"), _("name"), _("guardian"),
                                                     _("family contact")], relatives))
    consents = [[c.purpose, c.scope, c.given_by.name, c.given_at, c.withdrawn_at]
                for c in Consent.objects.filter(subject=person).select_related("given_by")]
    if consents:
        sections.append(DataSection(_("Consents"), [_("purpose"), _("scope"), _("given by"), _("given at"),
                                                    _("withdrawn at")], consents))
    return sections


def gather(person: Resident) -> list[tuple[str, Any, list[DataSection]]]:
    """(module code, module label, its sections) for every part that holds something."""
    found = []
    for spec in registry.modules():
        if spec.personal_data is None:
            continue
        sections = [s for s in spec.personal_data(person) if s.rows]
        if sections:
            found.append((spec.code, spec.label, sections))
    return found


def xlsx(person: Resident, parts: list[tuple[str, Any, list[DataSection]]]) -> bytes:
    book = exports.workbook()
    sheet = book.active
    sheet.title = "report"
    sheet.append([_("Personal data held about %(name)s") % {"name": person.name}])
    sheet.append([_("Generated at"), text(timezone.now())])
    for _code, label, sections in parts:
        for section in sections:
            sheet.append([])
            sheet.append([f"{label} · {section.title}"])
            sheet.append([str(c) for c in section.columns])
            for row in section.rows:
                sheet.append([text(v) for v in row])
    return exports.xlsx_bytes(book)


def pdf(person: Resident, parts: list[tuple[str, Any, list[DataSection]]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9, leading=12, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=16, spaceBefore=8)
    story: list[Any] = [Paragraph(escape(_("Personal data held about %(name)s") % {"name": person.name}), heading),
                        Paragraph(f"{_('Generated at')}: {text(timezone.now())}", body)]
    for _code, label, sections in parts:
        for section in sections:
            story += [Spacer(1, 6), Paragraph(escape(f"{label} · {section.title}"), heading)]
            cells = [[Paragraph(escape(str(c)), body) for c in section.columns]]
            cells += [[Paragraph(escape(text(v)), body) for v in row] for row in section.rows]
            table = Table(cells, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
            story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="personal data report").build(story)
    return buffer.getvalue()
