"""The demo's share of 倾溧助: a synthetic case load of 溧阳 (403 youths who lost a parent) with their
families in the registry, screenings, visits, consents, a fund of 5,000,000 yuan and a first payment
batch of 791,000 yuan, a returned and re-issued payment, applications awaiting review, hope parents
and dream rooms; and a few deaths fed through the registry, so the outreach list shows automatic
discovery. Every person is fictitious (valid-checksum ID numbers from the demo numbering, in a range
far from the city's residents). Idempotent: the fund's demo donation marks a built demo, and a
second run adds nothing.
"""


from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction

from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import JournalEntry
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place

from .. import actions
from ..models import (
    CaseStatus,
    Contact,
    Pairing,
    Volunteer,
    Youth,
)
from ..scan import scan_registry
from .cases import CaseBuilder
from .families import CONTACT_NOTES, DONATION_FEN, DONATION_KEY, SEED, TOTAL, Log


def build(*, log: Log = print, progress: Callable[[int], None] | None = None, **options: Any) -> None:
    if JournalEntry.objects.filter(idempotency_key=DONATION_KEY).exists():
        log(f"  youth aid: {Youth.objects.count()} youths already")
        if progress:
            progress(1)
        return
    liyang = Place.objects.filter(code="320481").first()
    if liyang is None or not Place.objects.filter(path__startswith=liyang.path, level="grid").exists():
        log("  youth aid: no 溧阳市 grids in the demo places; skipped")
        return
    _Builder(liyang, log).run()
    if progress:
        progress(1)


class _Builder(CaseBuilder):
    def run(self) -> None:
        began = time.perf_counter()

        with transaction.atomic():
            # The demo installation opens the fund, owned by the charity federation, at 溧阳.
            self.fund = actions.do_open_fund(acting_user=None, place=self.liyang,
                                             owner=Organisation.objects.filter(code="charity-liyang").first())

            ledger.do_donate(self.fund, DONATION_FEN, donor_name="溧阳市慈善总会 倾溧助专项募捐",
                             acting_user=self.reviewer, idempotency_key=DONATION_KEY,
                             at=self.now - dt.timedelta(days=300))
            found = self.registry_deaths()
            self.say(f"{found} youths put on the outreach list by deaths recorded in the registry")
            families = self.families(TOTAL - found)
            self.say(f"{len(families)} families in the registry ({time.perf_counter() - began:.1f} s)")
            self.cases([f for f in families if f.status != CaseStatus.OUTREACH])

            # The families left without a case are found by the registry scan, as a nightly run would.
            result = scan_registry(acting_user=self.worker, today=self.today)
            self.say(f"registry scan: {result.found} more youths on the outreach list {result.by_outcome}")
            self.say(f"{Youth.objects.count()} youths, screened and visited ({time.perf_counter() - began:.1f} s)")
            self.first_batch()
            self.second_batch()
            self.awaiting_review()
            self.hope_parents()
            self.rooms()
        self.say(f"built in {time.perf_counter() - began:.1f} s")

    # --- the registry -------------------------------------------------------------------------------------

    def hope_parents(self) -> None:
        rng = self.rng
        names = self.names
        jobs = ["教师", "医生", "退休干部", "企业职工", "社区工作者", "律师", "个体经营者", "公务员"]
        statuses = ["vetted"] * 34 + ["applied"] * 3 + ["rejected"] * 2 + ["suspended"]
        volunteers = []
        for n, status in enumerate(statuses):
            volunteers.append(Volunteer(
                name=names.name(rng, rng.random() < 0.4), phone=f"139{SEED % 1000:03d}{n:05d}",
                place=self.communities[n % len(self.communities)] if self.communities else self.grids[0],
                occupation=rng.choice(jobs), status=status,
                vetting_note={"vetted": "背景审查通过，无违法犯罪记录。", "rejected": "无法保证长期陪伴时间。",
                              "suspended": "工作调动离开溧阳，暂停结对。"}.get(status, ""),
                vetted_by=self.worker if status != "applied" else None,
                vetted_at=self.now - dt.timedelta(days=200) if status != "applied" else None))
        Volunteer.objects.bulk_create(volunteers)
        minors = [y for y in self._active() if y.age < 18 and y.pk not in {r.pk for r in self.education}]  # type: ignore[attr-defined]
        pairings = []
        for n, (vol, youth) in enumerate(zip([v for v in volunteers if v.status == "vetted"][:30], minors, strict=False)):
            start = self.today - dt.timedelta(days=rng.randint(40, 400))
            pairings.append(Pairing(volunteer=vol, youth=youth, started_on=start, created_by=self.worker,
                                    ended_on=self.today - dt.timedelta(days=10) if n >= 28 else None))
        Pairing.objects.bulk_create(pairings)
        contacts = []
        for p in pairings:
            end = p.ended_on or self.today
            for _ in range(rng.randint(2, 4)):
                on = p.started_on + dt.timedelta(days=rng.randint(0, max((end - p.started_on).days, 0)))
                contacts.append(Contact(pairing=p, on=on, kind=rng.choice(["visit", "call", "message", "outing"]),
                                        note=rng.choice(CONTACT_NOTES), by=self.worker))
        Contact.objects.bulk_create(contacts)
        self.say(f"{len(volunteers)} hope parents, {len(pairings)} pairings, {len(contacts)} contacts")

    def rooms(self) -> None:
        """Eight dream rooms through the actions: approval commits the budget, completion pays the
        contractor what was spent and returns the rest."""

        plan = ["proposed", "proposed", "approved", "approved", "in_progress", "done", "done", "cancelled"]
        contractors = ["溧阳市安居装饰工程有限公司（演示）", "溧阳天目湖家装服务部（演示）"]
        youths = self.spare[:len(plan)]
        for n, (y, goal) in enumerate(zip(youths, plan, strict=False)):
            budget = (15 + 3 * n) * 100_000
            room = actions.do_propose_room(y.pk, budget_fen=budget, contractor=contractors[n % 2], acting_user=self.worker,
                                           before_note="房间墙面发霉，没有书桌，孩子只能在饭桌上写作业。")
            if goal == "cancelled":
                actions.do_advance_room(room, to="cancelled", acting_user=self.worker)
                continue
            if goal == "proposed":
                continue
            actions.do_advance_room(room, to="approved", acting_user=self.reviewer)
            if goal in ("in_progress", "done"):
                actions.do_advance_room(room, to="in_progress", acting_user=self.worker)
            if goal == "done":
                actions.do_advance_room(room, to="done", acting_user=self.reviewer, spent_fen=budget - 120_000,
                                        after_note="墙面重新粉刷，添置了书桌、书架和台灯，孩子有了自己的学习角。")
        self.say(f"{len(youths)} dream rooms")
