"""Imports: a REFI-QDA codebook (``.qdc``) or project (``.qdpx``), or W3C Web
Annotations (``.json``, ``.jsonld``, ``.jsonl``), with a dry run and a report.

``import_file`` runs the whole import in one transaction; a dry run rolls it
back at the end, so its report is exactly what a real run would do. Only
curators import. Unknown creators are not made into accounts (an import must
not add people who could sign in): their annotations go to ``as_user`` (by
default the person importing) and the report names them.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import roles
from accounts.models import Project
from annotations.imports import refi, w3c
from annotations.imports.items import People
from annotations.imports.report import ImportFileError, ImportReport

__all__ = ["ImportFileError", "ImportReport", "import_file"]
KINDS = {".qdc": "REFI-QDA codebook", ".qdpx": "REFI-QDA project"}


def import_file(
    *,
    actor: Any,
    project: Project,
    name: str,
    data: bytes,
    as_user: Any | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import ``data`` (a file called ``name``) into ``project``; raises
    ``ImportFileError``. Documents are matched, and themes and memos made, in
    ``project`` only."""
    if not roles.can_moderate(actor, project):
        raise PermissionDenied("Only curators import.")
    suffix = PurePath(name).suffix.lower()
    report = ImportReport(KINDS.get(suffix, w3c.KIND), dry_run=dry_run)
    people = People(as_user or actor)
    with transaction.atomic():
        if suffix == ".qdc":
            refi.run_codebook(actor, project, data, report)
        elif suffix == ".qdpx" or data[:2] == b"PK":
            report.kind = KINDS[".qdpx"]
            refi.run_project(actor, project, data, people, report)
        else:
            w3c.run(actor, project, data, people, report)
        if dry_run:
            transaction.set_rollback(True)
    return report
