"""Ledger posting: do_post_entry (validation, a checked balance UPDATE per account, an audit row,
all in one transaction) against the bare writes of the same entry (an entry row and its postings,
no checks, no audit): the price of the guarantees."""

from __future__ import annotations

from bench.common import median_seconds, progress, report, sized

N = sized("BENCH_LEDGER_ENTRIES", tiny=20, small=300, city=300)


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from longcheng.kernel.ledger import actions
    from longcheng.kernel.ledger.models import JournalEntry, Posting

    user, _ = get_user_model().objects.get_or_create(username="bench-ledger", defaults={"is_superuser": True})
    fund = actions.do_create_fund(code="bench-fund", name="Bench fund", acting_user=user)
    donors = actions.external_account(f"{fund.code}:donors", "Donors", fund=fund)  # do_donate's account
    account = actions.fund_account(fund)

    def ours() -> None:
        for _ in range(N):
            actions.do_donate(fund, 10_000, donor_name="bench", acting_user=user)

    def bare() -> None:
        for _ in range(N):
            with transaction.atomic():
                now = timezone.now()
                entry = JournalEntry.objects.create(at=now, memo="bench", kind="donation")
                Posting.objects.bulk_create([Posting(entry=entry, account=donors, amount_fen=-10_000, at=now),
                                             Posting(entry=entry, account=account, amount_fen=10_000, at=now)])

    progress(f"{N} donations through do_post_entry, {N} bare entry writes, 5 rounds each")
    mine = median_seconds(ours, repeat=5) / N
    base = median_seconds(bare, repeat=5) / N
    report("ledger", "post a two-line entry, per entry", mine * 1e3, base * 1e3, "ms", "bare inserts, no checks")

    progress("statement of a fund with many postings")
    start = timezone.localdate().replace(day=1)
    end = timezone.localdate()
    mine = median_seconds(lambda: actions.statement(fund, start, end), repeat=5)
    base = median_seconds(lambda: list(Posting.objects.filter(
        account__fund=fund, account__kind__in=["fund", "commitment"]).select_related("entry", "account")),
                          repeat=5)
    report("ledger", f"monthly statement ({Posting.objects.filter(account=account).count()} postings)",
           mine * 1e3, base * 1e3, "ms", "fetch the same postings, no sums")
