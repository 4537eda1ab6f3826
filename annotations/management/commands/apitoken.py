"""``manage.py apitoken USERNAME``: print a new API token for scripts.

Only the token's hash is stored, so it is shown once. ``--revoke`` deletes
all of the user's tokens instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations import services


class Command(BaseCommand):
    help = "Print a new bearer token for USERNAME (or revoke all with --revoke)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--revoke", action="store_true", help="Delete the user's tokens."
        )

    def handle(self, *args: Any, username: str, revoke: bool, **options: Any) -> None:
        users = get_user_model()._default_manager
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if revoke:
            count = services.api_tokens_revoke(user=user)
            self.stdout.write(f"Revoked {count} token(s) of {username}.")
            return
        token = services.api_token_create(user=user)
        self.stdout.write(token)
