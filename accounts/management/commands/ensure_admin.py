"""``manage.py ensure_admin``: make sure someone can log in to /admin/.

When no superuser exists, creates one (``admin`` by default, with the Admin
role) and a random password printed once. Later runs print only that a
superuser exists.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import Project
from accounts.roles import Role


class Command(BaseCommand):
    help = "Create a superuser with a random password if there is none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        users = get_user_model()._default_manager
        if users.filter(is_superuser=True).exists():
            self.stdout.write("A superuser already exists; nothing to do.")
            return
        if users.filter(username=username).exists():
            raise CommandError(
                f"User {username!r} exists but is not a superuser; use "
                "`manage.py createsuperuser` with another name or promote it."
            )
        password = secrets.token_urlsafe(16)
        user = users.create_superuser(username=username, email="", password=password)
        services.membership_set(
            user=user, project=Project.objects.first_project(), role=Role.ADMIN
        )
        self.stdout.write(
            f"Created superuser {username!r} with password: {password}\n"
            "It is shown only this once; change it at /accounts/settings/."
        )
