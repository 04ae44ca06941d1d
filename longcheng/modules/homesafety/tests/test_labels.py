"""What the walk found: device types, readings and import columns shown as internal codes."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.utils import translation

from ..devices import format_readings
from ..enrolment import import_survey, read_table
from ..ingest import Incoming, ingest
from ..models import Alarm, Enrollee, KitItem
from .conftest import raw
from .test_programme import manager, residents  # noqa: F401  (fixtures)


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_persons_pages_show_the_device_types_label_not_its_code(world: Any, manager: Any) -> None:  # noqa: F811
    KitItem.objects.create(enrollee=world["enrollee"], kind="wristband")
    client = _login(manager)
    for url in ("/homesafety/persons/", f"/homesafety/persons/{world['enrollee'].pk}/"):
        page = client.get(url).content.decode()
        assert "智能手环 · " in page and "wristband · " not in page, url


def test_a_reading_is_shown_with_labels_units_and_states() -> None:
    # In the default language, whatever an earlier test in this worker left active.
    with translation.override("zh-hans"):
        text = format_readings({"hr": 72, "battery": 84, "worn": True, "moving": False, "gas": 3})
    assert text == "心率 72 次/分 · 电量 84% · 佩戴中 · 静止 · gas 3"
    with translation.override("en"):
        text = format_readings({"hr": 88, "battery": 70, "worn": False, "smoke": True})
    assert text == "Heart rate 88 bpm · Battery 70% · not worn · smoke detected"


def test_the_alarm_page_shows_formatted_readings(world: Any) -> None:
    ingest([Incoming(raw(event="sos", hr=72, battery=84, worn=True))], source="mqtt")
    alarm = Alarm.objects.get()
    page = _login(world["operator"]).get(f"/homesafety/alarms/{alarm.pk}/").content.decode()
    assert "心率 72 次/分 · 电量 84% · 佩戴中" in page
    assert "hr=" not in page and "worn=True" not in page and "hr 72" not in page


def test_the_import_report_names_the_files_headers_and_refuses_a_vague_yes_no(
        residents: list[Any], manager: Any) -> None:  # noqa: F811
    content = ("身份证号,姓名,独居,风险\n"
               f"{residents[0].resident_id},{residents[0].name},也许,中\n"
               "320412194001010010,某人,否,中\n").encode("utf-8-sig")
    report = import_survey(read_table("survey.csv", content), acting_user=manager)
    fields = {(p.line, p.field) for p in report.problems}
    assert (2, "独居") in fields and (3, "身份证号") in fields
    assert any("独居" in p.message and "也许" in p.message for p in report.problems)
    assert report.imported == 0 and not Enrollee.objects.filter(person__in=residents).exists()


def test_the_person_and_family_pages_write_the_latest_values_for_people(world: Any, manager: Any) -> None:  # noqa: F811
    ingest([Incoming(raw(hr=88, battery=70, worn=True, lat=31.73001, lon=120.07001))], source="mqtt")
    staff, relative = _login(manager), _login(world["family"])
    for client in (staff, relative):
        client.cookies["django_language"] = "zh-hans"
    person = staff.get(f"/homesafety/persons/{world['enrollee'].pk}/").content.decode()
    family = relative.get("/homesafety/family/").content.decode()
    # The position goes to the person's map (its GeoJSON data), never into the line of readings.
    assert "[120.07001, 31.73001]" in person
    for page in (person, family):
        assert "心率 88 次/分 · 电量 70% · 佩戴中" in page
        text = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
        assert "worn=" not in text and "hr=" not in text and "31.73001" not in text
