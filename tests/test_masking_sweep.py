"""The masking sweep (docs/security.md, "Masking"): every page and API read, for every role and for
narrowly scoped accounts, shows no personal value in plain to someone the policy says sees it
masked or not at all.

The world is the role × route matrix's (tests/test_route_matrix.py: the kernel's and every module's
world builders). Every personal value in it is then made distinctive and known: each ID number as
it is, each phone, address, coordinate, health note and bank account set to a string found nowhere
else, each minor's name; and the audit trail gets a row carrying them. Then each role opens every
page and API GET route its permissions allow (held city-wide, and held in one district only), and
no response may contain a value whose kind kernel.privacy gives that user below "plain" for that
person's place. XLSX answers are unzipped and read.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from test_route_matrix import (  # noqa: F401
    API,
    PAGES,
    PART_OF,
    _allowed,
    _path,
    _perms,
    _token_client,
    _url,
    chosen_roles,
    world,
)

from longcheng.kernel import privacy
from longcheng.kernel.access.scope import path_of, scope_paths
from longcheng.kernel.audit.actions import record
from longcheng.kernel.people.models import Resident
from longcheng.kernel.privacy import Kind, Level
from longcheng.kernel.route_matrix import PUBLIC, World

# Staff accounts and organisations are not the people the policy protects (an organisation's
# address is public, a colleague's phone is the directory's business).
NOT_PERSONAL = {"access.user", "orgs.organisation"}
# Narrow accounts: a role held in one district only (the matrix's world builds them).
NARROW = ("a", "liyang")


# (plain text, kind, the person's place path, who may see it plainly besides the policy: the account
# the row is about (an int) or the permission of those whose task is to handle it (a str))
Value = tuple[str, Kind, str, int | str | None]


def _personal_columns(model: type[models.Model]) -> dict[str, Kind]:
    if model._meta.label_lower in NOT_PERSONAL or not model.__module__.startswith("longcheng."):
        return {}
    found = {}
    for field in model._meta.concrete_fields:
        kind = privacy.kind_of(model, field.name)
        if kind is not None and isinstance(field, (models.CharField, models.TextField, models.FloatField)):
            found[field.attname] = kind
    return found


def _distinct(kind: Kind, n: int) -> Any:
    """A value of `kind` found nowhere else in the world (nor in a masked form of itself)."""
    return {
        Kind.CONTACT: f"1397{n:07d}",
        Kind.ADDRESS: f"幸福里{n}号楼{n}单元{n}室甲",
        Kind.HEALTH: f"糖尿病第{n}型高血压{n}级",
        Kind.FINANCIAL: f"62228{n:011d}",
        Kind.LOCATION: 31.0 + (n % 997) / 1000 + 0.000457,
        Kind.NOTES: f"独居情况说明{n}号备注",
    }.get(kind)


def _place_path(obj: models.Model) -> str:
    path = path_of(obj)
    if path:
        return path
    return str(getattr(obj, "place_path", "") or "")


def _needle(kind: Kind, value: Any) -> str:
    # A coordinate is looked for by its first five decimals, however a page rounds the rest.
    return f"{value:.5f}"[:-1] if kind == Kind.LOCATION else str(value)


def _make_distinct() -> list[Value]:
    """Overwrite every personal column of every row with a distinctive value; return them all."""
    values: list[Value] = []
    n = 100
    for model in apps.get_models():
        columns = _personal_columns(model)
        if not columns:
            continue
        for obj in model._default_manager.all():
            path = _place_path(obj)
            changed = {}
            for column, kind in columns.items():
                n += 1
                new = getattr(obj, column) if kind == Kind.IDENTIFIER else _distinct(kind, n)
                if new in (None, ""):
                    continue
                changed[column] = new
                # A row tied to an account (a driver's own party row) is that person's own data,
                # which they see plainly (shown.py in accidents); nobody else may.
                # A request's handlers (a data-subject request: people.privacy) read it whole to act on it.
                who = getattr(model, "handled_by", None) or getattr(obj, "user_id", None)
                values.append((_needle(kind, new), kind, path, who))
            if changed:
                model._default_manager.filter(pk=obj.pk).update(**changed)
    for person in Resident.objects.select_related("place"):
        if person.age() < 18:
            values.append((person.name, Kind.MINOR, person.place.path if person.place else "", None))
    return values


def _audit_rows() -> None:
    """An audit row per resident carrying their values, written by the kernel's own record()."""
    for person in Resident.objects.select_related("place"):
        record(None, "sweep.change", person, before={"phone": "13900000000"},
               after={"phone": person.phone, "address": person.address, "resident_id": person.resident_id,
                      "home_lat": 31.987654})


def _text(response: Any) -> str:
    if response.streaming:
        if "event-stream" in response.get("Content-Type", ""):
            return ""  # a live stream never ends; what it carries is tested with the console
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # an XLSX: read every part
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    text = content.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):  # JSON escapes non-ASCII: read it as a client would
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _viewers(built: World) -> Iterator[tuple[str, Any]]:
    for role, user in built["users"].items():
        if role != "outsider":
            yield f"{role}@city", user
            for key in NARROW:
                if (role, key) in built["accounts"]:
                    yield f"{role}@{key}", built["accounts"][(role, key)]


def _chosen(role: str, route: Any) -> bool:
    """Roles alike in what a route's part and the kernel let them see read it once (one of them,
    rotating; see test_route_matrix); on the kernel's pages, which show every module's hooks, roles
    are alike only when all their permissions are."""
    part = PART_OF[route]
    return role in chosen_roles(part, str(route), whole=part == "kernel")


def _requests(built: World, role: str, perms: set[str]) -> Iterator[tuple[str, str, bool]]:
    """(label, url, is_api) for every GET the permissions allow, for the routes the role stands in."""
    for name, page in PAGES.items():
        if page.get and page.permission != PUBLIC and _allowed(page.permission, perms) and _chosen(role, name):
            yield name, _url(page, built), False
    for (method, path), route in API.items():
        if (method == "GET" and route.permission != PUBLIC and _allowed(route.permission, perms)
                and _chosen(role, (method, path))):
            yield path, _path(route, built) + route.query, True


def path_of_scope(user: Any, permission: str, path: str) -> bool:
    """Whether `user` holds `permission` over the place at `path`."""
    return any(path.startswith(granted) for granted in scope_paths(user, permission))


def _leaks(user: Any, text: str, values: list[Value]) -> list[tuple[str, str]]:
    # The same text may be held by two rows (a driver's licence number is their ID number): a page
    # cannot tell which it showed, so a value is a leak only when no row holding it lets `user` see it.
    allowed = {needle for needle, kind, path, who in values if _plain_for(user, kind, path, who)}
    found = []
    for needle, kind, _where, _who in values:
        if needle in text and needle not in allowed:
            found.append((kind.value, needle))
    return found


def _plain_for(user: Any, kind: Kind, path: str, who: int | str | None) -> bool:
    if isinstance(who, int) and who == user.pk:
        return True
    if isinstance(who, str) and path and path_of_scope(user, who, path):
        return True
    return privacy.level(user, kind, path or None) >= Level.PLAIN


def test_no_response_shows_a_value_in_plain_to_a_role_that_sees_it_masked(world: World) -> None:  # noqa: F811
    values = _make_distinct()
    _audit_rows()
    assert {kind for _n, kind, _p, _o in values} >= {Kind.IDENTIFIER, Kind.CONTACT, Kind.ADDRESS, Kind.LOCATION,
                                                 Kind.HEALTH, Kind.MINOR}
    wrong = []
    for label, user in _viewers(world):
        role = label.split("@")[0]
        perms = _perms(role)
        page_client, api_client = Client(), _token_client(user)
        page_client.force_login(user)
        for name, url, is_api in _requests(world, role, perms):
            response = (api_client if is_api else page_client).get(url)
            assert response.status_code < 500, (label, url)
            for kind, needle in _leaks(user, _text(response), values):
                wrong.append((label, name, kind, needle))
    assert wrong == [], "\n".join(map(str, sorted(set(wrong))))


def test_the_sweep_sees_a_plain_value_where_the_policy_allows_it(world: World) -> None:  # noqa: F811
    """The sweep can fail: the same search finds the address a community worker sees plainly."""
    _make_distinct()
    person = Resident.objects.get(pk=world["person"].pk)
    user = world["users"]["community_worker"]
    assert privacy.level(user, Kind.ADDRESS, person.place.path) == Level.PLAIN
    client = Client()
    client.force_login(user)
    text = _text(client.get(reverse("web:resident", args=[person.pk])))
    assert person.address and person.address in text
    assert _leaks(world["users"]["auditor"], text, [(person.address, Kind.ADDRESS, person.place.path, None)])

