"""Markdown excerpt book: a section per theme (its description and memos
first), each excerpt a block quote followed by its citation, annotator and
note.

Quotes, notes and names are escaped so that a Markdown renderer shows them as
written: ``<`` starts raw HTML in Markdown (a note ``<script>`` would run in a
renderer that allows HTML), so it is written ``\\<``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from annotations.exports.book import Entry, chapters, memo_byline, theme_memos
from annotations.exports.selection import ExportRow, MemoInfo

TITLE = "# Excerpts\n"


def write(rows: Iterable[ExportRow], out: TextIO) -> None:
    out.write(TITLE)
    memos = theme_memos(rows)
    for theme, entries in chapters(rows):
        out.write(f"\n## {escape(theme.name)}\n")
        if theme.description:
            out.write(f"\n_{escape(theme.description.strip())}_\n")
        for memo in memos.get(theme.guid, ()):
            out.write(_memo(memo))
        for entry in entries:
            out.write(_entry(entry))


def _entry(entry: Entry) -> str:
    quote = f"\n> {escape(entry.quote)}\n>\n> — {escape(entry.citation)}\n"
    byline = f"\n*Tagged by {escape(entry.author)}.*"
    note = f" Note: {escape(' '.join(entry.note.split()))}" if entry.note else ""
    return quote + byline + note + "\n"


def _memo(memo: MemoInfo) -> str:
    """A memo as a titled paragraph; its own line breaks kept (two spaces end a
    Markdown line)."""
    text = "  \n".join(escape(line) for line in memo.text.strip().splitlines())
    return f"\n**{escape(memo_byline(memo))}:**  \n{text}\n"


def escape(text: str) -> str:
    """No raw HTML: CommonMark shows ``\\<`` as a literal ``<``.

    >>> escape("a <b>bold</b> claim & more")
    'a \\\\<b>bold\\\\</b> claim & more'
    """
    return text.replace("\\", "\\\\").replace("<", "\\<")
