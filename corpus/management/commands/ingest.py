"""``manage.py ingest [PATH ...]``: ingest source files (default: the bundled corpus).

Prints one summary line per file. A file that fails is reported on stderr and
left untouched; the others still run, and the command then exits non-zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.projects import add_project_argument, project_named
from corpus import hooks
from corpus.ingestion.extract import (
    HTML_SUFFIXES,
    PACKAGE_READERS,
    TEXT_SUFFIXES,
    ExtractionError,
)
from corpus.services import (
    MANIFEST_NAME,
    InvalidMetadata,
    Source,
    bundled_sources,
    document_ingest,
    load_manifest,
)

SUFFIXES = (TEXT_SUFFIXES - {""}) | HTML_SUFFIXES | set(PACKAGE_READERS)


class Command(BaseCommand):
    help = "Ingest source files into documents; with no PATH, the bundled corpus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Re-process files even when unchanged (after a pipeline upgrade).",
        )
        add_project_argument(parser)

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        self.show_traceback = bool(options.get("traceback"))
        sources = self.sources(paths)
        if not sources:
            raise CommandError(f"No source files in {settings.GLOSS_SOURCES_DIR}.")
        self.force = bool(options.get("force"))
        self.project = project_named(options.get("project"))
        with hooks.batch():  # one index update for the whole batch
            failed = [s.path.name for s in sources if not self.ingest(s)]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(sources)} file(s) failed: {', '.join(failed)}"
            )

    def sources(self, paths: list[Path]) -> list[Source]:
        """Explicit paths take bundled metadata when they are bundled files."""
        try:
            if not paths:
                return bundled_sources()
            sources_dir = Path(settings.GLOSS_SOURCES_DIR).resolve()
            manifest = load_manifest(sources_dir / MANIFEST_NAME)
        except InvalidMetadata as exc:
            raise CommandError(str(exc)) from exc
        files = [f for p in paths for f in _expand(p)]
        return [Source(p, _metadata_for(p, sources_dir, manifest)) for p in files]

    def ingest(self, source: Source) -> bool:
        try:
            outcome = document_ingest(
                path=source.path,
                project=self.project,
                metadata=source.metadata,
                force=self.force,
            )
        except (ExtractionError, InvalidMetadata) as exc:
            self.stderr.write(f"{source.path.name}: error: {exc}")
            return False
        except Exception as exc:
            if self.show_traceback:
                raise
            self.stderr.write(f"{source.path.name}: unexpected error: {exc!r}")
            return False
        self.stdout.write(outcome.summary())
        return True


def _expand(path: Path) -> list[Path]:
    """A folder stands for the source files in it (not in its subfolders)."""
    if not path.is_dir():
        return [path]
    return sorted(
        p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
    )


def _metadata_for(
    path: Path, sources_dir: Path, manifest: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any]:
    if path.resolve().parent != sources_dir:
        return {}
    return manifest.get(path.name, {})
