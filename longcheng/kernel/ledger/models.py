"""Double-entry money in integer fen.

Every movement is a JournalEntry whose Postings sum to zero. Each Account keeps its running balance,
updated in the same transaction by a conditional UPDATE, so a fund cannot go below zero even when
many requests post at once; a CHECK constraint backs that up at the database level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Fund(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="funds", verbose_name=_("owner"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("place"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "place__path"

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    FUND = "fund", _("Available money")
    COMMITMENT = "commitment", _("Committed, not yet paid")
    EXTERNAL = "external", _("Outside party")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class Account(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts")
    code = models.CharField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    allow_negative = models.BooleanField(default=False)
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(condition=Q(allow_negative=True) | Q(balance_fen__gte=0),
                                   name="ledger_account_not_below_zero"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def statement_label(self) -> str:
        """How a fund's statement names the account, in its summary and its postings alike (page and
        XLSX): the fund's own accounts by their kind ("Available money", "Committed, not yet paid"),
        any other by its name."""
        if self.kind in (AccountKind.FUND, AccountKind.COMMITMENT):
            return str(AccountKind(self.kind).label)
        return self.name


class JournalEntry(models.Model):
    at = models.DateTimeField(_("at"), db_index=True)
    memo = models.CharField(_("memo"), max_length=200)
    kind = models.SlugField(_("kind"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    # A retried request (double click, network retry) carries the same key and posts nothing twice.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.memo}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    at = models.DateTimeField(db_index=True)  # copied from the entry: statements filter postings by time

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        indexes = [models.Index(fields=["account", "at"])]
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_posting_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_fen:+d} fen"
