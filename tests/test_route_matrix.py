"""One role × route matrix over every page and every API route of the kernel and every module.

Each part declares its routes in its own `tests/routes.py` (longcheng/kernel/route_matrix.py says
how); this test discovers them. It fails when a page or route exists that nobody declared, so a
new page cannot ship without saying who may open it. Then every role of the registry opens every
route three ways: held city-wide (only permissions decide), held within the place of the object the
route addresses (the same answer), and held in a place beside it (refused: 403/404). Outsiders and
anonymous visitors are refused too. Roles that hold the same permissions of a route's part and of the
kernel answer alike there (a module checks only its own and the kernel's permissions — the import
contracts keep it from reaching another's), so one role of each such class opens the route; which
one rotates from route to route, so every role is still exercised across the matrix. Denied writes —
API posts and page form posts — must change nothing: every table of every installed app is compared,
value by value, before and after.
"""

from __future__ import annotations

import importlib
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from longcheng.kernel import registry
from longcheng.kernel.people.models import Resident
from longcheng.kernel.route_matrix import BESIDE, PUBLIC, Api, Page, Routes, World

# Tables a refused request may touch without changing anything that matters: a session is made by
# signing in, a token's last use is stamped when it is checked.
BOOKKEEPING = {"sessions.session", "access.apitoken"}
UNWATCHED_COLUMNS = {"access.user": {"last_login"}}


def parts() -> dict[str, Routes]:
    """code → the routes it declares: the kernel, then each module listed in settings."""
    found: dict[str, Routes] = {}
    packages = {"kernel": "longcheng.kernel"} | {
        app.rsplit(".", 1)[1]: app for app in settings.INSTALLED_APPS if app.startswith("longcheng.modules.")}
    for code, package in packages.items():
        try:
            module = importlib.import_module(f"{package}.tests.routes")
        except ModuleNotFoundError as exc:
            raise AssertionError(f"{package} declares no routes: add {package}.tests.routes with ROUTES") from exc
        found[code] = module.ROUTES
    return found


PARTS = parts()
PAGES: dict[str, Page] = {p.name: p for routes in PARTS.values() for p in routes.pages}
API: dict[tuple[str, str], Api] = {(a.method, a.path): a for routes in PARTS.values() for a in routes.api}
PART_OF: dict[Any, str] = {p.name: code for code, routes in PARTS.items() for p in routes.pages} | {
    (a.method, a.path): code for code, routes in PARTS.items() for a in routes.api}


def role_classes(part: str, whole: bool = False) -> list[list[str]]:
    """The registry's roles grouped by the permissions they hold of `part` and of the kernel (all
    their permissions with `whole`: what a page shows, not whether it opens, may come from every
    module's hooks — the kernel's resident page and dashboard do)."""
    specs = {spec.code: spec for spec in registry.modules()}
    seen = set(specs["kernel"].permissions) | set(specs[part].permissions if part in specs else ())
    if whole:
        seen = set(registry.all_permissions())
    classes: dict[frozenset[str], list[str]] = {}
    for code, role in sorted(registry.roles().items()):
        classes.setdefault(frozenset(role.permissions) & seen, []).append(code)
    return list(classes.values())


def chosen_roles(part: str, route: str, whole: bool = False) -> set[str]:
    """One role of each class for this route, rotating with the route's name."""
    turn = zlib.crc32(route.encode())
    return {members[turn % len(members)] for members in role_classes(part, whole)}


def test_role_classes_cover_every_role_and_split_where_permissions_differ() -> None:
    for part in PARTS:
        classes = role_classes(part)
        assert sorted(code for members in classes for code in members) == sorted(registry.roles())
    # The three escalation roles of home safety hold the same permissions: one class; the programme
    # manager holds more: a class of its own. Another module's clerks meet home safety as strangers.
    classes = {code: tuple(members) for members in role_classes("homesafety") for code in members}
    assert classes["homesafety_operator"] == classes["homesafety_community_head"]
    assert classes["homesafety_manager"] == ("homesafety_manager",)
    assert len(set(classes.values())) < len(classes)
    # The rotation reaches every role somewhere in the matrix.
    chosen = set().union(*(chosen_roles(PART_OF[route], str(route)) for route in [*PAGES, *API]))
    assert chosen == set(registry.roles())


def test_no_route_is_declared_twice() -> None:
    pages = [p.name for routes in PARTS.values() for p in routes.pages]
    api = [(a.method, a.path) for routes in PARTS.values() for a in routes.api]
    assert len(pages) == len(set(pages)) and len(api) == len(set(api))


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
    names = set(_names(get_resolver().url_patterns))
    assert sorted(names - set(PAGES)) == [], "declare these pages in their part's tests/routes.py"
    assert sorted(set(PAGES) - names) == [], "the matrix declares pages that do not exist"


def test_every_api_route_is_in_the_matrix(db: Any) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    routes = {(m.upper(), path) for path, ops in doc["paths"].items() for m in ops}
    assert sorted(routes - set(API)) == [], "declare these API routes in their part's tests/routes.py"
    assert sorted(set(API) - routes) == [], "the matrix declares API routes that do not exist"


# --- the world -----------------------------------------------------------------------------------

def _places_needed() -> set[str]:
    within = {r.within for r in [*PAGES.values(), *API.values()] if r.within}
    return within | {BESIDE[w] for w in within if w in BESIDE}


def _account(username: str, role: str | None, place: Any) -> Any:
    from longcheng.kernel.access.models import RoleAssignment, User

    # No password: signed in by force_login or a token; exempt from the second factor, which the
    # matrix does not test (kernel/access/tests/test_staff.py does).
    user = User.objects.create(username=username, two_factor_exempt=True)
    if role:
        RoleAssignment.objects.create(user=user, role=role).places.set([place])
    return user


@pytest.fixture
def world(city: dict[str, Any], rid: Any, request: pytest.FixtureRequest) -> World:
    """The accounts of every role, and the objects of every part — or, for a test run per part, of
    the kernel and that part only (a module's routes address only its own objects and the kernel's)."""
    part = getattr(request.node, "callspec", None) and request.node.callspec.params.get("part")
    person = Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                                     place=city["a"])
    users = {code: _account(f"u_{code}", code, city["root"]) for code in registry.roles()}
    users["outsider"] = _account("u_outsider", None, None)
    accounts = {(code, key): _account(f"u_{code}@{key}", code, city[key])
                for code in registry.roles() for key in sorted(_places_needed())}
    built: World = {"person": person, "city": city, "users": users, "accounts": accounts}
    for code, routes in PARTS.items():
        if routes.world is not None and (not part or code in ("kernel", part)):
            built[code] = routes.world(built)
    return built


# The four sweeps below run once per part, so that parallel workers share them and a part's
# routes can be checked alone (`-k youthaid`; the generated module's test does `-k demo_x`).
per_part = pytest.mark.parametrize("part", list(PARTS))


def _state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by value (files by name)."""
    state = {}
    for model in apps.get_models():
        if model._meta.label_lower in BOOKKEEPING or not model._meta.managed:
            continue
        skip = UNWATCHED_COLUMNS.get(model._meta.label_lower, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        state[model._meta.label_lower] = list(model._default_manager.order_by("pk").values_list(*columns))
    return state


def _allowed(permission: Any, held: set[str]) -> bool:
    if permission is None:
        return True
    if isinstance(permission, tuple):
        return bool(set(permission) & held)
    return permission in held


def _perms(role: str) -> set[str]:
    roles = registry.roles()
    return set(roles[role].permissions) if role in roles else set()


def _who(world: World, within: str | None, route: Any) -> Iterator[tuple[str, str, Any]]:
    """(role, where, user): each chosen role city-wide, and for a route within a place, held there and
    beside it; the outsider always."""
    chosen = chosen_roles(PART_OF[route], str(route)) | {"outsider"}
    for role, user in world["users"].items():
        if role not in chosen:
            continue
        yield role, "city", user
        if within and role != "outsider":
            yield role, "within", world["accounts"][(role, within)]
            if within in BESIDE:
                yield role, "beside", world["accounts"][(role, BESIDE[within])]


def _expect_allowed(permission: Any, role: str, where: str) -> bool:
    return where != "beside" and _allowed(permission, _perms(role))


# --- pages ---------------------------------------------------------------------------------------

def _url(page: Page, world: World) -> str:
    return reverse(page.name, args=page.args(world)) + (page.query(world) if page.query else "")


def test_the_sweeps_have_routes_to_sweep() -> None:
    """Per part, a sweep may find nothing to do; across the platform each has work."""
    assert any(p.post is not None and p.permission != PUBLIC for p in PAGES.values()), "no page declares a form"
    assert any(a.method == "POST" for a in API.values()) and any(a.method == "GET" for a in API.values())


def test_page_views_declare_the_permission_the_matrix_expects(world: World) -> None:
    resolver = get_resolver()
    for name, page in PAGES.items():
        if page.permission == PUBLIC:
            continue
        view = resolver.resolve(_url(page, world).split("?")[0]).func
        expected = page.permission if page.view_permission == "same" else page.view_permission
        assert getattr(view, "permission", "missing") == expected, name


@per_part
def test_pages_by_role(world: World, part: str) -> None:
    pages = {name: p for name, p in PAGES.items() if p.permission != PUBLIC and p.get and PART_OF[name] == part}
    urls = {name: _url(p, world) for name, p in pages.items()}
    for url in urls.values():
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    clients: dict[int, Client] = {}
    wrong = []
    for name, page in pages.items():
        for role, where, user in _who(world, page.within, name):
            if user.pk not in clients:
                clients[user.pk] = Client()
                clients[user.pk].force_login(user)
            status = clients[user.pk].get(urls[name]).status_code
            expected = (200,) if _expect_allowed(page.permission, role, where) else (403, 404)
            if status not in expected:
                wrong.append((role, where, name, status))
    assert wrong == []


@per_part
def test_page_form_posts_denied_change_nothing(world: World, part: str) -> None:
    before = _state()
    posts = {name: p for name, p in PAGES.items()
             if p.post is not None and p.permission != PUBLIC and PART_OF[name] == part}
    clients: dict[int, Client] = {}
    wrong = []
    for name, page in posts.items():
        assert page.post is not None
        needs = page.permission if page.post_permission == "same" else page.post_permission
        url, body = _url(page, world), page.post(world)
        response = Client().post(url, data=body)
        assert response.status_code == 302 and "/login/" in response["Location"], name
        for role, where, user in _who(world, page.within, name):
            if _expect_allowed(needs, role, where):
                continue
            if user.pk not in clients:
                clients[user.pk] = Client()
                clients[user.pk].force_login(user)
            status = clients[user.pk].post(url, data=body).status_code
            # A page may answer a refused step with its message on the page it sends back to (a
            # redirect), or tell a holder of the permission beside the place that the form is wrong
            # (e.g. a place it cannot choose): any refusal will do, as long as nothing changed.
            if status not in (302, 400, 403, 404, 409, 422):
                wrong.append((role, where, name, status))
    assert wrong == []
    assert _state() == before


# --- the API -------------------------------------------------------------------------------------

def _path(route: Api, world: World) -> str:
    values = {key: str(value) for key, value in route.params(world).items()}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)


def _token_client(user: Any) -> Client:
    from longcheng.kernel.access.models import ApiToken

    _t, raw = ApiToken.issue(user, "matrix")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@per_part
def test_api_reads_by_role(world: World, part: str) -> None:
    gets = [r for r in API.values() if r.method == "GET" and PART_OF[(r.method, r.path)] == part]
    for route in gets:
        assert Client().get(_path(route, world) + route.query).status_code == 401, route.path
    clients: dict[int, Client] = {}
    wrong = []
    for route in gets:
        for role, where, user in _who(world, route.within, (route.method, route.path)):
            client = clients.setdefault(user.pk, _token_client(user))
            status = client.get(_path(route, world) + route.query).status_code
            expected = (200,) if _expect_allowed(route.permission, role, where) else (403, 404)
            if status not in expected:
                wrong.append((role, where, route.path, status))
    assert wrong == []


def _post(client: Client, route: Api, world: World) -> Any:
    if route.multipart:
        return client.post(_path(route, world), data=route.body(world))
    return client.post(_path(route, world), data=json.dumps(route.body(world)), content_type="application/json")


@per_part
def test_api_writes_denied_change_nothing(world: World, part: str) -> None:
    posts = [r for r in API.values()
             if r.method == "POST" and r.permission not in (None, PUBLIC) and PART_OF[(r.method, r.path)] == part]
    before = _state()
    clients: dict[int, Client] = {}
    wrong = []
    for route in posts:
        for role, where, user in _who(world, route.within, (route.method, route.path)):
            if _expect_allowed(route.permission, role, where):
                continue
            client = clients.setdefault(user.pk, _token_client(user))
            status = _post(client, route, world).status_code
            refused = (400, 403, 404, 409, 422) if where == "beside" else (403, 404)
            if status not in refused:
                wrong.append((role, where, route.path, status))
    assert wrong == []
    for route in posts:
        assert _post(Client(), route, world).status_code == 401, route.path
    assert _state() == before
