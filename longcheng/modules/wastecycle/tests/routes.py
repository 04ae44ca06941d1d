"""wastecycle's pages and API routes in the role × route matrix (see kernel/route_matrix.py)."""

from __future__ import annotations

from longcheng.kernel.route_matrix import Routes

ROUTES = Routes(pages=[], api=[])
