"""``manage.py adduser USERNAME --role ROLE [--project P]``: create an account
with a role in a project (default: the first).

The password comes from standard input when it is piped (first line), else a
random one is generated and printed once.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.management.projects import add_project_argument, project_named
from accounts.roles import Role


class Command(BaseCommand):
    help = "Create a user with a role (viewer, annotator, curator, admin)."
    stealth_options = ("stdin",)  # tests pass a stream instead of sys.stdin

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, choices=[role.name.lower() for role in Role]
        )
        add_project_argument(parser)

    def handle(self, *args: Any, username: str, role: str, **options: Any) -> None:
        password = self._piped_password(options.get("stdin") or sys.stdin)
        try:
            user, generated = services.user_create(
                username=username,
                role=Role.parse(role),
                project=project_named(options.get("project")),
                password=password,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Created {user.get_username()} ({Role.parse(role).label}).")
        if generated:
            self.stdout.write(f"Password (shown only this once): {generated}")

    def _piped_password(self, stdin: TextIO | None) -> str | None:
        """The first line of standard input, when it is not a terminal."""
        if stdin is None or stdin.closed or stdin.isatty():
            return None
        line = stdin.readline().rstrip("\r\n")
        if not line:
            raise CommandError("Standard input is piped but holds no password.")
        return line
