"""platformdoor's pure decisions: arguments in, an answer out, no I/O (tested without a database)."""

from __future__ import annotations

from django.utils.translation import pgettext

NAME_LIMIT = 100


def name_problem(name: str) -> str | None:
    """Why a name cannot be used, or None."""
    if not name.strip():
        return pgettext("platformdoor", "A name is required.")
    if len(name.strip()) > NAME_LIMIT:
        return pgettext("platformdoor", "At most 100 characters.")
    return None
