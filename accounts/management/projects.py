"""The ``--project`` option every command that reads or writes a project's
data takes: a project's slug or name; without it, the first project."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.db.models import Q

from accounts.models import Project


def add_project_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--project",
        default=None,
        help="The project's slug or name (default: the first project).",
    )


def project_named(value: str | None) -> Project:
    """The project ``--project`` names; a CommandError listing them otherwise."""
    if value is None:
        return Project.objects.first_project()
    found = Project.objects.filter(Q(slug=value) | Q(name__iexact=value)).first()
    if found is None:
        known = ", ".join(Project.objects.values_list("slug", flat=True)) or "none"
        raise CommandError(f"No project {value!r} (projects: {known}).")
    return found
