"""Running the platform: staff, scoped role assignments, leavers, passwords, two-factor sign-in."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from openpyxl import Workbook

from longcheng.kernel.access import actions, twofactor
from longcheng.kernel.access.models import ApiToken, RoleAssignment, User
from longcheng.kernel.access.scope import has_perm, place_in_scope
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import Conflict, KernelError, NotFound, PermissionDenied
from longcheng.kernel.notify.models import Message


def fresh(user: User) -> User:
    """The user as a new request sees it (the scope cache lives on the instance)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def district_admin(city: dict[str, Any], make_user: Any) -> User:
    user: User = make_user("wujin_admin", {"district_admin": [city["wujin"]]}, place=city["wujin"])
    return user


def test_city_admin_creates_a_worker_who_sees_only_the_community(city: dict[str, Any], admin: User) -> None:
    worker = actions.do_create_staff(username="xiaowang", display_name="小王", phone="13800138000",
                                     place=city["a"], password="Longcheng-2026!", acting_user=admin)
    assert worker.must_change_password and worker.check_password("Longcheng-2026!")
    actions.do_assign_role(worker, role="community_worker", places=[city["a"]], reason="新入职", acting_user=admin)
    worker = fresh(worker)
    assert place_in_scope(worker, "people.view", city["a"].path)
    assert not place_in_scope(worker, "people.view", city["b"].path)
    actions_logged = list(AuditEntry.objects.filter(actor=admin).values_list("action", flat=True))
    assert sorted(actions_logged) == ["access.role.assign", "access.staff.create"]


def test_username_taken_is_refused_naming_the_field(city: dict[str, Any], admin: User, worker_a: User) -> None:
    with pytest.raises(Conflict) as exc:
        actions.do_create_staff(username="WORKER_A", place=city["a"], acting_user=admin)
    assert exc.value.field == "username"
    assert User.objects.filter(username__iexact="worker_a").count() == 1


def test_district_admin_cannot_grant_outside_the_district(city: dict[str, Any], district_admin: User) -> None:
    worker = actions.do_create_staff(username="wj1", place=city["a"], acting_user=district_admin)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        actions.do_assign_role(worker, role="community_worker", places=[city["liyang_town"]], reason="x",
                               acting_user=district_admin)
    assert exc.value.field == "places"
    assert not RoleAssignment.objects.filter(user=worker).exists()
    assert AuditEntry.objects.count() == audit_before


def test_district_admin_cannot_grant_a_permission_it_does_not_hold(city: dict[str, Any],
                                                                   district_admin: User) -> None:
    worker = actions.do_create_staff(username="wj2", place=city["a"], acting_user=district_admin)
    for role in ("privacy_officer", "city_admin", "calendar_admin"):
        with pytest.raises(PermissionDenied) as exc:
            actions.do_assign_role(worker, role=role, places=[city["a"]], reason="x", acting_user=district_admin)
        assert exc.value.field == "role"
    assert not RoleAssignment.objects.filter(user=worker).exists()
    assert not has_perm(fresh(worker), "people.reveal")


def test_district_admin_sees_and_creates_only_accounts_of_the_district(city: dict[str, Any], admin: User,
                                                                      district_admin: User) -> None:
    liyang_worker = actions.do_create_staff(username="ly1", place=city["liyang_town"], acting_user=admin)
    unplaced = actions.do_create_staff(username="nowhere", acting_user=admin)
    visible = set(actions.staff_queryset(district_admin).values_list("username", flat=True))
    assert "ly1" not in visible and "nowhere" not in visible and "wujin_admin" in visible
    with pytest.raises(NotFound):
        actions.do_deactivate_staff(liyang_worker, acting_user=district_admin)
    with pytest.raises(PermissionDenied):
        actions.do_create_staff(username="ly2", place=city["liyang_town"], acting_user=district_admin)
    with pytest.raises(KernelError) as exc:
        actions.do_create_staff(username="ly3", acting_user=district_admin)
    assert exc.value.field == "place"
    assert fresh(liyang_worker).is_active and fresh(unplaced).is_active
    assert not User.objects.filter(username__in=["ly2", "ly3"]).exists()


def test_an_expired_or_ended_assignment_grants_nothing(city: dict[str, Any], admin: User, worker_a: User) -> None:
    tomorrow = timezone.now() + dt.timedelta(days=1)
    temp = actions.do_assign_role(worker_a, role="privacy_officer", places=[city["a"]], ends_at=tomorrow,
                                  reason="代班", acting_user=admin)
    assert has_perm(fresh(worker_a), "people.reveal")
    RoleAssignment.objects.filter(pk=temp.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    assert not has_perm(fresh(worker_a), "people.reveal")
    assert has_perm(fresh(worker_a), "people.manage")
    main = RoleAssignment.objects.get(user=worker_a, role="community_worker")
    actions.do_end_assignment(main, reason="调岗", acting_user=admin)
    assert not has_perm(fresh(worker_a), "people.view")
    assert AuditEntry.objects.filter(action="access.role.end", reason="调岗").count() == 1
    with pytest.raises(KernelError) as exc:
        actions.do_assign_role(worker_a, role="community_worker", places=[city["a"]],
                               ends_at=timezone.now() - dt.timedelta(days=1), acting_user=admin)
    assert exc.value.field == "ends_at"


def test_a_deactivated_accounts_session_and_tokens_stop_at_once(city: dict[str, Any], admin: User,
                                                                worker_a: User) -> None:
    page = Client()
    page.force_login(worker_a)
    _token, raw = ApiToken.issue(worker_a, "phone")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert page.get("/residents/").status_code == 200
    assert api.get("/api/v1/me").status_code == 200
    actions.do_deactivate_staff(worker_a, reason="离职", acting_user=admin)
    response = page.get("/residents/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert api.get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get(user=worker_a).revoked_at is not None
    assert not Client().login(request=HttpRequest(), username="worker_a", password="pw-worker_a")


def test_a_person_changes_their_own_password_with_the_validators(city: dict[str, Any], worker_a: User) -> None:
    client = Client()
    client.force_login(worker_a)
    short = client.post("/access/password/", {"old_password": "pw-worker_a", "new_password1": "x1",
                                              "new_password2": "x1"})
    assert short.status_code == 400
    assert fresh(worker_a).check_password("pw-worker_a")
    done = client.post("/access/password/", {"old_password": "pw-worker_a", "new_password1": "Longcheng-2026!",
                                             "new_password2": "Longcheng-2026!"})
    assert done.status_code == 302
    assert fresh(worker_a).check_password("Longcheng-2026!")
    assert client.get("/residents/").status_code == 200  # still signed in here
    assert AuditEntry.objects.filter(action="access.password_change", actor=worker_a).count() == 1


def test_an_initial_password_must_be_changed_before_anything_else(city: dict[str, Any], admin: User) -> None:
    worker = actions.do_create_staff(username="newbie", place=city["a"], password="Longcheng-2026!",
                                     acting_user=admin)
    actions.do_assign_role(worker, role="community_worker", places=[city["a"]], reason="新入职", acting_user=admin)
    client = Client()
    assert client.login(request=HttpRequest(), username="newbie", password="Longcheng-2026!")
    response = client.get("/residents/")
    assert response.status_code == 302 and response["Location"] == "/access/password/"
    assert client.get("/api/v1/me").json()["code"] == "password_change_required"
    token = Client().post("/api/v1/auth/tokens", json.dumps({"username": "newbie", "password": "Longcheng-2026!"}),
                          content_type="application/json")
    assert token.status_code == 401 and token.json()["code"] == "password_change_required"
    client.post("/access/password/", {"old_password": "Longcheng-2026!", "new_password1": "Another-2026-pw",
                                      "new_password2": "Another-2026-pw"})
    assert client.get("/residents/").status_code == 200


def test_an_administrators_reset_sends_a_one_time_link(city: dict[str, Any], admin: User) -> None:
    worker = actions.do_create_staff(username="forgetful", phone="13800138000", place=city["a"],
                                     password="Longcheng-2026!", acting_user=admin)
    message = actions.do_reset_password(worker, base_url="https://lc.example", reason="忘记密码", acting_user=admin)
    assert not Client().login(request=HttpRequest(), username="forgetful", password="Longcheng-2026!")  # the old one stops at once
    message = Message.objects.get(pk=message.pk)
    assert message.channel == "sms" and message.address == "13800138000"
    link = message.body[message.body.index("https://lc.example") + len("https://lc.example"):].split()[0]
    assert Client().get(link).status_code == 200
    assert Client().post(link, {"new_password1": "Fresh-2026-pw", "new_password2": "Fresh-2026-pw"}).status_code == 302
    assert fresh(worker).check_password("Fresh-2026-pw") and not fresh(worker).must_change_password
    assert Client().get(link).status_code == 400  # used once: no longer valid


def test_reset_without_a_phone_is_refused_and_changes_nothing(city: dict[str, Any], admin: User,
                                                              worker_a: User) -> None:
    with pytest.raises(KernelError) as exc:
        actions.do_reset_password(worker_a, acting_user=admin)
    assert exc.value.field == "phone"
    assert fresh(worker_a).check_password("pw-worker_a") and not fresh(worker_a).must_change_password


def _totp(device: Any) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sensitive_roles_must_enrol_and_confirm_a_second_factor(city: dict[str, Any], make_user: Any) -> None:
    officer = make_user("pio", {"privacy_officer": [city["a"]]}, two_factor_exempt=False)
    worker = make_user("plain", {"community_worker": [city["a"]]}, two_factor_exempt=False)
    assert twofactor.requires_two_factor(officer) and not twofactor.requires_two_factor(worker)
    assert twofactor.is_sensitive("youthaid.pay") and not twofactor.is_sensitive("people.view")
    client = Client()
    client.force_login(officer)
    response = client.get("/residents/")
    assert response.status_code == 302 and response["Location"] == "/access/two-factor/setup/"
    setup = client.get("/access/two-factor/setup/")
    assert b"<svg" in setup.content
    device = twofactor.pending_device(officer)
    assert twofactor.manual_key(device).encode() in setup.content
    assert client.post("/access/two-factor/setup/", {"token": "000000"}).status_code == 400
    assert client.post("/access/two-factor/setup/", {"token": _totp(device)}).status_code == 302
    assert client.get("/residents/").status_code == 200
    # The next sign-in asks for a code before any page.
    again = Client()
    again.force_login(officer)
    assert again.get("/residents/")["Location"] == "/access/two-factor/verify/"
    token = Client().post("/api/v1/auth/tokens", json.dumps({"username": "pio", "password": "pw-pio"}),
                          content_type="application/json")
    assert token.status_code == 401 and token.json()["field"] == "otp"
    plain = Client()
    plain.force_login(worker)
    assert plain.get("/residents/").status_code == 200


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(actions.IMPORT_COLUMNS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_is_all_or_nothing_with_a_report_per_row(city: dict[str, Any], district_admin: User) -> None:
    a, liyang = city["a"].code, city["liyang_town"].code
    bad = _workbook([["imp1", "甲", "13800138001", a, "community_worker", a, "", "导入"],
                     ["imp2", "乙", "", a, "community_worker", liyang, "", "导入"],
                     ["imp3", "丙", "", a, "no_such_role", a, "", ""]])
    audit_before = AuditEntry.objects.count()
    report = actions.do_import_staff(actions.read_import_rows(bad), acting_user=district_admin)
    assert not report["applied"] and report["failed"] == 2
    assert [(r["row"], r["ok"], r.get("field")) for r in report["rows"]] == [
        (2, True, None), (3, False, "places"), (4, False, "role")]
    assert not User.objects.filter(username__startswith="imp").exists()
    assert AuditEntry.objects.count() == audit_before

    assert not Message.objects.exists()
    good = _workbook([["imp1", "甲", "13800138001", a, "community_worker", a, "2030-01-31", "导入"],
                      ["imp2", "乙", "", a, "", "", "", ""]])
    report = actions.do_import_staff(actions.read_import_rows(good), acting_user=district_admin)
    assert report["applied"]
    assignment = RoleAssignment.objects.get(user__username="imp1")
    assert assignment.ends_at is not None and timezone.localtime(assignment.ends_at).date() == dt.date(2030, 2, 1)
    assert User.objects.filter(username="imp2", place=city["a"]).exists()
    # The account with a phone got its one-time link; the one without waits for an administrator.
    assert list(Message.objects.values_list("recipient_user__username", "address")) == [("imp1", "13800138001")]
    assert [r["outcome"] for r in report["rows"]] == ["created+link+role", "created"]


def test_api_speaks_the_same_rules_with_code_message_field(city: dict[str, Any], admin: User,
                                                          district_admin: User) -> None:
    client = Client()
    client.force_login(district_admin)
    created = client.post("/api/v1/access/staff", json.dumps({"username": "api1", "place": city["a"].code}),
                          content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    refused = client.post(f"/api/v1/access/staff/{pk}/assignments",
                          json.dumps({"role": "community_worker", "places": [city["liyang_town"].code],
                                      "reason": "x"}), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied" and refused.json()["field"] == "places"
    assert not RoleAssignment.objects.filter(user_id=pk).exists()
    granted = client.post(f"/api/v1/access/staff/{pk}/assignments",
                          json.dumps({"role": "community_worker", "places": [city["a"].code], "reason": "x"}),
                          content_type="application/json")
    assert granted.status_code == 201 and granted.json()["places"] == [city["a"].code]
    dup = client.post("/api/v1/access/staff", json.dumps({"username": "api1", "place": city["a"].code}),
                      content_type="application/json")
    assert dup.status_code == 409 and dup.json()["field"] == "username"
    listed = client.get("/api/v1/access/staff?role=community_worker").json()
    assert [u["username"] for u in listed["items"]] == ["api1"]
    choices = client.get("/api/v1/access/places?q=上书房").json()
    assert choices == [{"code": city["a"].code, "label": "常州市 / 武进区 / 遥观镇 / 上书房社区"}]
    ended = client.post(f"/api/v1/access/assignments/{granted.json()['id']}/end", json.dumps({"reason": "调岗"}),
                        content_type="application/json")
    assert ended.status_code == 200 and ended.json()["active"] is False


def test_directory_filters_by_search_role_place_and_status(city: dict[str, Any], admin: User, worker_a: User,
                                                          worker_b: User, district_admin: User) -> None:
    liyang = actions.do_create_staff(username="ly_worker", place=city["liyang_town"], acting_user=admin)
    actions.do_assign_role(liyang, role="community_worker", places=[city["liyang_town"]], acting_user=admin)
    User.objects.filter(pk=worker_a.pk).update(place=city["a"])
    User.objects.filter(pk=worker_b.pk).update(place=city["b"])
    actions.do_deactivate_staff(worker_b, acting_user=admin)
    client = Client()
    client.force_login(admin)

    def names(query: str, who: Client = client) -> set[str]:
        response = who.get("/access/staff/" + query)
        assert response.status_code == 200
        return {u.username for u in response.context["page"]}

    assert names("?q=worker") == {"worker_a", "worker_b", "ly_worker"}
    assert names("?role=community_worker&status=active") == {"worker_a", "ly_worker"}
    assert names(f"?place={city['wujin'].code}") == {"worker_a", "worker_b", "wujin_admin"}
    assert names("?status=inactive") == {"worker_b"}
    district = Client()
    district.force_login(district_admin)
    assert names("?q=worker", district) == {"worker_a", "worker_b"}
    assert district.get(f"/access/staff/{liyang.pk}/").status_code == 404


def test_pages_deactivate_and_refuse_an_import_naming_each_row(city: dict[str, Any], admin: User,
                                                             worker_a: User) -> None:
    client = Client()
    client.force_login(admin)
    response = client.post(f"/access/staff/{worker_a.pk}/deactivate/", {"reason": "离职"})
    assert response.status_code == 302 and not fresh(worker_a).is_active
    entry = AuditEntry.objects.get(action="access.staff.deactivate")
    assert entry.actor == admin and entry.reason == "离职"
    sheet = _workbook([["p1", "甲", "", city["a"].code, "community_worker", "no-such-place", "", ""]])
    response = client.post("/access/staff/import/", {"file": SimpleUploadedFile("staff.xlsx", sheet)})
    assert response.status_code == 400
    assert response.context["report"]["rows"][0]["field"] == "role_places"
    assert not User.objects.filter(username="p1").exists()
