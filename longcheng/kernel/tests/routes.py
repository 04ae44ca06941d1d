"""The kernel's pages and API routes in the role × route matrix (see kernel/route_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from longcheng.kernel.access.models import ApiToken, RoleAssignment, User
from longcheng.kernel.ledger.models import Fund
from longcheng.kernel.rights.models import SubjectRequest
from longcheng.kernel.route_matrix import PUBLIC, Api, Page, Routes, World


def _world(world: World) -> dict[str, Any]:
    now = timezone.now()
    request = SubjectRequest.objects.create(
        person=world["person"], kind="delete", requester_name="王秀英", identity_check="id_card",
        identity_note="身份证 尾号 0038", received_at=now, due_at=now + dt.timedelta(days=21),
        registered_by=world["users"]["privacy_officer"])
    # A gateway account of 上书房社区 (home safety's gateway role is the one ingest role there is).
    gateway = User.objects.create_user(username="gw-matrix", password="-")
    RoleAssignment.objects.create(user=gateway, role="homesafety_gateway").places.set([world["city"]["a"]])
    token, _raw = ApiToken.issue(gateway, "matrix")
    return {"fund": Fund.objects.create(code="test-fund", name="测试基金", place=world["city"]["root"]),
            "request": request, "gateway": gateway, "gateway_token": token}


def _request(world: World) -> list[Any]:
    return [world["kernel"]["request"].pk]


def _request_pk(world: World) -> dict[str, Any]:
    return {"pk": world["kernel"]["request"].pk}


def _person(world: World) -> list[Any]:
    return [world["person"].pk]


def _fund(world: World) -> list[Any]:
    return [world["kernel"]["fund"].code]


def _worker(world: World) -> list[Any]:
    return [world["users"]["community_worker"].pk]


def _worker_pk(world: World) -> dict[str, Any]:
    return {"pk": world["users"]["community_worker"].pk}


def _assignment_pk(world: World) -> dict[str, Any]:
    return {"pk": world["users"]["community_worker"].role_assignments.get().pk}


MANAGE = "access.manage"
GATEWAYS = "telemetry.gateways"


def _gateway(world: World) -> list[Any]:
    return [world["kernel"]["gateway"].username]

PRIVACY = "people.privacy"
NEW_REQUEST = {"kind": "access", "requester_name": "王秀英", "identity_check": "id_card",
               "identity_note": "身份证 尾号 0038"}


def _pk(world: World) -> dict[str, Any]:
    return {"pk": world["person"].pk}


PAGES = [
    Page("web:home", None),
    Page("web:login", PUBLIC),
    Page("web:logout", PUBLIC, get=False),
    Page("set_language", PUBLIC, get=False),
    Page("web:places", "places.view"),
    Page("web:places_import", "places.manage", post=lambda w: {}),
    Page("web:residents", "people.view"),
    Page("web:resident_new", "people.manage",
         post=lambda w: {"resident_id": "320412195001010038", "name": "李四", "gender": "M",
                         "place": w["city"]["a"].pk}),
    Page("web:resident", "people.view", _person, within="a", post_permission="people.reveal",
         post=lambda w: {"fields": ["resident_id"], "reason": "核实身份"}),
    Page("web:resident_death", "people.manage", _person, within="a", post=lambda w: {"died_on": "2026-01-01"}),
    Page("web:resident_family", "people.manage", _person, within="a",
         post=lambda w: {"relative": w["person"].resident_id, "kind": "other"}),
    Page("web:orgs", "orgs.view"),
    Page("web:audit", "audit.view"),
    Page("web:audit_object", "audit.view", lambda w: ["people.resident", w["person"].pk]),
    Page("web:audit_xlsx", "audit.view"),
    Page("web:workdays", None, post_permission="workdays.manage",
         post=lambda w: {"year": "2031", "source": "测试", "csv": "2031-01-01,holiday,元旦"}),
    Page("web:funds", "ledger.view"),
    Page("web:fund", "ledger.view", _fund),
    Page("web:fund_xlsx", "ledger.view", _fund),
    Page("web:messages", "notify.view"),
    Page("web:inbox", None),
    Page("web:tokens", None),
    Page("telemetry:gateways", GATEWAYS),
    Page("telemetry:gateway", GATEWAYS, _gateway, within="a"),
    Page("telemetry:issue_token", GATEWAYS, _gateway, within="a", get=False, post=lambda w: {"name": "gw", "days": 5}),
    Page("telemetry:revoke_token", GATEWAYS, lambda w: [*_gateway(w), w["kernel"]["gateway_token"].pk], within="a",
         get=False),
    # Anyone signed in manages their own tokens: no permission to deny, so no denied post to check.
    Page("web:issue_token", None, get=False),
    Page("web:revoke_token", None, lambda w: [0], get=False),
    Page("access:staff", MANAGE),
    Page("access:staff_new", MANAGE),
    Page("access:staff_import", MANAGE),
    Page("access:staff_detail", MANAGE, _worker),
    Page("access:staff_deactivate", MANAGE, _worker, get=False),
    Page("access:staff_reactivate", MANAGE, _worker, get=False),
    Page("access:staff_reset_password", MANAGE, _worker, get=False),
    Page("access:staff_remove_totp", MANAGE, _worker, get=False),
    Page("access:assignment_end", MANAGE, lambda w: [_assignment_pk(w)["pk"]], get=False),
    Page("access:password_change", None),
    Page("access:password_set", PUBLIC, lambda w: ["MQ", "x-y"]),
    # Not found while OIDC_ENABLED is off (the default); kernel/access/tests/test_oidc.py walks them on.
    Page("access:oidc_start", PUBLIC),
    Page("access:oidc_callback", PUBLIC),
    Page("access:twofactor_setup", None),
    Page("access:twofactor_verify", None),
    Page("rights:requests", PRIVACY),
    Page("rights:request_new", PRIVACY, _person, within="a", post=lambda w: NEW_REQUEST),
    Page("rights:request", PRIVACY, _request, within="a"),
    Page("rights:request_report", PRIVACY, _request, within="a", get=False, post=lambda w: {"format": "xlsx"}),
    Page("rights:request_close", PRIVACY, _request, within="a", get=False, post=lambda w: {"outcome": "已答复"}),
    Page("rights:request_deletion", PRIVACY, _request, within="a", get=False, post=lambda w: {}),
    Page("rights:retention", PRIVACY),
]

API = [
    Api("POST", "/api/v1/auth/tokens", PUBLIC),
    Api("GET", "/api/v1/auth/tokens", None),
    Api("GET", "/api/v1/access/staff", MANAGE),
    Api("POST", "/api/v1/access/staff", MANAGE, body=lambda w: {"username": "matrix_new", "display_name": "新人"}),
    Api("GET", "/api/v1/access/staff/{pk}", MANAGE, _worker_pk),
    Api("PATCH", "/api/v1/access/staff/{pk}", MANAGE, _worker_pk),
    Api("POST", "/api/v1/access/staff/{pk}/deactivate", MANAGE, _worker_pk, body=lambda w: {"reason": "离职"}),
    Api("POST", "/api/v1/access/staff/{pk}/reactivate", MANAGE, _worker_pk, body=lambda w: {}),
    Api("POST", "/api/v1/access/staff/{pk}/reset-password", MANAGE, _worker_pk, body=lambda w: {}),
    Api("POST", "/api/v1/access/staff/{pk}/assignments", MANAGE, _worker_pk,
        body=lambda w: {"role": "community_worker", "places": [w["city"]["a"].code], "reason": "测试"}),
    Api("POST", "/api/v1/access/assignments/{pk}/end", MANAGE, _assignment_pk, body=lambda w: {"reason": "测试"}),
    Api("POST", "/api/v1/access/staff/import", MANAGE, multipart=True, body=lambda w: {}),
    Api("GET", "/api/v1/access/places", MANAGE),
    Api("POST", "/api/v1/access/password", None),
    Api("DELETE", "/api/v1/auth/tokens/{token_id}", None, lambda w: {"token_id": 0}),
    Api("GET", "/api/v1/me", None),
    Api("GET", "/api/v1/places", "places.view"),
    Api("POST", "/api/v1/places/import", "places.manage", multipart=True, body=lambda w: {}),
    Api("GET", "/api/v1/places/{code}", "places.view", lambda w: {"code": w["city"]["a"].code}, within="a"),
    Api("GET", "/api/v1/people/residents", "people.view"),
    Api("POST", "/api/v1/people/residents", "people.manage", within="a",
        body=lambda w: {"resident_id": "320412195001010038", "name": "李四", "place": w["city"]["a"].code}),
    Api("GET", "/api/v1/people/residents/{pk}", "people.view", _pk, within="a"),
    Api("POST", "/api/v1/people/residents/{pk}/reveal", "people.reveal", _pk, within="a",
        body=lambda w: {"fields": ["resident_id"], "reason": "核实身份"}),
    Api("POST", "/api/v1/people/residents/{pk}/death", "people.manage", _pk, within="a",
        body=lambda w: {"died_on": "2026-01-01"}),
    Api("POST", "/api/v1/people/residents/{pk}/relatives", "people.manage", _pk, within="a",
        body=lambda w: {"relative_id": w["person"].pk, "kind": "other"}),
    Api("POST", "/api/v1/people/residents/{pk}/consents", "people.manage", _pk, within="a",
        body=lambda w: {"given_by_id": w["person"].pk, "purpose": "test", "scope": "测试"}),
    Api("GET", "/api/v1/orgs", "orgs.view"),
    Api("POST", "/api/v1/orgs", "orgs.manage", body=lambda w: {"kind": "social", "name": "某协会"}),
    Api("GET", "/api/v1/audit", "audit.view"),
    Api("GET", "/api/v1/workdays/due", None, query="?start=2026-11-23T16:00:00&duration=1.5"),
    Api("GET", "/api/v1/workdays/between", None, query="?start=2026-11-23T16:00:00&end=2026-11-25T12:00:00"),
    Api("GET", "/api/v1/ledger/funds", "ledger.view"),
    Api("GET", "/api/v1/ledger/funds/{code}/statement", "ledger.view", lambda w: {"code": w["kernel"]["fund"].code},
        query="?start=2026-01-01&end=2026-12-31"),
    Api("POST", "/api/v1/ledger/entries", "ledger.post", body=lambda w: {"memo": "测试", "lines": [
        {"account": "test-fund", "amount_fen": -100}, {"account": "test-fund:commitment", "amount_fen": 100}]}),
    Api("GET", "/api/v1/rights/requests", PRIVACY),
    Api("POST", "/api/v1/rights/requests", PRIVACY, within="a", body=lambda w: {"person": w["person"].pk, **NEW_REQUEST}),
    Api("GET", "/api/v1/rights/requests/{pk}", PRIVACY, _request_pk, within="a"),
    Api("POST", "/api/v1/rights/requests/{pk}/report", PRIVACY, _request_pk, within="a"),
    Api("POST", "/api/v1/rights/requests/{pk}/close", PRIVACY, _request_pk, within="a",
        body=lambda w: {"outcome": "已答复"}),
    Api("POST", "/api/v1/rights/requests/{pk}/deletion", PRIVACY, _request_pk, within="a"),
    Api("GET", "/api/v1/rights/residents/{pk}/who-can-see", PRIVACY, _pk, within="a"),
    Api("GET", "/api/v1/rights/retention", PRIVACY),
    Api("GET", "/api/v1/notify/inbox", None),
    Api("POST", "/api/v1/notify/inbox/{pk}/read", None, _pk),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
