"""Registering people, scope, reveals and consent, told as stories."""

from __future__ import annotations

import datetime as dt

import pytest

from longcheng.kernel import registry
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.people import actions
from longcheng.kernel.people.models import Consent, Relationship, Resident


def register(user, city, rid, place_key="a", **kw):
    return actions.do_register_resident(
        resident_id=kw.pop("resident_id", rid(seq=2)), name=kw.pop("name", "王秀英"), place=city[place_key],
        acting_user=user, **kw,
    )


def test_a_worker_registers_a_resident_in_their_community_with_an_audit_row(city, worker_a, rid):
    person = register(worker_a, city, rid, phone="13800138000")
    assert person.gender == "F" and person.birth_date == dt.date(1950, 1, 1)
    entry = AuditEntry.objects.get(action="people.register", object_id=str(person.pk))
    assert entry.actor == worker_a
    assert entry.after is not None and entry.after["name"] == "王秀英"


def test_the_same_id_twice_is_refused_and_nothing_is_written(city, worker_a, rid):
    register(worker_a, city, rid)
    before = (Resident.objects.count(), AuditEntry.objects.count())
    with pytest.raises(KernelError) as info:
        register(worker_a, city, rid, name="另一个人")
    assert info.value.code == "duplicate_resident" and info.value.field == "resident_id"
    assert (Resident.objects.count(), AuditEntry.objects.count()) == before


def test_a_worker_cannot_register_into_another_community(city, worker_a, rid):
    with pytest.raises(PermissionDenied):
        register(worker_a, city, rid, place_key="b")
    assert not Resident.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_bad_id_names_the_field_and_writes_nothing(city, worker_a):
    with pytest.raises(KernelError) as info:
        actions.do_register_resident(resident_id="320412195001010010", name="李", place=city["a"],
                                     acting_user=worker_a)
    assert info.value.field == "resident_id"
    assert not Resident.objects.exists()


def test_an_outsider_cannot_register(city, outsider, rid):
    with pytest.raises(PermissionDenied):
        register(outsider, city, rid)
    assert not Resident.objects.exists()


def test_reveal_is_for_named_roles_only_and_is_audited(city, worker_a, make_user, rid):
    person = register(worker_a, city, rid, phone="13800138000")
    with pytest.raises(PermissionDenied):
        actions.do_reveal(person, fields=["resident_id"], reason="核实身份", acting_user=worker_a)
    assert not AuditEntry.objects.filter(is_read=True).exists()

    officer = make_user("officer", {"privacy_officer": [city["yaoguan"]]})
    with pytest.raises(KernelError) as info:
        actions.do_reveal(person, fields=["resident_id"], reason="", acting_user=officer)
    assert info.value.field == "reason"
    shown = actions.do_reveal(person, fields=["resident_id", "phone"], reason="核实救助对象身份", acting_user=officer)
    assert shown == {"resident_id": person.resident_id, "phone": "13800138000"}
    entry = AuditEntry.objects.get(is_read=True)
    assert entry.actor == officer and entry.reason == "核实救助对象身份"
    assert entry.after == {"fields": ["phone", "resident_id"]}


def test_a_privacy_officer_of_another_district_cannot_reveal(city, worker_a, make_user, rid):
    person = register(worker_a, city, rid)
    far = make_user("far", {"privacy_officer": [city["liyang"]]})
    with pytest.raises(PermissionDenied):
        actions.do_reveal(person, fields=["resident_id"], reason="核实身份", acting_user=far)
    assert not AuditEntry.objects.filter(is_read=True).exists()


def test_death_is_recorded_once_and_modules_hear_of_it(city, worker_a, rid, monkeypatch):
    heard = []
    monkeypatch.setattr(registry, "emit", lambda event, **kw: heard.append((event, kw["person"].pk)))
    person = register(worker_a, city, rid)
    actions.do_record_death(person, died_on=dt.date(2026, 3, 1), acting_user=worker_a)
    assert heard == [("person.died", person.pk)]
    with pytest.raises(KernelError):
        actions.do_record_death(person, died_on=dt.date(2026, 3, 2), acting_user=worker_a)
    person.refresh_from_db()
    assert person.died_on == dt.date(2026, 3, 1)


def test_a_death_before_birth_is_refused(city, worker_a, rid):
    person = register(worker_a, city, rid)
    with pytest.raises(KernelError) as info:
        actions.do_record_death(person, died_on=dt.date(1949, 1, 1), acting_user=worker_a)
    assert info.value.field == "died_on"
    person.refresh_from_db()
    assert person.died_on is None


def test_consent_for_a_child_under_14_needs_a_guardian(city, worker_a, rid):
    child = register(worker_a, city, rid, resident_id=rid(birth="20150601", seq=2), name="小明")
    mother = register(worker_a, city, rid, resident_id=rid(birth="19850101", seq=4), name="陈丽")
    neighbour = register(worker_a, city, rid, resident_id=rid(birth="19800101", seq=6), name="赵刚")
    with pytest.raises(KernelError) as info:
        actions.do_record_consent(child, given_by=neighbour, purpose="homesafety", scope="位置与告警",
                                  acting_user=worker_a)
    assert info.value.code == "consent_required"
    with pytest.raises(KernelError):
        actions.do_record_consent(child, given_by=mother, purpose="homesafety", scope="位置与告警",
                                  acting_user=worker_a)
    assert not Consent.objects.exists()

    actions.do_link_relative(child, mother, kind="mother", is_guardian=True, acting_user=worker_a)
    assert Relationship.objects.filter(person=mother, relative=child, kind="child").exists()
    consent = actions.do_record_consent(child, given_by=mother, purpose="homesafety", scope="位置与告警",
                                        sensitive=True, acting_user=worker_a)
    assert actions.has_consent(child, "homesafety", sensitive=True)
    actions.do_withdraw_consent(consent, acting_user=worker_a, reason="家长撤回")
    assert not actions.has_consent(child, "homesafety")
    with pytest.raises(KernelError):
        actions.do_withdraw_consent(consent, acting_user=worker_a)
