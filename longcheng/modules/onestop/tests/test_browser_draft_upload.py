"""Issue 15, finding 16 in the browser: a document uploaded to a draft goes with the draft's form, so
an edit typed but not saved is saved with the file (the upload button belongs to the draft's form:
the `form`, `formaction` and `formenctype` attributes must work in a real browser)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import RELOCATION_DATA

pytestmark = [pytest.mark.browser, pytest.mark.service]


def test_an_upload_from_the_draft_page_keeps_the_unsaved_edit(
        live_server: Any, browser_page: Any, world: dict[str, Any]) -> None:
    from .. import actions
    from ..models import Case, Document

    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    page, url = browser_page, live_server.url
    page.goto(f"{url}/login/")
    page.fill("#id_username", "applicant")
    page.fill("#id_password", "pw-applicant")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"{url}/onestop/applications/{case.pk}/")
    page.fill("#f-reason", "尚未保存的新理由")
    page.set_input_files("#file-premises", files=[{"name": "租赁合同.pdf", "mimeType": "application/pdf",
                                                   "buffer": b"%PDF-1.4\n% lease\ntrailer<<>>\n%%EOF\n"}])
    with page.expect_navigation():
        page.click("#attach-premises")
    assert Document.objects.get(case=case).name == "租赁合同.pdf"
    assert Case.objects.get(pk=case.pk).data["reason"] == "尚未保存的新理由"
    assert page.input_value("#f-reason") == "尚未保存的新理由"
