"""`longcheng youthaid scan|entitlements YEAR|openfund`: the registry scan and the year's
entitlements from the command line (a nightly cron, or a look before a payment round), and opening
the fund once per installation."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from longcheng.kernel.errors import KernelError
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place
from longcheng.modules.youthaid.actions import do_open_fund
from longcheng.modules.youthaid.models import AidType
from longcheng.modules.youthaid.scan import entitlement_totals, entitlements, scan_registry


class Command(BaseCommand):
    help = "Youth aid: scan the resident registry for youths who lost a parent; show a year's entitlements."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("scan", help="put every youth whose parent died (and who has no case) on the outreach list")
        ent = sub.add_parser("entitlements", help="what youths under monitoring may still receive in YEAR")
        ent.add_argument("year", type=int)
        ent.add_argument("--per-youth", action="store_true", help="one line per youth and aid type")
        fund = sub.add_parser("openfund", help="open the fund on the ledger (once per installation)")
        fund.add_argument("--owner", default="charity-liyang", help="the owning organisation's code")
        fund.add_argument("--place", default="320481", help="the fund's place code")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except KernelError as error:
            raise CommandError(f"{error.field + ': ' if error.field else ''}{error.message}") from None

    def do_scan(self, options: dict[str, Any]) -> None:
        result = scan_registry(log=lambda m: self.stderr.write(f"  … {m}"))
        self.stdout.write(f"residents scanned: {result.scanned}")
        self.stdout.write(f"youths put on the outreach list: {result.found}")
        for outcome, n in sorted(result.by_outcome.items()):
            self.stdout.write(f"  pre-screened {outcome}: {n}")
        self.stdout.write(f"time: {result.seconds:.2f} s")

    def do_openfund(self, options: dict[str, Any]) -> None:
        place = Place.objects.filter(code=options["place"]).first()
        if place is None:
            raise CommandError(f"--place: no place {options['place']}")
        owner = Organisation.objects.filter(code=options["owner"]).first()
        fund = do_open_fund(acting_user=None, owner=owner, place=place)
        self.stdout.write(f"fund {fund.code} open ({fund.name}), owner {owner or '-'}, place {place.code}")

    def do_entitlements(self, options: dict[str, Any]) -> None:
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("YEAR: between 2000 and 2100")
        began = time.perf_counter()
        self.stderr.write(f"  … entitlements of youths under monitoring, {year}")
        names = {a.code: str(a) for a in AidType.objects.all()}
        if options["per_youth"]:
            for e in entitlements(year):
                self.stdout.write(f"{e.youth_id}\t{e.aid_type}\t{e.town}\tused {format_fen(e.used_fen)}"
                                  f"\tleft {format_fen(e.left_fen)}")
        totals = entitlement_totals(year)
        self.stdout.write(f"{'aid type':<20} {'town':<12} {'youths':>7} {'may still receive':>20}")
        grand = 0
        for t in totals:
            grand += t.left_fen
            self.stdout.write(f"{names.get(t.aid_type, t.aid_type):<20} {t.town or '-':<12} {t.youths:>7} "
                              f"{format_fen(t.left_fen):>20}")
        self.stdout.write(f"total may still receive in {year}: {format_fen(grand)}")
        self.stdout.write(f"time: {time.perf_counter() - began:.2f} s")
