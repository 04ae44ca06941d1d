"""清洁生产审核: a year's list imported from XLSX with its report.

BENCH_CLEANAUDIT_LIST firms (every size: 1,000, the issue's number) in the directory, spread over Wujin's
towns; the bureau imports the list as one XLSX (统一社会信用代码, 审核原因, 行业, 审核方式): every row
through do_list_round (scope, the grade rule for self-audit, the round, its first stage with its due day,
the audit row), one transaction, the report of the rows. Target (issue 17): < 10 s.

Baseline, same data and run: the plain way without a rule — the rows read with openpyxl, the firms looked
up in one query, the rounds and their first stages bulk-created (into a second year, so both write the same
number of rows). What the rules, the audit trail and the report cost is the difference.
"""

from __future__ import annotations

import datetime as dt
import io
import time

from bench.common import note, progress, report, sized, target

FIRMS = sized("BENCH_CLEANAUDIT_LIST", tiny=50, small=1000, city=1000)
INDUSTRIES = ("涂料", "电镀", "机械", "纺织")


def _build() -> tuple[object, bytes]:
    from openpyxl import Workbook

    from longcheng.kernel import demo
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.kernel.places.models import Place

    demo.build_places(log=lambda *a, **k: None)
    wujin = Place.objects.get(name="武进区", level="district")
    streets = list(Place.objects.filter(parent=wujin, level="street").order_by("code"))
    firms = Organisation.objects.bulk_create([
        Organisation(kind="enterprise", name=f"企业{i}", uscc=f"9132041277{i:08d}", place=streets[i % len(streets)])
        for i in range(FIRMS)], batch_size=2000)
    user = User.objects.create_user(username="bench_bureau", password="x")
    RoleAssignment.objects.create(user=user, role="cleanaudit_bureau").places.set([wujin])
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "审核原因", "行业", "审核方式"])
    for n, firm in enumerate(firms):
        sheet.append([firm.uscc, ("双超", "高耗能", "双有")[n % 3], INDUSTRIES[n % 4], "自行审核"])
    buffer = io.BytesIO()
    book.save(buffer)
    return user, buffer.getvalue()


def _plain(content: bytes, year: int) -> int:
    """Read the rows and bulk-create the rounds and their first stages, no rule, no audit, no report."""
    from django.db import transaction
    from django.utils import timezone
    from openpyxl import load_workbook

    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.cleanaudit.models import AuditRound, StageRecord

    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(min_row=2, values_only=True))
    firms = {o.uscc: o for o in Organisation.objects.filter(uscc__in=[r[0] for r in rows])}
    industry = {"涂料": "coatings", "电镀": "electroplating", "机械": "machinery", "纺织": "textiles"}
    with transaction.atomic():
        rounds = AuditRound.objects.bulk_create([
            AuditRound(firm=firms[r[0]], place_id=firms[r[0]].place_id, year=year, listed_on=dt.date(year, 1, 31),
                       trigger="energy", industry=industry[r[2]], mode="self") for r in rows], batch_size=2000)
        now = timezone.now()
        StageRecord.objects.bulk_create([StageRecord(round=a, stage="planning", opened_at=now,
                                                     due_on=dt.date(year, 3, 31)) for a in rounds], batch_size=2000)
    return len(rounds)


def run() -> None:
    from longcheng.modules.cleanaudit import listing
    from longcheng.modules.cleanaudit.models import AuditRound

    progress(f"cleanaudit: {FIRMS:,} firms, a year's list as XLSX")
    user, content = _build()
    begin = time.perf_counter()
    result = listing.do_import_list(content, filename="list.xlsx", year=2026, listed_on=dt.date(2026, 1, 31),
                                    acting_user=user)  # type: ignore[arg-type]
    seconds = time.perf_counter() - begin
    assert (result.imported, result.problems) == (FIRMS, []), (result.imported, result.problems[:3])
    assert AuditRound.objects.filter(year=2026).count() == FIRMS
    begin = time.perf_counter()
    assert _plain(content, 2027) == FIRMS
    baseline = time.perf_counter() - begin
    note(f"{FIRMS:,} rows imported, {len(content):,} bytes of XLSX")
    report("cleanaudit", f"a year's list of {FIRMS:,} firms imported with its report", seconds, baseline, "s",
           "plain: bulk insert, no rule or audit")
    target("cleanaudit", f"a year's list of {FIRMS:,} firms imported", seconds, 10, "s")
