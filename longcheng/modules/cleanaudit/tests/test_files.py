"""The files of an audit: a stage's document uploaded through the kernel's check and sent back audited, the
audit report outline as PDF, the industries' indicator levels set as new versions by the bureau, and the
repeat cycles proposing a firm for a later list while its earlier round stays as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.cleanaudit import actions, figures, report, rules
from longcheng.modules.cleanaudit.models import Artefact, AuditRound, Benchmark

from .conftest import accept, list_round, walk

IN_TIME = dt.datetime(2026, 2, 16, 10, 0, tzinfo=SHANGHAI)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def test_a_stage_document_is_uploaded_checked_and_sent_back_audited(world: dict[str, Any], media: None) -> None:
    audit = list_round(world)
    firm = _client(world["firm_user"])
    done = firm.post(reverse("cleanaudit:artefact", args=[audit.pk]), {
        "kind": "team", "title": "审核小组名单", "file": SimpleUploadedFile("小组.pdf", PDF_BYTES)})
    assert done.status_code == 302
    artefact = Artefact.objects.get(round=audit)
    assert artefact.file_name == "小组.pdf" and artefact.file.read() == PDF_BYTES
    # HTML dressed as a PDF: refused by its content, the field named, nothing kept.
    refused = firm.post(reverse("cleanaudit:artefact", args=[audit.pk]), {
        "kind": "plan", "title": "工作计划", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 <script>x</script>")})
    assert refused.status_code == 400 and 'id="error-file"' in refused.content.decode()
    assert list(Artefact.objects.filter(round=audit).values_list("kind", flat=True)) == ["team"]
    # The park (who sees the round) downloads it; the download is audited as a read.
    got = _client(world["park"]).get(reverse("cleanaudit:artefact_file", args=[artefact.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf" and b"".join(got.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="cleanaudit.artefact.download", is_read=True).count() == 1
    # Another firm's staff: the same 404 as a file that does not exist, and no audit row.
    assert _client(world["other_firm"]).get(reverse("cleanaudit:artefact_file", args=[artefact.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="cleanaudit.artefact.download").count() == 1


def test_the_report_outline_is_a_pdf_with_the_rounds_figures(world: dict[str, Any]) -> None:
    audit = accept(world, walk(list_round(world), world["firm_user"], now=IN_TIME), now=IN_TIME).round
    got = _client(world["park"]).get(reverse("cleanaudit:report", args=[audit.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="cleanaudit.report.download", is_read=True).count() == 1
    from longcheng.kernel import pdf

    blocks = report.outline(AuditRound.objects.get(pk=audit.pk))
    rows = [row for block in blocks if isinstance(block, pdf.Rows) for row in block.rows]
    high = next(row for row in rows if row and row[0] == "余热回收")
    # 100,000 yuan, 30,000 a year for 5 years at 8 %: NPV 19,781.30 yuan, IRR 15.24 %, payback 3.33 years.
    assert high[2:7] == ["¥100,000.00", "¥30,000.00", Decimal("3.33"), "¥19,781.30", "15.24 %"]
    assert _client(world["other_firm"]).get(reverse("cleanaudit:report", args=[audit.pk])).status_code == 404


def test_the_bureau_sets_a_new_version_of_an_indicator_and_a_bad_one_names_its_field(world: dict[str, Any]) -> None:
    Benchmark.objects.create(industry="coatings", indicator="energy_per_output", level_1=Decimal("0.25"),
                             level_2=Decimal("0.32"), level_3=Decimal("0.40"), restrictive=True,
                             effective_from=dt.date(2016, 7, 1))
    bureau = _client(world["bureau"])
    url = reverse("cleanaudit:benchmarks")
    bad = bureau.post(url, {"industry": "coatings", "indicator": "energy_per_output", "level_1": "0.3",
                            "level_2": "0.2", "level_3": "0.4"})
    assert bad.status_code == 400 and 'id="error-level_2"' in bad.content.decode()
    assert 'value="0.3"' in bad.content.decode()  # shown again with what was typed
    assert Benchmark.objects.count() == 1
    denied = _client(world["park"]).post(url, {"industry": "coatings", "indicator": "energy_per_output",
                                               "level_1": "0.2", "level_2": "0.3", "level_3": "0.4"})
    assert denied.status_code == 403 and Benchmark.objects.count() == 1
    done = bureau.post(url, {"industry": "coatings", "indicator": "energy_per_output", "level_1": "0.20",
                             "level_2": "0.30", "level_3": "0.38", "restrictive": "on"})
    assert done.status_code == 302
    latest = Benchmark.objects.get(version=2)
    assert (latest.level_1, latest.level_3, latest.set_by) == (Decimal("0.20"), Decimal("0.38"), world["bureau"])
    # The latest version applies; the first stays.
    assert figures.benchmarks("coatings")["energy_per_output"] == ((Decimal("0.2"), Decimal("0.3"), Decimal("0.38")), True)
    assert Benchmark.objects.filter(version=1, level_3=Decimal("0.40")).exists()
    page = _client(world["park"]).get(url).content.decode()
    assert 'data-version="2"' in page and "适用" in page and 'id="benchmark-form"' not in page


def test_repeat_cycles_by_industry() -> None:
    assert rules.next_audit_year(industry="electroplating", trigger="hazardous", accepted_year=2025) == 2027
    assert rules.next_audit_year(industry="coatings", trigger="discharge", accepted_year=2025) == 2030
    assert rules.next_audit_year(industry="coatings", trigger="voluntary", accepted_year=2025) is None


def test_a_firm_due_again_is_listed_again_and_keeps_its_history(world: dict[str, Any]) -> None:
    first = actions.do_list_round(firm=world["firms"][0], year=2025, listed_on=dt.date(2025, 1, 31), trigger="hazardous",
                                  industry="electroplating", mode="self", acting_user=world["bureau"])
    walk(first, world["firm_user"])
    accept(world, AuditRound.objects.get(pk=first.pk))
    assert [d.firm_id for d in figures.due_again(world["bureau"], 2026)] == []
    due = figures.due_again(world["bureau"], 2027)
    assert [(d.firm_id, d.last_year, d.due_year) for d in due] == [(world["firms"][0].pk, 2025, 2027)]
    options_before = sorted(AuditRound.objects.get(pk=first.pk).options.values_list("title", "status"))
    again = actions.do_list_round(firm=world["firms"][0], year=2027, listed_on=dt.date(2027, 1, 31),
                                  trigger="hazardous", industry="electroplating", mode="self",
                                  acting_user=world["bureau"])
    assert figures.due_again(world["bureau"], 2027) == []
    old = AuditRound.objects.get(pk=first.pk)
    assert old.status == "accepted" and sorted(old.options.values_list("title", "status")) == options_before
    assert [r.year for r in figures.history(world["firm_user"], again)] == [2025]
    page = _client(world["firm_user"]).get(reverse("cleanaudit:round", args=[again.pk])).content.decode()
    assert 'data-year="2025"' in page


def test_money_on_the_page_is_read_as_yuan_into_fen(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"], until="options")
    firm = _client(world["firm_user"])
    url = reverse("cleanaudit:option", args=[audit.pk])
    bad = firm.post(url, {"title": "改造", "cost_class": "high", "investment_fen": "十万", "yearly_saving_fen": "1",
                          "life_years": "5"})
    assert bad.status_code == 400 and "投资（元）" in bad.content.decode() and not audit.options.exists()
    assert 'value="十万"' in bad.content.decode()
    firm.post(url, {"title": "改造", "cost_class": "high", "investment_fen": "100,000.50",
                    "yearly_saving_fen": "¥30000", "life_years": "5"})
    option = audit.options.get()
    assert (option.investment_fen, option.yearly_saving_fen) == (10_000_050, 3_000_000)
    assert "¥100,000.50" in firm.get(reverse("cleanaudit:round", args=[audit.pk])).content.decode()
    with pytest.raises(KernelError) as refused:
        actions.do_add_option(audit.pk, title="x", cost_class="low", investment_fen=1.5, yearly_saving_fen=0,
                              life_years=1, acting_user=world["firm_user"])
    assert refused.value.field == "investment_fen" and audit.options.count() == 1
