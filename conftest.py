"""Shared test fixtures: a small place tree and named users per role (an admin, a worker in each of
two communities, an outsider), so tests read as stories and can prove the negative."""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Passwords hashed fast (longcheng/settings.py says why) in every process a test starts, and here,
# where pytest-django read the settings before this file.
os.environ["LONGCHENG_TEST_FAST_HASHING"] = "1"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    settings.PASSWORD_HASHERS = settings.TEST_PASSWORD_HASHERS
    # get_hashers is lru_cached; django-stubs types it as a plain callable.
    get_hashers.cache_clear()  # type: ignore[attr-defined]


def require_service(name: str, host: str, port: int) -> None:
    """Skip (outside CI) or fail (under CI=true) when a real service cannot be reached."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        message = f"{name} not reachable at {host}:{port} ({exc.strerror or exc})"
        if IN_CI:
            pytest.fail(f"{message}; under CI it must be running")
        pytest.skip(message)


def process_database_url() -> str:
    """The test database as a separate process (run_huey, uvicorn, an ingest worker) reaches it: the
    file for SQLite, the server for PostgreSQL."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER'] or 'postgres'}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(predicate: Callable[[], Any], timeout: float, step: float = 0.1) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass (another process's work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def english() -> Any:
    """Messages in English, for tests that check a message names its rule; Chinese is the default."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _jobs_inline() -> Any:
    """Jobs run inline in tests (Huey's immediate mode, in-memory); tests of real consumers build
    their own Huey instances."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture
def city(db: Any) -> dict[str, Any]:
    """常州市 → 武进区 → 遥观镇 → 两个社区, plus 溧阳市 with one town, built through the action."""
    from longcheng.kernel.places.models import Level, Place

    def mk(code: str, name: str, level: str, parent: Place | None) -> Place:
        p = Place(code=code, name=name, level=level, parent=parent)
        p.path = p.compute_path()
        p.depth = parent.depth + 1 if parent else 0
        p.save()
        return p

    root = mk("320400", "常州市", Level.CITY, None)
    wujin = mk("320412", "武进区", Level.DISTRICT, root)
    yaoguan = mk("320412104", "遥观镇", Level.STREET, wujin)
    comm_a = mk("320412104001", "上书房社区", Level.COMMUNITY, yaoguan)
    comm_b = mk("320412104002", "剑湖社区", Level.COMMUNITY, yaoguan)
    liyang = mk("320481", "溧阳市", Level.DISTRICT, root)
    town = mk("320481100", "溧城街道", Level.STREET, liyang)
    return {"root": root, "wujin": wujin, "yaoguan": yaoguan, "a": comm_a, "b": comm_b, "liyang": liyang,
            "liyang_town": town}


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from longcheng.kernel.access.models import RoleAssignment, User

    def make(username: str, roles: dict[str, list[Any]] | None = None, **extra: Any) -> User:
        # Tests of other features sign in with force_login and no authenticator: the two-factor gate
        # has its own tests (kernel/access/tests), which pass two_factor_exempt=False.
        extra.setdefault("two_factor_exempt", True)
        user = User.objects.create_user(username=username, password="pw-" + username, **extra)
        for role, places in (roles or {}).items():
            assignment = RoleAssignment.objects.create(user=user, role=role)
            assignment.places.set(places)
        return user

    return make


@pytest.fixture
def admin(city: dict[str, Any], make_user: Callable[..., Any]) -> Any:
    return make_user("admin", {"city_admin": [city["root"]]})


@pytest.fixture
def worker_a(city: dict[str, Any], make_user: Callable[..., Any]) -> Any:
    """A community worker of 上书房社区 only."""
    return make_user("worker_a", {"community_worker": [city["a"]]})


@pytest.fixture
def worker_b(city: dict[str, Any], make_user: Callable[..., Any]) -> Any:
    return make_user("worker_b", {"community_worker": [city["b"]]})


@pytest.fixture
def outsider(city: dict[str, Any], make_user: Callable[..., Any]) -> Any:
    """Signed in, but holds no role anywhere."""
    return make_user("outsider")




def make_resident_id(region: str = "320412", birth: str = "19500101", seq: int = 1) -> str:
    from stdnum.cn import ric

    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def rid() -> Callable[..., str]:
    return make_resident_id


CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def _chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), so that each person in a test gets a context of their own (own
    cookies, own screen): open one with new_page(browser, viewport). Fails under CI if missing."""
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures in the
    # same thread are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    """A page in headless Chromium, Chinese locale, 1280 × 900."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def new_page(browser: Any, viewport: dict[str, int] | None = None) -> Any:
    """A page in a context of its own (its own cookies), Chinese locale."""
    return browser.new_context(locale="zh-CN", viewport=viewport or DESK).new_page()


def sign_in(page: Any, url: str, username: str, password: str | None = None) -> Any:
    """Signs in on the login page as make_user's accounts do (password pw-<username>), leaving the
    page on the first page after sign-in."""
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    return page


def fits(page: Any) -> None:
    """The page does not scroll sideways at its viewport's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert page.evaluate(NO_SIDEWAYS), f"{page.url} is {width}px wide at {page.viewport_size}"


# Raw keys a person must never read: snake_case names (licence_no), dotted action or permission codes
# (youthaid.apply), and Python reprs of dicts ({'a': 1}).
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b(?:youthaid|onestop|homesafety|remediation|accidents|ecorestore|"
                     r"cleanaudit|access|people|ledger|audit|places|orgs|rights)\.[a-z_]+\b|\{'[^']*':")


def raw_keys(page: Any) -> list[str]:
    """The raw keys in what the page shows (its title and its main part's text, not its markup; the
    header names the signed-in account, whose test username may look like a key)."""
    text = page.title() + "\n" + "\n".join(page.locator("main").all_inner_texts())
    return sorted(set(RAW_KEY.findall(text)))


def track(page: Any) -> list[str]:
    """The URLs the page opens with a GET from now on (each once, in order; a POST's own answer is
    left out, its redirect kept), to be re-checked with recheck()."""
    seen: list[str] = []

    def visited(request: Any) -> None:
        if (request.is_navigation_request() and request.method == "GET" and request.frame == page.main_frame
                and request.url not in seen and "/login" not in request.url):
            seen.append(request.url)

    page.on("requestfinished", visited)
    return seen


def recheck(page: Any, urls: list[str]) -> None:
    """Opens each URL again and asserts it neither scrolls sideways nor shows a raw key (the test
    accounts' usernames, which pages show as the actor where no display name is set, excepted)."""
    from django.contrib.auth import get_user_model

    usernames = set(get_user_model().objects.values_list("username", flat=True))
    for url in list(urls):
        page.goto(url)
        page.wait_for_load_state()
        if "pdf" in (page.evaluate("document.contentType") or ""):
            continue
        fits(page)
        found = [key for key in raw_keys(page) if key not in usernames]
        assert not found, f"{url} shows raw keys {found}"
