"""youthaid's pages, one file per topic; each form posts to its step's own url (POST only), the page itself is GET only, every change goes through an
action in `actions/`, which checks the permission and the scope again.

| file | pages |
|---|---|
| `cases.py` | the list of cases, one case and its steps, reporting, proofs |
| `review.py` | the charity federation's review queue |
| `payments.py` | payment batches |
| `fund.py` | the fund and its statement; the aid rules |
| `volunteers.py` | hope parents |
| `rooms.py` | dream rooms |
| `figures.py` | the figures by town, aid type and year |
| `dashboard.py` | the panel on the home dashboard |
| `common.py` | the permissions and the refused step's page the pages share |
"""

from .dashboard import panel_charts, panel_figures, reporter_figures

__all__ = ["panel_charts", "panel_figures", "reporter_figures"]
