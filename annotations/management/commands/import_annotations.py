"""``manage.py import_annotations FILE [--as-user NAME] [--dry-run]``.

Imports a REFI-QDA codebook (``.qdc``) or project (``.qdpx``), or W3C Web
Annotations (JSON, JSON-LD or JSON Lines), and prints the report. The import
runs as the first superuser (a curator by definition); annotations whose
creator matches no account go to ``--as-user`` (default: that superuser).
``--dry-run`` reports what would happen and changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.projects import add_project_argument, project_named
from annotations.imports import ImportFileError, import_file


class Command(BaseCommand):
    help = "Import a .qdc codebook, a .qdpx project or W3C annotations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as-user", metavar="NAME")
        parser.add_argument("--dry-run", action="store_true")
        add_project_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        actor = self._superuser()
        as_user = self._user(options["as_user"]) if options["as_user"] else None
        try:
            report = import_file(
                actor=actor,
                project=project_named(options.get("project")),
                name=path.name,
                data=data,
                as_user=as_user,
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)

    def _superuser(self) -> Any:
        users = get_user_model()._default_manager
        found = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if found is None:
            raise CommandError("No superuser to import as: run ensure_admin first.")
        return found

    def _user(self, name: str) -> Any:
        found = get_user_model()._default_manager.filter(username=name).first()
        if found is None:
            raise CommandError(f"No user named {name!r}.")
        return found
