"""Green islands (绿岛): each island's capacity, its member firms and what they send, month by month,
from the transfer manifests. Read-only pages: islands are built by the bureau's projects, recorded
through the actions (or the demo), not typed in here."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import NotFound
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from . import figures
from .spec import VIEW


@staff_view(VIEW)
def islands(request: StaffRequest) -> HttpResponse:
    return render(request, "remediation/islands.html", {"rows": figures.island_rows(request.user)})


@staff_view(VIEW)
def island(request: StaffRequest, pk: int) -> HttpResponse:
    found = figures.islands_for(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    months = figures.monthly_volumes(found)
    chart = Chart(pgettext("remediation", "Sent to the island by month (t)"), "bar",
                  [m.strftime("%Y-%m") for m, _t in months],
                  {pgettext("remediation", "t"): [float(t) for _m, t in months]})
    members = found.members.select_related("firm", "case").order_by("joined_on", "pk")
    return render(request, "remediation/island.html", {
        "island": found, "members": members, "months": months, "chart": render_chart(chart) if months else ""})
