"""Every movement of money. Each posts one balanced journal entry in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from longcheng.kernel import bulk, exports, sql
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, ErrorCode, KernelError, NotFound

from .models import Account, Fund, JournalEntry, Posting
from .models import AccountKind as AccountKind  # re-exported (modules import it from here)
from .money import MAX_AMOUNT_FEN as MAX_AMOUNT_FEN  # re-exported
from .money import format_fen as format_fen  # re-exported

SHANGHAI = ZoneInfo("Asia/Shanghai")

# One line of an entry moves at most MAX_AMOUNT_FEN = 10^12 fen (10 billion yuan, money.py): far
# above any real payment, far below the 64-bit column (9.2 × 10^18), so no amount reaches the
# database to overflow it (SQLite would turn the sum into a float, PostgreSQL would refuse it).
# No balance leaves ±10^15 fen: an outside party's account may run negative, and a million postings
# of the largest amount still stay far inside the 64-bit column.
MAX_BALANCE_FEN = 10**15
# Idempotency keys of manual postings live under this prefix and the poster's id; no other posting
# may use it, and a manual posting can use no other, so nobody claims a module's key (youthaid:pay:N).
MANUAL_KEY_PREFIX = "manual:"
MANUAL_KEY_LENGTH = 64


class InsufficientFunds(KernelError):
    status = 409
    default_code = ErrorCode.INSUFFICIENT_FUNDS


def _is_whole_fen(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _amount_error(amount: object, field: str) -> KernelError | None:
    if not _is_whole_fen(amount) or amount == 0:
        return KernelError(_("An amount must be a whole, non-zero number of fen."),
                           code=ErrorCode.INVALID_AMOUNT, field=field)
    if abs(amount) > MAX_AMOUNT_FEN:  # type: ignore[arg-type]
        return KernelError(_("An amount may not exceed %(limit)s.") % {"limit": format_fen(MAX_AMOUNT_FEN)},
                           code=ErrorCode.INVALID_AMOUNT, field=field)
    return None


def _same_lines(entry: JournalEntry, lines: Sequence[tuple[Account, int]], kind: str) -> bool:
    """Whether a posted entry is the one these lines would post: a key replayed with other lines is
    another posting, and must not be answered with this one."""
    posted = sorted(Posting.objects.filter(entry=entry).values_list("account_id", "amount_fen"))
    return entry.kind == kind and posted == sorted((account.pk, amount) for account, amount in lines)


def _replayed(entry: JournalEntry, lines: Sequence[tuple[Account, int]], kind: str, field: str) -> JournalEntry:
    if not _same_lines(entry, lines, kind):
        raise Conflict(_("This idempotency key was used for another posting."), field=field)
    return entry


def _check_replays(specs: Sequence[EntrySpec], done: dict[str, tuple[int, str]], kind: str) -> None:
    """The bulk form of _replayed: the lines of every entry posted before, read in few queries."""
    by_entry: dict[int, list[tuple[int, int]]] = {}
    ids = [pk for pk, _kind in done.values()]
    for start in range(0, len(ids), 5000):
        for entry_id, account_id, amount in Posting.objects.filter(entry_id__in=ids[start:start + 5000]).values_list(
                "entry_id", "account_id", "amount_fen"):
            by_entry.setdefault(entry_id, []).append((account_id, amount))
    for number, spec in enumerate(specs):
        posted = done.get(spec.idempotency_key)
        if posted is None:
            continue
        if posted[1] != kind or sorted(by_entry.get(posted[0], [])) != sorted((a.pk, amt) for a, amt in spec.lines):
            raise Conflict(_("This idempotency key was used for another posting."),
                           field=f"entries[{number}].idempotency_key")


def _move_sql(count: int) -> str:
    """One statement moving `count` accounts' balances, each by its amount, where the result stays
    within ±MAX_BALANCE_FEN and, unless the account may run negative, at or above zero: the check
    and the change at once, no window between reading a balance and writing it. Returns the ids of
    the accounts moved."""
    table, q = sql.table(Account), sql.quote
    balance, moved = q("balance_fen"), f"{sql.table(Account)}.{q('balance_fen')} + CAST(v.column2 AS bigint)"
    return (f"UPDATE {table} SET {balance} = {moved} FROM (VALUES {', '.join(['(%s, %s)'] * count)}) AS v "
            f"WHERE {table}.{q('id')} = v.column1 AND {moved} BETWEEN {-MAX_BALANCE_FEN} AND {MAX_BALANCE_FEN} "
            f"AND ({table}.{q('allow_negative')} OR {moved} >= 0) RETURNING {q('id')}")


def _move_balances(totals: dict[int, int], names: dict[int, str]) -> None:
    """Move each account's balance by its total, all in one checked UPDATE … FROM (VALUES …) (set-based:
    one statement whatever the number of accounts). On PostgreSQL the accounts are first locked in
    account order, so two postings touching the same accounts cannot deadlock (SQLite locks the
    whole database for a writer). An account the check refused is named; the caller's transaction
    undoes the rest."""
    moves = sorted((pk, amount) for pk, amount in totals.items() if amount)
    if not moves:
        return
    if len(moves) > 1 and sql.db().vendor == "postgresql":
        sql.fetch(f"SELECT {sql.quote('id')} FROM {sql.table(Account)} WHERE {sql.quote('id')} IN "
                  f"({sql.placeholders(len(moves))}) ORDER BY {sql.quote('id')} FOR UPDATE", [pk for pk, _a in moves])
    moved = {int(row[0]) for row in sql.fetch(_move_sql(len(moves)), [v for move in moves for v in move])}
    for pk, amount in moves:
        if pk not in moved:
            _refuse_move(pk, amount, names[pk])


def _refuse_move(pk: int, amount: int, name: str) -> None:
    current = Account.objects.filter(pk=pk).values_list("balance_fen", flat=True).first() or 0
    if abs(current + amount) > MAX_BALANCE_FEN:
        raise KernelError(_("%(account)s cannot hold more than %(limit)s.")
                          % {"account": name, "limit": format_fen(MAX_BALANCE_FEN)},
                          code=ErrorCode.INVALID_AMOUNT, field="amount_fen")
    raise InsufficientFunds(
        _("%(account)s holds %(balance)s; %(amount)s cannot be taken from it.")
        % {"account": name, "balance": format_fen(current), "amount": format_fen(-amount)},
        field="amount_fen",
    )


def do_create_fund(*, code: str, name: str, acting_user: User | None, owner: Any = None, place: Any = None) -> Fund:
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise KernelError(_("A fund needs a code and a name."), code=ErrorCode.REQUIRED,
                          field="code" if not code else "name")
    with transaction.atomic():
        if Fund.objects.filter(code=code).exists():
            raise KernelError(_("A fund with this code exists."), code=ErrorCode.CONFLICT, field="code")
        fund = Fund.objects.create(code=code, name=name, owner=owner, place=place)
        Account.objects.create(fund=fund, code=code, name=name, kind=AccountKind.FUND)
        Account.objects.create(fund=fund, code=f"{code}:commitment", name=_("%(fund)s (committed)") % {"fund": name},
                               kind=AccountKind.COMMITMENT)
        record(acting_user, "ledger.create_fund", fund, after={"code": code, "name": name})
    return fund


def fund_account(fund: Fund, kind: str = AccountKind.FUND) -> Account:
    return Account.objects.get(fund=fund, kind=kind)


def external_account(code: str, name: str, *, fund: Fund) -> Account:
    """The account of an outside party (donors, payees, a contractor) of one fund: `ext:<code>`. It
    belongs to the fund, so a manual posting touching it is checked against the fund's places like
    a posting to the fund itself; an account of another fund under the same code is refused."""
    account, _created = Account.objects.get_or_create(
        code=f"ext:{code}", defaults={"name": name, "kind": AccountKind.EXTERNAL, "allow_negative": True, "fund": fund})
    if account.fund_id != fund.pk or account.kind != AccountKind.EXTERNAL:
        raise Conflict(_("The account %(code)s belongs to another fund.") % {"code": account.code}, field="code")
    return account


def do_post_entry(
    lines: Sequence[tuple[Account, int]], *, memo: str, kind: str, acting_user: User | None,
    idempotency_key: str | None = None, at: dt.datetime | None = None, reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry (`reverses`: the entry this one undoes, its lines negated by the caller). Refuses fractional, zero or out-of-bound amounts, unbalanced entries,
    and any line that would take a no-negative account below zero; on refusal nothing is written.
    A module keys its postings under its own namespace (`youthaid:pay:215`); a key posted before
    returns that entry if the lines are the same, and is a conflict (409) if they are not. The
    `manual:` namespace is do_manual_entry's alone."""
    if idempotency_key and idempotency_key.startswith(MANUAL_KEY_PREFIX):
        raise KernelError(_("This idempotency key is reserved."), code=ErrorCode.INVALID, field="idempotency_key")
    return _post_entry(lines, memo=memo, kind=kind, acting_user=acting_user, idempotency_key=idempotency_key, at=at,
                       reverses=reverses)


def _post_entry(
    lines: Sequence[tuple[Account, int]], *, memo: str, kind: str, acting_user: User | None,
    idempotency_key: str | None = None, at: dt.datetime | None = None, reverses: JournalEntry | None = None,
) -> JournalEntry:
    if len(lines) < 2:
        raise KernelError(_("An entry needs at least two lines."), code=ErrorCode.UNBALANCED_ENTRY, field="lines")
    for index, (_account, amount) in enumerate(lines):
        error = _amount_error(amount, f"lines[{index}].amount_fen")
        if error is not None:
            raise error
    if sum(amount for _a, amount in lines) != 0:
        raise KernelError(_("The lines of an entry must sum to zero."), code=ErrorCode.UNBALANCED_ENTRY,
                          field="lines")
    if not (memo or "").strip():
        raise KernelError(_("An entry needs a memo."), code=ErrorCode.REQUIRED, field="memo")
    if idempotency_key:
        existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replayed(existing, lines, kind, "idempotency_key")
    when = at or timezone.now()
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                at=when, memo=memo.strip()[:200], kind=kind,
                actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                idempotency_key=idempotency_key or None, reverses=reverses,
            )
            Posting.objects.bulk_create(
                [Posting(entry=entry, account=account, amount_fen=amount, at=when) for account, amount in lines])
            totals: dict[int, int] = {}
            names: dict[int, str] = {}
            for account, amount in lines:
                totals[account.pk] = totals.get(account.pk, 0) + amount
                names[account.pk] = account.name
            _move_balances(totals, names)
            record(acting_user, f"ledger.{kind or 'entry'}", entry,
                   after={"lines": [(a.code, amt) for a, amt in lines], "memo": entry.memo})
    except IntegrityError:
        # Two identical retries raced past the lookup above: the unique key let one win; return it.
        if idempotency_key:
            winner = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
            if winner is not None:
                return _replayed(winner, lines, kind, "idempotency_key")
        raise
    return entry


@dataclass(frozen=True)
class EntrySpec:
    """One entry of a bulk posting: its lines, memo and idempotency key."""

    lines: Sequence[tuple[Account, int]]
    memo: str
    idempotency_key: str


def _check_specs(specs: Sequence[EntrySpec]) -> None:
    for number, spec in enumerate(specs):
        if len(spec.lines) < 2 or sum(a for _acc, a in spec.lines) != 0:
            raise KernelError(_("The lines of an entry must sum to zero."), code=ErrorCode.UNBALANCED_ENTRY,
                              field=f"entries[{number}].lines")
        for _acc, amount in spec.lines:
            error = _amount_error(amount, f"entries[{number}].lines")
            if error is not None:
                raise error
        if not spec.idempotency_key or not (spec.memo or "").strip():
            raise KernelError(_("Each entry of a bulk posting needs a memo and an idempotency key."),
                              code=ErrorCode.REQUIRED, field=f"entries[{number}]")
        if spec.idempotency_key.startswith(MANUAL_KEY_PREFIX):
            raise KernelError(_("This idempotency key is reserved."), code=ErrorCode.INVALID,
                              field=f"entries[{number}].idempotency_key")


def _posted(keys: list[str]) -> dict[str, tuple[int, str]]:
    """{key: (entry id, kind)} of the keys posted before."""
    with bulk.temporary(["varchar(100)"], [(key,) for key in keys]) as name:
        return {key or "": (pk, kind) for key, pk, kind in JournalEntry.objects.filter(
            idempotency_key__in=RawSQL(f"SELECT c1 FROM {name}", [])).values_list("idempotency_key", "pk", "kind")}


def _write_entries(todo: Sequence[EntrySpec], *, kind: str, actor_id: int | None, when: dt.datetime,
                   ) -> tuple[list[int], dict[int, int], dict[int, str]]:
    """The entries and their postings, written in bulk (kernel.bulk: COPY on PostgreSQL): (entry
    ids in order, the total per account, the accounts' names)."""
    ids = bulk.insert(JournalEntry, ["at", "memo", "kind", "actor_id", "idempotency_key"],
                      [(when, s.memo.strip()[:200], kind, actor_id, s.idempotency_key) for s in todo])
    postings = []
    totals: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry_id, spec in zip(ids, todo, strict=True):
        for account, amount in spec.lines:
            postings.append((entry_id, account.pk, amount, when))
            totals[account.pk] = totals.get(account.pk, 0) + amount
            names[account.pk] = account.name
    bulk.load(Posting, ["entry_id", "account_id", "amount_fen", "at"], postings)
    return ids, totals, names


def do_post_entries(specs: Sequence[EntrySpec], *, kind: str, acting_user: User | None, audit_obj: Any,
                    at: dt.datetime | None = None) -> dict[str, int]:
    """Post many balanced entries at once (a payment batch of 100,000): all or nothing. Entries whose
    key was posted before are returned, not posted again, so a retried batch pays nobody twice.
    Entries and postings go in by kernel.bulk (COPY on PostgreSQL), the balances move by one checked
    set-based UPDATE (_move_balances), and one audit row on `audit_obj` records the whole posting.
    Returns {idempotency key: entry id}."""
    _check_specs(specs)
    when = at or timezone.now()
    actor_id = acting_user.pk if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None
    with transaction.atomic():
        done = _posted([s.idempotency_key for s in specs])
        if done:
            _check_replays(specs, done, kind)
        todo = [s for s in specs if s.idempotency_key not in done]
        ids: dict[str, int] = {key: pk for key, (pk, _kind) in done.items()}
        if not todo:
            return ids
        written, totals, names = _write_entries(todo, kind=kind, actor_id=actor_id, when=when)
        _move_balances(totals, names)
        record(acting_user, f"ledger.{kind}_bulk", audit_obj,
               after={"entries": len(written), "total_fen": sum(a for a in totals.values() if a > 0)})
        ids.update(zip((s.idempotency_key for s in todo), written, strict=True))
    return ids


def do_donate(fund: Fund, amount_fen: int, *, donor_name: str, acting_user: User | None,
              idempotency_key: str | None = None, at: dt.datetime | None = None) -> JournalEntry:
    donors = external_account(f"{fund.code}:donors", str(gettext_lazy("Donors")), fund=fund)
    return do_post_entry([(donors, -amount_fen), (fund_account(fund), amount_fen)],
                         memo=_("Donation from %(donor)s") % {"donor": donor_name}, kind="donation",
                         acting_user=acting_user, idempotency_key=idempotency_key, at=at)


def do_commit(fund: Fund, amount_fen: int, *, memo: str, acting_user: User | None,
              idempotency_key: str | None = None, at: dt.datetime | None = None) -> JournalEntry:
    """Set money aside for an approved grant: available → committed. Refused if not available."""
    return do_post_entry([(fund_account(fund), -amount_fen), (fund_account(fund, AccountKind.COMMITMENT), amount_fen)],
                         memo=memo, kind="commitment", acting_user=acting_user, idempotency_key=idempotency_key,
                         at=at)


def do_release_commitment(fund: Fund, amount_fen: int, *, memo: str, acting_user: User,
                          idempotency_key: str | None = None) -> JournalEntry:
    return do_post_entry([(fund_account(fund, AccountKind.COMMITMENT), -amount_fen), (fund_account(fund), amount_fen)],
                         memo=memo, kind="release", acting_user=acting_user, idempotency_key=idempotency_key)


def do_pay_from_commitment(fund: Fund, amount_fen: int, *, payee: Account, memo: str, acting_user: User | None,
                           idempotency_key: str | None = None, at: dt.datetime | None = None) -> JournalEntry:
    return do_post_entry([(fund_account(fund, AccountKind.COMMITMENT), -amount_fen), (payee, amount_fen)],
                         memo=memo, kind="payment", acting_user=acting_user, idempotency_key=idempotency_key, at=at)


def do_return_payment(fund: Fund, amount_fen: int, *, payee: Account, memo: str, acting_user: User | None,
                      idempotency_key: str | None = None) -> JournalEntry:
    """A bank return: the money comes back to the commitment, ready to be re-issued."""
    return do_post_entry([(payee, -amount_fen), (fund_account(fund, AccountKind.COMMITMENT), amount_fen)],
                         memo=memo, kind="return", acting_user=acting_user, idempotency_key=idempotency_key)


def do_manual_entry(lines: Sequence[tuple[str, int]], *, memo: str, acting_user: User,
                    idempotency_key: str | None = None) -> JournalEntry:
    """An entry keyed by account codes, for the finance office (API and pages). Every account it
    touches, outside parties' included, belongs to a fund within the user's ledger.post scope; an
    account of no fund (an old shared one) is posted to only by the actions. The client's key is kept
    under `manual:<user id>:`, so it is the poster's own and never a module's."""
    require_perm(acting_user, "ledger.post")
    key = None
    if idempotency_key:
        if len(idempotency_key) > MANUAL_KEY_LENGTH:
            raise KernelError(_("An idempotency key has at most %(n)d characters.") % {"n": MANUAL_KEY_LENGTH},
                              code=ErrorCode.INVALID, field="idempotency_key")
        key = f"{MANUAL_KEY_PREFIX}{acting_user.pk}:{idempotency_key}"
    codes = [code for code, _amount in lines]
    found = {a.code: a for a in Account.objects.select_related("fund").filter(code__in=codes)}
    allowed = set(restrict(Fund.objects.all(), acting_user, "ledger.post").values_list("pk", flat=True))
    resolved = []
    for index, (code, amount) in enumerate(lines):
        account = found.get(code)
        if account is None or account.fund_id is None or account.fund_id not in allowed:
            raise NotFound(_("No such account: %(code)s") % {"code": code}, field=f"lines[{index}].account")
        resolved.append((account, amount))
    return _post_entry(resolved, memo=memo, kind="manual", acting_user=acting_user, idempotency_key=key)


# --- statements -------------------------------------------------------------------------------------


@dataclass
class StatementLine:
    label: str
    kind: str
    opening_fen: int
    in_fen: int
    out_fen: int
    closing_fen: int


@dataclass
class Statement:
    fund: Fund
    start: dt.date
    end: dt.date
    lines: list[StatementLine] = field(default_factory=list)
    postings: list[Posting] = field(default_factory=list)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def statement(fund: Fund, start: dt.date, end: dt.date) -> Statement:
    """Opening, in, out and closing per account of the fund for [start, end] (Beijing dates). It
    reconciles by construction with the postings: opening = sum before start; closing = opening +
    in − out; and the account's balance = closing + what was posted after end."""
    lo, hi = _day_start(start), _day_start(end + dt.timedelta(days=1))
    result = Statement(fund=fund, start=start, end=end)
    own = [AccountKind.FUND, AccountKind.COMMITMENT]  # outside parties' accounts are not the fund's money
    for account in Account.objects.filter(fund=fund, kind__in=own).order_by("kind"):
        postings = Posting.objects.filter(account=account)
        opening = postings.filter(at__lt=lo).aggregate(s=Sum("amount_fen"))["s"] or 0
        period = postings.filter(at__gte=lo, at__lt=hi)
        incoming = period.filter(amount_fen__gt=0).aggregate(s=Sum("amount_fen"))["s"] or 0
        outgoing = -(period.filter(amount_fen__lt=0).aggregate(s=Sum("amount_fen"))["s"] or 0)
        result.lines.append(StatementLine(account.statement_label, account.kind, opening, incoming,
                                          outgoing, opening + incoming - outgoing))
    result.postings = list(Posting.objects.filter(account__fund=fund, account__kind__in=own, at__gte=lo, at__lt=hi)
                           .select_related("entry", "account").order_by("at", "pk"))
    return result


def statement_xlsx(result: Statement) -> bytes:
    book = exports.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Statement")[:31]
    money = "#,##0.00"
    sheet.append([result.fund.name])
    sheet["A1"].font = Font(bold=True, size=13)
    exports.append(sheet, [_("Period"), result.start, result.end])  # date cells, not text
    sheet.append([])
    sheet.append([_("Account"), _("Opening balance"), _("In"), _("Out"), _("Closing balance")])
    for line in result.lines:
        sheet.append([line.label, *(v / 100 for v in (line.opening_fen, line.in_fen, line.out_fen, line.closing_fen))])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = money
    sheet.append([])
    sheet.append([_("When"), _("Entry"), _("Account"), _("Amount")])
    for p in result.postings:
        exports.append(sheet, [p.at, p.entry.memo, p.account.statement_label, p.amount_fen / 100])
        sheet.cell(row=sheet.max_row, column=4).number_format = money
    for column, width in zip("ABCDE", (22, 36, 24, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    return exports.xlsx_bytes(book)
