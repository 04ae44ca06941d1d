"""The youth aid panel on the home dashboard: headline figures and one chart, scoped to the viewer
(the fund's balance is the one global figure: there is one fund for the whole city)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.registry import Chart, Figure

from .. import actions
from ..models import AidType, Application, AppStatus, CaseStatus, Payment, PayStatus, Report, Youth

VIEW = actions.VIEW


def panel_figures(user: Any) -> list[Figure]:
    youths = restrict(Youth.objects.all(), user, VIEW)
    paid = restrict(Payment.objects.filter(status=PayStatus.PAID), user, VIEW)
    cases, figures_url, fund_url = reverse("youthaid:cases"), reverse("youthaid:figures"), reverse("youthaid:fund")
    try:
        available = ledger.fund_account(actions.youth_fund()).balance_fen
    except actions.FundNotOpen:  # an installation whose fund is not opened yet holds nothing
        available = 0
    return [
        Figure(_("Youths registered"), youths.count(), url=cases),
        Figure(_("Under monitoring"), youths.filter(status=CaseStatus.ACTIVE).count(),
               url=f"{cases}?status={CaseStatus.ACTIVE}"),
        Figure(_("Youths aided"), paid.values("youth").distinct().count(), url=figures_url),
        Figure(_("Youths re-aided"), actions.reaided_count(youths), url=figures_url),
        Figure(_("Aid paid"), format_fen(actions.paid_total(paid)), url=figures_url),
        Figure(_("Available in the fund"), format_fen(available), url=fund_url),
        Figure(_("Overdue follow-ups"), actions.overdue(user).count(), url=f"{cases}?overdue=1"),
        *([Figure(_("Awaiting review"), _awaiting_review(user), url=reverse("youthaid:review"))]
          if has_perm(user, actions.REVIEW) else []),
    ]


def _awaiting_review(user: Any) -> int:
    return restrict(Application.objects.filter(status=AppStatus.RECOMMENDED), user, actions.REVIEW).count()


def panel_charts(user: Any) -> list[Chart]:
    paid = restrict(Payment.objects.filter(status=PayStatus.PAID), user, VIEW)
    by_type = dict(paid.order_by().values_list("aid_type").annotate(fen=Sum("amount_fen")).values_list("aid_type",
                                                                                                     "fen"))
    if not by_type:
        return []
    types = [t for t in AidType.objects.all() if by_type.get(t.pk)]
    return [Chart(_("Aid paid by aid type (yuan)"), "bar", [str(t) for t in types],
                  {_("yuan"): [(by_type[t.pk] or 0) / 100 for t in types]})]


def reporter_figures(user: Any) -> list[Figure]:
    """A reporter's own reports and where each youth stands now: the reporter sees nothing of
    anyone else's reports and nothing of a case beyond its status."""
    mine = Youth.objects.filter(reports__reporter=user).distinct()
    page = reverse("youthaid:report")
    waiting = (CaseStatus.REPORTED, CaseStatus.NEEDS_INFO, CaseStatus.APPEALED, CaseStatus.OUTREACH)
    return [
        Figure(_("My reports"), Report.objects.filter(reporter=user).count(), url=page),
        Figure(_("Awaiting screening"), mine.filter(status__in=waiting).count(), url=page),
        Figure(_("Found eligible, under monitoring"), mine.filter(status=CaseStatus.ACTIVE).count(), url=page),
        Figure(_("Found not eligible"), mine.filter(status=CaseStatus.NOT_ELIGIBLE).count(), url=page),
    ]
