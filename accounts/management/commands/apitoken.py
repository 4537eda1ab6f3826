"""``manage.py apitoken USERNAME [--days N] [--project P]``: print a new API
token for scripts, working in one project (default: the first).

Only the token's hash is stored, so it is shown once. The token alone goes to
standard output (``TOKEN=$(manage.py apitoken ana)``), its expiry to standard
error. It expires after ``--days`` (default: GLOSS_API_TOKEN_DAYS). ``--revoke``
deletes all of the user's tokens instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.management.projects import add_project_argument, project_named


class Command(BaseCommand):
    help = "Print a new bearer token for USERNAME (or revoke all with --revoke)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--revoke", action="store_true", help="Delete the user's tokens."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default: GLOSS_API_TOKEN_DAYS).",
        )
        add_project_argument(parser)

    def handle(
        self,
        *args: Any,
        username: str,
        revoke: bool,
        days: int | None,
        **options: Any,
    ) -> None:
        users = get_user_model()._default_manager
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if revoke:
            count = services.api_tokens_revoke(user=user)
            self.stdout.write(f"Revoked {count} token(s) of {username}.")
            return
        try:
            project = project_named(options.get("project"))
            token, row = services.api_token_issue(user=user, project=project, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(token)
        self.stderr.write(f"Expires {row.expires:%Y-%m-%d %H:%M} UTC.")
