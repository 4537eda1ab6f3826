"""Markdown excerpt book: a section per theme, each excerpt a block quote
followed by its citation, annotator and note."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from annotations.exports.book import Entry, chapters
from annotations.exports.selection import ExportRow

TITLE = "# Excerpts\n"


def write(rows: Iterable[ExportRow], out: TextIO) -> None:
    out.write(TITLE)
    for theme, entries in chapters(rows):
        out.write(f"\n## {theme.name}\n")
        if theme.description:
            out.write(f"\n_{theme.description.strip()}_\n")
        for entry in entries:
            out.write(_entry(entry))


def _entry(entry: Entry) -> str:
    quote = f"\n> {entry.quote}\n>\n> — {entry.citation}\n"
    byline = f"\n*Tagged by {entry.author}.*"
    note = f" Note: {' '.join(entry.note.split())}" if entry.note else ""
    return quote + byline + note + "\n"
