"""The access report (PIPL art. 45): everything every part holds about one resident, gathered
through each part's `personal_data` hook (ModuleSpec), as XLSX (kernel.exports) and as PDF.

The report is the person's own data, written out for them: values as stored, not masked. Generating
it is an audited read (kernel/rights/actions.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from longcheng.kernel import exports, registry
from longcheng.kernel import pdf as kernel_pdf
from longcheng.kernel.people.models import Consent, Relationship, Resident
from longcheng.kernel.registry import DataSection

text = kernel_pdf.text


def kernel_sections(person: Resident) -> list[DataSection]:
    """What the kernel holds: the registry record, relatives and consents."""
    rows: list[list[Any]] = [[pgettext("person", "name"), person.name], [_("resident ID number"), person.resident_id],
            [_("gender"), person.get_gender_display()], [_("birth date"), person.birth_date],
            [_("phone"), person.phone], [_("place"), person.place.full_name() if person.place else ""],
            [_("address"), person.address], [_("date of death"), person.died_on]]
    sections = [DataSection(_("Resident registry"), [_("field"), _("value")], rows)]
    relatives = [[r.get_kind_display(), r.relative.name, r.is_guardian, r.is_family_contact]
                 for r in Relationship.objects.filter(person=person).select_related("relative")]
    if relatives:
        sections.append(DataSection(_("Relatives"), [_("relationship"), pgettext("person", "name"), _("guardian"),
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
    blocks: list[kernel_pdf.Block] = [kernel_pdf.Para(f"{_('Generated at')}: {text(timezone.now())}")]
    for _code, label, sections in parts:
        for section in sections:
            blocks += [kernel_pdf.Heading(f"{label} · {section.title}"),
                       kernel_pdf.Rows([list(section.columns), *[list(row) for row in section.rows]])]
    return kernel_pdf.document(_("Personal data held about %(name)s") % {"name": person.name}, blocks)
