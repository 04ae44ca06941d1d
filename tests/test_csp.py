"""The Content-Security-Policy allows no inline script: every page must work without one. These
tests read every template and answer, so a new inline <script> or onclick= fails here rather than
silently in the browser; the browser tests (test_browser.py) run the pages under the policy."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_an_event_handler() -> None:
    found = []
    for template in sorted((ROOT / "longcheng").glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER):
            found += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def test_pages_carry_the_policy(db) -> None:  # type: ignore[no-untyped-def]
    r = Client().get("/login/")
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert r["X-Content-Type-Options"] == "nosniff"


def test_api_docs_load_swagger_from_our_static_files(db) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui-init.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert not INLINE_SCRIPT.search(page)


def test_charts_carry_no_script(admin) -> None:  # type: ignore[no-untyped-def]
    from longcheng.kernel.registry import Chart
    from longcheng.kernel.web.charts import render_chart

    svg = render_chart(Chart(title="t", kind="bar", labels=["a", "b"], series={"n": [1, 2]}))
    assert "<script" not in svg and "<svg" in svg
