"""``manage.py export_annotations --format F [filters] [--output FILE]``.

Formats: csv, jsonl, md, docx, qdc, qdpx, w3c (``annotations.exports``).
Filters narrow the excerpts: ``--theme``, ``--user`` and ``--document`` may be
repeated (any of them matches), ``--since``/``--until`` bound the creation
date (inclusive), ``--query`` keeps excerpts in paragraphs a search finds.
``--output`` is written atomically; text formats go to stdout without it,
binary ones (docx, qdpx, qdc) need it. ``--layer consensus`` exports the
consensus layer (the settled units, the decider as author; ``--agreed`` adds
the units all coders agreed on) instead of the coders' annotations.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.projects import add_project_argument, project_named
from annotations.exports import FORMATS
from annotations.exports.files import write_file
from annotations.exports.options import FilterError, parse_filters
from annotations.exports.selection import CODERS, LAYERS, export_rows


class Command(BaseCommand):
    help = (
        "Export tagged excerpts with citations (csv, jsonl, md, docx, qdc, qdpx, w3c)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--theme", action="append", default=[], metavar="THEME")
        parser.add_argument("--user", action="append", default=[], metavar="NAME")
        parser.add_argument("--document", action="append", default=[], metavar="NAME")
        parser.add_argument("--since", default="", metavar="YYYY-MM-DD")
        parser.add_argument("--until", default="", metavar="YYYY-MM-DD")
        parser.add_argument("--query", default="", metavar="Q")
        parser.add_argument("--output", type=Path, metavar="FILE")
        parser.add_argument("--layer", choices=LAYERS, default=CODERS)
        parser.add_argument("--agreed", action="store_true")
        add_project_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        exporter = FORMATS[options["format"]]
        if exporter.binary and not options["output"]:
            raise CommandError(
                f"--format {exporter.name} writes a file: give --output."
            )
        try:
            filters = parse_filters(
                project=project_named(options.get("project")),
                themes=options["theme"],
                users=options["user"],
                documents=options["document"],
                since=options["since"],
                until=options["until"],
                query=options["query"],
                layer=options["layer"],
                agreed=options["agreed"],
            )
        except FilterError as exc:
            raise CommandError(str(exc)) from exc
        rows = export_rows(filters)
        counted = _Counter(rows)
        if options["output"]:
            try:
                write_file(exporter, counted, options["output"])  # type: ignore[arg-type]
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from exc
            self.stderr.write(f"Wrote {counted.count} excerpts to {options['output']}")
        else:
            self._to_stdout(exporter.module, counted)

    def _to_stdout(self, module: Any, rows: Any) -> None:
        try:
            module.write(rows, _Unended(self.stdout))
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Counter:
    """The rows, counted as a writer reads them; keeps the codebook."""

    def __init__(self, rows: Any) -> None:
        self.rows, self.codebook, self.count = rows, rows.codebook, 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.count += 1
            yield row


class _Unended:
    """``self.stdout`` adds a line ending to each write; chunks have their own."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")
