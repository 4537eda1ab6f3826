"""Sentence spans of a paragraph's text: the sentence unit of the agreement page.

A small rule-based splitter, no model: a sentence ends at ``.``, ``!``, ``?``
or ``…`` (with any closing quotes or brackets after it) followed by white
space and then something that can start a sentence (a capital letter, a digit,
an opening quote or bracket). A full stop does *not* end a sentence after a
known abbreviation of English or French (``Dr.``, ``e.g.``, ``U.S.``,
``M.``, ``Mme.``, ``p.``, ``art.``…) or a single capital letter (an initial,
``J. Smith``). Spans are code-point offsets into the text, end exclusive, like
annotations'; white space between sentences belongs to none.
"""

from __future__ import annotations

import re

# Compared case-insensitively, without the final full stop.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al approx dept est fig figs
    no nos vol vols ed eds ch chap sec p pp para art arts ibid op cit viz inc ltd
    co corp gen gov sen rep col lt sgt capt jan feb mar apr jun jul aug sep sept
    oct nov dec u.s u.k u.n u.s.a e.u n.b
    m mm mme mmes mlle mlles me pr av apr. j.-c env ex vs. cie
    """.split()
)
# French sets a space (often a no-break one) inside « » and before ? and !.
_END = re.compile(r"[.!?…]+(?:\s?[\"'”’»)\]])*")
_STARTS = re.compile(r"\s+(?:[\"'“‘«(\[]\s?)*[A-ZÀ-ÖØ-Þ0-9]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, in order.

    >>> text = "Dr. Smith met M. Dupont in the U.S. on Monday. It rained! Then?"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Dr. Smith met M. Dupont in the U.S. on Monday.', 'It rained!', 'Then?']
    >>> text = "Le Canada, p. ex. l'art. 5, est cité. « Vraiment ? » Oui."
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ["Le Canada, p. ex. l'art. 5, est cité.", '« Vraiment ? »', 'Oui.']
    >>> text = "See J. K. Galbraith (1958). 2010 was different, e.g. in trade."
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['See J. K. Galbraith (1958).', '2010 was different, e.g. in trade.']
    >>> sentence_spans("  ")
    []
    >>> sentence_spans("no full stop")
    [(0, 12)]
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if not _STARTS.match(text, end):
            continue
        if match.group().startswith(".") and len(match.group()) == 1:
            if _abbreviation(text, match.start()):
                continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return [span for span in (_trimmed(text, a, b) for a, b in spans) if span]


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the word before the full stop at ``dot`` is an abbreviation or an
    initial."""
    word = re.search(r"[\w.'-]*$", text[:dot])
    token = word.group() if word else ""
    token = token.rsplit("'", 1)[-1]  # l'art. -> art
    if len(token) == 1 and token.isupper():
        return True
    return token.lower() in ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
