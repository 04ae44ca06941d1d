"""cleanaudit's API under /api/v1/cleanaudit/: parse, authorise, call an action."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["cleanaudit"])
