"""Findings 6 and 8 of the privacy review: the rejected-messages page is scoped to places, and an
installer sees on the alarm page neither positions nor health conditions (kernel.privacy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ..ingest import Incoming, ingest
from ..models import Alarm, DeadLetter
from .conftest import raw


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sos(world: Any) -> Alarm:
    world["enrollee"].conditions = "高血压，糖尿病"
    world["enrollee"].save(update_fields=["conditions"])
    ingest([Incoming(raw(event="sos", lat=31.731234, lon=120.069876))], source="mqtt")
    return Alarm.objects.get(kind="sos")


def test_an_installer_sees_no_position_and_no_health_condition_on_the_alarm_page(
        world: Any, sos: Alarm, make_user: Any) -> None:
    installer = make_user("fitter", {"homesafety_installer": [world["city"]["yaoguan"]]})
    page = _login(installer).get(f"/homesafety/alarms/{sos.pk}/").content.decode()
    assert "王秀英" in page and "上书房路1号" in page  # who and where to ring: the installer's work
    for secret in ("高血压", "31.731234", "120.069876", 'class="lc-map"'):
        assert secret not in page
    # The operator handling it sees them.
    page = _login(world["operator"]).get(f"/homesafety/alarms/{sos.pk}/").content.decode()
    assert "高血压" in page and "31.731234" in page and 'class="lc-map"' in page


def test_rejected_messages_are_scoped_to_the_places_of_their_devices(world: Any, city: Any, make_user: Any) -> None:
    now = timezone.now()
    DeadLetter.objects.create(received_at=now, source="mqtt", device_serial="WB-1", reason="bad_metric",
                              payload='{"device": "WB-1", "metrics": {"lat": 31.7312}}')
    DeadLetter.objects.create(received_at=now - dt.timedelta(seconds=1), source="mqtt", device_serial="ZZ-9",
                              reason="unknown_device", payload='{"device": "ZZ-9", "metrics": {"lat": 31.5}}')
    # An operator of another community sees neither; the unknown device's letter is city-wide only.
    page = _login(world["other_op"]).get("/homesafety/rejected/").content.decode()
    assert "WB-1" not in page and "ZZ-9" not in page
    page = _login(world["operator"]).get("/homesafety/rejected/").content.decode()
    assert "WB-1" in page and "ZZ-9" not in page and "31.7312" in page
    installer = make_user("fitter", {"homesafety_installer": [city["yaoguan"]]})
    page = _login(installer).get("/homesafety/rejected/").content.decode()
    assert "WB-1" in page and "31.7312" not in page  # the raw payload holds a position
    city_op = make_user("city_op", {"homesafety_operator": [city["root"]]})
    page = _login(city_op).get("/homesafety/rejected/").content.decode()
    assert "WB-1" in page and "ZZ-9" in page


def test_the_audit_trail_holds_no_home_position(world: Any, city: Any, make_user: Any) -> None:
    """Finding 4: home coordinates were stored in plain in the audit row's before/after."""
    import json

    from longcheng.kernel.audit.models import AuditEntry

    from .. import actions

    manager = make_user("mgr", {"homesafety_manager": [city["yaoguan"]]})
    actions.do_update_safety(world["enrollee"].pk, acting_user=manager, home=(31.735791, 120.071357), radius_m=600)
    row = AuditEntry.objects.get(action="homesafety.enrollee.update")
    stored = json.dumps([row.before, row.after])
    for plain in ("31.735791", "120.071357", "31.7246", "120.0683", "600"):
        assert plain not in stored
    assert row.after == {"home_lat": "***", "home_lon": "***", "safe_zone": "***"}
    assert row.place_path == city["a"].path
