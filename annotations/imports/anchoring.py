"""Place a quote from an interchange file on the current paragraphs.

A document's plain text (paragraphs joined by a blank line) is what W3C and
REFI-QDA offsets count into. A position is trusted when the text there is
still the quote; otherwise the quote is searched for with its context
(``annotations.anchoring.locate``), in the named document or, when the file
names a document we do not have, in every document.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations.anchoring import Quote, locate
from annotations.exports.selection import DocumentInfo, document_info
from corpus.models import Document, Paragraph


@dataclass(frozen=True)
class Placement:
    paragraph: Paragraph
    start: int
    end: int


class Texts:
    """Documents' plain texts, built once per import."""

    def __init__(self) -> None:
        self.cache: dict[int, DocumentInfo] = {}

    def of(self, document: Document) -> DocumentInfo:
        if document.pk not in self.cache:
            self.cache[document.pk] = document_info(document)
        return self.cache[document.pk]


def place(
    texts: Texts,
    documents: list[Document],
    quote: Quote,
    position: tuple[int, int] | None,
) -> Placement | str:
    """Where the quote is now, or why it cannot be placed."""
    if not quote.exact.strip():
        return "no quoted text"
    for document in documents:
        info = texts.of(document)
        span = _at(info, quote, position) or _found(info, quote)
        if span is not None:
            return _in_paragraph(document, info, *span)
    return f"“{_short(quote.exact)}” is not in the text"


def _at(info: DocumentInfo, quote: Quote, position: tuple[int, int] | None):  # type: ignore[no-untyped-def]
    if position and info.text[position[0] : position[1]] == quote.exact:
        return position
    return None


def _found(info: DocumentInfo, quote: Quote) -> tuple[int, int] | None:
    anchor = locate(quote, [info.text])
    return None if anchor is None else (anchor.start, anchor.end)


def _in_paragraph(
    document: Document, info: DocumentInfo, start: int, end: int
) -> Placement | str:
    """Turn document-level offsets into a paragraph span."""
    for position, offset in sorted(info.offsets.items(), reverse=True):
        if offset <= start:
            paragraph = document.paragraphs.get(position=position)
            if end - offset > len(paragraph.text):
                return f"“{_short(info.text[start:end])}” spans two paragraphs"
            return Placement(paragraph, start - offset, end - offset)
    return "no paragraph at that position"


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
