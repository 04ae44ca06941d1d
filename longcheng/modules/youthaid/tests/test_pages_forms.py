"""The youth aid step forms (forms.py) through the pages: a bad value on each form shows the page
again (a 400) with a message naming the field and the rule, the user's typing kept and nothing
written (every row of the tables a step may touch compared); a good one makes the change.

The conftest's world: 王小溧's case, active, with a bank account and a serious illness on file
(`active_case`), a fund of ¥500,000 (`funded`); the case worker and the federation's reviewer."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Consent

from .. import actions
from ..models import (
    Application,
    AppStatus,
    Contact,
    LifeEvent,
    Pairing,
    Payment,
    PaymentBatch,
    PayStatus,
    RoomProject,
    RoomStatus,
    Screening,
    VettingStatus,
    Visit,
    Volunteer,
    Youth,
)
from .conftest import BANK_ACCOUNT

TABLES: tuple[Any, ...] = (Youth, Application, Pairing, Contact, Screening, Visit, LifeEvent, RoomProject, PaymentBatch, Payment,
          Volunteer, Consent, AuditEntry)


def state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a step may write, values and all."""
    return {table.__name__: list(table.objects.order_by("pk").values()) for table in TABLES}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def today() -> str:
    return timezone.localdate().isoformat()


# --- what some steps need first (through the actions) -------------------------------------------------------


def _application(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    proof = SimpleUploadedFile("bill.pdf", b"%PDF-1.4 bill", content_type="application/pdf")
    app = actions.do_apply(youth, aid_type="medical", amount_fen=500_000, reason="医药费用难以承担",
                           attachments=[proof], acting_user=liyang["caseworker"])
    return {"application": app.pk}


def _volunteer(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    volunteer = actions.do_register_volunteer(name="周慧", phone="13912345678", place=liyang["town"],
                                              acting_user=liyang["caseworker"])
    actions.do_vet_volunteer(volunteer, status=VettingStatus.VETTED, note="无犯罪记录", acting_user=liyang["caseworker"])
    return {"volunteer": volunteer.pk}


def _pairing(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    found = _volunteer(liyang, youth)
    actions.do_pair(found["volunteer"], youth.pk, acting_user=liyang["caseworker"])
    return found


def _room(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    """A dream room of ¥5,000, approved and under way: the reviewer may sign it off."""
    room = actions.do_propose_room(youth.pk, budget_fen=500_000, contractor="溧阳装修队", before_note="墙面发霉",
                                   acting_user=liyang["caseworker"])
    actions.do_advance_room(room.pk, to=RoomStatus.APPROVED, acting_user=liyang["reviewer"])
    actions.do_advance_room(room.pk, to=RoomStatus.IN_PROGRESS, acting_user=liyang["caseworker"])
    return {"room": room.pk}


def _consents(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    return {"consents": Consent.objects.filter(subject=youth.person).count()}


def _nothing(liyang: dict[str, Any], youth: Youth) -> dict[str, Any]:
    return {}


Setup = Callable[[dict[str, Any], Youth], dict[str, Any]]
FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()

# (step, who, what first, the form, the message naming the field and the rule, what must be shown again)
BAD: list[tuple[str, str, Setup, Callable[[dict[str, Any]], dict[str, Any]], str, list[str]]] = [
    ("consent", "caseworker", _nothing, lambda w: {"given_by": w["father"].pk, "sensitive": "on"},
     "Given by: Choose who gives the consent.", ['name="sensitive" checked']),
    ("profile", "caseworker", _nothing, lambda w: {"reason": "x", "school": "溧阳一中", "needs": "需要一台电脑"},
     "Reason for the change: At least 2 characters.",
     ['value="溧阳一中"', ">需要一台电脑</textarea>"]),
    ("profile", "caseworker", _nothing, lambda w: {"reason": "家访核实", "household_size": "三口", "school": "溧阳一中"},
     "Household size: Enter a whole number.", ['value="三口"', 'value="溧阳一中"', 'value="家访核实"']),
    ("reveal", "caseworker", _nothing, lambda w: {"reason": "发放助学金"},
     "What to reveal: This field is required.", ['value="发放助学金"']),
    ("sensitive", "caseworker", _nothing, lambda w: {"reason": "换卡", "bank_name": "工商银行", "bank_account": "98765"},
     "Bank account: A bank card number has 12 to 19 digits.", ['value="工商银行"', 'value="换卡"']),
    ("screen", "caseworker", _nothing, lambda w: {"note": "很" * 301},
     "Note: Ensure this value has at most 300 characters (it has 301).", [f'value="{"很" * 301}"']),
    # The appeal form is shown for a case found not eligible only: the message is what is checked.
    ("appeal", "caseworker", _nothing, lambda w: {"note": "不服"},
     "Appeal: what the family contests: At least 4 characters.", []),
    ("visit", "caseworker", _nothing, lambda w: {"visited_on": "2026-02-30", "situation": "学习努力，情绪稳定",
                                                  "risk": "high"},
     "Visited on: Enter a valid date.", ['value="2026-02-30"', ">学习努力，情绪稳定</textarea>",
                                         '<option value="high" selected>']),
    ("life_event", "caseworker", _nothing, lambda w: {"kind": "hardship", "on": FUTURE, "note": "母亲失业",
                                                       "hardship_grade": "3"},
     "Date: The date cannot be in the future.", [f'value="{FUTURE}"', 'value="母亲失业"', "<option selected>3</option>",
                                                 '<option value="hardship" selected>']),
    ("apply", "caseworker", _nothing, lambda w: {"aid_type": "medical", "year": "2026", "amount": "一千",
                                                  "reason": "家庭困难需要资助"},
     "Amount (yuan): An amount is a number of yuan such as 1234.56.",
     ['value="一千"', ">家庭困难需要资助</textarea>", '<option value="medical" selected>']),
    ("recommend", "caseworker", _application, lambda w: {"recommend": "no", "amount": "abc", "note": "家访核实属实"},
     "Amount (yuan, empty: as asked): An amount is a number of yuan such as 1234.56.",
     ['value="abc"', 'value="家访核实属实"', '<option value="no" selected>']),
    ("pair", "caseworker", _volunteer, lambda w: {"on": "2026-02-30"}, "Date: Enter a valid date.", ["selected>周慧"]),
    ("contact", "caseworker", _pairing, lambda w: {"on": today(), "kind": "", "note": "一起吃饭聊天"},
     "Kind: Choose the kind of contact.", ['value="一起吃饭聊天"']),
    ("unpair", "caseworker", _pairing, lambda w: {"reason": "走"},
     "Reason for ending the pairing: At least 2 characters.", ['id="unpair_reason" value="走"']),
    ("room", "caseworker", _nothing, lambda w: {"budget": "0", "contractor": "溧阳装修队", "before_note": "墙面发霉"},
     "Budget (yuan): An amount must be more than zero.", ['id="budget" inputmode="decimal" value="0"', 'value="溧阳装修队"', ">墙面发霉</textarea>"]),
    ("room_advance", "reviewer", _room, lambda w: {"to": "done", "spent": "9000", "after_note": "书桌和床都换了"},
     "Spent (yuan): What was spent lies between ¥0.01 and the budget (¥5,000.00).",
     ['value="9000"', 'value="书桌和床都换了"']),
]


@pytest.mark.parametrize(("step", "who", "setup", "form", "message", "kept"), BAD,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(BAD)])
def test_a_bad_value_shows_the_case_again_naming_the_field_and_changes_nothing(
        liyang: dict[str, Any], active_case: Youth, funded: Any, step: str, who: str, setup: Setup,
        form: Callable[[dict[str, Any]], dict[str, Any]], message: str, kept: list[str]) -> None:
    data = {**form(liyang), **setup(liyang, active_case)}
    before = state()
    response = client_for(liyang[who]).post(f"/youthaid/cases/{active_case.pk}/{step.replace('_', '-')}/", data)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    for typed in kept:
        assert typed in page, typed
    assert state() == before


def test_typed_id_and_bank_account_numbers_are_not_sent_back(liyang: dict[str, Any], active_case: Youth) -> None:
    worker = client_for(liyang["caseworker"])
    response = worker.post(f"/youthaid/cases/{active_case.pk}/sensitive/",
                           {"reason": "换卡", "bank_name": "工商银行", "bank_account": "62284804025648901234567"})
    assert response.status_code == 400 and "62284804025648901234567" not in text(response)
    number = liyang["sibling"].resident_id
    response = worker.post(f"/youthaid/cases/{active_case.pk}/profile/", {"reason": "x", "guardian": number})
    assert response.status_code == 400 and number not in text(response)


# (step, who, what first, the form, what the change is)
GOOD: list[tuple[str, str, Setup, Callable[[dict[str, Any]], dict[str, Any]], Callable[[Youth, dict[str, Any]], bool]]] = [
    ("consent", "caseworker", _consents, lambda w: {"given_by": w["person"].pk, "sensitive": "on"},
     lambda y, x: Consent.objects.filter(subject=y.person, given_by=y.person).count() > x["consents"]),
    ("profile", "caseworker", _nothing, lambda w: {"reason": "家访核实", "school": "溧阳一中", "household_size": "4",
                                                    "monthly_income_fen": "2,500.50"},
     lambda y, x: (y.school, y.household_size, y.monthly_income_fen) == ("溧阳一中", 4, 250_050)),
    ("sensitive", "caseworker", _nothing, lambda w: {"reason": "换卡", "bank_name": "工商银行"},
     lambda y, x: (y.bank_name, y.bank_account) == ("工商银行", BANK_ACCOUNT)),
    ("screen", "caseworker", _nothing, lambda w: {"note": "复核"},
     lambda y, x: Screening.objects.filter(youth=y, note="复核").exists()),
    ("visit", "caseworker", _nothing, lambda w: {"visited_on": today(), "situation": "学习努力，情绪稳定",
                                                  "risk": "high"},
     lambda y, x: y.risk == "high" and Visit.objects.filter(youth=y, situation="学习努力，情绪稳定").exists()),
    ("life_event", "caseworker", _nothing, lambda w: {"kind": "hardship", "on": today(), "note": "母亲失业",
                                                       "hardship_grade": "3"},
     lambda y, x: y.hardship_grade == 3 and LifeEvent.objects.filter(youth=y, note="母亲失业").exists()),
    ("apply", "caseworker", _nothing, lambda w: {"aid_type": "medical", "amount": "5,000", "reason": "医药费用难以承担",
                                                  "proof": SimpleUploadedFile("bill.pdf", b"%PDF-1.4 bill")},
     lambda y, x: Application.objects.filter(youth=y, requested_fen=500_000, status=AppStatus.APPLIED).exists()),
    ("recommend", "caseworker", _application, lambda w: {"recommend": "yes", "amount": "4000", "note": "家访核实属实"},
     lambda y, x: Application.objects.filter(pk=x["application"], status=AppStatus.RECOMMENDED,
                                             recommended_fen=400_000).exists()),
    ("pair", "caseworker", _volunteer, lambda w: {},
     lambda y, x: Pairing.objects.filter(youth=y, volunteer_id=x["volunteer"], ended_on__isnull=True).exists()),
    ("contact", "caseworker", _pairing, lambda w: {"on": today(), "kind": "visit", "note": "一起吃饭聊天"},
     lambda y, x: Contact.objects.filter(pairing__youth=y, note="一起吃饭聊天").exists()),
    ("unpair", "caseworker", _pairing, lambda w: {"reason": "志愿者搬家"},
     lambda y, x: Pairing.objects.filter(youth=y, ended_on__isnull=False).exists()),
    ("room", "caseworker", _nothing, lambda w: {"budget": "5000", "contractor": "溧阳装修队", "before_note": "墙面发霉"},
     lambda y, x: RoomProject.objects.filter(youth=y, budget_fen=500_000, status=RoomStatus.PROPOSED).exists()),
    ("room_advance", "reviewer", _room, lambda w: {"to": "done", "spent": "4500", "after_note": "书桌和床都换了"},
     lambda y, x: RoomProject.objects.filter(pk=x["room"], status=RoomStatus.DONE, spent_fen=450_000).exists()),
]


@pytest.mark.parametrize(("step", "who", "setup", "form", "changed"), GOOD, ids=[row[0] for row in GOOD])
def test_a_good_step_makes_the_change(liyang: dict[str, Any], active_case: Youth, funded: Any, step: str, who: str,
                                      setup: Setup, form: Callable[[dict[str, Any]], dict[str, Any]],
                                      changed: Callable[[Youth, dict[str, Any]], bool]) -> None:
    extra = setup(liyang, active_case)
    assert not changed(Youth.objects.get(pk=active_case.pk), extra)
    response = client_for(liyang[who]).post(f"/youthaid/cases/{active_case.pk}/{step.replace('_', '-')}/",
                                            {**form(liyang), **extra}, follow=True)
    assert "Saved." in text(response)
    assert changed(Youth.objects.get(pk=active_case.pk), extra)


def test_a_reveal_shows_the_account_in_that_response(liyang: dict[str, Any], active_case: Youth) -> None:
    response = client_for(liyang["caseworker"]).post(f"/youthaid/cases/{active_case.pk}/reveal/",
                                                     {"fields": ["bank"], "reason": "发放助学金"})
    assert response.status_code == 200 and BANK_ACCOUNT in text(response)


# --- payment batches and the rooms page ---------------------------------------------------------------------------


@pytest.fixture
def approved(liyang: dict[str, Any], active_case: Youth, funded: Any, grant: Callable[..., Any]) -> Application:
    return grant(active_case, "medical", 500_000)


def _paid_batch(liyang: dict[str, Any]) -> PaymentBatch:
    batch = actions.do_create_batch(title="春季发放", acting_user=liyang["reviewer"])
    return actions.do_pay_batch(batch.pk, acting_user=liyang["reviewer"])


def test_making_a_batch_refused_then_made(liyang: dict[str, Any], approved: Application) -> None:
    client = client_for(liyang["reviewer"])
    before = state()
    response = client.post("/youthaid/batches/create/", {"title": "春" * 101})
    assert response.status_code == 400
    page = text(response)
    assert "Title: At most 100 characters." in page and f'value="{"春" * 101}"' in page
    assert state() == before
    response = client.post("/youthaid/batches/create/", {"title": "春季发放"}, follow=True)
    batch = PaymentBatch.objects.get()
    assert batch.title == "春季发放" and batch.total_fen == 500_000
    assert response.redirect_chain[-1][0] == f"/youthaid/batches/{batch.pk}/"


def test_paying_a_batch_on_its_own_url(liyang: dict[str, Any], approved: Application) -> None:
    batch = actions.do_create_batch(title="春季发放", acting_user=liyang["reviewer"])
    client = client_for(liyang["reviewer"])
    assert client.post(f"/youthaid/batches/{batch.pk}/", {"step": "pay"}).status_code == 405  # GET only now
    assert Payment.objects.get().status == PayStatus.PENDING
    client.post(f"/youthaid/batches/{batch.pk}/pay/", {})
    assert Payment.objects.get().status == PayStatus.PAID


def test_a_bank_return_refused_keeps_the_reason_then_is_recorded(liyang: dict[str, Any],
                                                                   approved: Application) -> None:
    batch = _paid_batch(liyang)
    payment = Payment.objects.get()
    client = client_for(liyang["reviewer"])
    before = state()
    response = client.post(f"/youthaid/batches/{batch.pk}/return/", {"payment": payment.pk, "reason": "坏"})
    assert response.status_code == 400
    page = text(response)
    assert "Bank's reason: At least 2 characters." in page
    assert 'value="坏"' in page
    assert state() == before
    client.post(f"/youthaid/batches/{batch.pk}/return/", {"payment": payment.pk, "reason": "账户已销户"})
    payment.refresh_from_db()
    assert payment.status == PayStatus.RETURNED and payment.return_reason == "账户已销户"


def test_a_reissue_refused_naming_the_payment_then_made(liyang: dict[str, Any], approved: Application) -> None:
    batch = _paid_batch(liyang)
    payment = Payment.objects.get()
    actions.do_return_payment(payment.pk, reason="账户已销户", acting_user=liyang["reviewer"])
    client = client_for(liyang["reviewer"])
    before = state()
    response = client.post(f"/youthaid/batches/{batch.pk}/reissue/", {"payment": "abc"})
    assert response.status_code == 400 and "Payment: Choose a valid record." in text(response)
    assert state() == before
    client.post(f"/youthaid/batches/{batch.pk}/reissue/", {"payment": payment.pk})
    payment.refresh_from_db()
    assert payment.status == PayStatus.REISSUED and payment.reissued_as is not None


def test_the_rooms_page_step_refused_keeps_the_typing_then_signs_off(liyang: dict[str, Any], active_case: Youth,
                                                                      funded: Any) -> None:
    room = _room(liyang, active_case)["room"]
    client = client_for(liyang["reviewer"])
    before = state()
    response = client.post("/youthaid/rooms/advance/", {"room": room, "to": "done", "spent": "9000",
                                                        "after_note": "书桌和床都换了"})
    assert response.status_code == 400
    page = text(response)
    assert "Spent (yuan): What was spent lies between ¥0.01 and the budget (¥5,000.00)." in page
    assert 'value="9000"' in page and 'value="书桌和床都换了"' in page
    assert state() == before
    client.post("/youthaid/rooms/advance/", {"room": room, "to": "done", "spent": "4,500",
                                             "after_note": "书桌和床都换了"})
    done = RoomProject.objects.get(pk=room)
    assert done.status == RoomStatus.DONE and done.spent_fen == 450_000


def test_the_message_is_chinese_by_default(liyang: dict[str, Any], active_case: Youth) -> None:
    client = Client()
    client.force_login(liyang["caseworker"])
    response = client.post(f"/youthaid/cases/{active_case.pk}/room/",
                           {"budget": "0", "contractor": "溧阳装修队", "before_note": "墙面发霉"})
    assert response.status_code == 400 and "预算（元）：金额须大于零。" in text(response)
    response = client.post(f"/youthaid/cases/{active_case.pk}/profile/", {"reason": "家访核实", "household_size": "99"})
    assert response.status_code == 400 and "家庭人口：" in text(response)
    assert Youth.objects.get(pk=active_case.pk).household_size == active_case.household_size
