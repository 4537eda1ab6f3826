"""Keyword in context: each occurrence of a word or phrase on its own line,
with its left and right context, and the three sort orders. Pure functions.

A match is case-insensitive and whole-word: ``trust`` does not match inside
``distrust``. A phrase matches with any run of white space between its words.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

CONTEXT_CHARS = 60
SORTS = ("position", "left", "keyword", "right")


@dataclass(frozen=True)
class KwicLine:
    """One occurrence: ``key`` says where (a paragraph or passage id, caller's
    choice); ``start`` is the match's offset in that text."""

    key: Hashable
    start: int
    left: str
    keyword: str
    right: str


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """The whole-word, case-insensitive pattern for a word or phrase.

    >>> bool(keyword_pattern("trust").search("Distrust grows"))
    False
    >>> keyword_pattern("armed  agents").search("the armed\\nagents").group()
    'armed\\nagents'
    """
    words = [re.escape(word) for word in keyword.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def concordance(
    texts: Iterable[tuple[Hashable, str]], keyword: str, width: int = CONTEXT_CHARS
) -> list[KwicLine]:
    """Every occurrence of ``keyword`` in ``texts`` (``(key, text)`` pairs), in
    the order of the texts and then of the offsets, with ``width`` characters
    of context each side (white space folded to single spaces).

    >>> lines = concordance([(1, "Trust is rare; trust is earned.")], "trust", 8)
    >>> [(line.left, line.keyword, line.right) for line in lines]
    [('', 'Trust', ' is rare'), ('s rare; ', 'trust', ' is earn')]
    """
    pattern = keyword_pattern(keyword)
    lines = []
    for key, text in texts:
        for match in pattern.finditer(text):
            left = _fold(text[max(0, match.start() - width * 2) : match.start()])
            right = _fold(text[match.end() : match.end() + width * 2])
            lines.append(
                KwicLine(
                    key, match.start(), left[-width:], match.group(), right[:width]
                )
            )
    return lines


def _fold(text: str) -> str:
    """White space runs (line breaks too) as one space, so lines align."""
    return re.sub(r"\s+", " ", text)


def sort_lines(lines: list[KwicLine], by: str) -> list[KwicLine]:
    """Lines sorted ``by`` one of ``SORTS`` (ties keep text order).

    Left context sorts on the words nearest the keyword first (read from the
    keyword leftwards), as concordancers do; comparisons ignore case.

    >>> lines = concordance([(1, "a zeta cat. b alpha cat. the beta cat")], "cat")
    >>> [line.left.split()[-1] for line in sort_lines(lines, "left")]
    ['alpha', 'beta', 'zeta']
    """
    if by not in SORTS:
        raise ValueError(f"unknown sort {by!r} (one of: {', '.join(SORTS)})")
    if by == "position":
        return list(lines)
    keys = {
        "left": lambda line: _words_leftwards(line.left),
        "keyword": lambda line: (line.keyword.casefold(), line.right.casefold()),
        "right": lambda line: line.right.casefold().lstrip(),
    }
    return sorted(lines, key=keys[by])


def _words_leftwards(left: str) -> list[str]:
    """``"the big cat "`` -> ``["cat", "big", "the"]`` (case folded)."""
    return [word.casefold() for word in reversed(re.findall(r"\w+", left))]
