"""The one check every uploaded file passes, and the one way a stored file is sent back.

What a file is gets decided by its content, never by its name or the type the browser claimed:
1. its first bytes must be the signature of a kind allowed for the purpose (PDF `%PDF-`, JPEG
   `FF D8 FF`, PNG `89 50 4E 47 0D 0A 1A 0A`, GeoJSON `{`);
2. nowhere in the file may there be markup a browser would run: `<html`, `<script`, `<body`,
   `<head`, `<iframe`, `<svg`, `<object`, `<embed`, `<!doctype`, `javascript:` (any case). A real
   scan has no such bytes (PDF text is inside compressed or `(…)Tj` streams, image data is binary;
   the chance of seven given bytes in random data is 1 in 7·10^16 per position), while an
   HTML/PDF polyglot needs them, wherever it hides them;
3. it is not empty and at most `max_bytes`.

A download is sent as an attachment with the type that check decided (from the stored bytes, so a
file stored before the check existed is judged the same way), `X-Content-Type-Options: nosniff`,
and a sandboxing CSP; a file that no longer passes is sent as application/octet-stream. The caller
audits the download (is_read=True) in the same call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    signature: bytes


PDF = FileKind("pdf", "PDF", "application/pdf", b"%PDF-")
JPEG = FileKind("jpeg", "JPEG", "image/jpeg", b"\xff\xd8\xff")
PNG = FileKind("png", "PNG", "image/png", b"\x89PNG\r\n\x1a\n")
# A JSON text (a GeoJSON FeatureCollection for the places import): the object's opening brace first.
GEOJSON = FileKind("geojson", "GeoJSON", "application/geo+json", b"{")
KINDS = (PDF, JPEG, PNG, GEOJSON)
# A scanned document or photo of one: proofs, bills, letters, certificates.
SCANS = (PDF, JPEG, PNG)

_MARKUP = re.compile(rb"<(?:html|script|body|head|iframe|svg|object|embed|!doctype)|javascript:", re.IGNORECASE)
_CHUNK = 64 * 1024
_OVERLAP = 16  # longer than the longest marker, so one split across two chunks is still seen


def sniff(handle: IO[bytes]) -> FileKind | None:
    """The kind of the file by its content (rules 1 and 2 above), or None; reads the whole file and
    leaves the handle at its start."""
    handle.seek(0)
    head = handle.read(16)
    kind = next((k for k in KINDS if head.startswith(k.signature)), None)
    tail = head
    while kind is not None:
        chunk = handle.read(_CHUNK)
        if _MARKUP.search(tail + chunk):
            kind = None
        if not chunk:
            break
        tail = chunk[-_OVERLAP:]
    handle.seek(0)
    return kind


def check_upload(upload: Any, *, allowed: tuple[FileKind, ...], max_bytes: int, field: str) -> FileKind:
    """Refuse a file that is missing, empty, too large, or not one of the allowed kinds by content.
    The refusal names `field`."""
    if upload is None or not getattr(upload, "size", 0):
        raise KernelError(_("Choose a file."), code=ErrorCode.REQUIRED, field=field)
    if upload.size > max_bytes:
        raise KernelError(_("A file is at most %(mb)d MB.") % {"mb": max(max_bytes // (1024 * 1024), 1)},
                          code="file_too_large", field=field)
    kind = sniff(upload)
    if kind is None or kind not in allowed:
        raise KernelError(_("The file must be one of: %(kinds)s (checked by its content, not its name).")
                          % {"kinds": ", ".join(k.label for k in allowed)}, code="file_type", field=field)
    return kind


def download(file: Any, name: str, *, acting_user: User | AnonymousUser, action: str, obj: models.Model,
             after: dict[str, Any] | None = None, reason: str = "") -> FileResponse:
    """Send a stored file as an attachment, and audit the download (is_read=True) against `obj`.
    Raises FileNotFoundError when the file is gone (the caller answers 404)."""
    handle = file.open("rb")
    kind = sniff(handle)
    with transaction.atomic():
        record(acting_user, action, obj, after={"name": name, **(after or {})}, reason=reason, is_read=True)
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=kind.content_type if kind else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, the file gets no script and no origin of ours.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
