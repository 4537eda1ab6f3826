"""Where a search hit's match sits in its paragraph, for "tag the match".

The highlight is the backend's escaped fragment with ``<mark class="match">``
around matched words; the span to tag is the sentence of the paragraph that
holds the first matched word. Pure functions over text: no index, no database.
"""

from __future__ import annotations

import html
import re
import unicodedata

_MATCH = re.compile(r'<(mark|strong) class="match[^"]*">(.*?)</\1>', re.S)
_SENTENCE_END = re.compile(r"[.!?…][”’\"»)]*\s+")


def first_match(highlight: str) -> str | None:
    """The first highlighted word, unescaped.

    >>> first_match('the <mark class="match term0">M&#233;rida</mark> plan')
    'Mérida'
    >>> first_match("no match") is None
    True
    """
    found = _MATCH.search(highlight)
    return html.unescape(found.group(2)) if found else None


def _fold(text: str) -> str:
    """Lower case without accents, keeping one character per character."""
    return "".join(
        unicodedata.normalize("NFD", ch)[0].lower() if ch.isalpha() else ch.lower()
        for ch in text
    )


def sentence_span(text: str, word: str) -> tuple[int, int] | None:
    """Code-point offsets of the sentence of ``text`` that contains ``word``.

    Case and accents aside, as search matches them.

    >>> text = "First one. The Merida plan began. Last."
    >>> start, end = sentence_span(text, "mérida")
    >>> text[start:end]
    'The Merida plan began.'
    >>> sentence_span(text, "absent") is None
    True
    """
    at = _fold(text).find(_fold(word))
    if at < 0 or not word:
        return None
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= at]
    start = starts[-1]
    after = _SENTENCE_END.search(text, at + len(word))
    end = after.end() if after else len(text)
    return start, len(text[:end].rstrip())


def match_span(text: str, highlight: str) -> tuple[int, int] | None:
    """The sentence around a hit's first match, or ``None`` if there is none."""
    word = first_match(highlight)
    return sentence_span(text, word) if word else None
