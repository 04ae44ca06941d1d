"""Photos at check-in and check-out: optional, checked by their content (kernel uploads: JPEG or PNG,
at most 8 MB), kept with the shift, linked on the shift page and opened through an audited download;
a non-image, an oversized file or a refused check-in writes nothing (no row changed, no file on disk).
The retention job deletes them 3 years after the shift; the shift and its hours stay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError
from longcheng.modules.ecorestore import actions, personal
from longcheng.modules.ecorestore.models import Shift

from .support import DECIDED, INSIDE, OUTSIDE, restoration_scene, staff
from .test_pages_steps import _client, state, text

JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"reed bed" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"fry" * 64


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    """A case in restoration with ¥200 converted into 9 hours of labour, and the zone's supervisor."""
    zones, prosecutor, case = restoration_scene(city)
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=DECIDED + dt.timedelta(days=180), acting_user=prosecutor)
    supervisor = staff("supervisor", {"ecorestore_supervisor": [zones["labour"].place]})
    return {"obligation": obligation, "zones": zones, "prosecutor": prosecutor, "supervisor": supervisor}


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _shift(scene: dict[str, Any]) -> Shift:
    return actions.do_book_shift(scene["obligation"], zone=scene["zones"]["labour"], starts_at=timezone.now(),
                                 hours=4, acting_user=scene["prosecutor"])


def _photo(data: bytes = JPEG_BYTES, name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_photos_at_check_in_and_out_are_kept_and_opened_audited(scene: dict[str, Any], media: Path) -> None:
    shift, phone = _shift(scene), _client(scene["supervisor"])
    response = phone.post(f"/ecorestore/shifts/{shift.pk}/check-in/",
                          {"lat": INSIDE[0], "lon": INSIDE[1], "photo": _photo()})
    assert response.status_code == 302
    response = phone.post(f"/ecorestore/shifts/{shift.pk}/check-out/",
                          {"photo": _photo(PNG_BYTES, "q.png")})
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.state == "checked_out"
    assert shift.check_in_photo.read() == JPEG_BYTES and shift.check_out_photo.name.endswith(".png")
    page = text(phone.get(f"/ecorestore/shifts/{shift.pk}/"))
    assert f'href="/ecorestore/shifts/{shift.pk}/photo/check-in/"' in page
    assert f'href="/ecorestore/shifts/{shift.pk}/photo/check-out/"' in page
    opened = phone.get(f"/ecorestore/shifts/{shift.pk}/photo/check-in/")
    assert opened.status_code == 200 and opened["Content-Type"] == "image/jpeg"
    assert b"".join(opened.streaming_content) == JPEG_BYTES  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="ecorestore.shift.photo.download", object_id=str(shift.pk),
                                     is_read=True).count() == 1
    assert phone.get(f"/ecorestore/shifts/{shift.pk}/photo/elsewhere/").status_code == 404


def test_a_check_in_without_a_photo_has_none(scene: dict[str, Any], media: Path) -> None:
    shift, phone = _shift(scene), _client(scene["supervisor"])
    assert phone.post(f"/ecorestore/shifts/{shift.pk}/check-in/", {"lat": INSIDE[0], "lon": INSIDE[1]}).status_code == 302
    shift.refresh_from_db()
    assert shift.state == "checked_in" and not shift.check_in_photo and _files(media) == []
    assert phone.get(f"/ecorestore/shifts/{shift.pk}/photo/check-in/").status_code == 404
    assert 'id="shift-photos"' not in text(phone.get(f"/ecorestore/shifts/{shift.pk}/"))


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.4 not a photo", "checked by its content"),
    (b"<html><script>alert(1)</script></html>", "checked by its content"),
    (b"\xff\xd8\xff\xe0" + b"x" * (8 * 1024 * 1024), "at most 8 MB"),
])
def test_a_bad_photo_is_refused_by_its_field_writing_nothing(scene: dict[str, Any], media: Path, data: bytes,
                                                              message: str) -> None:
    shift, phone = _shift(scene), _client(scene["supervisor"])
    before = state()
    response = phone.post(f"/ecorestore/shifts/{shift.pk}/check-in/",
                          {"lat": INSIDE[0], "lon": INSIDE[1], "photo": _photo(data)})
    assert response.status_code == 400 and 'id="error-photo"' in response.content.decode()
    assert message in text(response)
    assert state() == before and _files(media) == []
    assert Shift.objects.get(pk=shift.pk).state == "booked"


def test_a_check_in_outside_the_zone_keeps_no_photo(scene: dict[str, Any], media: Path) -> None:
    shift = _shift(scene)
    before = state()
    with pytest.raises(KernelError) as refused:
        actions.do_check_in_shift(shift, lat=OUTSIDE[0], lon=OUTSIDE[1], acting_user=scene["supervisor"],
                                  photo=_photo())
    assert refused.value.field == "location"
    assert state() == before and _files(media) == []


def test_a_bad_photo_at_check_out_leaves_the_shift_checked_in(scene: dict[str, Any], media: Path) -> None:
    shift = _shift(scene)
    actions.do_check_in_shift(shift, lat=INSIDE[0], lon=INSIDE[1], acting_user=scene["supervisor"])
    before = state()
    with pytest.raises(KernelError) as refused:
        actions.do_check_out_shift(shift, acting_user=scene["supervisor"], photo=_photo(b"GIF89a..."))
    assert refused.value.field == "photo"
    assert state() == before and _files(media) == []


def test_photos_are_deleted_after_three_years(scene: dict[str, Any], media: Path,
                                                                        django_capture_on_commit_callbacks: Any
                                                                        ) -> None:
    shift = _shift(scene)
    actions.do_check_in_shift(shift, lat=INSIDE[0], lon=INSIDE[1], acting_user=scene["supervisor"], photo=_photo())
    assert len(_files(media)) == 1
    photos = next(r for r in personal.RETENTION if r.key == "ecorestore.shift_photos")
    expired, anonymise = photos.expired, photos.anonymise
    assert expired is not None and anonymise is not None
    assert list(expired(timezone.now() - dt.timedelta(days=1))) == []
    later = timezone.now() + dt.timedelta(days=1)
    assert [s.pk for s in expired(later)] == [shift.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise(expired(later)) == 1
    shift.refresh_from_db()
    assert not shift.check_in_photo and shift.state == "checked_in" and _files(media) == []


def test_the_case_page_shows_the_photos_to_the_procuratorate_and_withholds_them_from_the_court(
        scene: dict[str, Any], media: Path, city: dict[str, Any]) -> None:
    shift = _shift(scene)
    actions.do_check_in_shift(shift, lat=INSIDE[0], lon=INSIDE[1], acting_user=scene["supervisor"], photo=_photo())
    case = scene["obligation"].case
    link = f"/ecorestore/cases/{case.pk}/shifts/{shift.pk}/photo/check-in/"
    prosecutor = _client(scene["prosecutor"])
    page = text(prosecutor.get(f"/ecorestore/cases/{case.pk}/"))
    assert f'id="photos-{shift.pk}"' in page and f'href="{link}"' in page
    opened = prosecutor.get(link)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == JPEG_BYTES  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="ecorestore.shift.photo.download", object_id=str(shift.pk),
                                     actor=scene["prosecutor"], is_read=True).count() == 1

    judge = _client(staff("judge", {"ecorestore_court": [city["a"]]}))
    page = text(judge.get(f"/ecorestore/cases/{case.pk}/"))
    assert f'id="photos-{shift.pk}"' in page and "shown to the procuratorate only" in page and link not in page
    elsewhere = _client(staff("elsewhere", {"ecorestore_prosecutor": [city["b"]]}))
    before = AuditEntry.objects.count()
    assert judge.get(link).status_code in (403, 404) and elsewhere.get(link).status_code == 404
    assert prosecutor.get(link.replace(str(case.pk), str(case.pk + 999), 1)).status_code == 404
    assert AuditEntry.objects.count() == before
