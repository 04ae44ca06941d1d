"""A firm's audit report outline (审核报告提纲) as PDF, through the kernel's one PDF writer: the round, the
seven stages with what each holds on file, the firm's figures and the indicators computed from them, the
material balance, the options register with payback, NPV and IRR, and the bureau's reviews. The outline is
what the report must cover; the firm's own report is the artefacts it filed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext

from longcheng.kernel import pdf
from longcheng.kernel.ledger.money import format_fen

from . import figures, rules
from .models import AuditRound
from .stages import STAGES


def _head(audit: AuditRound) -> pdf.Pairs:
    return pdf.Pairs([
        (pgettext("cleanaudit", "Firm"), audit.firm.name),
        (pgettext("cleanaudit", "Year of the list"), audit.year),
        (pgettext("cleanaudit", "Trigger"), audit.get_trigger_display()),
        (pgettext("cleanaudit", "Industry"), audit.get_industry_display()),
        (pgettext("cleanaudit", "Mode"), audit.get_mode_display()
         + (f"（{audit.consultancy.org.name}）" if audit.consultancy else "")),
        (pgettext("cleanaudit", "Stage"), audit.status_label),
        (pgettext("cleanaudit", "Grade"), audit.grade or "—"),
    ])


def _stages(audit: AuditRound) -> pdf.Rows:
    records = {r.stage: r for r in audit.stages.all()}
    artefacts: dict[str, list[str]] = {}
    for a in audit.artefacts.order_by("added_at", "pk"):
        artefacts.setdefault(a.stage, []).append(f"{a.get_kind_display()}: {a.title}"
                                                 + (f" [{a.file_name}]" if a.file_name else ""))
    rows: list[list[Any]] = [[pgettext("cleanaudit", "Stage"), pgettext("cleanaudit", "Due"),
                              pgettext("cleanaudit", "Closed"), pgettext("cleanaudit", "On file")]]
    for stage in STAGES:
        record = records.get(stage.code)
        rows.append([stage.label, record.due_on if record else "", record.closed_at if record else "",
                     "；".join(artefacts.get(stage.code, [])) or "—"])
    return pdf.Rows(rows)


def _indicators(audit: AuditRound) -> pdf.Rows:
    computed = {row.period: rules.intensities({f: getattr(row, n) for f, n in figures.FLOW_FIELDS.items()},
                                              output=row.output, value_added_fen=row.value_added_fen)
                for row in audit.figures.all()}
    before, after = computed.get("before", {}), computed.get("after", {})
    rows: list[list[Any]] = [[pgettext("cleanaudit", "Indicator (computed)"), pgettext("cleanaudit", "Before"),
                              pgettext("cleanaudit", "After"), pgettext("cleanaudit", "Change")]]
    for key, label in rules.INDICATORS.items():
        change = rules.change(before.get(key), after.get(key))
        rows.append([label, before.get(key) or "—", after.get(key) or "—",
                     f"{change * 100:.2f} %" if change is not None else "—"])
    return pdf.Rows(rows)


def _options(audit: AuditRound) -> pdf.Rows:
    rows: list[list[Any]] = [[pgettext("cleanaudit", "Option"), pgettext("cleanaudit", "Cost class"),
                              pgettext("cleanaudit", "Investment"), pgettext("cleanaudit", "Yearly savings"),
                              pgettext("cleanaudit", "Payback (years)"), "NPV", "IRR",
                              pgettext("cleanaudit", "Status")]]
    for o in audit.options.order_by("cost_class", "pk"):
        irr = rules.irr(o.investment_fen, o.yearly_saving_fen, o.life_years)
        rows.append([o.title, o.get_cost_class_display(), format_fen(o.investment_fen),
                     format_fen(o.yearly_saving_fen), rules.payback_years(o.investment_fen, o.yearly_saving_fen) or "—",
                     format_fen(rules.npv(o.investment_fen, o.yearly_saving_fen, o.life_years, figures.DISCOUNT_RATE)),
                     f"{irr * 100:.2f} %" if irr is not None else "—", o.get_status_display()])
    return pdf.Rows(rows)


def outline(audit: AuditRound) -> list[pdf.Block]:
    balance = getattr(audit, "balance", None) if hasattr(audit, "balance") else None
    blocks: list[pdf.Block] = [_head(audit), pdf.Heading(pgettext("cleanaudit", "The seven stages")), _stages(audit),
                               pdf.Heading(pgettext("cleanaudit", "The firm's figures and indicators")),
                               _indicators(audit), pdf.Heading(pgettext("cleanaudit", "Material balance"))]
    if balance is None:
        blocks.append(pdf.Para(pgettext("cleanaudit", "Not in yet.")))
    else:
        gap = rules.balance_gap(balance.inputs_t, balance.products_t, balance.byproducts_t, balance.losses_t)
        blocks.append(pdf.Pairs([
            (pgettext("cleanaudit", "Inputs (t)"), balance.inputs_t),
            (pgettext("cleanaudit", "Products (t)"), balance.products_t),
            (pgettext("cleanaudit", "By-products (t)"), balance.byproducts_t),
            (pgettext("cleanaudit", "Wastes and losses (t)"), balance.losses_t),
            (pgettext("cleanaudit", "gap"), f"{gap * 100:.2f} %")]))
    blocks += [pdf.Heading(pgettext("cleanaudit", "Options")), _options(audit),
               pdf.Heading(pgettext("cleanaudit", "Assessment and acceptance"))]
    reviews = [[r.get_kind_display(), r.total, pgettext("cleanaudit", "Passed (合格)") if r.passed
                else pgettext("cleanaudit", "Failed (不合格)"), r.reasons or "—", r.at]
               for r in audit.reviews.order_by("at", "pk")]
    blocks.append(pdf.Rows([[pgettext("cleanaudit", "Review"), pgettext("cleanaudit", "score"),
                             pgettext("cleanaudit", "Result"), pgettext("cleanaudit", "Reasons"),
                             pgettext("cleanaudit", "On")], *reviews]) if reviews
                  else pdf.Para(pgettext("cleanaudit", "Nothing yet.")))
    return blocks


def report_pdf(audit: AuditRound) -> bytes:
    return pdf.document(pgettext("cleanaudit", "Cleaner-production audit report outline: %(firm)s, %(year)s") % {
        "firm": audit.firm.name, "year": audit.year}, outline(audit))
