"""The one upload check (kernel.uploads): a file's kind is decided by its content, markup anywhere
in it is refused, and the size is limited. The modules' tests show each upload and download uses it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from longcheng.kernel import uploads
from longcheng.kernel.errors import KernelError

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.mark.parametrize("content, kind", [(PDF, uploads.PDF), (PNG, uploads.PNG), (JPEG, uploads.JPEG)])
def test_real_scans_are_recognised_by_content_whatever_their_name(content: bytes, kind: uploads.FileKind) -> None:
    upload = SimpleUploadedFile("whatever.html", content, content_type="text/html")
    assert uploads.check_upload(upload, allowed=uploads.SCANS, max_bytes=1024 * 1024, field="proof") is kind
    assert upload.tell() == 0  # left ready to be stored


@pytest.mark.parametrize("content", [
    POLYGLOT,
    b"%PDF-1.4\n" + b"x" * 5000 + b"<SCRIPT src=//evil>",           # markup hidden past the first KB
    b"%PDF-1.4\n" + b"x" * (64 * 1024 + 3) + b"<iframe>",           # a marker split across two chunks
    b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>",
    b"\xff\xd8\xff<!DOCTYPE html>",
    b"%PDF-1.4 <a href='javascript:alert(1)'>",
    b"<html>%PDF-1.4",                                              # no signature at the start
    b"GIF89a....",                                                  # an image kind not allowed
    b"letter",
])
def test_anything_else_is_refused_naming_the_field(content: bytes) -> None:
    with pytest.raises(KernelError) as caught:
        uploads.check_upload(SimpleUploadedFile("scan.pdf", content), allowed=uploads.SCANS, max_bytes=1024 * 1024,
                             field="proof")
    assert caught.value.code == "file_type" and caught.value.field == "proof"


def test_the_allow_list_is_per_purpose() -> None:
    with pytest.raises(KernelError):
        uploads.check_upload(SimpleUploadedFile("a.png", PNG), allowed=(uploads.PDF,), max_bytes=10_000, field="f")


def test_empty_and_too_large_files_are_refused() -> None:
    with pytest.raises(KernelError) as empty:
        uploads.check_upload(SimpleUploadedFile("a.pdf", b""), allowed=uploads.SCANS, max_bytes=100, field="f")
    assert empty.value.code == "required"
    with pytest.raises(KernelError) as large:
        uploads.check_upload(SimpleUploadedFile("a.pdf", PDF), allowed=uploads.SCANS, max_bytes=len(PDF) - 1,
                             field="f")
    assert large.value.code == "file_too_large"
    with pytest.raises(KernelError):
        uploads.check_upload(None, allowed=uploads.SCANS, max_bytes=100, field="f")


def test_sniff_reads_a_large_file_and_rewinds() -> None:
    handle = io.BytesIO(PDF + bytes(3 * 1024 * 1024))
    assert uploads.sniff(handle) is uploads.PDF and handle.tell() == 0
