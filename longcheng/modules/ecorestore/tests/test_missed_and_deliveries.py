"""A shift booked and never checked in by its end is marked missed by the morning job — audited, the
prosecutor told once, the obligation left open (not a breach: the prosecutor decides) — and the case
page shows it. The supervisor records deliveries in kind on their own page, for their zone's works
only; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message
from longcheng.modules.ecorestore import actions, actions_restore, jobs
from longcheng.modules.ecorestore.actions_restore import NewWork
from longcheng.modules.ecorestore.models import Delivery, Obligation, Shift, Work

from .support import DECIDED, INSIDE, restoration_scene, staff


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    zones, prosecutor, case = restoration_scene(city)
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=timezone.localdate() + dt.timedelta(days=90),
                                              acting_user=prosecutor)
    planting = staff("planting", {"ecorestore_supervisor": [zones["planting"].place]})
    labour = staff("labour", {"ecorestore_supervisor": [zones["labour"].place]})
    work = actions_restore.do_add_work(case, NewWork(kind="trees", zone=zones["planting"], quantity=60,
                                                     fen_per_unit=500, due_on=DECIDED + dt.timedelta(days=200),
                                                     tend_months=12), acting_user=prosecutor)
    return {"case": case, "obligation": obligation, "zones": zones, "prosecutor": prosecutor, "work": work,
            "planting": planting, "labour": labour}


def _book(scene: dict[str, Any], starts_at: dt.datetime) -> Shift:
    return actions.do_book_shift(scene["obligation"], zone=scene["zones"]["labour"], starts_at=starts_at, hours=4,
                                 acting_user=scene["prosecutor"])


def test_a_shift_never_checked_in_is_marked_missed_once(scene: dict[str, Any]) -> None:
    now = timezone.now()
    gone = _book(scene, now - dt.timedelta(hours=6))  # ended two hours ago, never checked in
    running = _book(scene, now - dt.timedelta(hours=1))  # still running: it may yet be checked in
    attended = _book(scene, now - dt.timedelta(hours=5))
    actions.do_check_in_shift(attended, lat=INSIDE[0], lon=INSIDE[1], acting_user=scene["labour"],
                              now=attended.starts_at)
    assert jobs.mark_missed_shifts(now) == 1
    states = dict(Shift.objects.values_list("pk", "state"))
    assert states == {gone.pk: "missed", running.pk: "booked", attended.pk: "checked_in"}
    obligation = Obligation.objects.get(pk=scene["obligation"].pk)
    assert (obligation.state, obligation.reverted_fen, obligation.hours_credited) == ("open", 0, 0)  # not a breach
    assert AuditEntry.objects.filter(action="ecorestore.shift.missed", object_id=str(gone.pk)).count() == 1
    assert Message.objects.filter(recipient_user=scene["prosecutor"], dedupe_key__startswith="ecorestore:missed:").count() == 1
    assert jobs.mark_missed_shifts(now + dt.timedelta(days=1)) == 1  # the running one, later; the first not again
    assert AuditEntry.objects.filter(action="ecorestore.shift.missed").count() == 2
    assert Message.objects.filter(dedupe_key=f"ecorestore:missed:{gone.pk}:{scene['prosecutor'].pk}").count() == 1


def test_the_case_page_shows_the_missed_shifts(scene: dict[str, Any]) -> None:
    _book(scene, timezone.now() - dt.timedelta(hours=6))
    jobs.mark_missed_shifts()
    client = Client()
    client.force_login(scene["prosecutor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html.unescape(client.get(f"/ecorestore/cases/{scene['case'].pk}/").content.decode())
    assert f'id="missed-{scene["obligation"].pk}">missed shifts: 1' in page


def _state() -> list[Any]:
    return [list(Work.objects.order_by("pk").values()), list(Delivery.objects.values()),
            AuditEntry.objects.count()]


def test_the_supervisor_records_deliveries_of_their_zone_on_their_page(scene: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scene["planting"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html.unescape(client.get("/ecorestore/deliveries/").content.decode())
    assert f'id="work-{scene["work"].pk}"' in page and "0 of 60 delivered" in page
    response = client.post("/ecorestore/deliveries/record/", {"work": scene["work"].pk, "quantity": "40",
                                                              "on": "2024-08-01"})
    assert response.status_code == 302
    work = Work.objects.get(pk=scene["work"].pk)
    assert work.quantity_done == 40
    assert Delivery.objects.get().recorded_by == scene["planting"]
    before = _state()
    response = client.post("/ecorestore/deliveries/record/", {"work": work.pk, "quantity": "21", "on": "2024-08-02"})
    page = html.unescape(response.content.decode())
    assert response.status_code in (400, 409) and 'value="21"' in page and 'id="error-quantity"' in page
    assert _state() == before


def test_another_zones_supervisor_finds_no_work(scene: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scene["labour"])
    page = client.get("/ecorestore/deliveries/").content.decode()
    assert f'id="work-{scene["work"].pk}"' not in page
    before = _state()
    response = client.post("/ecorestore/deliveries/record/", {"work": scene["work"].pk, "quantity": "1",
                                                              "on": "2024-08-01"})
    assert response.status_code == 404
    assert _state() == before
    client.force_login(scene["prosecutor"])  # the procuratorate has the case page; this one is the supervisor's
    assert client.post("/ecorestore/deliveries/record/", {"work": scene["work"].pk, "quantity": "1",
                                                          "on": "2024-08-01"}).status_code == 403
    assert _state() == before
