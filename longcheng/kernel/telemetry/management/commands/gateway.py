"""`longcheng gateway list|issue|revoke`: a gateway account's API tokens from the command line, the
same actions (and audit entries) as the gateways' page."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from longcheng.kernel.access.models import User
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.telemetry.gateways import (
    SYSTEM,
    do_issue_gateway_token,
    do_revoke_gateway_token,
    gateways_of,
)


class Command(BaseCommand):
    help = "Telemetry gateways: list them, issue a token for one, revoke a token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="", help="act as this account, within its telemetry.gateways scope "
                                                         "(default: the system, everywhere)")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every gateway account with its last message and active tokens")
        issue = sub.add_parser("issue", help="issue a token for ACCOUNT; prints the token once")
        issue.add_argument("account")
        issue.add_argument("--name", required=True, help="what will use it, e.g. the gateway's host name")
        issue.add_argument("--days", type=int, default=None, help="how long it lasts (default API_TOKEN_DAYS)")
        revoke = sub.add_parser("revoke", help="revoke ACCOUNT's token TOKEN (its id or the prefix shown)")
        revoke.add_argument("account")
        revoke.add_argument("token")

    def handle(self, *args: Any, **options: Any) -> None:
        actor: Any = SYSTEM
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"--user {options['user']}: no active account of that name")
        try:
            getattr(self, f"do_{options['action']}")(options, actor)
        except NotFound:
            raise CommandError(f"{options.get('account', '')}: no such gateway account within reach "
                               f"(or no such token of it)") from None
        except KernelError as error:
            raise CommandError(f"{'--' + error.field + ': ' if error.field else ''}{error.message}") from None

    def do_list(self, options: dict[str, Any], actor: Any) -> None:
        for gateway in gateways_of(actor):
            last = gateway.activity.last_at.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds") \
                if gateway.activity else "never"
            self.stdout.write(f"{gateway.account.username}\tlast {last}\ttokens {gateway.active_tokens}\t"
                              f"rejected/24h {gateway.rejected_day}")

    def do_issue(self, options: dict[str, Any], actor: Any) -> None:
        token, raw = do_issue_gateway_token(options["account"], name=options["name"], days=options["days"],
                                            acting_user=actor)
        self.stderr.write(f"token {token.prefix}… for {options['account']}, expires {token.expires_at:%Y-%m-%d}; "
                          "shown once:")
        self.stdout.write(raw)

    def do_revoke(self, options: dict[str, Any], actor: Any) -> None:
        which: int | str = int(options["token"]) if options["token"].isdigit() else options["token"]
        token = do_revoke_gateway_token(options["account"], which, acting_user=actor)
        self.stdout.write(f"revoked {token.prefix}… of {options['account']}")
