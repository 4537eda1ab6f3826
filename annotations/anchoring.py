"""Text anchors for annotations: context capture and re-anchoring (pure).

An annotation stores its span (code-point offsets into ``Paragraph.text``, end
exclusive) together with a *text quote selector*: the quote and up to
``CONTEXT_WIDTH`` characters either side. When a changed source file is
re-ingested, the paragraphs are rebuilt and the offsets may point elsewhere;
``locate`` finds the quote again among the new paragraph texts, using the
context to choose between repeated quotes and the old position to break ties
(Hypothesis' approach, reduced to exact quote matches).

Policy: an exact occurrence of the quote is accepted when at least half of the
stored context characters still surround it; otherwise (or when the quote is
nowhere) the annotation cannot be placed and the caller orphans it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

CONTEXT_WIDTH = 32


@dataclass(frozen=True)
class Quote:
    """What an annotation quoted, with the text around it."""

    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Anchor:
    """Where a quote was found: the index of the paragraph text, and the span."""

    index: int
    start: int
    end: int


def quote_at(text: str, start: int, end: int, width: int = CONTEXT_WIDTH) -> Quote:
    """The quote ``text[start:end]`` with ``width`` characters of context.

    >>> quote_at("North America is a region of three states.", 17, 25, width=6)
    Quote(exact='a region', prefix='ca is ', suffix=' of th')

    Context stops at the paragraph's edges:

    >>> quote_at("Sovereignty matters.", 0, 11, width=6)
    Quote(exact='Sovereignty', prefix='', suffix=' matte')
    """
    prefix = text[max(0, start - width) : start]
    return Quote(text[start:end], prefix, text[end : end + width])


def locate(
    quote: Quote, texts: Sequence[str], hint: int | None = None
) -> Anchor | None:
    """Find ``quote`` among ``texts`` (a document's paragraphs, in order).

    The best occurrence keeps the most context; ties go to the paragraph
    nearest ``hint`` (the old position), then to the earliest.

    >>> texts = ["Trust is scarce.", "Here trust grew.", "Trust is earned."]
    >>> locate(Quote("Trust", "", " is earned"), texts)
    Anchor(index=2, start=0, end=5)
    >>> locate(Quote("trust", "Here ", " grew"), texts)
    Anchor(index=1, start=5, end=10)
    >>> locate(Quote("Distrust", "", ""), texts) is None
    True
    """
    if not quote.exact:
        return None
    needed = len(quote.prefix) + len(quote.suffix)
    best: tuple[int, int, int] | None = None  # (-score, distance, order) ranks
    found: Anchor | None = None
    for order, anchor in enumerate(_occurrences(quote.exact, texts)):
        score = _context_score(quote, texts[anchor.index], anchor)
        distance = abs(anchor.index - hint) if hint is not None else 0
        rank = (-score, distance, order)
        if 2 * score >= needed and (best is None or rank < best):
            best, found = rank, anchor
    return found


def _occurrences(exact: str, texts: Sequence[str]) -> list[Anchor]:
    """Every exact occurrence of ``exact``, overlapping ones included."""
    anchors = []
    for index, text in enumerate(texts):
        start = text.find(exact)
        while start != -1:
            anchors.append(Anchor(index, start, start + len(exact)))
            start = text.find(exact, start + 1)
    return anchors


def _context_score(quote: Quote, text: str, anchor: Anchor) -> int:
    """How many context characters still match around ``anchor``.

    >>> _context_score(Quote("b", "xa", "cy"), "zab cd", Anchor(0, 2, 3))
    1
    """
    before = text[max(0, anchor.start - len(quote.prefix)) : anchor.start]
    after = text[anchor.end : anchor.end + len(quote.suffix)]
    common_before = len(os.path.commonprefix([before[::-1], quote.prefix[::-1]]))
    common_after = len(os.path.commonprefix([after, quote.suffix]))
    return common_before + common_after


@dataclass(frozen=True)
class SplitFate:
    """Where a span goes when its paragraph is split (see ``split_span``).

    ``first`` and ``second`` are the span's parts in the two new texts (either
    may be None); both set means the span crossed the split point.
    """

    first: tuple[int, int] | None
    second: tuple[int, int] | None


def split_span(start: int, end: int, cut: int, resume: int) -> SplitFate:
    """Follow ``[start, end)`` when a text becomes ``text[:cut]`` and
    ``text[resume:]`` (``cut <= resume``; the characters between, spaces at the
    split point, are dropped).

    A span before the cut stays; one after ``resume`` moves, shifted:

    >>> split_span(0, 5, 10, 11)
    SplitFate(first=(0, 5), second=None)
    >>> split_span(12, 15, 10, 11)
    SplitFate(first=None, second=(1, 4))

    A span across the point has a part on each side; only dropped spaces
    are lost at the edges, and a span of nothing but those spaces has no place:

    >>> split_span(4, 14, 10, 11)
    SplitFate(first=(4, 10), second=(0, 3))
    >>> split_span(4, 11, 10, 11)
    SplitFate(first=(4, 10), second=None)
    >>> split_span(10, 11, 10, 11)
    SplitFate(first=None, second=None)
    """
    first = (start, min(end, cut)) if start < cut else None
    second = (max(start, resume) - resume, end - resume) if end > resume else None
    return SplitFate(first, second)
