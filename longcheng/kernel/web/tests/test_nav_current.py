"""One navigation item is current: the longest matching URL (issue 15: two items lit on the review page)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory

from longcheng.kernel.web import context


def test_the_longest_matching_item_alone_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [SimpleNamespace(label="Cases", url_name="cases", permission=""),
             SimpleNamespace(label="Review", url_name="review", permission="")]
    urls = {"cases": "/youthaid/", "review": "/youthaid/review/"}
    monkeypatch.setattr("longcheng.kernel.registry.nav_items", lambda: items)
    monkeypatch.setattr(context, "reverse", lambda name: urls[name])
    monkeypatch.setattr(context, "unread_count", lambda user: 0)
    monkeypatch.setattr(context, "public_landing", lambda request: None)
    request = RequestFactory().get("/youthaid/review/")
    request.user = SimpleNamespace(is_authenticated=True)  # type: ignore[assignment]
    nav = context.shell(request)["shell_nav"]
    assert [(n["label"], n["current"]) for n in nav] == [("Cases", False), ("Review", True)]
    request = RequestFactory().get("/youthaid/case/3/")
    request.user = SimpleNamespace(is_authenticated=True)  # type: ignore[assignment]
    nav = context.shell(request)["shell_nav"]
    assert [(n["label"], n["current"]) for n in nav] == [("Cases", True), ("Review", False)]


def test_the_favicon_is_served_by_the_project() -> None:
    found = finders.find("web/favicon.svg")
    assert found and open(found, encoding="utf-8").read().startswith("<svg")
