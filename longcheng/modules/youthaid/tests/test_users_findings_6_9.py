"""Issue 15, findings 6 to 9 for the youth aid fund, each pinned by what its users saw:

6. a refusal names the field and its rule ("理由：至少 4 个字"), on every page's form, the reporter's
   included; a youth over the age limit is told so before anything about the registry or a place;
7. a youth found by a death recorded in the registry and one found by the registry scan are
   pre-screened the same way;
8. the fund's figures have one base (to beneficiaries, to contractors, the total) for the page and
   the API; the statement's XLSX names accounts alike in its summary and its postings, with real
   dates; postings' memos name the application.

(Finding 9, the case and review pages' layout, is pinned in test_browser_layout.py.)"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.people.actions import do_record_death
from longcheng.kernel.people.models import Relationship, Resident

from .. import actions
from ..models import Application, Report, Screening, Visit, Youth
from ..scan import scan_registry


def today() -> dt.date:
    return timezone.localdate()


def client_for(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- 7. one pre-screening for both ways a youth is found ------------------------------------------------


def _orphaned_family(liyang: dict[str, Any], rid: Any) -> dict[str, Resident]:
    """陈大海, alive for now; 周丽, his wife, remarried or not as the test makes her; their girl of 11 and
    their son of 20 (a possible student)."""
    town = liyang["town"]

    def person(birth: str, seq: int, name: str, gender: str) -> Resident:
        return Resident.objects.create(resident_id=rid("320481", birth, seq), name=name, gender=gender,
                                       birth_date=dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
                                       place=town)

    f = {"dad": person("19750202", 71, "陈大海", "M"), "mum": person("19780303", 72, "周丽", "F"),
         "girl": person("20150909", 82, "陈小雨", "F"), "son": person("20060606", 83, "陈小江", "M")}
    for child in ("girl", "son"):
        Relationship.objects.create(person=f[child], relative=f["dad"], kind="father")
        Relationship.objects.create(person=f[child], relative=f["mum"], kind="mother", is_guardian=True)
    Relationship.objects.create(person=f["mum"], relative=f["dad"], kind="spouse")
    return f


FAMILY = ("陈小雨", "陈小江")


def _screenings() -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """The family's pre-screenings (the scan also finds the conftest's 王 brothers)."""
    return {s.youth.person.name: (s.outcome, s.reasons)
            for s in Screening.objects.filter(youth__person__name__in=FAMILY).select_related("youth__person")}


@pytest.mark.parametrize("remarried", [False, True], ids=["not-remarried", "remarried"])
def test_a_death_event_and_the_scan_prescreen_a_youth_alike(liyang: dict[str, Any], rid: Any, english: Any,
                                                            remarried: bool) -> None:
    f = _orphaned_family(liyang, rid)
    if remarried:
        other = Resident.objects.create(resident_id=rid("320481", "19760404", 74), name="吴刚", gender="M",
                                        birth_date=dt.date(1976, 4, 4), place=liyang["town"])
        Relationship.objects.create(person=f["mum"], relative=other, kind="spouse")
    died = today() - dt.timedelta(days=3)
    do_record_death(f["dad"], died_on=died, acting_user=liyang["registrar"], reason="死亡医学证明")
    by_event = _screenings()
    assert set(by_event) == set(FAMILY), "the death event pre-screens the youths it finds"
    assert all(Youth.objects.get(person__name=name).status == "outreach" for name in by_event)

    # The same youths, found by the scan instead: no case yet, the death already in the registry.
    Youth.objects.filter(person__in=[f["girl"], f["son"]]).delete()
    assert not Screening.objects.exists() and not Report.objects.filter(youth__person__name__in=FAMILY).exists()
    scan_registry(acting_user=liyang["caseworker"])
    assert _screenings() == by_event
    girl = by_event["陈小雨"]
    assert girl[0] == ("not_eligible" if remarried else "needs_info")
    assert {r["criterion"]: r["met"] for r in girl[1]}["not_remarried"] is (not remarried)


# --- 6. a refusal names the field and its rule ----------------------------------------------------------------


def _state() -> dict[str, list[Any]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in (Youth, Report, Screening, Application,
                                                                            Visit, AuditEntry)}


def _recommended(liyang: dict[str, Any], youth: Youth, proof: Any) -> Application:
    app = actions.do_apply(youth, aid_type="medical", amount_fen=300_000, reason="医药费用难以承担",
                           acting_user=liyang["caseworker"], attachments=[proof()])
    return actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])


@pytest.mark.parametrize(("who", "url", "data", "message"), [
    ("caseworker", "apply", {"aid_type": "medical", "amount": "3000", "reason": "困难"}, "理由：至少 4 个字"),
    ("caseworker", "visit", {"visited_on": today().isoformat(), "situation": "好", "risk": "low"}, "情况：至少 4 个字"),
    ("caseworker", "recommend", {"recommend": "yes", "note": "属实"}, "备注：至少 4 个字"),
    ("caseworker", "recommend", {"recommend": "yes", "amount": "9999", "note": "情况属实"}, "金额（元，留空则按申请金额）："),
    ("reviewer", "review", {"decision": "reject", "reason": "不行"}, "理由：至少 4 个字"),
    ("reviewer", "review", {"decision": "approve", "amount": "2000", "reason": "核减"}, "理由：至少 4 个字"),
], ids=["apply-reason", "visit-situation", "recommend-note", "recommend-amount", "review-reject", "review-reduce"])
def test_each_forms_refusal_names_the_field_and_the_rule(liyang: dict[str, Any], active_case: Youth, funded: Any,
                                                         proof: Any, who: str, url: str, data: dict[str, str],
                                                         message: str) -> None:
    app = _recommended(liyang, active_case, proof)
    if url == "recommend":  # a second application, still to be recommended
        app = actions.do_apply(active_case, aid_type="living", amount_fen=100_000, reason="生活费用难以承担",
                               acting_user=liyang["caseworker"])
    path = "/youthaid/review/decide/" if url == "review" else f"/youthaid/cases/{active_case.pk}/{url}/"
    before = _state()
    response = client_for(liyang[who]).post(path, {**data, "application": app.pk})
    page = text(response)
    assert response.status_code == 400
    flash = page[page.find('<ul class="flash">'):][:400]
    assert message in flash, flash
    assert "此项为必填项" not in page
    assert _state() == before


def test_the_reporters_form_names_the_field_next_to_it(liyang: dict[str, Any]) -> None:
    person = liyang["person"]
    response = client_for(liyang["reporter"]).post("/youthaid/report/", {
        "resident_id": person.resident_id, "name": person.name, "channel": "school", "note": "困难"})
    assert response.status_code == 400
    assert "了解到的情况：至少 4 个字" in text(response)
    assert not Youth.objects.exists()


@pytest.mark.parametrize("registered", ["nowhere", "elsewhere", "in-area"])
def test_an_over_age_youth_is_told_so_before_being_sent_to_register(
        liyang: dict[str, Any], rid: Any, registered: str) -> None:
    number = rid("320481", "19970101", 91)  # 29 (or so): over the age limit of 25
    if registered != "nowhere":
        place = liyang["town"] if registered == "in-area" else liyang["city"]["a"]
        Resident.objects.create(resident_id=number, name="吴大年", gender="M", birth_date=dt.date(1997, 1, 1),
                                place=place)
    before = _state()
    response = client_for(liyang["reporter"]).post("/youthaid/report/", {
        "resident_id": number, "name": "吴大年", "channel": "community", "note": "父亲去世，家里困难"})
    page = text(response)
    assert response.status_code == 400
    assert "居民身份证号码：按此身份证号码，该青年" in page and "25 周岁" in page
    assert "您所在区域没有登记此身份证号码" not in page  # not sent to have the youth registered first
    assert _state() == before


def test_the_kernel_names_an_actions_field_by_the_forms_label(english: Any) -> None:
    """kernel.forms.named: the input of the key, of its alias, or of the key less `_fen` / `_id`."""
    from django import forms

    from longcheng.kernel.errors import KernelError
    from longcheng.kernel.forms import named, text

    class Form(forms.Form):
        reason = forms.CharField(label="Reason")
        amount = forms.CharField(label="Amount (yuan)")
        volunteer = forms.CharField(label="Volunteer")

    form = Form({})
    with pytest.raises(KernelError) as short:
        text("ab", field="decision_reason", minimum=4)
    assert (short.value.code, str(short.value.message)) == ("required", "At least 4 characters.")
    assert named(short.value, form, {"decision_reason": "reason"}) == "Reason: At least 4 characters."
    assert named(KernelError("Too much.", field="amount_fen"), form) == "Amount (yuan): Too much."
    assert named(KernelError("Choose one.", field="volunteer_id"), form) == "Volunteer: Choose one."
    assert named(KernelError("Reason: said.", field="reason"), form) == "Reason: said."  # named already
    assert named(KernelError("Closed.", field="status"), form) == "Closed."  # no such input


# --- 8. one base for the fund's figures; the statement's XLSX --------------------------------------------------


@pytest.fixture
def money_moved(liyang: dict[str, Any], active_case: Youth, funded: Any, grant: Any) -> dict[str, Any]:
    """¥5,000 of medical re-aid paid to 王小溧, ¥300 of it returned by the bank, and a dream room
    done for ¥4,500 (paid to its contractor): money out to both kinds of payee."""
    from ..models import RoomStatus

    with translation.override("zh-hans"):  # postings are made in the users' language
        app = grant(active_case, "medical", 500_000)
        batch = actions.do_create_batch(title="春季发放", acting_user=liyang["reviewer"])
        actions.do_pay_batch(batch.pk, acting_user=liyang["reviewer"])
        room = actions.do_propose_room(active_case.pk, budget_fen=500_000, contractor="溧阳装修队",
                                       before_note="墙面发霉", acting_user=liyang["caseworker"])
        actions.do_advance_room(room.pk, to=RoomStatus.APPROVED, acting_user=liyang["reviewer"])
        actions.do_advance_room(room.pk, to=RoomStatus.IN_PROGRESS, acting_user=liyang["caseworker"])
        actions.do_advance_room(room.pk, to=RoomStatus.DONE, spent_fen=450_000, after_note="书桌和床都换了",
                                acting_user=liyang["reviewer"])
    return {"application": app, "batch": batch}


def _api(user: Any) -> Client:
    from longcheng.kernel.access.models import ApiToken

    _t, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _figure(page: str, name: str) -> str:
    start = page.index(f'id="{name}"')
    return re.sub(r"<[^>]+>", "", page[start:page.index('<div class="l">', start)]).split(">", 1)[-1].strip()


def test_the_fund_page_and_the_api_show_the_same_figures_in_named_parts(
        liyang: dict[str, Any], money_moved: dict[str, Any]) -> None:
    figures = _api(liyang["reviewer"]).get("/api/v1/youthaid/fund").json()
    assert figures["paid_to_beneficiaries_fen"] == 500_000
    assert figures["paid_to_contractors_fen"] == 450_000
    assert figures["paid_fen"] == 950_000  # the total, both parts
    assert figures["available_fen"] == 50_000_000 - 500_000 - 500_000 + 50_000  # the room's unspent ¥500 back
    assert figures["committed_fen"] == 0
    page = text(client_for(liyang["reviewer"], "en").get("/youthaid/fund/"))
    shown = {name: _figure(page, name) for name in ("available", "committed", "to-beneficiaries", "to-contractors",
                                                    "paid-total")}
    assert shown == {"available": format_fen(figures["available_fen"]), "committed": format_fen(0),
                     "to-beneficiaries": format_fen(500_000), "to-contractors": format_fen(450_000),
                     "paid-total": format_fen(950_000)}
    assert "Paid to beneficiaries" in page and "Paid to contractors" in page and "Paid out in total" in page


def _statement(liyang: dict[str, Any]) -> Any:
    fund = actions.youth_fund()
    response = client_for(liyang["reviewer"]).get(f"/funds/{fund.code}/statement.xlsx?start=2000-01-01&end=2099-12-31")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_the_statement_names_accounts_alike_and_has_real_dates(liyang: dict[str, Any],
                                                                 money_moved: dict[str, Any]) -> None:
    rows = list(_statement(liyang).iter_rows())
    period = next(r for r in rows if r[0].value == "期间")
    assert [c.is_date for c in period[1:3]] == [True, True]
    assert period[1].number_format == "yyyy-mm-dd" and period[1].value.date() == dt.date(2000, 1, 1)
    first = [r[0].value for r in rows]
    summary_head, postings_head = first.index("账户"), first.index("时间")
    summary = {r[0].value for r in rows[summary_head + 1:postings_head] if r[0].value}
    postings = [r for r in rows[postings_head + 1:] if r[0].value is not None]
    assert summary == {"可用资金", "已批未付"}, summary
    assert {r[2].value for r in postings} <= summary  # the postings name accounts as the summary does
    assert all(r[0].is_date and r[0].number_format == "yyyy-mm-dd hh:mm" for r in postings)
    when = postings[-1][0].value
    assert abs(when - timezone.localtime().replace(tzinfo=None)) < dt.timedelta(minutes=5)  # Beijing time


def test_the_postings_memos_name_the_application(liyang: dict[str, Any], money_moved: dict[str, Any]) -> None:
    from longcheng.kernel.ledger.models import JournalEntry

    app = money_moved["application"]
    memos = {e.kind: e.memo for e in JournalEntry.objects.filter(kind__in=["commitment", "payment"],
                                                                    memo__contains="申请")}
    named = f"申请 #{app.pk} · 医疗再救助"
    assert memos["commitment"].startswith(named), memos
    assert memos["payment"].startswith(named), memos
    with translation.override("zh-hans"):
        actions.do_return_payment(app.payments.get().pk, reason="账户已销户", acting_user=liyang["reviewer"])
    assert JournalEntry.objects.get(kind="return").memo.startswith(named)
    sheet = _statement(liyang)
    assert any(str(r[1]).startswith(named) for r in sheet.iter_rows(values_only=True))


def test_the_batch_file_has_its_dates_as_dates(liyang: dict[str, Any], money_moved: dict[str, Any]) -> None:
    batch = money_moved["batch"]
    response = client_for(liyang["reviewer"]).get(f"/youthaid/batches/{batch.pk}/?export=xlsx")
    cells = {r[0].value: r[1] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() if r[0].value}
    assert cells["发放时间"].is_date and cells["发放时间"].number_format == "yyyy-mm-dd hh:mm"
