"""``manage.py export_paragraphs``: every record as JSON Lines, in reading order.

One object per line with the keys of ``FIELDS``. ``--output FILE`` is written
atomically (a temporary file in the same folder, then a rename), so readers
never see half a file.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.projects import add_project_argument, project_named
from corpus.files import atomic_write
from corpus.models import Document, Paragraph

FIELDS = (
    "document",
    "document_title",
    "document_iri",
    "position",
    "kind",
    "section",
    "page",
    "lang",
    "label",
    "text",
)


class Command(BaseCommand):
    help = "Export paragraph records as JSON Lines (stdout, or --output FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--document", metavar="NAME", help="Source file name (or slug) to export."
        )
        parser.add_argument("--output", type=Path, metavar="FILE")
        add_project_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        project = project_named(options.get("project"))
        records = Paragraph.objects.in_project(project).visible().for_export()
        if options["document"]:
            document = Document.objects.in_project(project).by_name(options["document"])
            if document is None:
                raise CommandError(f"No document named {options['document']!r}.")
            records = records.filter(document=document)
        stream = records.iterator(chunk_size=2000)
        lines = (json.dumps(row, ensure_ascii=False) for row in rows(stream))
        if options["output"]:
            count = write_atomically(options["output"], lines)
            self.stderr.write(f"Wrote {count} records to {options['output']}")
        else:
            self.write_stdout(lines)

    def write_stdout(self, lines: Generator[str, None, None]) -> None:
        try:
            for line in lines:
                self.stdout.write(line)
        except BrokenPipeError:
            # The reader (`| head`) has gone: stop quietly, as Unix tools do.
            lines.close()
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def rows(records: Iterable[Paragraph]) -> Iterator[dict[str, Any]]:
    for record in records:
        document = record.document
        yield {
            "document": document.source_name,
            "document_title": document.title,
            "document_iri": document.iri,
            "position": record.position,
            "kind": record.kind,
            "section": record.section,
            "page": record.page,
            "lang": record.lang,
            "label": record.label,
            "text": record.text,
        }


def write_atomically(path: Path, lines: Iterable[str]) -> int:
    """Write ``lines`` to ``path`` via a temporary sibling and a rename."""
    try:
        with atomic_write(path, newline="\n") as out:
            return _write_lines(out, lines)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc


def _write_lines(out: IO[str], lines: Iterable[str]) -> int:
    count = 0
    for line in lines:
        out.write(line + "\n")
        count += 1
    return count
