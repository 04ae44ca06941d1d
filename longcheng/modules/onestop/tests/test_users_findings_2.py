"""Issue 15, the 一件事 findings 13-19 as their users found them: each pinned here (each test failed
on the code before its fix)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from .. import actions
from ..models import Case, CaseStatus, Document
from .conftest import MONDAY, RELOCATION_DATA, tasks_of

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def complete_relocation(world: dict[str, Any], case: Any) -> Any:
    """Every task of a relocation accepted, by the office on its side (溧阳市 receives)."""
    clerk = world["clerk"]
    by = {"file_out": clerk["market_regulation"], "move_in": world["mr_liyang"], "tax": clerk["tax"],
          "social_security": clerk["social_security"], "housing_fund": clerk["housing_fund"]}
    for code, user in by.items():
        actions.do_accept(tasks_of(case)[code], {}, acting_user=user)
    actions.do_accept(tasks_of(case)["change_registration"], {"registration_authority": "溧阳市市场监督管理局"},
                      acting_user=world["mr_liyang"])
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    return case


# --- 14: the account follows its enterprise ------------------------------------------------------------


def test_an_applicant_whose_enterprise_moved_out_of_the_district_keeps_their_enterprise(
        world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    from longcheng.kernel.orgs.models import Organisation

    case = complete_relocation(world, submitted())
    firm = Organisation.objects.select_related("place").get(pk=world["firm"].pk)
    assert firm.place.code == RELOCATION_DATA["new_place"]  # now in 溧阳市; the role is held in 武进区
    applicant = client_for(world["applicant"])
    # The old application, and the list of them, are still the applicant's.
    assert f'id="case-{case.pk}"' in applicant.get("/onestop/").content.decode()
    assert applicant.get(f"/onestop/applications/{case.pk}/").status_code == 200
    # A new application for the moved enterprise can be started and submitted.
    draft = actions.do_start("deregistration", firm.uscc, {"reason": "dissolution", "liquidation_date": "2026-09-30"},
                             acting_user=world["applicant"])
    assert draft.place == firm.place
    r = applicant.post(f"/onestop/applications/{draft.pk}/save/", {"reason": "merger",
                                                                  "liquidation_date": "2026-09-30"})
    assert r.status_code == 302 and Case.objects.get(pk=draft.pk).data["reason"] == "merger"
    # Another enterprise's applicant still sees none of it.
    other = client_for(world["other_applicant"])
    assert other.get(f"/onestop/applications/{draft.pk}/").status_code == 404
    assert f'id="case-{case.pk}"' not in other.get("/onestop/").content.decode()


# --- 16: nothing typed is lost --------------------------------------------------------------------------


def test_the_pre_check_saves_the_draft(world: dict[str, Any]) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    applicant = client_for(world["applicant"])
    typed = {**RELOCATION_DATA, "reason": "新的理由：靠近客户", "moving_date": "2026-10-28"}
    r = applicant.post(f"/onestop/applications/{case.pk}/check/", typed)
    assert r.status_code == 200 and 'id="checks-passed"' in r.content.decode()
    stored = Case.objects.get(pk=case.pk).data
    assert (stored["reason"], stored["moving_date"]) == ("新的理由：靠近客户", "2026-10-28")
    # The page read afresh shows the saved values.
    page = applicant.get(f"/onestop/applications/{case.pk}/").content.decode()
    assert "新的理由：靠近客户" in page and 'value="2026-10-28"' in page


def test_an_upload_keeps_the_unsaved_edits_of_the_draft(world: dict[str, Any], counts: Any) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    applicant = client_for(world["applicant"])
    page = applicant.get(f"/onestop/applications/{case.pk}/").content.decode()
    # The upload belongs to the draft's form, so the browser sends the typed values with the file.
    button = page.split('id="attach-premises"')[1].split(">")[0]
    assert 'form="draft-form"' in button and 'name="code" value="premises"' in button
    assert 'name="file_premises"' in page
    typed = {**RELOCATION_DATA, "reason": "未保存的新理由"}
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/",
                       {**typed, "code": "premises", "file_premises": SimpleUploadedFile("租赁合同.pdf", PDF)})
    assert r.status_code == 302
    assert Case.objects.get(pk=case.pk).data["reason"] == "未保存的新理由"
    assert Document.objects.get(case=case).name == "租赁合同.pdf"
    # A refused upload (no file) writes nothing, and the page shows what was typed.
    before = counts()
    r = applicant.post(f"/onestop/applications/{case.pk}/attach/", {**typed, "reason": "又改了", "code": "premises"})
    body = r.content.decode()
    assert r.status_code == 400 and "Choose a file." in body and 'value="又改了"' in body
    assert counts() == before and Case.objects.get(pk=case.pk).data["reason"] == "未保存的新理由"


# --- 17: a moving date in the past ------------------------------------------------------------------------


def test_a_moving_date_in_the_past_is_a_blocker(world: dict[str, Any], counts: Any, english: Any) -> None:
    yesterday = (MONDAY.date() - dt.timedelta(days=1)).isoformat()
    before = counts()
    with pytest.raises(actions.PrecheckFailed) as err:
        actions.do_start("relocation", world["firm"].uscc, {**RELOCATION_DATA, "moving_date": yesterday},
                         acting_user=world["applicant"], submit=True)
    [blocker] = err.value.blockers
    assert (blocker.check, blocker.field) == ("moving_date", "moving_date")
    assert f"The moving date {yesterday} is in the past" in blocker.message
    assert counts() == before
    # Today is fine.
    case = actions.do_start("relocation", world["firm"].uscc, {**RELOCATION_DATA, "moving_date": MONDAY.date().isoformat()},
                            acting_user=world["applicant"], submit=True)
    assert case.status == CaseStatus.SUBMITTED


def test_the_pre_check_page_names_a_past_moving_date(world: dict[str, Any]) -> None:
    case = actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"])
    r = client_for(world["applicant"], "zh-hans").post(f"/onestop/applications/{case.pk}/check/",
                                                       {**RELOCATION_DATA, "moving_date": "2026-10-01"})
    body = r.content.decode()
    assert r.status_code == 422 and 'data-check="moving_date"' in body and "checks-passed" not in body
