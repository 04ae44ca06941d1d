"""What each part of the platform tells the role × route matrix (tests/test_route_matrix.py).

The kernel (`longcheng/kernel/tests/routes.py`) and every module (`<module>/tests/routes.py`) declare
`ROUTES = Routes(...)`: each page and API route with the permission it needs, how to build its
arguments and bodies from the test world, and the place holding the object it addresses. The kernel's
test discovers these files, fails for a page or API route nobody declared, and opens every route as
every role: held city-wide, held within the object's place, and held in a place beside it.

The world the builders receive is a dict: `city` (the places of the `city` fixture, by key),
`person` (a resident of city["a"]), `users` (role code → a user holding the role city-wide),
`accounts` ((role code, place key) → a user holding the role only there), and, under each part's
code, what its `world` builder returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

World = dict[str, Any]
# A permission code; a tuple: any one of them; None: any signed-in user; PUBLIC: no sign-in.
Permission = str | tuple[str, ...] | None
PUBLIC = "public"

# Places of the `city` fixture (conftest.py) with one beside each, sharing no descendant, for the
# "held elsewhere" accounts. The city itself has nothing beside it.
BESIDE = {"a": "b", "b": "a", "yaoguan": "liyang", "wujin": "liyang", "liyang": "wujin", "liyang_town": "wujin"}


def _nothing(world: World) -> Any:
    return {}


def _no_args(world: World) -> list[Any]:
    return []


@dataclass(frozen=True)
class Page:
    """A page by url name. `within`: the key of the city place holding the object the page shows
    (a holder of the permission scoped elsewhere is refused); None: the page lists what is in scope."""

    name: str
    permission: Permission
    args: Callable[[World], list[Any]] = _no_args
    within: str | None = None
    # The form the page accepts (a POST body); a denied POST must change nothing.
    post: Callable[[World], dict[str, Any]] | None = None
    post_permission: Permission | str = "same"  # what the POST needs when it differs from the GET
    get: bool = True  # False: the url takes POSTs only
    # What the view's @staff_view names when the view refines it inside (e.g. a task's office).
    view_permission: Permission | str = "same"
    # A query string the page needs (e.g. "?alarm=12"), built from the world.
    query: Callable[[World], str] | None = None


@dataclass(frozen=True)
class Api:
    """An API route as it appears in the OpenAPI document, e.g. ("POST", "/api/v1/x/{pk}")."""

    method: str
    path: str
    permission: Permission
    params: Callable[[World], dict[str, Any]] = _nothing
    query: str = ""
    body: Callable[[World], dict[str, Any]] = _nothing
    multipart: bool = False
    within: str | None = None


@dataclass(frozen=True)
class Routes:
    pages: list[Page] = field(default_factory=list)
    api: list[Api] = field(default_factory=list)
    # Builds this part's objects in the test world; the result is stored as world[code].
    world: Callable[[World], Any] | None = None
