"""wastecycle's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: a school with two grades of two classes in 上书房社区 (city["a"]), and the transfer station of
遥观镇 (city["yaoguan"]) with a ticket, a done batch with its lot held for testing, an open batch, a
collector and a shipment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World

VIEW, WEIGH, OPERATE = "wastecycle.view", "wastecycle.weigh", "wastecycle.operate"


def _world(world: World) -> dict[str, Any]:
    from longcheng.modules.wastecycle.models import (
        Batch,
        Collector,
        Lot,
        SchoolOptions,
        Shipment,
        Ticket,
        Weighing,
    )

    from .support import DAY, at, make_school, make_station

    school = make_school(world["city"]["a"])
    station = make_station(world["city"]["yaoguan"])
    ticket = Ticket.objects.create(station=station, key="M-1", vehicle="苏D1", source_name="上书房社区",
                                   stream="kitchen", gross_kg=9000, tare_kg=6000, net_kg=3000, gross_at=at(DAY),
                                   tare_at=at(DAY, 9))
    done = Batch.objects.create(station=station, code="M-B1", started_at=at(DAY), input_kg=3000, output_kg=1000,
                                done_at=at(DAY + dt.timedelta(days=7)))
    lot = Lot.objects.create(batch=done, code="M-B1-L", mass_kg=1000)
    batch = Batch.objects.create(station=station, code="M-B2", started_at=at(DAY), input_kg=3000)
    collector = Collector.objects.create(station=station, name="勤新村菜园", village=world["city"]["b"])
    shipment = Shipment.objects.create(station=station, shipped_at=at(DAY), vehicle="苏D2", blocks=3, shipped_kg=9000)
    SchoolOptions.objects.create(school=school["school"], place=world["city"]["a"], per_pupil=True)
    weighing = Weighing.objects.create(klass=school["classes"][0], day=DAY, meal="breakfast", grams=1200, diners=38)
    return {"school": school["school"], "klass": school["classes"][0], "weighing": weighing,
            "station": station, "ticket": ticket,
            "batch": batch, "done": done, "lot": lot, "collector": collector, "shipment": shipment}


def _pk(key: str) -> Any:
    return lambda w: [w["wastecycle"][key].pk]


PASSING = {"tested_on": "2026-11-20", "organic_matter": "48", "nutrients": "5.5", "moisture": "25", "ph": "7",
           "arsenic": "2", "mercury": "0.1", "lead": "10", "chromium": "30", "cadmium": "0.4",
           "germination": "82", "coliforms": "20", "ascaris": "98"}

PAGES = [
    Page("wastecycle:school", VIEW),
    Page("wastecycle:district", VIEW),
    Page("wastecycle:district_file", VIEW),
    Page("wastecycle:school_file", VIEW, _pk("school"), within="a"),
    Page("wastecycle:weigh", WEIGH, _pk("klass"), within="a",
         post=lambda w: {"day": "2026-11-02", "meal": "lunch", "diners": "38", "grams": "1200"}),
    Page("wastecycle:pupils", WEIGH, _pk("klass"), within="a",
         post=lambda w: {"day": "2026-11-04", "meal": "lunch", "plates": "1 30\n2 0\n3 85"}),
    Page("wastecycle:options", WEIGH, _pk("klass"), within="a", get=False, post=lambda w: {"per_pupil": "on"}),
    Page("wastecycle:correct", WEIGH, _pk("weighing"), within="a",
         post=lambda w: {"grams": "1350", "reason": "漏称了一个餐盘"}),
    Page("wastecycle:kitchen", WEIGH, _pk("school"), within="a", get=False,
         post=lambda w: {"day": "2026-11-02", "reason": "spoilage", "grams": "3000"}),
    Page("wastecycle:station", VIEW),
    Page("wastecycle:station_detail", VIEW, _pk("station"), within="yaoguan"),
    Page("wastecycle:month", VIEW, _pk("station"), within="yaoguan"),
    Page("wastecycle:ticket", VIEW, _pk("ticket"), within="yaoguan"),
    Page("wastecycle:batch", VIEW, _pk("batch"), within="yaoguan"),
    Page("wastecycle:ticket_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"ticket_key": "M-2", "vehicle": "苏D3", "source_name": "剑湖社区", "stream": "market",
                         "gross_kg": "8000", "gross_at": "2026-11-02T08:00", "tare_kg": "6000",
                         "tare_at": "2026-11-02T08:20"}),
    Page("wastecycle:batch_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"code": "M-B3", "started_at": "2026-11-03T08:00", "tickets": "M-1"}),
    Page("wastecycle:collector_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"name": "勤新村张某", "village": w["city"]["b"].pk}),
    Page("wastecycle:handout_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"collector": w["wastecycle"]["collector"].pk, "lot": w["wastecycle"]["lot"].pk,
                         "on": "2026-11-20", "kg": "100"}),
    Page("wastecycle:shipment_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"shipped_at": "2026-11-02T15:00", "vehicle": "苏D4", "blocks": "3", "shipped_kg": "9000"}),
    Page("wastecycle:compaction_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"at": "2026-11-02T11:00", "blocks": "4", "kg": "12000"}),
    Page("wastecycle:stock_new", OPERATE, _pk("station"), within="yaoguan", get=False,
         post=lambda w: {"month": "2026-11-01", "kg": "12000"}),
    Page("wastecycle:shipment_receive", OPERATE, _pk("shipment"), within="yaoguan", get=False,
         post=lambda w: {"received_kg": "8950"}),
    Page("wastecycle:ticket_reverse", OPERATE, _pk("ticket"), within="yaoguan", get=False,
         post=lambda w: {"reason": "车牌录错"}),
    Page("wastecycle:batch_step", OPERATE, _pk("batch"), within="yaoguan", get=False,
         post=lambda w: {"step": "crush", "at": "2026-11-02T09:00"}),
    Page("wastecycle:batch_temperatures", OPERATE, _pk("batch"), within="yaoguan", get=False,
         post=lambda w: {"readings": "2026-11-03 08:00 56.5\n2026-11-03 14:00 57"}),
    Page("wastecycle:batch_finish", OPERATE, _pk("batch"), within="yaoguan", get=False,
         post=lambda w: {"output_kg": "1000", "residue_kg": "100", "done_at": "2026-11-10T08:00"}),
    Page("wastecycle:lot_test", OPERATE, _pk("lot"), within="yaoguan", get=False, post=lambda w: dict(PASSING)),
    Page("wastecycle:lot_release", OPERATE, _pk("lot"), within="yaoguan", get=False, post=lambda w: {}),
]

API = [
    Api("GET", "/api/v1/wastecycle/classes", VIEW),
    Api("GET", "/api/v1/wastecycle/classes/{pk}/weighings", VIEW, lambda w: {"pk": w["wastecycle"]["klass"].pk},
        within="a"),
    Api("POST", "/api/v1/wastecycle/weighings", WEIGH, within="a",
        body=lambda w: {"klass": w["wastecycle"]["klass"].pk, "day": "2026-11-03", "meal": "lunch", "grams": 900,
                        "diners": 36}),
    Api("GET", "/api/v1/wastecycle/stations/{pk}/tickets", VIEW, lambda w: {"pk": w["wastecycle"]["station"].pk},
        within="yaoguan"),
    Api("POST", "/api/v1/wastecycle/stations/{pk}/tickets", OPERATE, lambda w: {"pk": w["wastecycle"]["station"].pk},
        within="yaoguan", multipart=True,
        body=lambda w: {"key": "M-API-1", "vehicle": "苏D5", "source_name": "剑湖社区", "stream": "other",
                        "gross_kg": "15000", "tare_kg": "7000", "gross_at": "2026-11-02T08:00:00+08:00",
                        "tare_at": "2026-11-02T08:30:00+08:00"}),
    Api("POST", "/api/v1/wastecycle/tickets/{pk}/reverse", OPERATE, lambda w: {"pk": w["wastecycle"]["ticket"].pk},
        within="yaoguan", body=lambda w: {"reason": "车牌录错"}),
    Api("GET", "/api/v1/wastecycle/stations/{pk}/balance", VIEW, lambda w: {"pk": w["wastecycle"]["station"].pk},
        query="?month=2026-11", within="yaoguan"),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
