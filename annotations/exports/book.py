"""Excerpt books (Markdown and DOCX share this): excerpts grouped by theme.

An excerpt with two themes appears under both. Themes come in codebook
(name) order and excerpts in reading order within a theme. Grouping needs
every row, so a book holds the matching excerpts in memory: it is meant for
pasting into a paper, not for 50,000 excerpts (use CSV or JSON Lines there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from annotations.exports.selection import ExportRow, ThemeInfo, citation


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
