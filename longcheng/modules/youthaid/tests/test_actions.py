"""The youth aid registry and its process, through the actions: report → outreach → consent →
profile → screening → monitoring → aid → re-aid, hope parents and dream rooms. Every refusal names
its field and rule and leaves every table (and the fund) as it was."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.ledger.actions import InsufficientFunds
from longcheng.kernel.ledger.models import Account, JournalEntry
from longcheng.kernel.people.actions import do_record_death
from longcheng.kernel.people.models import Consent, Relationship, Resident

from .. import actions
from ..models import (
    Application,
    AppStatus,
    CaseStatus,
    Channel,
    LifeEvent,
    Pairing,
    Report,
    Screening,
    Trigger,
    Visit,
    Youth,
)
from .conftest import BANK_ACCOUNT


def today() -> dt.date:
    return timezone.localdate()


def reasons_of(screening: Screening) -> dict[str, dict[str, Any]]:
    return {r["criterion"]: r for r in screening.reasons}


def audits(action: str, obj: Any) -> Any:
    return AuditEntry.objects.filter(action=action, object_id=str(obj.pk))


# --- report by ID ------------------------------------------------------------------------------------


def test_a_youth_missing_from_the_registry_is_not_registered_by_a_report(
        liyang: dict[str, Any], rid: Any, counts: Any) -> None:
    """Registering is the community's work (people.manage); a report that registered a new number
    would tell the reporter whether the number is held elsewhere (docs/security.md, "Reporters")."""
    number = rid("320481", "20120606", 61)
    before = counts()
    with pytest.raises(NotFound) as refused:
        actions.do_report(resident_id=number, name="赵小鹏", channel="community", note="母亲病故，由奶奶照顾",
                          acting_user=liyang["reporter"])
    assert (refused.value.field, refused.value.code) == ("resident_id", "not_found")
    assert not Resident.objects.filter(resident_id=number).exists()
    assert counts() == before


def test_a_second_reporter_joins_the_existing_case(liyang: dict[str, Any]) -> None:
    person = liyang["person"]
    first = actions.do_report(resident_id=person.resident_id, name="王小溧", channel="school", note="上课常走神",
                              acting_user=liyang["reporter"])
    second = actions.do_report(resident_id=person.resident_id, name="王小溧", channel="village", note="家中无人照顾",
                               acting_user=liyang["reporter2"])
    assert first.youth_id == second.youth_id
    assert Youth.objects.filter(person=person).count() == 1
    assert list(Report.objects.filter(youth=first.youth).order_by("pk").values_list("reporter", "channel")) == [
        (liyang["reporter"].pk, "school"), (liyang["reporter2"].pk, "village")]
    assert audits("youthaid.report_joined", first.youth).count() == 1


def test_the_same_reporter_reporting_again_is_a_duplicate_and_writes_nothing(liyang: dict[str, Any], counts: Any,
                                                                             english: Any) -> None:
    person = liyang["person"]
    actions.do_report(resident_id=person.resident_id, name="王小溧", channel="school", note="上课常走神",
                      acting_user=liyang["reporter"])
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_report(resident_id=person.resident_id, name="王小溧", channel="school", note="再报一次",
                          acting_user=liyang["reporter"])
    assert (err.value.field, err.value.code) == ("resident_id", "already_reported")
    assert "already reported" in str(err.value.message)
    assert counts() == before


def test_a_name_that_does_not_match_the_registry_is_refused(liyang: dict[str, Any], counts: Any,
                                                            english: Any) -> None:
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_report(resident_id=liyang["person"].resident_id, name="王小明", channel="school", note="上课常走神",
                          acting_user=liyang["reporter"])
    assert err.value.field == "name" and "does not match" in str(err.value.message)
    assert counts() == before


def test_a_person_over_the_age_limit_is_refused(liyang: dict[str, Any], counts: Any, english: Any) -> None:
    number, name = liyang["mother"].resident_id, "李秀兰"
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_report(resident_id=number, name=name, channel="community", note="家庭困难",
                          acting_user=liyang["reporter"])
    assert err.value.field == "resident_id" and "up to 25 years old" in str(err.value.message)
    assert counts() == before


def test_an_invalid_id_number_is_refused_naming_the_field(liyang: dict[str, Any], rid: Any, counts: Any,
                                                          english: Any) -> None:
    good = rid("320481", "20120606", 61)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_report(resident_id=bad, name="赵小鹏", channel="community", note="母亲病故",
                          acting_user=liyang["reporter"])
    assert (err.value.field, err.value.code) == ("resident_id", "invalid_resident_id")
    assert "check character" in str(err.value.message)
    assert counts() == before


# --- automatic discovery -----------------------------------------------------------------------------


def _family(liyang: dict[str, Any], rid: Any) -> dict[str, Resident]:
    town = liyang["town"]

    def person(birth: str, seq: int, name: str, gender: str) -> Resident:
        return Resident.objects.create(resident_id=rid("320481", birth, seq), name=name, gender=gender,
                                       birth_date=dt.date.fromisoformat(f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"),
                                       place=town)

    f = {"dad": person("19750202", 71, "陈大海", "M"), "mum": person("19780303", 72, "周丽", "F"),
         "girl": person("20150909", 82, "陈小雨", "F"), "student": person("20060606", 83, "陈小江", "M"),
         "adult": person("19980101", 93, "陈大伟", "M")}
    for child in ("girl", "student", "adult"):
        Relationship.objects.create(person=f[child], relative=f["dad"], kind="father")
        Relationship.objects.create(person=f[child], relative=f["mum"], kind="mother", is_guardian=child == "girl")
    Relationship.objects.create(person=f["mum"], relative=f["dad"], kind="spouse")
    Relationship.objects.create(person=f["dad"], relative=f["mum"], kind="spouse")
    return f


def test_a_death_in_the_registry_puts_the_children_on_the_outreach_list_at_once(
        liyang: dict[str, Any], rid: Any, english: Any) -> None:
    f = _family(liyang, rid)
    new_husband = Resident.objects.create(resident_id=rid("320481", "19760404", 74), name="吴刚", gender="M",
                                          birth_date=dt.date(1976, 4, 4), place=liyang["town"])
    Relationship.objects.create(person=f["mum"], relative=new_husband, kind="spouse")
    died = today() - dt.timedelta(days=3)
    do_record_death(f["dad"], died_on=died, acting_user=liyang["registrar"], reason="死亡医学证明")

    found = {y.person.name: y for y in Youth.objects.select_related("person")}
    assert set(found) == {"陈小雨", "陈小江"}  # 11 and 20 (a possible student); not the 28-year-old
    for youth in found.values():
        assert youth.status == CaseStatus.OUTREACH
        assert (youth.deceased_parent, youth.parent_died_on) == (f["dad"], died)
        # The mother has a spouse other than the deceased in the registry: she has remarried.
        assert (youth.surviving_parent, youth.surviving_parent_status) == (f["mum"], "remarried")
        report = youth.reports.get()
        assert (report.channel, report.reporter) == (Channel.REGISTRY, None)
        assert report.note == f"Father 陈*海 died on {died.isoformat()} (resident registry)."
        assert audits("youthaid.outreach", youth).get().actor == liyang["registrar"]


def test_outreach_without_a_new_spouse_records_not_remarried_and_a_reported_case_keeps_its_status(
        liyang: dict[str, Any], rid: Any) -> None:
    f = _family(liyang, rid)
    reported = actions.do_report(resident_id=f["girl"].resident_id, name="陈小雨", channel="school", note="父亲住院",
                                 acting_user=liyang["reporter"]).youth
    do_record_death(f["dad"], died_on=today(), acting_user=liyang["registrar"])
    reported.refresh_from_db()
    assert reported.status == CaseStatus.REPORTED and reported.deceased_parent == f["dad"]
    assert reported.surviving_parent_status == "not_remarried"
    assert list(reported.reports.order_by("pk").values_list("channel", flat=True)) == ["school", "registry"]


# --- consent and the profile ------------------------------------------------------------------------


def test_an_under_14_profile_needs_the_guardians_consent(liyang: dict[str, Any], counts: Any, english: Any) -> None:
    cw, sibling = liyang["caseworker"], liyang["sibling"]
    youth = actions.do_report(resident_id=sibling.resident_id, name="王小川", channel="school", note="哥哥说家里困难",
                              acting_user=liyang["reporter"]).youth
    before = counts()
    with pytest.raises(KernelError) as no_consent:
        actions.do_update_profile(youth, acting_user=cw, reason="入户核实", stage="primary")
    assert (no_consent.value.code, no_consent.value.field) == ("consent_required", "consent")
    assert "guardian" in str(no_consent.value.message)
    # The boy himself (12) or his deceased father's side cannot consent: only a recorded guardian.
    for giver in (sibling, liyang["person"]):
        with pytest.raises(KernelError) as not_guardian:
            actions.do_record_consent(youth, given_by=giver, sensitive=False, acting_user=cw)
        assert (not_guardian.value.code, not_guardian.value.field) == ("consent_required", "given_by")
        assert "recorded guardian" in str(not_guardian.value.message)
    assert counts() == before
    youth.refresh_from_db()
    assert youth.stage == ""

    actions.do_record_consent(youth, given_by=liyang["mother"], sensitive=False, acting_user=cw)
    assert Consent.objects.filter(subject=sibling, given_by=liyang["mother"], purpose="youthaid").count() == 1
    actions.do_update_profile(youth, acting_user=cw, reason="入户核实", stage="primary")
    youth.refresh_from_db()
    assert youth.stage == "primary"


@pytest.mark.parametrize("values", [{"health_note": "哮喘"}, {"serious_illness": True},
                                    {"bank_account": BANK_ACCOUNT}])
def test_health_and_bank_need_their_own_consent(values: dict[str, Any], liyang: dict[str, Any], counts: Any,
                                                english: Any) -> None:
    cw, person = liyang["caseworker"], liyang["person"]
    youth = actions.do_report(resident_id=person.resident_id, name="王小溧", channel="school", note="上课常走神",
                              acting_user=liyang["reporter"]).youth
    actions.do_record_consent(youth, given_by=person, sensitive=False, acting_user=cw)
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_update_profile(youth, acting_user=cw, reason="入户核实", **values)
    assert (err.value.code, err.value.field) == ("consent_required", "sensitive_consent")
    assert "own consent" in str(err.value.message)
    assert counts() == before
    youth.refresh_from_db()
    assert (youth.health_note, youth.serious_illness, youth.bank_account) == ("", False, "")


@pytest.mark.parametrize("who", ["reporter", "observer"])
def test_a_role_without_the_case_and_health_permissions_changes_nothing(who: str, active_case: Youth,
                                                                        liyang: dict[str, Any], counts: Any) -> None:
    before = counts()
    for values in ({"health_note": "已康复"}, {"bank_account": "6222020200199998888"}, {"school": "某中学"}):
        with pytest.raises(PermissionDenied):
            actions.do_update_profile(active_case, acting_user=liyang[who], reason="改一下", **values)
    assert counts() == before
    active_case.refresh_from_db()
    assert (active_case.health_note, active_case.bank_account, active_case.school) == (
        "哮喘，需长期用药", BANK_ACCOUNT, "")


def test_every_profile_change_is_audited_with_before_after_and_reason_health_masked(
        active_case: Youth, liyang: dict[str, Any], english: Any) -> None:
    cw = liyang["caseworker"]
    actions.do_update_profile(active_case, acting_user=cw, reason="家访复查", school="溧阳中学", risk="high",
                              health_note="哮喘加重，住院一周", bank_account="6222020200155556666")
    entry = audits("youthaid.update", active_case).order_by("-pk").first()
    assert entry is not None and entry.actor == cw and entry.reason == "家访复查"
    assert entry.before["school"] == "" and entry.after["school"] == "溧阳中学"
    assert (entry.before["risk"], entry.after["risk"]) == ("medium", "high")
    for field in ("health_note", "bank_account"):
        assert entry.before[field] == entry.after[field] == "***"
    trail = json.dumps([e.before for e in audits("youthaid.update", active_case)] +
                       [e.after for e in audits("youthaid.update", active_case)], ensure_ascii=False)
    assert "哮喘" not in trail and "5566" not in trail and BANK_ACCOUNT[-6:] not in trail
    # The first profile (by the `activate` fixture) masked its health values too.
    first = audits("youthaid.update", active_case).order_by("pk").first()
    assert first is not None and first.after["serious_illness"] == "***"

    # Saving the same values again changes nothing and writes no row; a missing reason is refused.
    rows = audits("youthaid.update", active_case).count()
    actions.do_update_profile(active_case, acting_user=cw, reason="再次保存", school="溧阳中学")
    assert audits("youthaid.update", active_case).count() == rows
    with pytest.raises(KernelError) as err:
        actions.do_update_profile(active_case, acting_user=cw, reason="", school="别的学校")
    assert (err.value.field, err.value.code) == ("reason", "required")
    active_case.refresh_from_db()
    assert active_case.school == "溧阳中学"


def test_bad_profile_values_name_their_field(active_case: Youth, liyang: dict[str, Any], counts: Any,
                                             english: Any) -> None:
    before = counts()
    cases: list[tuple[dict[str, Any], str, str]] = [
             ({"hardship_grade": 4}, "hardship_grade", "Between 0 and 3"),
             ({"bank_account": "12345"}, "bank_account", "12 to 19 digits"),
             ({"stage": "kindergarten"}, "stage", "school stage"),
             ({"guardian": active_case.person}, "guardian", "own parent or guardian"),
             ({"colour": "red"}, "colour", "cannot be changed")]
    for values, field, phrase in cases:
        with pytest.raises(KernelError) as err:
            actions.do_update_profile(active_case, acting_user=liyang["caseworker"], reason="更正", **values)
        assert err.value.field == field and phrase in str(err.value.message), (values, err.value.message)
    assert counts() == before


# --- reveal ---------------------------------------------------------------------------------------------


def test_revealing_health_and_bank_is_audited(active_case: Youth, liyang: dict[str, Any]) -> None:
    cw = liyang["caseworker"]
    shown = actions.do_reveal(active_case, fields=["bank", "health"], reason="核对发放账户", acting_user=cw)
    assert shown == {"bank_name": "农业银行", "bank_account": BANK_ACCOUNT, "serious_illness": True,
                     "health_note": "哮喘，需长期用药"}
    entry = AuditEntry.objects.get(action="reveal", object_id=str(active_case.pk))
    assert entry.is_read and entry.actor == cw and entry.reason == "核对发放账户"
    assert entry.after == {"fields": ["bank", "health"]}


def test_a_reveal_without_the_permission_or_the_scope_is_refused_and_not_audited(
        active_case: Youth, liyang: dict[str, Any], english: Any) -> None:
    rows = AuditEntry.objects.count()
    for who in ("reporter", "observer"):
        with pytest.raises(PermissionDenied):
            actions.do_reveal(active_case, fields=["health"], reason="想看看", acting_user=liyang[who])
    with pytest.raises(NotFound):  # a case worker of another community: as if the case did not exist
        actions.do_reveal(active_case, fields=["bank"], reason="核对发放账户", acting_user=liyang["outsider"])
    with pytest.raises(KernelError) as err:
        actions.do_reveal(active_case, fields=["resident_id"], reason="核对身份", acting_user=liyang["caseworker"])
    assert err.value.field == "fields"
    with pytest.raises(KernelError) as short:
        actions.do_reveal(active_case, fields=["bank"], reason="看", acting_user=liyang["caseworker"])
    assert short.value.field == "reason"
    assert AuditEntry.objects.count() == rows


# --- screening --------------------------------------------------------------------------------------------


def test_an_eligible_youth_becomes_active_with_a_visit_due(liyang: dict[str, Any], activate: Any,
                                                         english: Any) -> None:
    youth = activate()
    screening = youth.screenings.get()
    assert (screening.outcome, screening.trigger, screening.by) == ("eligible", Trigger.INTAKE, liyang["caseworker"])
    reasons = reasons_of(screening)
    assert set(reasons) == {"parent_died", "not_remarried", "age", "hardship"}
    assert all(r["met"] is True for r in reasons.values())
    assert reasons["parent_died"]["text"] == "A parent died on 2025-03-10."
    assert reasons["age"]["text"] == "Is 16, a minor."
    assert reasons["hardship"]["text"] == "The family is in living difficulty (grade 2)."
    assert youth.next_visit_due == today() + dt.timedelta(days=60)  # medium risk
    assert audits("youthaid.screen", youth).get().after["status"] == "active"


def test_a_remarried_surviving_parent_is_not_eligible_with_the_reason(prepare: Any, liyang: dict[str, Any],
                                                                       english: Any) -> None:
    youth = prepare(surviving_parent_status="remarried")
    screening = actions.do_screen(youth, acting_user=liyang["caseworker"])
    youth.refresh_from_db()
    assert screening.outcome == "not_eligible" and youth.status == CaseStatus.NOT_ELIGIBLE
    assert youth.next_visit_due is None
    reason = reasons_of(screening)["not_remarried"]
    assert reason["met"] is False and "has remarried" in reason["text"]


def test_an_adult_not_in_school_is_not_eligible(prepare: Any, liyang: dict[str, Any], rid: Any,
                                                english: Any) -> None:
    adult = Resident.objects.create(resident_id=rid("320481", "20050101", 35), name="王小海", gender="M",
                                    birth_date=dt.date(2005, 1, 1), place=liyang["town"])
    youth = prepare(adult, stage="none")
    screening = actions.do_screen(youth, acting_user=liyang["caseworker"])
    assert screening.outcome == "not_eligible"
    assert reasons_of(screening)["age"] == {"criterion": "age", "met": False,
                                            "text": "Is 21, an adult who is not in school."}
    # The same adult at university is eligible.
    actions.do_update_profile(youth, acting_user=liyang["caseworker"], reason="已入学", stage="university")
    actions.do_appeal(youth, note="已考入大学，提供在读证明", acting_user=liyang["caseworker"])
    assert actions.do_screen(youth, acting_user=liyang["caseworker"]).outcome == "eligible"


def test_an_unknown_hardship_needs_information(prepare: Any, liyang: dict[str, Any], english: Any) -> None:
    youth = prepare(hardship_grade=0, household_size=None)
    screening = actions.do_screen(youth, acting_user=liyang["caseworker"])
    youth.refresh_from_db()
    assert screening.outcome == "needs_info" and youth.status == CaseStatus.NEEDS_INFO
    reason = reasons_of(screening)["hardship"]
    assert reason["met"] is None and "household's size and income" in reason["text"]
    # Income per person below the line (1,800 yuan) answers it.
    actions.do_update_profile(youth, acting_user=liyang["caseworker"], reason="收入核实", household_size=3,
                              monthly_income_fen=450_000)
    screening = actions.do_screen(youth, acting_user=liyang["caseworker"])
    assert screening.outcome == "eligible"
    assert "¥1,500.00" in reasons_of(screening)["hardship"]["text"]


def test_only_not_eligible_can_be_appealed_and_the_appeal_is_rescreened(prepare: Any, active_case: Youth,
                                                                       liyang: dict[str, Any], counts: Any,
                                                                       english: Any) -> None:
    cw = liyang["caseworker"]
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_appeal(active_case, note="我们要申诉", acting_user=cw)
    assert (err.value.code, err.value.field) == ("not_appealable", "status")
    assert counts() == before

    youth = prepare(liyang["sibling"], surviving_parent_status="remarried")
    assert actions.do_screen(youth, acting_user=cw).outcome == "not_eligible"
    # The reporter of the case may appeal for the family.
    appealed = actions.do_appeal(youth, note="母亲已离婚，有离婚证", acting_user=liyang["reporter"])
    assert (appealed.status, appealed.appeal_note) == (CaseStatus.APPEALED, "母亲已离婚，有离婚证")
    actions.do_update_profile(youth, acting_user=cw, reason="离婚证核实", surviving_parent_status="not_remarried")
    screening = actions.do_screen(youth, acting_user=cw)
    youth.refresh_from_db()
    assert (screening.trigger, screening.outcome, youth.status) == (Trigger.APPEAL, "eligible", CaseStatus.ACTIVE)


# --- monitoring -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("risk", "days"), [("high", 30), ("medium", 60), ("low", 90)])
def test_a_visit_sets_the_next_due_date_by_risk(risk: str, days: int, active_case: Youth,
                                                liyang: dict[str, Any]) -> None:
    on = today() - dt.timedelta(days=2)
    visit = actions.do_record_visit(active_case, visited_on=on, situation="情绪稳定，学习有进步", risk=risk,
                                    acting_user=liyang["caseworker"], needs="需要课外辅导")
    active_case.refresh_from_db()
    assert visit.next_due == on + dt.timedelta(days=days) == active_case.next_visit_due
    assert (active_case.risk, active_case.last_visit_on, active_case.needs) == (risk, on, "需要课外辅导")
    assert audits("youthaid.visit", active_case).count() == 1


def test_a_visit_in_the_future_or_on_a_case_not_monitored_is_refused(active_case: Youth, prepare: Any,
                                                                     liyang: dict[str, Any], counts: Any) -> None:
    cw = liyang["caseworker"]
    needs_info = prepare(liyang["sibling"], hardship_grade=0, household_size=None)
    actions.do_screen(needs_info, acting_user=cw)
    before = counts()
    with pytest.raises(KernelError) as future:
        actions.do_record_visit(active_case, visited_on=today() + dt.timedelta(days=1), situation="计划家访",
                                risk="low", acting_user=cw)
    assert (future.value.field, future.value.code) == ("visited_on", "invalid_date")
    with pytest.raises(KernelError) as not_active:
        actions.do_record_visit(needs_info, visited_on=today(), situation="情况一般", risk="low", acting_user=cw)
    assert not_active.value.field == "status"
    with pytest.raises(NotFound):
        actions.do_record_visit(active_case, visited_on=today(), situation="情况一般", risk="low",
                                acting_user=liyang["outsider"])
    assert counts() == before


def test_the_overdue_list_shows_late_visits_in_scope_only(active_case: Youth, activate: Any, liyang: dict[str, Any],
                                                         rid: Any) -> None:
    on_time = activate(liyang["sibling"])
    actions.do_record_visit(active_case, visited_on=today() - dt.timedelta(days=100), situation="情绪低落",
                            risk="low", acting_user=liyang["caseworker"])  # next due 10 days ago
    elsewhere = Youth.objects.create(
        person=Resident.objects.create(resident_id=rid("320412", "20110101", 41), name="孙小武", gender="M",
                                       birth_date=dt.date(2011, 1, 1), place=liyang["city"]["a"]),
        status=CaseStatus.ACTIVE, next_visit_due=today() - dt.timedelta(days=5))
    assert list(actions.overdue(liyang["caseworker"])) == [active_case]
    assert on_time not in actions.overdue(liyang["caseworker"])
    assert list(actions.overdue(liyang["outsider"])) == [elsewhere]
    assert list(actions.overdue(liyang["reporter"])) == []


def test_a_remarriage_makes_the_youth_not_eligible_with_the_reason(active_case: Youth, liyang: dict[str, Any],
                                                                   english: Any) -> None:
    event = actions.do_life_event(active_case, kind="remarried", on=today(), acting_user=liyang["caseworker"],
                                  note="母亲再婚")
    active_case.refresh_from_db()
    assert (active_case.status, active_case.surviving_parent_status) == (CaseStatus.NOT_ELIGIBLE, "remarried")
    assert event.screening is not None and event.screening.trigger == Trigger.LIFE_EVENT
    assert reasons_of(event.screening)["not_remarried"]["met"] is False
    with pytest.raises(KernelError) as twice:
        actions.do_life_event(active_case, kind="remarried", on=today(), acting_user=liyang["caseworker"])
    assert (twice.value.code, twice.value.field) == ("event_already_recorded", "on")
    assert LifeEvent.objects.filter(youth=active_case).count() == 1


def test_admission_to_university_opens_the_education_grant(active_case: Youth, liyang: dict[str, Any], proof: Any,
                                                           counts: Any, english: Any) -> None:
    cw = liyang["caseworker"]
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_apply(active_case, aid_type="education", amount_fen=600_000, reason="录取后学费困难",
                         acting_user=cw, attachments=[proof("admission.pdf")])
    assert err.value.field == "aid_type" and "university students" in str(err.value.message)
    assert counts() == before

    actions.do_life_event(active_case, kind="admitted", on=today(), acting_user=cw, note="南京大学录取")
    active_case.refresh_from_db()
    assert (active_case.stage, active_case.university_admitted_year, active_case.status) == (
        "university", today().year, CaseStatus.ACTIVE)
    app = actions.do_apply(active_case, aid_type="education", amount_fen=600_000, reason="录取后学费困难",
                           acting_user=cw, attachments=[proof("admission.pdf")])
    assert (app.status, app.requested_fen, app.attachments.count()) == (AppStatus.APPLIED, 600_000, 1)


@pytest.mark.parametrize(("stage", "status"), [("none", CaseStatus.NOT_ELIGIBLE), ("senior", CaseStatus.ACTIVE)])
def test_the_18th_birthday_rechecks_the_case(stage: str, status: str, activate: Any, liyang: dict[str, Any],
                                             rid: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    day = today()
    if (day.month, day.day) == (2, 29):
        pytest.skip("no 18th birthday falls on 29 February in this test")
    born = day.replace(year=day.year - 18)
    person = Resident.objects.create(resident_id=rid("320481", born.strftime("%Y%m%d"), 37), name="王小岚",
                                     gender="M", birth_date=born, place=liyang["town"])
    monkeypatch.setattr(actions.common, "_today", lambda: day - dt.timedelta(days=1))  # yesterday, still 17
    youth = activate(person, stage=stage)
    monkeypatch.undo()

    assert actions.record_birthdays(day) == 1
    youth.refresh_from_db()
    assert youth.status == status
    event = LifeEvent.objects.get(youth=youth)
    assert (event.kind, event.on, event.by) == ("turned_18", day, None)
    assert event.screening is not None and event.screening.trigger == Trigger.LIFE_EVENT
    assert reasons_of(event.screening)["age"]["met"] is (stage != "none")
    assert actions.record_birthdays(day) == 0  # recorded once only
    assert LifeEvent.objects.filter(youth=youth).count() == 1


def test_a_youth_born_on_29_february_turns_18_on_1_march(activate: Any, liyang: dict[str, Any], rid: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    year = today().year if today() >= dt.date(today().year, 3, 1) else today().year - 1
    while (year - 18) % 4:
        year -= 1
    born, first_of_march = dt.date(year - 18, 2, 29), dt.date(year, 3, 1)
    person = Resident.objects.create(resident_id=rid("320481", born.strftime("%Y%m%d"), 39), name="王小闰",
                                     gender="M", birth_date=born, place=liyang["town"])
    monkeypatch.setattr(actions.common, "_today", lambda: dt.date(year, 2, 28))  # still 17
    youth = activate(person, stage="none")
    monkeypatch.undo()
    assert actions.record_birthdays(dt.date(year, 2, 28)) == 0
    assert actions.record_birthdays(first_of_march) == 1
    event = LifeEvent.objects.get(youth=youth)
    assert (event.kind, event.on) == ("turned_18", first_of_march)
    youth.refresh_from_db()
    assert youth.status == CaseStatus.NOT_ELIGIBLE


# --- aid rules and review -----------------------------------------------------------------------------------


def test_amounts_outside_the_rules_are_refused_and_write_nothing(active_case: Youth, liyang: dict[str, Any],
                                                                  proof: Any, counts: Any, english: Any) -> None:
    cw = liyang["caseworker"]
    before = counts()
    with pytest.raises(KernelError) as out_of_range:
        actions.do_apply(active_case, aid_type="living", amount_fen=350_000, reason="生活困难", acting_user=cw)
    assert (out_of_range.value.field, out_of_range.value.code) == ("requested_fen", "invalid_amount")
    assert "between ¥1,000.00 and ¥3,000.00" in str(out_of_range.value.message)
    with pytest.raises(KernelError) as above_grade:  # grade 2 entitles to 2,000 yuan
        actions.do_apply(active_case, aid_type="living", amount_fen=250_000, reason="生活困难", acting_user=cw)
    assert above_grade.value.field == "requested_fen"
    assert "grade 2 entitles to at most ¥2,000.00" in str(above_grade.value.message)
    with pytest.raises(KernelError) as not_whole:
        actions.do_apply(active_case, aid_type="living", amount_fen=1500.5, reason="生活困难",  # type: ignore[arg-type]
                         acting_user=cw)
    assert not_whole.value.field == "requested_fen"
    with pytest.raises(KernelError) as no_proof:
        actions.do_apply(active_case, aid_type="medical", amount_fen=500_000, reason="住院费用", acting_user=cw)
    assert (no_proof.value.field, no_proof.value.code) == ("proof", "required")
    assert "Attach the proof" in str(no_proof.value.message)
    with pytest.raises(KernelError) as no_type:
        actions.do_apply(active_case, aid_type="housing", amount_fen=500_000, reason="住房", acting_user=cw)
    assert no_type.value.field == "aid_type"
    assert counts() == before
    app = actions.do_apply(active_case, aid_type="living", amount_fen=200_000, reason="生活困难", acting_user=cw)
    assert (app.status, app.is_reaid, app.year) == (AppStatus.APPLIED, False, today().year)


def test_the_medical_yearly_cap_counts_pending_applications(active_case: Youth, liyang: dict[str, Any], proof: Any,
                                                            counts: Any, english: Any) -> None:
    cw = liyang["caseworker"]
    first = actions.do_apply(active_case, aid_type="medical", amount_fen=1_500_000, reason="住院费用",
                             acting_user=cw, attachments=[proof()])
    assert first.status == AppStatus.APPLIED  # pending, not yet decided
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_apply(active_case, aid_type="medical", amount_fen=600_000, reason="复查费用", acting_user=cw,
                         attachments=[proof()])
    assert (err.value.code, err.value.field) == ("yearly_cap", "requested_fen")
    assert "capped at ¥20,000.00" in str(err.value.message) and "at most ¥5,000.00 more" in str(err.value.message)
    assert counts() == before  # no application, no attachment
    actions.do_apply(active_case, aid_type="medical", amount_fen=500_000, reason="复查费用", acting_user=cw,
                     attachments=[proof()])
    # Next year has its own cap.
    actions.do_apply(active_case, aid_type="medical", amount_fen=600_000, reason="年初复查", acting_user=cw,
                     year=today().year + 1, attachments=[proof()])
    # A refused application no longer counts.
    actions.do_recommend(first, recommend=False, note="费用已由医保报销", acting_user=cw)
    actions.do_apply(active_case, aid_type="medical", amount_fen=1_500_000, reason="再次住院", acting_user=cw,
                     attachments=[proof()])


def test_a_youth_who_is_not_active_cannot_apply(prepare: Any, liyang: dict[str, Any], proof: Any, counts: Any,
                                                english: Any) -> None:
    youth = prepare(hardship_grade=0, household_size=None)
    actions.do_screen(youth, acting_user=liyang["caseworker"])  # needs information
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_apply(youth, aid_type="living", amount_fen=100_000, reason="生活困难",
                         acting_user=liyang["caseworker"], attachments=[proof()])
    assert (err.value.code, err.value.field) == ("not_eligible", "youth")
    assert "screen the case first" in str(err.value.message)
    assert counts() == before


def test_an_out_of_scope_case_worker_or_a_reporter_cannot_apply(active_case: Youth, liyang: dict[str, Any],
                                                                proof: Any, counts: Any) -> None:
    before = counts()
    with pytest.raises(NotFound):
        actions.do_apply(active_case, aid_type="medical", amount_fen=500_000, reason="住院费用",
                         acting_user=liyang["outsider"], attachments=[proof()])
    with pytest.raises(PermissionDenied):
        actions.do_apply(active_case, aid_type="medical", amount_fen=500_000, reason="住院费用",
                         acting_user=liyang["reporter"], attachments=[proof()])
    assert counts() == before


def test_the_recommendation_cannot_exceed_the_amount_asked(active_case: Youth, liyang: dict[str, Any], proof: Any,
                                                           counts: Any, english: Any) -> None:
    cw = liyang["caseworker"]
    app = actions.do_apply(active_case, aid_type="medical", amount_fen=500_000, reason="住院费用", acting_user=cw,
                           attachments=[proof()])
    before = counts()
    with pytest.raises(KernelError) as err:
        actions.do_recommend(app, recommend=True, note="建议多给一些", acting_user=cw, amount_fen=600_000)
    assert err.value.field == "recommended_fen" and "cannot exceed the amount asked" in str(err.value.message)
    with pytest.raises(NotFound):
        actions.do_recommend(app, recommend=True, note="建议资助", acting_user=liyang["outsider"])
    assert counts() == before
    app.refresh_from_db()
    assert (app.status, app.recommended_fen) == (AppStatus.APPLIED, None)
    app = actions.do_recommend(app, recommend=True, note="部分已报销，建议资助四千", acting_user=cw, amount_fen=400_000)
    assert (app.status, app.recommended_fen, app.recommended_by) == (AppStatus.RECOMMENDED, 400_000, cw)


def _recommended(youth: Youth, liyang: dict[str, Any], proof: Any, amount: int = 500_000) -> Application:
    cw = liyang["caseworker"]
    app = actions.do_apply(youth, aid_type="medical", amount_fen=amount, reason="住院费用", acting_user=cw,
                           attachments=[proof()])
    return actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=cw)


def test_reducing_or_rejecting_needs_a_reason_and_changes_nothing_without_one(
        active_case: Youth, funded: Any, liyang: dict[str, Any], proof: Any, counts: Any, balances: Any,
        english: Any) -> None:
    app = _recommended(active_case, liyang, proof)
    reviewer = liyang["reviewer"]
    before, money = counts(), balances(funded)
    with pytest.raises(KernelError) as reduce:
        actions.do_decide(app, approve=True, amount_fen=300_000, reason="", acting_user=reviewer)
    assert (reduce.value.field, reduce.value.code) == ("decision_reason", "required")
    with pytest.raises(KernelError) as reject:
        actions.do_decide(app, approve=False, reason=" ", acting_user=reviewer)
    assert (reject.value.field, reject.value.code) == ("decision_reason", "required")
    with pytest.raises(KernelError) as more:
        actions.do_decide(app, approve=True, amount_fen=500_001, reason="多批一分", acting_user=reviewer)
    assert more.value.field == "approved_fen" and "cannot exceed the recommendation" in str(more.value.message)
    assert counts() == before and balances(funded) == money
    app.refresh_from_db()
    assert (app.status, app.approved_fen, app.decided_by) == (AppStatus.RECOMMENDED, None, None)

    app = actions.do_decide(app, approve=True, amount_fen=300_000, reason="部分费用已由医保报销", acting_user=reviewer)
    assert (app.status, app.approved_fen, app.decision_reason) == (AppStatus.APPROVED, 300_000, "部分费用已由医保报销")
    assert balances(funded) == {"fund": money["fund"] - 300_000, "commitment": money["commitment"] + 300_000}

    other = _recommended(active_case, liyang, proof, amount=200_000)
    other = actions.do_decide(other, approve=False, reason="重复申请同一张票据", acting_user=reviewer)
    assert other.status == AppStatus.REJECTED and other.approved_fen is None
    assert balances(funded)["fund"] == money["fund"] - 300_000


def test_approval_commits_the_money_on_the_ledger(active_case: Youth, funded: Any, liyang: dict[str, Any],
                                                  proof: Any, balances: Any) -> None:
    app = _recommended(active_case, liyang, proof)
    money, entries = balances(funded), JournalEntry.objects.count()
    app = actions.do_decide(app, approve=True, reason="", acting_user=liyang["reviewer"])
    assert (app.status, app.approved_fen, app.decided_by) == (AppStatus.APPROVED, 500_000, liyang["reviewer"])
    assert balances(funded) == {"fund": money["fund"] - 500_000, "commitment": money["commitment"] + 500_000}
    assert JournalEntry.objects.count() == entries + 1
    entry = JournalEntry.objects.get(idempotency_key=f"youthaid:commit:{app.pk}")
    assert sorted(entry.postings.values_list("amount_fen", flat=True)) == [-500_000, 500_000]
    assert audits("youthaid.decide", active_case).get().after["status"] == "approved"
    with pytest.raises(KernelError) as again:  # a second click finds it decided
        actions.do_decide(app, approve=True, reason="", acting_user=liyang["reviewer"])
    assert again.value.code == "application_not_pending"
    assert balances(funded)["commitment"] == money["commitment"] + 500_000


def test_a_case_no_longer_eligible_gets_no_recommendation_or_approval(active_case: Youth, funded: Any,
                                                                      liyang: dict[str, Any], proof: Any,
                                                                      counts: Any, balances: Any,
                                                                      english: Any) -> None:
    cw, reviewer = liyang["caseworker"], liyang["reviewer"]
    recommended = _recommended(active_case, liyang, proof, amount=500_000)
    filed = actions.do_apply(active_case, aid_type="living", amount_fen=200_000, reason="生活困难", acting_user=cw)
    actions.do_life_event(active_case, kind="remarried", on=today(), acting_user=cw, note="母亲再婚")
    before, money = counts(), balances(funded)
    with pytest.raises(KernelError) as not_recommended:
        actions.do_recommend(filed, recommend=True, note="建议资助", acting_user=cw)
    with pytest.raises(KernelError) as not_approved:
        actions.do_decide(recommended, approve=True, reason="", acting_user=reviewer)
    for err in (not_recommended, not_approved):
        assert (err.value.code, err.value.field) == ("not_eligible", "youth")
        assert "eligible youth under monitoring" in str(err.value.message)
    assert counts() == before and balances(funded) == money
    # They can still be closed with a reason.
    assert actions.do_recommend(filed, recommend=False, note="已不符合条件", acting_user=cw).status == "not_recommended"
    assert actions.do_decide(recommended, approve=False, reason="母亲再婚，已不符合条件",
                             acting_user=reviewer).status == AppStatus.REJECTED
    assert balances(funded) == money


def test_a_case_worker_cannot_decide_and_an_outsider_finds_nothing(active_case: Youth, funded: Any,
                                                                    liyang: dict[str, Any], proof: Any, counts: Any,
                                                                    balances: Any, make_user: Any) -> None:
    app = _recommended(active_case, liyang, proof)
    outside_reviewer = make_user("reviewer_a", {"youthaid_reviewer": [liyang["city"]["a"]]})
    before, money = counts(), balances(funded)
    with pytest.raises(PermissionDenied):
        actions.do_decide(app, approve=True, reason="", acting_user=liyang["caseworker"])
    with pytest.raises(NotFound):
        actions.do_decide(app, approve=True, reason="", acting_user=outside_reviewer)
    assert counts() == before and balances(funded) == money
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED


def test_an_approval_the_fund_cannot_cover_is_refused_and_changes_nothing(active_case: Youth, liyang: dict[str, Any],
                                                                          proof: Any, counts: Any,
                                                                          balances: Any) -> None:
    actions.do_donate(100_000, donor="爱心人士", acting_user=liyang["reviewer"])  # 1,000 yuan only
    app = _recommended(active_case, liyang, proof)
    fund = actions.youth_fund()
    before, money = counts(), balances(fund)
    with pytest.raises(InsufficientFunds):
        actions.do_decide(app, approve=True, reason="", acting_user=liyang["reviewer"])
    assert counts() == before and balances(fund) == money == {"fund": 100_000, "commitment": 0}
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED


# --- re-aid ------------------------------------------------------------------------------------------------


def test_after_a_paid_application_the_next_is_re_aid_and_the_history_shows_both(
        active_case: Youth, funded: Any, liyang: dict[str, Any], grant: Any, proof: Any) -> None:
    reviewer = liyang["reviewer"]
    first = grant(active_case, "medical", 500_000)
    assert first.is_reaid is False
    batch = actions.do_create_batch(title="十一月医疗救助", acting_user=reviewer)
    actions.do_pay_batch(batch, acting_user=reviewer)
    first.refresh_from_db()
    assert first.status == AppStatus.PAID
    assert actions.reaided_count(Youth.objects.all()) == 0

    second = actions.do_apply(active_case, aid_type="medical", amount_fen=300_000, reason="病情复发再次住院",
                              acting_user=liyang["caseworker"], attachments=[proof()])
    assert second.is_reaid is True
    filed = audits("youthaid.apply", active_case).order_by("-pk").first()
    assert filed is not None and filed.after["reaid"] is True
    history = list(active_case.applications.order_by("created_at", "pk").values_list("pk", "status", "is_reaid"))
    assert history == [(first.pk, AppStatus.PAID, False), (second.pk, AppStatus.APPLIED, True)]
    # The yearly cap counts what was paid: 20,000 − 5,000 − 3,000 = 12,000 left.
    with pytest.raises(KernelError) as err:
        actions.do_apply(active_case, aid_type="medical", amount_fen=1_200_001, reason="第三次住院",
                         acting_user=liyang["caseworker"], attachments=[proof()])
    assert err.value.code == "yearly_cap"

    actions.do_recommend(second, recommend=True, note="病情属实", acting_user=liyang["caseworker"])
    actions.do_decide(second, approve=True, reason="", acting_user=reviewer)
    actions.do_pay_batch(actions.do_create_batch(title="十二月医疗救助", acting_user=reviewer), acting_user=reviewer)
    assert actions.reaided_count(Youth.objects.all()) == 1


# --- hope parents ----------------------------------------------------------------------------------------


def test_hope_parents_pair_only_when_vetted_one_at_a_time(active_case: Youth, liyang: dict[str, Any], counts: Any,
                                                          english: Any) -> None:
    cw = liyang["caseworker"]
    first = actions.do_register_volunteer(name="刘芳", phone="13912345678", place=liyang["town"], acting_user=cw,
                                          occupation="教师")
    second = actions.do_register_volunteer(name="张伟", phone="13987654321", place=liyang["town"], acting_user=cw)
    before = counts()
    with pytest.raises(KernelError) as not_vetted:
        actions.do_pair(first, active_case, acting_user=cw)
    assert not_vetted.value.field == "volunteer" and "vetted" in str(not_vetted.value.message)
    assert counts() == before

    actions.do_vet_volunteer(first, status="vetted", note="无犯罪记录证明已核", acting_user=cw)
    actions.do_vet_volunteer(second, status="vetted", note="无犯罪记录证明已核", acting_user=cw)
    pairing = actions.do_pair(first, active_case, acting_user=cw, on=today() - dt.timedelta(days=10))
    assert (pairing.volunteer, pairing.ended_on) == (first, None)
    before = counts()
    with pytest.raises(KernelError) as taken:
        actions.do_pair(second, active_case, acting_user=cw)
    assert (taken.value.code, taken.value.field) == ("already_paired", "youth")
    assert "already has a hope parent" in str(taken.value.message)
    with pytest.raises(KernelError) as duplicate_phone:
        actions.do_register_volunteer(name="刘芳", phone="13912345678", place=liyang["town"], acting_user=cw)
    assert duplicate_phone.value.field == "phone"
    with pytest.raises(PermissionDenied):
        actions.do_register_volunteer(name="李四", phone="13911112222", place=liyang["city"]["a"], acting_user=cw)
    assert counts() == before

    # Suspending the volunteer ends the pairing today; then the second may pair.
    actions.do_vet_volunteer(first, status="suspended", note="家长投诉，暂停核查", acting_user=cw)
    pairing.refresh_from_db()
    assert pairing.ended_on == today()
    with pytest.raises(KernelError):
        actions.do_pair(first, active_case, acting_user=cw)
    actions.do_pair(second, active_case, acting_user=cw)
    assert Pairing.objects.filter(youth=active_case, ended_on__isnull=True).get().volunteer == second


def test_contacts_are_logged_within_the_pairing_and_not_in_the_future(active_case: Youth, liyang: dict[str, Any],
                                                                      counts: Any, english: Any) -> None:
    cw = liyang["caseworker"]
    volunteer = actions.do_register_volunteer(name="刘芳", phone="13912345678", place=liyang["town"], acting_user=cw)
    actions.do_vet_volunteer(volunteer, status="vetted", note="核查通过", acting_user=cw)
    started = today() - dt.timedelta(days=10)
    pairing = actions.do_pair(volunteer, active_case, acting_user=cw, on=started)
    before = counts()
    with pytest.raises(KernelError) as future:
        actions.do_log_contact(pairing, on=today() + dt.timedelta(days=1), kind="call", note="约好明天通话",
                               acting_user=cw)
    assert (future.value.field, future.value.code) == ("on", "invalid_date")
    assert "future" in str(future.value.message)
    with pytest.raises(KernelError) as early:
        actions.do_log_contact(pairing, on=started - dt.timedelta(days=1), kind="visit", note="结对前见过",
                               acting_user=cw)
    assert (early.value.field, early.value.code) == ("on", "invalid_date")
    assert "before the pairing began" in str(early.value.message)
    with pytest.raises(KernelError) as kind:
        actions.do_log_contact(pairing, on=today(), kind="letter", note="写信", acting_user=cw)
    assert kind.value.field == "kind"
    with pytest.raises(NotFound):
        actions.do_log_contact(pairing, on=today(), kind="call", note="电话聊学习", acting_user=liyang["outsider"])
    assert counts() == before
    contact = actions.do_log_contact(pairing, on=started, kind="outing", note="一起去天目湖", acting_user=cw)
    assert (contact.on, contact.kind, contact.by) == (started, "outing", cw)

    # After the pairing ended, no contact can be dated later than its end.
    ended = actions.do_end_pairing(pairing, reason="志愿者工作调动", acting_user=cw)
    assert ended.ended_on == today()
    ended.ended_on = today() - dt.timedelta(days=2)
    ended.save(update_fields=["ended_on"])
    before = counts()
    with pytest.raises(KernelError) as after_end:
        actions.do_log_contact(pairing, on=today(), kind="call", note="结束后又通话", acting_user=cw)
    assert (after_end.value.field, after_end.value.code) == ("on", "invalid_date")
    assert "has ended" in str(after_end.value.message)
    assert counts() == before
    actions.do_log_contact(pairing, on=today() - dt.timedelta(days=2), kind="call", note="最后一次通话", acting_user=cw)


# --- dream rooms -------------------------------------------------------------------------------------------


def test_a_dream_room_commits_its_budget_pays_what_was_spent_and_releases_the_rest(
        active_case: Youth, funded: Any, liyang: dict[str, Any], counts: Any, balances: Any, english: Any) -> None:
    cw, reviewer = liyang["caseworker"], liyang["reviewer"]
    room = actions.do_propose_room(active_case, budget_fen=2_000_000, contractor="溧阳安居装饰",
                                   before_note="房间漏雨，没有书桌", acting_user=cw)
    start = balances(funded)
    with pytest.raises(PermissionDenied):  # the case worker proposes; the federation approves
        actions.do_advance_room(room, to="approved", acting_user=cw)
    assert balances(funded) == start
    actions.do_advance_room(room, to="approved", acting_user=reviewer)
    assert balances(funded) == {"fund": start["fund"] - 2_000_000, "commitment": start["commitment"] + 2_000_000}
    actions.do_advance_room(room, to="in_progress", acting_user=cw)

    before, money = counts(), balances(funded)
    with pytest.raises(KernelError) as over:
        actions.do_advance_room(room, to="done", acting_user=reviewer, after_note="书桌和床已装好",
                                spent_fen=2_000_001)
    assert (over.value.field, over.value.code) == ("spent_fen", "invalid_amount")
    assert "the budget (¥20,000.00)" in str(over.value.message)
    assert counts() == before and balances(funded) == money
    room.refresh_from_db()
    assert room.status == "in_progress" and room.spent_fen is None

    room = actions.do_advance_room(room, to="done", acting_user=reviewer, after_note="书桌和床已装好",
                                   spent_fen=1_800_000)
    assert (room.status, room.spent_fen) == ("done", 1_800_000)
    assert balances(funded) == {"fund": start["fund"] - 1_800_000, "commitment": start["commitment"]}
    assert Account.objects.get(code="ext:youthaid-contractors").balance_fen == 1_800_000
    with pytest.raises(KernelError) as closed:
        actions.do_advance_room(room, to="cancelled", acting_user=cw)
    assert (closed.value.code, closed.value.field) == ("room_step_refused", "status")


def test_a_cancelled_room_releases_its_budget(active_case: Youth, funded: Any, liyang: dict[str, Any],
                                              balances: Any) -> None:
    cw, reviewer = liyang["caseworker"], liyang["reviewer"]
    start = balances(funded)
    room = actions.do_propose_room(active_case, budget_fen=1_500_000, contractor="溧阳安居装饰",
                                   before_note="墙面发霉", acting_user=cw)
    actions.do_advance_room(room, to="approved", acting_user=reviewer)
    assert balances(funded)["fund"] == start["fund"] - 1_500_000
    room = actions.do_advance_room(room, to="cancelled", acting_user=cw)
    assert room.status == "cancelled" and balances(funded) == start
    with pytest.raises(KernelError):
        actions.do_advance_room(room, to="approved", acting_user=reviewer)
    assert balances(funded) == start


def test_a_room_budget_beyond_the_fund_is_refused(active_case: Youth, funded: Any, liyang: dict[str, Any],
                                                  balances: Any, counts: Any, settings: Any) -> None:
    settings.YOUTHAID_ROOM_MAX_FEN = funded_yuan_plus_one()  # the room's own ceiling is not what is tested
    room = actions.do_propose_room(active_case, budget_fen=funded_yuan_plus_one(), contractor="溧阳安居装饰",
                                   before_note="整体翻修", acting_user=liyang["caseworker"])
    before, money = counts(), balances(funded)
    with pytest.raises(InsufficientFunds):
        actions.do_advance_room(room, to="approved", acting_user=liyang["reviewer"])
    assert counts() == before and balances(funded) == money
    room.refresh_from_db()
    assert room.status == "proposed"


def funded_yuan_plus_one() -> int:
    from .conftest import FUND_YUAN

    return FUND_YUAN * 100 + 1


def test_visits_are_kept_in_order(active_case: Youth, liyang: dict[str, Any]) -> None:
    """A late entry of an older visit does not move the plan back."""
    cw = liyang["caseworker"]
    actions.do_record_visit(active_case, visited_on=today(), situation="情绪稳定", risk="high", acting_user=cw)
    actions.do_record_visit(active_case, visited_on=today() - dt.timedelta(days=20), situation="补录上次家访",
                            risk="low", acting_user=cw)
    active_case.refresh_from_db()
    assert (active_case.risk, active_case.next_visit_due) == ("high", today() + dt.timedelta(days=30))
    assert Visit.objects.filter(youth=active_case).count() == 2
