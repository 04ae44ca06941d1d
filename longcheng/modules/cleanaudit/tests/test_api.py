"""The API's routes for the firm's uploads, the report PDF, the indicator levels, the years' deadlines and
the registration: each scoped like its page, failing closed (out of scope is the same 404 as missing)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.modules.cleanaudit.models import Artefact, AuditRound, Benchmark, ListTerm

from .conftest import list_round

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
API = "/api/v1/cleanaudit"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, pk: int, content: bytes = PDF, name: str = "plan.pdf", **extra: str) -> Any:
    data: dict[str, Any] = {"kind": "plan", "title": "审核工作计划", **extra}
    if content:
        data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"{API}/rounds/{pk}/artefacts/upload", data)


def test_the_firm_uploads_a_document_and_whoever_sees_the_round_reads_it(world: dict[str, Any]) -> None:
    audit = list_round(world)
    firm = _client(world["firm_user"])
    assert _upload(_client(world["other_firm"]), audit.pk).status_code == 404  # another firm: as if missing
    assert _upload(_client(world["expert"]), audit.pk).status_code in (400, 403)  # guides, does not file
    assert _upload(_client(world["bureau"]), audit.pk).status_code == 403
    missing = _upload(firm, audit.pk, content=b"")
    assert missing.status_code == 400 and missing.json()["field"] == "file"
    fake = _upload(firm, audit.pk, content=b"<html><script>alert(1)</script>", name="x.pdf")
    assert fake.status_code == 400 and fake.json()["field"] == "file"
    wrong = _upload(firm, audit.pk, kind="balance_report")
    assert wrong.status_code == 400 and wrong.json()["field"] == "kind"
    assert not Artefact.objects.exists()
    done = _upload(firm, audit.pk)
    assert done.status_code == 201 and done.json()["file_name"] == "plan.pdf"
    artefact = Artefact.objects.get()
    got = _client(world["park"]).get(f"{API}/artefacts/{artefact.pk}/file")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert _client(world["other_firm"]).get(f"{API}/artefacts/{artefact.pk}/file").status_code == 404
    assert _client(world["expert_liyang"]).get(f"{API}/artefacts/{artefact.pk}/file").status_code == 404
    assert AuditEntry.objects.filter(action="cleanaudit.artefact.download").count() == 1


def test_the_report_pdf_through_the_api(world: dict[str, Any]) -> None:
    audit = list_round(world)
    got = _client(world["firm_user"]).get(f"{API}/rounds/{audit.pk}/report.pdf")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="cleanaudit.report.download", is_read=True).count() == 1
    assert _client(world["other_firm"]).get(f"{API}/rounds/{audit.pk}/report.pdf").status_code == 404
    assert _client(world["expert_liyang"]).get(f"{API}/rounds/{audit.pk}/report.pdf").status_code == 404
    assert _client(world["firm_user"]).get(f"{API}/rounds/999999/report.pdf").status_code == 404


def test_registration_through_the_api(world: dict[str, Any]) -> None:
    audit = list_round(world)
    assert _client(world["other_firm"]).post(f"{API}/rounds/{audit.pk}/registration").status_code == 404
    assert _client(world["park"]).post(f"{API}/rounds/{audit.pk}/registration").status_code == 403
    done = _client(world["firm_user"]).post(f"{API}/rounds/{audit.pk}/registration")
    assert done.status_code == 200 and done.json()["registered_on"] == timezone.localdate().isoformat()
    assert done.json()["registration_due"] == "2026-02-28"
    again = _client(world["firm_user"]).post(f"{API}/rounds/{audit.pk}/registration")
    assert again.status_code == 409 and again.json()["field"] == "registration"
    assert AuditRound.objects.get(pk=audit.pk).registered_by == world["firm_user"]


def test_benchmarks_and_terms_through_the_api(world: dict[str, Any]) -> None:
    Benchmark.objects.create(industry="coatings", indicator="energy_per_output", level_1=1, level_2=2, level_3=3,
                             effective_from=dt.date(2016, 7, 1))
    bureau, park = _client(world["bureau"]), _client(world["park"])
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = {"industry": "coatings", "indicator": "energy_per_output", "level_1": "0.5", "level_2": "1",
            "level_3": "2", "restrictive": True, "effective_from": later}
    assert park.post(f"{API}/benchmarks", json.dumps(body), content_type="application/json").status_code == 403
    bad = bureau.post(f"{API}/benchmarks", json.dumps({**body, "level_2": "0.1"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "level_2"
    made = bureau.post(f"{API}/benchmarks", json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["version"] == 2 and made.json()["in_force"] is False
    rows = park.get(f"{API}/benchmarks?industry=coatings").json()
    assert [(r["version"], r["in_force"]) for r in rows] == [(2, False), (1, True)]
    rows = park.get(f"{API}/benchmarks?industry=coatings&on={later}").json()
    assert [(r["version"], r["in_force"]) for r in rows] == [(2, True), (1, False)]
    assert _client(world["firm_user"]).get(f"{API}/benchmarks").status_code == 403
    term = {"register_months": 1, "start_months": 3, "assess_working_days": 20, "accept_months": 12}
    assert park.put(f"{API}/terms/2027", json.dumps(term), content_type="application/json").status_code == 403
    bad = bureau.put(f"{API}/terms/2027", json.dumps({**term, "start_months": 13}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "start_months" and not ListTerm.objects.exists()
    assert bureau.put(f"{API}/terms/2027", json.dumps(term), content_type="application/json").status_code == 200
    listed = _client(world["firm_user"]).get(f"{API}/terms").json()
    assert listed[0]["year"] is None and listed[0]["start_months"] == 2
    assert listed[1] == {"year": 2027, **term}
