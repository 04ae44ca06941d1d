"""In a browser: the bureau puts a firm on the year's list, the firm files its planning documents and
closes the stage, the expert opens a guidance thread that the firm answers and the expert closes; the
firm's later stages go through the actions; then the bureau assesses (评估) on the page, the firm records
its medium/high-cost option as implemented with its measured savings, and the bureau accepts (验收)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from longcheng.modules.cleanaudit.models import AuditRound, Message, Thread

from .conftest import walk

pytestmark = [pytest.mark.browser, pytest.mark.service]


def _sign_in(page: Any, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def _review(page: Any, url: str, audit: AuditRound, scores: dict[str, str]) -> None:
    page.goto(f"{url}/cleanaudit/rounds/{audit.pk}/")
    for name, value in scores.items():
        page.fill(f"#id_score_{name}", value)
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#round-status")


def _list_on_the_page(page: Any, url: str, world: dict[str, Any], today: Any) -> AuditRound:
    _sign_in(page, url, "bureau")
    page.goto(f"{url}/cleanaudit/list/")
    page.select_option("#firm", str(world["firms"][0].pk))
    page.fill("#id_year", str(today.year))
    page.fill("#id_listed_on", today.isoformat())
    page.select_option("#id_trigger", "energy")
    page.select_option("#id_industry", "coatings")
    page.select_option("#id_mode", "self")
    page.click("#list-form button[type=submit]")
    page.wait_for_selector("#round-status")
    return AuditRound.objects.get()


def _planning_on_the_page(page: Any, url: str, audit: AuditRound) -> None:
    _sign_in(page, url, "firm_user")
    page.goto(f"{url}/cleanaudit/rounds/{audit.pk}/")
    for kind, title in (("team", "清洁生产审核小组"), ("plan", "审核工作计划")):
        form = page.locator("#artefact-planning")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("input[name=title]").fill(title)
        if kind == "plan":  # the plan as its document: a PDF through the kernel's upload check
            form.locator("input[name=file]").set_input_files(
                files=[{"name": "计划.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#round-status")
    assert page.locator("#stage-planning a.file").inner_text() == "计划.pdf"
    page.click("#register-form button")  # the registration (备案) before 筹划与组织 may close
    page.wait_for_selector("#registration[data-registered=yes]")
    page.click("#close-stage button")
    page.wait_for_selector("#round-status")


def _guidance_on_the_page(page: Any, url: str, audit: AuditRound) -> Thread:
    _sign_in(page, url, "expert")
    page.goto(f"{url}/cleanaudit/rounds/{audit.pk}/")
    page.select_option("#id_stage", "planning")
    page.fill("#id_subject", "审核小组缺少能源管理人员")
    page.fill("#id_body", "请把能源管理员加入审核小组。")
    page.click("#thread-form button[type=submit]")
    page.wait_for_selector(".thread")
    thread = Thread.objects.get()
    _sign_in(page, url, "firm_user")
    page.goto(f"{url}/cleanaudit/rounds/{audit.pk}/")
    page.locator(f"#thread-{thread.pk} input[name=body]").fill("已增补能源管理员王工。")
    page.locator(f"#thread-{thread.pk} form").first.locator("button").click()
    page.wait_for_selector(f"#thread-{thread.pk}")
    _sign_in(page, url, "expert")
    page.goto(f"{url}/cleanaudit/rounds/{audit.pk}/")
    page.locator(f"#thread-{thread.pk} form").nth(1).locator("button").click()
    page.wait_for_selector(f"#thread-{thread.pk}")
    thread.refresh_from_db()
    return thread


def test_a_self_audit_from_the_list_to_acceptance_with_a_guidance_thread(
        live_server: Any, browser_page: Any, world: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    page, url, today = browser_page, live_server.url, timezone.localdate()
    audit = _list_on_the_page(page, url, world, today)
    assert page.get_attribute("#round-status", "data-status") == "planning"
    _planning_on_the_page(page, url, audit)
    assert page.get_attribute("#round-status", "data-status") == "preaudit"
    thread = _guidance_on_the_page(page, url, audit)
    assert thread.closed_at is not None
    assert list(Message.objects.filter(thread=thread).order_by("at", "pk").values_list("side", flat=True)) == [
        "expert", "firm"]

    walk(AuditRound.objects.get(pk=audit.pk), world["firm_user"])  # 预审核 … 持续清洁生产
    _sign_in(page, url, "bureau")
    _review(page, url, audit, {"process": "18", "focus": "14", "balance": "18", "options": "22", "report": "18"})
    assert page.get_attribute("#round-status", "data-status") == "assessed"

    _sign_in(page, url, "firm_user")
    page.goto(f"{url}/cleanaudit/rounds/{audit.pk}/")
    high = audit.options.get(cost_class="high")
    row = page.locator(f"tr[data-option='{high.pk}']")
    row.locator("select[name=status]").select_option("implemented")
    row.locator("input[name=measured_saving_fen]").fill("28000")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#round-status")

    _sign_in(page, url, "bureau")
    _review(page, url, audit, {"implemented": "36", "effect": "34", "continuous": "18"})
    assert page.get_attribute("#round-status", "data-status") == "accepted"
    audit.refresh_from_db()
    assert (audit.status, audit.grade) == ("accepted", "A")
    assert "验收合格" in page.inner_text("#round-status")
