"""Keys and outside parties' accounts get their owners (issue 11).

- A manual posting's idempotency key moves under `manual:<user id>:`, so a key claimed by hand
  before (`youthaid:pay:215`) no longer stands in the way of the module's own posting.
- An outside party's account (`ext:…`) of no fund is given the fund its postings belong to. One
  that served several funds (the kernel's old shared `ext:donors`) is split: each fund's postings
  move to `ext:<fund>:<name>`, the name do_donate now uses, and balances are recomputed from the
  postings. Postings whose entry touches no fund, or several, stay where they are.
"""

from django.db import migrations
from django.db.models import Sum


def forwards(apps, schema_editor):
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    Account = apps.get_model("ledger", "Account")
    Posting = apps.get_model("ledger", "Posting")
    Fund = apps.get_model("ledger", "Fund")

    for entry in JournalEntry.objects.filter(kind="manual", idempotency_key__isnull=False).exclude(
            idempotency_key__startswith="manual:"):
        entry.idempotency_key = f"manual:{entry.actor_id or 0}:{entry.idempotency_key}"[:100]
        entry.save(update_fields=["idempotency_key"])

    funds = {f.pk: f for f in Fund.objects.all()}
    for account in Account.objects.filter(kind="external", fund__isnull=True):
        entry_ids = Posting.objects.filter(account=account).values("entry_id")
        fund_of_entry: dict[int, set[int]] = {}
        for entry_id, fund_id in (Posting.objects.filter(entry_id__in=entry_ids, account__fund__isnull=False)
                                  .values_list("entry_id", "account__fund_id")):
            fund_of_entry.setdefault(entry_id, set()).add(fund_id)
        by_fund: dict[int, list[int]] = {}
        for entry_id, fund_ids in fund_of_entry.items():
            if len(fund_ids) == 1:
                by_fund.setdefault(next(iter(fund_ids)), []).append(entry_id)
        if not by_fund:
            continue
        if len(by_fund) == 1 and sum(len(v) for v in by_fund.values()) == len(fund_of_entry) and not (
                Posting.objects.filter(account=account).exclude(entry_id__in=list(fund_of_entry)).exists()):
            account.fund_id = next(iter(by_fund))
            account.save(update_fields=["fund"])
            continue
        name = account.code.removeprefix("ext:")
        for fund_id, entries in by_fund.items():
            target, _created = Account.objects.get_or_create(
                code=f"ext:{funds[fund_id].code}:{name}",
                defaults={"name": account.name, "kind": "external", "allow_negative": True, "fund_id": fund_id})
            for start in range(0, len(entries), 500):
                Posting.objects.filter(account=account, entry_id__in=entries[start:start + 500]).update(
                    account=target)
            target.balance_fen = Posting.objects.filter(account=target).aggregate(s=Sum("amount_fen"))["s"] or 0
            target.save(update_fields=["balance_fen"])
        account.balance_fen = Posting.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        account.save(update_fields=["balance_fen"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
