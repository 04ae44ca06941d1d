"""One role × route matrix over every page and every API route.

Each route is declared here with the permission it needs. The first tests fail when a route exists
that this table does not know, so a new page cannot ship without saying who may open it. Then every
role of the registry (each held city-wide, so that only permissions decide), an outsider and an
anonymous visitor open every route: allowed → 200, denied → 403/404 (pages) or 401/403/404 (API),
anonymous → the login page or 401. Denied writes must change nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from longcheng.kernel import registry
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Resident

# url name → permission (None: any signed-in user; "public": no sign-in needed)
PAGES: dict[str, str | None] = {
    "web:home": None,
    "web:login": "public",
    "web:logout": "post-only",
    "web:places": "places.view",
    "web:residents": "people.view",
    "web:resident_new": "people.manage",
    "web:resident": "people.view",
    "web:resident_death": "people.manage",
    "web:orgs": "orgs.view",
    "web:audit": "audit.view",
    "web:audit_object": "audit.view",
    "web:workdays": None,
    "web:funds": "ledger.view",
    "web:fund": "ledger.view",
    "web:fund_xlsx": "ledger.view",
    "web:messages": "notify.view",
    "web:inbox": None,
    "set_language": "public",
    "homesafety:console": "homesafety.view",
    "homesafety:console_list": "homesafety.view",
    "homesafety:console_stream": "homesafety.view",
    "homesafety:alarm": "homesafety.view",
    "homesafety:rejected": "homesafety.view",
    "homesafety:family": "homesafety.family",
    "homesafety:persons": "homesafety.view",
    "homesafety:person": "homesafety.view",
    "homesafety:device": "homesafety.view",
    "homesafety:feature_requests": "people.manage",
    "homesafety:import": "homesafety.manage",
    "homesafety:work_orders": "homesafety.view",
    "youthaid:cases": "youthaid.view",
    "youthaid:case": "youthaid.view",
    "youthaid:report": "youthaid.report",
    "youthaid:attachment": "youthaid.view",
    "youthaid:review": "youthaid.review",
    "youthaid:batches": "youthaid.pay",
    "youthaid:batch": "youthaid.pay",
    "youthaid:fund": "youthaid.view",
    "youthaid:rules": "youthaid.view",
    "youthaid:volunteers": "youthaid.view",
    "youthaid:rooms": "youthaid.view",
    "youthaid:figures": "youthaid.view",
    "onestop:applications": "onestop.apply",
    "onestop:start": "onestop.apply",
    "onestop:application": "onestop.apply",
    "onestop:queue": "onestop.view",
    "onestop:task": "post-only",
    "onestop:case": "onestop.view",
    "onestop:figures": "onestop.view",
    "onestop:standing": "onestop.view",
    "onestop:document": ("onestop.apply", "onestop.view"),
}

HANDLE = tuple(f"onestop.handle.{office}" for office in (
    "market_regulation", "tax", "social_security", "housing_fund", "power_supply", "public_security", "bank",
    "customs", "commerce"))

# (method, path template) → permission; None: any authenticated caller; "public": no auth; a tuple:
# any one of these permissions.
API: dict[tuple[str, str], str | tuple[str, ...] | None] = {
    ("POST", "/api/v1/auth/tokens"): "public",
    ("GET", "/api/v1/me"): None,
    ("GET", "/api/v1/places"): "places.view",
    ("GET", "/api/v1/places/{code}"): "places.view",
    ("GET", "/api/v1/people/residents"): "people.view",
    ("POST", "/api/v1/people/residents"): "people.manage",
    ("GET", "/api/v1/people/residents/{pk}"): "people.view",
    ("POST", "/api/v1/people/residents/{pk}/reveal"): "people.reveal",
    ("POST", "/api/v1/people/residents/{pk}/death"): "people.manage",
    ("POST", "/api/v1/people/residents/{pk}/relatives"): "people.manage",
    ("POST", "/api/v1/people/residents/{pk}/consents"): "people.manage",
    ("GET", "/api/v1/orgs"): "orgs.view",
    ("POST", "/api/v1/orgs"): "orgs.manage",
    ("GET", "/api/v1/audit"): "audit.view",
    ("GET", "/api/v1/workdays/due"): None,
    ("GET", "/api/v1/workdays/between"): None,
    ("GET", "/api/v1/ledger/funds"): "ledger.view",
    ("GET", "/api/v1/ledger/funds/{code}/statement"): "ledger.view",
    ("POST", "/api/v1/ledger/entries"): "ledger.post",
    ("GET", "/api/v1/notify/inbox"): None,
    ("POST", "/api/v1/notify/inbox/{pk}/read"): None,
    ("POST", "/api/v1/homesafety/telemetry"): "homesafety.ingest",
    ("GET", "/api/v1/homesafety/alarms"): "homesafety.view",
    ("GET", "/api/v1/homesafety/alarms/{pk}"): "homesafety.view",
    ("POST", "/api/v1/homesafety/alarms/{pk}/acknowledge"): "homesafety.handle",
    ("POST", "/api/v1/homesafety/alarms/{pk}/dispatch"): "homesafety.handle",
    ("POST", "/api/v1/homesafety/alarms/{pk}/arrive"): "homesafety.handle",
    ("POST", "/api/v1/homesafety/alarms/{pk}/resolve"): "homesafety.handle",
    ("POST", "/api/v1/youthaid/reports"): "youthaid.report",
    ("GET", "/api/v1/youthaid/reports"): "youthaid.report",
    ("GET", "/api/v1/youthaid/cases"): "youthaid.view",
    ("GET", "/api/v1/youthaid/cases/{pk}"): "youthaid.view",
    ("POST", "/api/v1/youthaid/cases/{pk}/screen"): "youthaid.manage",
    ("POST", "/api/v1/youthaid/cases/{pk}/visits"): "youthaid.manage",
    ("POST", "/api/v1/youthaid/cases/{pk}/life-events"): "youthaid.manage",
    ("POST", "/api/v1/youthaid/cases/{pk}/applications"): "youthaid.manage",
    ("POST", "/api/v1/youthaid/applications/{pk}/recommendation"): "youthaid.manage",
    ("POST", "/api/v1/youthaid/applications/{pk}/decision"): "youthaid.review",
    ("POST", "/api/v1/youthaid/batches"): "youthaid.pay",
    ("POST", "/api/v1/youthaid/batches/{pk}/pay"): "youthaid.pay",
    ("GET", "/api/v1/youthaid/fund"): "youthaid.view",
    ("GET", "/api/v1/onestop/services"): None,
    ("POST", "/api/v1/onestop/cases"): "onestop.apply",
    ("GET", "/api/v1/onestop/cases"): ("onestop.apply", "onestop.view"),
    ("GET", "/api/v1/onestop/cases/{pk}"): ("onestop.apply", "onestop.view"),
    ("POST", "/api/v1/onestop/cases/{pk}/prechecks"): "onestop.apply",
    ("POST", "/api/v1/onestop/cases/{pk}/submit"): "onestop.apply",
    ("POST", "/api/v1/onestop/cases/{pk}/withdraw"): "onestop.apply",
    ("POST", "/api/v1/onestop/cases/{pk}/documents"): "onestop.apply",
    ("POST", "/api/v1/onestop/corrections/{pk}/answer"): "onestop.apply",
    ("GET", "/api/v1/onestop/queue"): "onestop.view",
    ("POST", "/api/v1/onestop/tasks/{pk}/accept"): HANDLE,
    ("POST", "/api/v1/onestop/tasks/accept"): HANDLE,
    ("POST", "/api/v1/onestop/tasks/{pk}/correction"): HANDLE,
    ("POST", "/api/v1/onestop/tasks/{pk}/reject"): HANDLE,
}


def _names(patterns: list[Any], prefix: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "api":
                continue
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names += _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.append(prefix + p.name)
    return names


def test_every_page_is_in_the_matrix(db: Any) -> None:
    unknown = sorted(set(_names(get_resolver().url_patterns)) - set(PAGES))
    assert unknown == [], f"add these pages to PAGES with their permission: {unknown}"


def test_every_api_route_is_in_the_matrix(db: Any) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    routes = {(m.upper(), path) for path, ops in doc["paths"].items() for m in ops}
    assert sorted(routes - set(API)) == [], "add these API routes to API with their permission"
    assert sorted(set(API) - routes) == [], "the matrix names API routes that do not exist"


def test_page_views_declare_the_permission_the_matrix_expects(db: Any) -> None:
    from django.urls import reverse

    resolver = get_resolver()
    for name, permission in PAGES.items():
        if permission in ("public", "post-only"):
            continue
        try:
            url = reverse(name)
        except Exception:
            continue  # needs arguments; checked through the matrix below
        view = resolver.resolve(url).func
        assert getattr(view, "permission", "missing") == permission, name


@pytest.fixture
def world(city: dict[str, Any], rid: Any, make_user: Any) -> dict[str, Any]:
    person = Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                                     place=city["a"])
    users = {code: make_user(f"u_{code}", {code: [city["root"]]}) for code in registry.roles()}
    users["outsider"] = make_user("u_outsider")
    return {"person": person, "users": users, "city": city, "fund": _demo_fund(city), "alarm": _alarm(person),
            "youthaid": _youthaid(city, rid), "onestop": _onestop(city, users)}


def _onestop(city: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """A submitted relocation of an enterprise whose staff account is the matrix's enterprise_user,
    with an open task and an open correction."""
    from django.utils import timezone

    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.onestop.models import Case, Correction, Task

    enterprise = Organisation.objects.create(kind="enterprise", name="常州龙城精工有限公司（测试）",
                                             uscc="91320412MA1MATRIX0", place=city["yaoguan"])
    applicant = users["enterprise_user"]
    applicant.organisation = enterprise
    applicant.save(update_fields=["organisation"])
    now = timezone.now()
    case = Case.objects.create(service="relocation", enterprise=enterprise, place=city["yaoguan"],
                               applicant=applicant, status="submitted", submitted_at=now, due_at=now)
    task = Task.objects.create(case=case, code="tax", department="tax", place=city["wujin"], status="open",
                               limit_days=1, opened_at=now, due_at=now)
    other = Task.objects.create(case=case, code="file_out", department="market_regulation_out", place=city["wujin"],
                                status="correction", limit_days=1, opened_at=now, due_at=now)
    correction = Correction.objects.create(task=other, request="请补充租赁合同", asked_by=users["city_admin"],
                                           asked_at=now)
    from django.core.files.base import ContentFile

    from longcheng.modules.onestop.models import Document

    document = Document.objects.create(case=case, code="premises", file=ContentFile(b"%PDF-1.4 lease", name="lease.pdf"),
                                       name="lease.pdf", size=14, uploaded_by=applicant)
    return {"case": case, "task": task, "correction": correction, "document": document}


def _living() -> Any:
    """The living-assistance type (seeded by a migration, which a transactional test's flush removes)."""
    from longcheng.modules.youthaid.models import AidType

    kind, _created = AidType.objects.get_or_create(code="living", defaults={
        "name": "生活救助", "condition": "hardship", "min_fen": 100_000, "max_fen": 300_000,
        "yearly_cap_fen": 300_000, "grade_amounts": {"1": 100_000, "2": 200_000, "3": 300_000},
        "proof_required": False})
    return kind


def _youthaid(city: dict[str, Any], rid: Any) -> dict[str, Any]:
    """A youth aid case with a living-assistance application (and its proof file) in a paid batch."""
    from django.core.files.base import ContentFile

    from longcheng.modules.youthaid.models import (
        Application,
        Attachment,
        Payment,
        PaymentBatch,
        Youth,
    )

    person = Resident.objects.create(resident_id=rid(region="320481", birth="20100501", seq=3), name="陈晓雨",
                                     gender="F", birth_date="2010-05-01", place=city["liyang_town"])
    youth = Youth.objects.create(person=person, status="active", hardship_grade=1)
    application = Application.objects.create(youth=youth, aid_type=_living(), year=2026,
                                             requested_fen=100_000, reason="生活困难", status="approved",
                                             approved_fen=100_000)
    attachment = Attachment(application=application, name="bill.txt", size=4)
    attachment.file.save("bill.txt", ContentFile(b"bill"), save=True)
    batch = PaymentBatch.objects.create(code="T-1", title="测试批次", count=1, total_fen=100_000)
    Payment.objects.create(batch=batch, application=application, youth=youth, aid_type=application.aid_type,
                           amount_fen=100_000)
    return {"youth": youth, "attachment": attachment, "batch": batch, "application": application}


def _alarm(person: Resident) -> Any:
    from django.utils import timezone

    from longcheng.modules.homesafety.models import Alarm, Device, Enrollee

    enrollee = Enrollee.objects.create(person=person)
    device = Device.objects.create(serial="WB-M", kind="wristband", enrollee=enrollee)
    now = timezone.now()
    return Alarm.objects.create(enrollee=enrollee, device=device, kind="sos", severity=1, first_seen=now,
                                last_seen=now, raised_at=now)


def _demo_fund(city: dict[str, Any]) -> Any:
    try:
        from longcheng.kernel.ledger.models import Fund
    except ImportError:
        return None
    return Fund.objects.create(code="test-fund", name="测试基金", place=city["root"])


def _page_urls(world: dict[str, Any]) -> dict[str, str]:
    from django.urls import reverse

    person = world["person"]
    urls = {}
    for name in PAGES:
        if PAGES[name] in ("public", "post-only"):
            continue
        args: list[Any] = []
        if name in ("web:resident", "web:resident_death"):
            args = [person.pk]
        elif name == "web:audit_object":
            args = ["people.resident", person.pk]
        elif name in ("web:fund", "web:fund_xlsx"):
            args = [world["fund"].code]
        elif name == "homesafety:alarm":
            args = [world["alarm"].pk]
        elif name == "homesafety:person":
            args = [world["alarm"].enrollee_id]
        elif name == "homesafety:device":
            args = [world["alarm"].device_id]
        elif name == "youthaid:case":
            args = [world["youthaid"]["youth"].pk]
        elif name == "youthaid:attachment":
            args = [world["youthaid"]["attachment"].pk]
        elif name == "youthaid:batch":
            args = [world["youthaid"]["batch"].pk]
        elif name == "onestop:start":
            args = ["relocation"]
        elif name in ("onestop:application", "onestop:case"):
            args = [world["onestop"]["case"].pk]
        elif name == "onestop:document":
            args = [world["onestop"]["document"].pk]
        urls[name] = reverse(name, args=args)
    return urls


def _allowed(permission: Any, held: set[str]) -> bool:
    if permission is None:
        return True
    if isinstance(permission, tuple):
        return bool(set(permission) & held)
    return permission in held


def _perms(role: str) -> set[str]:
    roles = registry.roles()
    return set(roles[role].permissions) if role in roles else set()


def test_pages_by_role(world: dict[str, Any]) -> None:
    urls = _page_urls(world)
    for url in urls.values():
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for role, user in world["users"].items():
        client = Client()
        client.force_login(user)
        held = _perms(role)
        for name, url in urls.items():
            permission = PAGES[name]
            status = client.get(url).status_code
            if _allowed(permission, held):
                assert status == 200, (role, name, status)
            else:
                assert status in (403, 404), (role, name, status)


def _fill(path: str, world: dict[str, Any]) -> str:
    values = {"pk": str(world["person"].pk), "code": world["city"]["a"].code}
    if "/ledger/funds/" in path:
        values["code"] = world["fund"].code
    if "/homesafety/alarms/" in path:
        values["pk"] = str(world["alarm"].pk)
    if "/youthaid/cases/" in path:
        values["pk"] = str(world["youthaid"]["youth"].pk)
    if "/youthaid/applications/" in path:
        values["pk"] = str(world["youthaid"]["application"].pk)
    if "/youthaid/batches/" in path:
        values["pk"] = str(world["youthaid"]["batch"].pk)
    if "/onestop/cases/" in path:
        values["pk"] = str(world["onestop"]["case"].pk)
    if "/onestop/tasks/" in path:
        values["pk"] = str(world["onestop"]["task"].pk)
    if "/onestop/corrections/" in path:
        values["pk"] = str(world["onestop"]["correction"].pk)
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


QUERY = {
    "/api/v1/workdays/due": "?start=2026-11-23T16:00:00&duration=1.5",
    "/api/v1/workdays/between": "?start=2026-11-23T16:00:00&end=2026-11-25T12:00:00",
    "/api/v1/ledger/funds/{code}/statement": "?start=2026-01-01&end=2026-12-31",
}


def test_api_reads_by_role(world: dict[str, Any]) -> None:
    from longcheng.kernel.access.models import ApiToken

    gets = [(path, perm) for (method, path), perm in API.items() if method == "GET"]
    for path, _perm in gets:
        assert Client().get(_fill(path, world) + QUERY.get(path, "")).status_code == 401, path
    for role, user in world["users"].items():
        _t, raw = ApiToken.issue(user, "matrix")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        held = _perms(role)
        for path, permission in gets:
            status = client.get(_fill(path, world) + QUERY.get(path, "")).status_code
            if _allowed(permission, held):
                assert status == 200, (role, path, status)
            else:
                assert status in (403, 404), (role, path, status)


def _body(path: str, world: dict[str, Any]) -> dict[str, Any]:
    person = world["person"]
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/people/residents": {"resident_id": "320412195001010038", "name": "李四",
                                     "place": world["city"]["a"].code},
        "/api/v1/people/residents/{pk}/reveal": {"fields": ["resident_id"], "reason": "核实身份"},
        "/api/v1/people/residents/{pk}/death": {"died_on": "2026-01-01"},
        "/api/v1/people/residents/{pk}/relatives": {"relative_id": person.pk, "kind": "other"},
        "/api/v1/people/residents/{pk}/consents": {"given_by_id": person.pk, "purpose": "test", "scope": "测试"},
        "/api/v1/orgs": {"kind": "social", "name": "某协会"},
        "/api/v1/homesafety/telemetry": {"messages": [{"device": "WB-M", "seq": 1, "ts": 1763856000000,
                                                        "metrics": {"hr": 70}}]},
        "/api/v1/homesafety/alarms/{pk}/acknowledge": {},
        "/api/v1/homesafety/alarms/{pk}/dispatch": {"to_user": person.pk},
        "/api/v1/homesafety/alarms/{pk}/arrive": {"note": ""},
        "/api/v1/homesafety/alarms/{pk}/resolve": {"outcome": "handled"},
        "/api/v1/youthaid/reports": {"resident_id": "320481201005010035", "name": "赵一", "channel": "school",
                                     "note": "父亲去世"},
        "/api/v1/youthaid/cases/{pk}/screen": {},
        "/api/v1/youthaid/cases/{pk}/visits": {"visited_on": "2026-11-01", "situation": "家中情况稳定",
                                               "risk": "low"},
        "/api/v1/youthaid/cases/{pk}/life-events": {"kind": "left_school", "on": "2026-11-01"},
        "/api/v1/youthaid/cases/{pk}/applications": {"aid_type": "living", "amount_fen": 100_000, "reason": "困难"},
        "/api/v1/youthaid/applications/{pk}/recommendation": {"recommend": True, "note": "建议批准"},
        "/api/v1/youthaid/applications/{pk}/decision": {"approve": True, "reason": "同意"},
        "/api/v1/youthaid/batches": {"title": "测试"},
        "/api/v1/youthaid/batches/{pk}/pay": {},
        "/api/v1/onestop/cases": {"service": "relocation", "uscc": "91320412MA1MATRIX0", "data": {}},
        "/api/v1/onestop/cases/{pk}/prechecks": {},
        "/api/v1/onestop/cases/{pk}/submit": {},
        "/api/v1/onestop/cases/{pk}/withdraw": {},
        "/api/v1/onestop/cases/{pk}/documents": {},
        "/api/v1/onestop/corrections/{pk}/answer": {"answer": "已补充"},
        "/api/v1/onestop/tasks/{pk}/accept": {"result": {}},
        "/api/v1/onestop/tasks/accept": {"items": [{"task": world["onestop"]["task"].pk, "result": {}}]},
        "/api/v1/onestop/tasks/{pk}/correction": {"request": "请补充材料"},
        "/api/v1/onestop/tasks/{pk}/reject": {"reason": "材料不符"},
        "/api/v1/ledger/entries": {"memo": "测试", "lines": [
            {"account": "test-fund", "amount_fen": -100}, {"account": "test-fund:commitment", "amount_fen": 100}]},
    }
    return bodies[path]


MULTIPART = {"/api/v1/youthaid/cases/{pk}/applications"}  # carries proof files


def _post(client: Client, path: str, world: dict[str, Any]) -> Any:
    if path in MULTIPART:
        return client.post(_fill(path, world), data=_body(path, world))
    return client.post(_fill(path, world), data=json.dumps(_body(path, world)), content_type="application/json")


def test_api_writes_denied_change_nothing(world: dict[str, Any]) -> None:
    from longcheng.kernel.access.models import ApiToken

    posts = [(path, perm) for (method, path), perm in API.items() if method == "POST" and perm not in (None, "public")]
    from longcheng.modules.homesafety.models import Alarm, Reading

    def state() -> tuple[Any, ...]:
        return (AuditEntry.objects.count(), Resident.objects.count(), Reading.objects.count(),
                tuple(Alarm.objects.values_list("status", "acknowledged_at", "resolved_at")))

    before = state()
    for role, user in world["users"].items():
        held = _perms(role)
        _t, raw = ApiToken.issue(user, "matrix")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        for path, permission in posts:
            if _allowed(permission, held):
                continue
            response = _post(client, path, world)
            assert response.status_code in (403, 404), (role, path, response.status_code)
    for path, _perm in posts:
        response = _post(Client(), path, world)
        assert response.status_code == 401, path
    assert state() == before
