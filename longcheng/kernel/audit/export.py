"""The audit trail as a workbook: the filtered rows as the viewer sees them (masked by the policy,
in words), written by kernel.exports. The export is itself an audit row, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from longcheng.kernel import exports
from longcheng.kernel.access.models import User
from longcheng.kernel.errors import ErrorCode, KernelError

from .actions import record
from .display import describe_all
from .models import AuditEntry

# A workbook of more rows than this is refused with a message asking for a narrower filter: the
# file is built in memory by one web worker.
EXPORT_MAX_ROWS = 20_000


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label}: {value}" if label else value for label, value in pairs)


def audit_xlsx(rows: list[Any]) -> bytes:
    book = exports.workbook()
    sheet = book.active
    sheet.title = _("Audit trail")[:31]
    sheet.append([_("When"), _("Who"), _("Action"), _("Object type"), _("Object number"), _("Object"),
                  pgettext("audit change", "Before"), pgettext("audit change", "After"), _("Reason"), _("Read of sensitive data")])
    for row in rows:
        sheet.append([
            timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
            row.actor.username if row.actor else _("system"),
            row.action_label, str(row.object_type.name), row.object_id, row.object_name,
            _lines(row.before_lines), _lines(row.after_lines), row.reason, _("yes") if row.is_read else "",
        ])
    return exports.xlsx_bytes(book)


def do_export_audit(qs: QuerySet[AuditEntry], *, filters: str, acting_user: User) -> bytes:
    """The rows of `qs` (already restricted to the viewer and filtered) as XLSX; the export is
    recorded (who, which filters, how many rows) against the exporting account."""
    rows: list[Any] = list(qs.select_related("actor", "object_type")[: EXPORT_MAX_ROWS + 1])
    if len(rows) > EXPORT_MAX_ROWS:
        raise KernelError(_("At most %(n)d rows can be exported at once: narrow the filters (e.g. the period).")
                          % {"n": EXPORT_MAX_ROWS}, code=ErrorCode.INVALID, field="since")
    describe_all([row.show_to(acting_user) for row in rows])
    data = audit_xlsx(rows)
    with transaction.atomic():
        record(acting_user, "audit.export", acting_user, after={"filters": filters or "—", "rows": len(rows)})
    return data
