"""The inbox shows a message's site-relative addresses as links (an escalation's review page), and
nothing else: other sites' addresses and markup in the text stay text."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.test import Client

from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.web.templatetags.links import site_links


def test_site_paths_become_links_and_the_rest_stays_escaped_text() -> None:
    assert site_links("请审核：/accidents/queue/5/") == '请审核：<a href="/accidents/queue/5/">/accidents/queue/5/</a>'
    assert site_links("Review it: /accidents/queue/5/ now") == \
        'Review it: <a href="/accidents/queue/5/">/accidents/queue/5/</a> now'
    assert "<a" not in site_links("//evil.example/x/ and https://evil.example/x/ and a/b/")
    assert site_links('<script>alert(1)</script> /x/') == \
        '&lt;script&gt;alert(1)&lt;/script&gt; <a href="/x/">/x/</a>'


def test_the_inbox_renders_the_link(admin: Any) -> None:
    with transaction.atomic():
        queue_message("inapp", subject="逾期", body="请审核：/accidents/queue/7/", to_user=admin)
    client = Client()
    client.force_login(admin)
    page = client.get("/inbox/").content.decode()
    assert '<a href="/accidents/queue/7/">/accidents/queue/7/</a>' in page
