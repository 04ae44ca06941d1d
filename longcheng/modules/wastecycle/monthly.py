"""The month's report as a file: for a school (its figures, grades and class ranking) and for the
district (each school's month), as PDF (kernel.pdf) and as XLSX (kernel.exports, every cell a formula
could hide in neutralised). The same figures as the pages: reports.school_report and district_report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import pgettext

from longcheng.kernel import exports, pdf
from longcheng.kernel.orgs.models import Organisation

from . import reports
from .conf import conf
from .models import SchoolClass, SchoolDay


def month_span(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _ranking(report: reports.SchoolReport) -> list[list[Any]]:
    alert = conf("WASTECYCLE_ALERT_GRAMS")
    head = [pgettext("wastecycle", "Rank"), pgettext("wastecycle", "Class"), pgettext("wastecycle", "g per diner"),
            pgettext("wastecycle", "Meals"), pgettext("wastecycle", "光盘 meals"),
            pgettext("wastecycle", "Above %(alert)s g") % {"alert": alert}]
    rows: list[list[Any]] = [head]
    rows += [[n, r.klass.name, r.shown, r.meals, r.clean_meals, r.alerts] for n, r in enumerate(report.ranked, 1)]
    rows += [["", r.klass.name, pgettext("wastecycle", "not ranked (no attendance)"), r.unattended_meals, "", ""]
             for r in report.unranked]
    return rows


def _school_summary(report: reports.SchoolReport) -> list[tuple[str, Any]]:
    rows = report.ranked
    grams, diners = sum(r.grams for r in rows), sum(r.diners for r in rows)
    overall = reports.rules.shown_grams(reports.rules.grams_per_diner(grams, diners))
    return [(pgettext("wastecycle", "Meals weighed with attendance"), sum(r.meals for r in rows)),
            (pgettext("wastecycle", "Leftovers (kg)"), f"{grams / 1000:.1f}"),
            (pgettext("wastecycle", "g per diner"), overall),
            (pgettext("wastecycle", "光盘 meals"), sum(r.clean_meals for r in rows)),
            (pgettext("wastecycle", "Meals above the alert"), sum(r.alerts for r in rows)),
            (pgettext("wastecycle", "Most improved class"), report.most_improved.name if report.most_improved else "—")]


def school_month(school: Organisation, classes: QuerySet[SchoolClass], month: dt.date) -> tuple[str, Any, Any]:
    """(title, summary pairs, table rows) of a school's month."""
    start, end = month_span(month)
    report = reports.school_report(classes, start, end)
    title = pgettext("wastecycle", "光盘行动 monthly report: %(school)s, %(month)s") % {
        "school": school.name, "month": start.strftime("%Y-%m")}
    grades = [[pgettext("wastecycle", "Grade"), pgettext("wastecycle", "g per diner")]] + [
        [g, shown] for g, shown in report.grades]
    return title, _school_summary(report), (grades, _ranking(report))


def district_month(days: QuerySet[SchoolDay], month: dt.date) -> tuple[str, list[list[Any]]]:
    start, end = month_span(month)
    title = pgettext("wastecycle", "光盘行动 district report, %(month)s") % {"month": start.strftime("%Y-%m")}
    head = [pgettext("wastecycle", "School"), pgettext("wastecycle", "Leftovers (kg)"),
            pgettext("wastecycle", "Diners"), pgettext("wastecycle", "g per diner")]
    rows: list[list[Any]] = [head] + [[m.school, round(m.grams / 1000, 1), m.diners, m.shown]
                                      for m in reports.district_report(days, start, end)]
    return title, rows


def school_pdf(school: Organisation, classes: QuerySet[SchoolClass], month: dt.date) -> bytes:
    title, pairs, (grades, ranking) = school_month(school, classes, month)
    return pdf.document(title, [pdf.Pairs(pairs), pdf.Heading(pgettext("wastecycle", "Grades")), pdf.Rows(grades),
                                pdf.Heading(pgettext("wastecycle", "Class ranking")), pdf.Rows(ranking)])


def school_xlsx(school: Organisation, classes: QuerySet[SchoolClass], month: dt.date) -> bytes:
    title, pairs, (grades, ranking) = school_month(school, classes, month)
    return _book(title, [[label, value] for label, value in pairs], grades, ranking)


def district_pdf(days: QuerySet[SchoolDay], month: dt.date) -> bytes:
    title, rows = district_month(days, month)
    return pdf.document(title, [pdf.Rows(rows)])


def district_xlsx(days: QuerySet[SchoolDay], month: dt.date) -> bytes:
    title, rows = district_month(days, month)
    return _book(title, rows)


def _book(title: str, *tables: Sequence[Sequence[Any]]) -> bytes:
    book = exports.workbook()
    sheet = book.active
    sheet.title = pgettext("wastecycle", "Report")
    exports.append(sheet, [title])
    for table in tables:
        exports.append(sheet, [])
        for row in table:
            exports.append(sheet, row)
    return exports.xlsx_bytes(book)
