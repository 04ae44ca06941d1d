"""Importing the year's list from XLSX (or CSV), with a report naming every bad row's line and column.
All rows go through `do_list_round` inside one transaction; one bad row and nothing is kept, so the
list is never half-written.

Columns (header row, Chinese or English): 统一社会信用代码 uscc (a firm in the directory, in the
bureau's places), 审核原因 trigger (双超/高耗能/双有/自愿 or the codes), 行业 industry (涂料/电镀/机械/纺织
or the codes), 审核方式 mode (自行审核/委托 or self/consultancy), 咨询机构 consultancy (its credit code).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import pgettext

from longcheng.kernel import tables
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.tables import ImportReport, RowProblem

from .actions import do_list_round, term_for
from .models import AuditRound, Consultancy
from .spec import REVIEW

HEADERS = {"统一社会信用代码": "uscc", "uscc": "uscc", "审核原因": "trigger", "trigger": "trigger", "行业": "industry",
           "industry": "industry", "审核方式": "mode", "mode": "mode", "咨询机构": "consultancy",
           "consultancy": "consultancy"}
COLUMN = {"uscc": "统一社会信用代码", "trigger": "审核原因", "industry": "行业", "mode": "审核方式",
          "consultancy": "咨询机构"}
WORDS = {
    "trigger": {"双超": "discharge", "高耗能": "energy", "双有": "hazardous", "自愿": "voluntary"},
    "industry": {"涂料": "coatings", "电镀": "electroplating", "机械": "machinery", "纺织": "textiles"},
    "mode": {"自行审核": "self", "自行": "self", "委托": "consultancy", "委托咨询机构": "consultancy"},
}


def do_import_list(content: bytes, *, filename: str, year: int, listed_on: dt.date, acting_user: User
                   ) -> ImportReport:
    require_perm(acting_user, REVIEW)
    rows = tables.read_table(content, headers=HEADERS, required=("uscc", "trigger", "industry", "mode"),
                             defaults=COLUMN, filename=filename, allow_csv=True)
    named = tables.column_names(rows, COLUMN)
    report = ImportReport(rows=len(rows))
    # The firms and consultancies of the whole file in two queries, not two a row (bench: 1,000 rows).
    codes = {str(row.get(k, "")).strip().upper() for row in rows for k in ("uscc", "consultancy")} - {""}
    firms = {o.uscc: o for o in restrict(Organisation.objects.filter(kind="enterprise"), acting_user, REVIEW)
             .filter(uscc__in=codes).select_related("place")}
    roster = {c.org.uscc: c for c in Consultancy.objects.select_related("org").filter(org__uscc__in=codes)}
    grades: dict[int, str] = {}  # each firm's latest grade, for the self-audit rule
    for firm_id, grade in AuditRound.objects.filter(firm__in=list(firms.values())).exclude(grade="").order_by(
            "firm_id", "year").values_list("firm_id", "grade"):
        grades[firm_id] = grade
    term = term_for(year)  # the year's deadlines, read once for the whole list
    with transaction.atomic():
        for line, row in tables.numbered(rows):
            values = {k: WORDS.get(k, {}).get(row.get(k, "").strip(), row.get(k, "").strip()) for k in COLUMN}
            firm = firms.get(values["uscc"].upper())
            if firm is None:
                report.problems.append(RowProblem(line, named["uscc"], pgettext(
                    "cleanaudit", "No firm of this credit code in your places.")))
                continue
            consultancy = roster.get(values["consultancy"].upper()) if values["consultancy"] else None
            try:
                # do_list_round's own atomic block is the row's savepoint: a refused row leaves nothing.
                do_list_round(firm=firm, year=year, listed_on=listed_on, trigger=values["trigger"],
                              industry=values["industry"], mode=values["mode"], consultancy=consultancy,
                              acting_user=acting_user, last_grade=grades.get(firm.pk, ""), term=term)
            except KernelError as exc:
                column = named.get(exc.field or "", exc.field or "")
                report.problems.append(RowProblem(line, column, str(exc.message)))
            else:
                report.imported += 1
        if report.problems:
            report.imported = 0
            transaction.set_rollback(True)
    return report
