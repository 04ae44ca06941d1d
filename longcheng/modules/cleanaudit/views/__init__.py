"""cleanaudit's pages: the lists, the park roll-up, a round's page and the forms posted from it."""

from __future__ import annotations

from .files import artefact_file, benchmarks, report_pdf, terms
from .lists import import_list, list_firm, mine, rollup, rounds
from .round import (
    add_artefact,
    add_option,
    close_stage,
    close_thread,
    log_visit,
    open_thread,
    register,
    reply,
    review,
    round_page,
    set_balance,
    set_figures,
    set_option_status,
)

__all__ = ["register", "terms", "artefact_file", "benchmarks", "report_pdf", "import_list", "add_artefact", "add_option", "close_stage", "close_thread", "list_firm", "log_visit", "mine",
           "open_thread", "reply", "review", "rollup", "round_page", "rounds", "set_balance", "set_figures",
           "set_option_status"]
