"""Every change in the youth aid fund, one file per topic. Each action checks the permission and the
scope, writes in one transaction with its audit row, and on refusal raises a KernelError naming the
field and the rule, having written nothing.

| file | what it holds |
|---|---|
| `discovery.py` | reports by teachers and workers; deaths recorded in the registry |
| `registry.py` | consent, the profile, the audited reveal |
| `screening.py` | screening against the criteria; appeals |
| `monitoring.py` | visits, life events, birthdays, overdue follow-ups |
| `aid.py` | applications, recommendations, review; the yearly cap |
| `payments.py` | payment batches, bank returns, re-issues |
| `fund.py` | the fund on the ledger (opened by `do_open_fund`), donations, the aid rules |
| `volunteers.py` | hope parents and their pairings |
| `rooms.py` | dream rooms |
| `figures.py` | totals for the dashboard and the figures page |

Callers import this package (`from longcheng.modules.youthaid import actions`); the names below are
its public surface."""

from ..conf import visit_days
from .aid import commit_memo, do_apply, do_decide, do_recommend, used_fen
from .common import (
    BANK,
    BANK_FIELDS,
    FUND,
    HEALTH,
    HEALTH_FIELDS,
    MANAGE,
    PARENT_KINDS,
    PAY,
    PROFILE_FIELDS,
    PURPOSE,
    REPORT,
    REVIEW,
    VIEW,
    consent_missing,
    is_under_14,
)
from .discovery import do_report, on_person_died
from .figures import FundFigures, fund_figures, paid_total, reaided_count
from .fund import FundNotOpen, beneficiaries, do_donate, do_open_fund, do_update_aid_type, youth_fund
from .monitoring import do_life_event, do_record_visit, overdue, record_birthdays
from .payments import do_create_batch, do_pay_batch, do_reissue, do_return_payment
from .registry import do_record_consent, do_reveal, do_update_profile, mask_account
from .rooms import do_advance_room, do_propose_room
from .screening import do_appeal, do_screen, screen
from .volunteers import do_end_pairing, do_log_contact, do_pair, do_register_volunteer, do_vet_volunteer

__all__ = [
    "BANK", "BANK_FIELDS", "FUND", "HEALTH", "HEALTH_FIELDS", "MANAGE", "PARENT_KINDS", "PAY", "PROFILE_FIELDS",
    "PURPOSE", "REPORT", "REVIEW", "VIEW", "beneficiaries", "commit_memo", "consent_missing", "do_advance_room", "do_appeal",
    "do_apply", "do_create_batch", "do_decide", "do_donate", "do_end_pairing", "do_life_event", "do_log_contact",
    "do_open_fund", "FundFigures", "FundNotOpen", "fund_figures", "do_pair", "do_pay_batch", "do_propose_room", "do_record_consent", "do_record_visit",
    "do_recommend", "do_register_volunteer", "do_reissue", "do_report", "do_return_payment", "do_reveal",
    "do_screen", "do_update_aid_type", "do_update_profile", "do_vet_volunteer", "is_under_14", "mask_account",
    "on_person_died", "overdue", "paid_total", "reaided_count", "record_birthdays", "screen", "used_fen",
    "visit_days", "youth_fund",
]
