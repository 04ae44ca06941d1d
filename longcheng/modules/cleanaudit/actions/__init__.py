"""Every change in cleanaudit: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row."""

from __future__ import annotations

from .benchmarks import do_set_benchmark
from .deadlines import do_register, do_set_term, term_for
from .guidance import do_close_thread, do_log_visit, do_open_thread, do_reply
from .reviews import do_review
from .rounds import (
    do_add_artefact,
    do_add_option,
    do_close_stage,
    do_list_round,
    do_set_balance,
    do_set_figures,
    do_set_option_status,
)

__all__ = [
    "do_add_artefact", "do_add_option", "do_close_stage", "do_close_thread", "do_list_round", "do_log_visit",
    "do_open_thread", "do_reply", "do_review", "do_set_balance", "do_set_figures", "do_set_option_status",
    "do_set_benchmark", "do_register", "do_set_term", "term_for",
]
