"""Excerpt books (Markdown and DOCX share this): excerpts grouped by theme,
each theme's analytic memos (oldest first) at the head of its chapter.

An excerpt with two themes appears under both. Themes come in codebook
(name) order and excerpts in reading order within a theme. Grouping needs
every row, so a book holds the matching excerpts in memory: it is meant for
pasting into a paper, not for 50,000 excerpts (use CSV or JSON Lines there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from annotations.exports.selection import ExportRow, MemoInfo, ThemeInfo, citation


@dataclass(frozen=True)
class Entry:
    quote: str
    citation: str
    note: str
    author: str


def chapters(rows: Iterable[ExportRow]) -> list[tuple[ThemeInfo, list[Entry]]]:
    """(theme, entries) pairs, themes by name."""
    grouped: dict[str, list[Entry]] = defaultdict(list)
    themes: dict[str, ThemeInfo] = {}
    for row in rows:
        entry = Entry(" ".join(row.quote.split()), citation(row), row.note, row.author)
        for theme in row.themes:
            themes[theme.slug] = theme
            grouped[theme.slug].append(entry)
    order = sorted(themes.values(), key=lambda theme: theme.name.casefold())
    return [(theme, grouped[theme.slug]) for theme in order]


def theme_memos(rows: Iterable[ExportRow]) -> dict[str, list[MemoInfo]]:
    """``{theme guid: its memos}``, in the order ``rows`` carries them (oldest
    first); rows without memos (a plain iterable) give none."""
    found: dict[str, list[MemoInfo]] = defaultdict(list)
    for memo in getattr(rows, "memos", ()):
        if memo.subject == "theme":
            found[memo.subject_guid].append(memo)
    return dict(found)


def memo_byline(memo: MemoInfo) -> str:
    """Who wrote a memo and when (a UTC date: books are read anywhere).

    >>> import datetime as dt
    >>> when = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)
    >>> memo_byline(MemoInfo("g", "t", "ana", "Ana Ruiz", when, "theme", "x"))
    'Memo by Ana Ruiz, 2026-03-04'
    """
    return f"Memo by {memo.author}, {memo.created.astimezone(UTC):%Y-%m-%d}"
