"""W3C Web Annotation (JSON-LD): an ``AnnotationCollection`` of pages.

Each excerpt is an ``Annotation`` whose target is the document's IRI with a
``TextQuoteSelector`` (exact, prefix, suffix: the quote with 32 characters of
context in the document's plain text) and a ``TextPositionSelector``
(document-level code-point offsets, end exclusive); its bodies are one
``TextualBody`` per theme (purpose ``tagging``) and the note (purpose
``commenting``); ``creator`` names the annotator. Pages of ``PAGE_SIZE``
annotations are embedded, each holding the next one as ``next``, so the file
is one self-contained JSON document, and it is written as it is read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from annotations.exports.selection import USER_IRI, ExportRow

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
COLLECTION_IRI = "urn:gloss:export"
PAGE_SIZE = 1000
CONTEXT_WIDTH = 32


def chunks(rows: Iterable[ExportRow], page_size: int = PAGE_SIZE) -> Iterator[str]:
    """The collection, one annotation (or page boundary) per chunk."""
    head = {"@context": CONTEXT, "id": COLLECTION_IRI, "type": "AnnotationCollection"}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "label": "Gloss export"'
    pages = 0
    for index, row in enumerate(rows):
        if index % page_size == 0:
            yield ("]" if pages else "") + _page_start(pages, index)
            pages += 1
        elif index:
            yield ",\n"
        yield json.dumps(annotation(row), ensure_ascii=False)
    if not pages:
        yield _page_start(0, 0)
        pages = 1
    yield "]" + "}" * pages + "}\n"


def write(rows: Iterable[ExportRow], out: TextIO) -> None:
    for chunk in chunks(rows):
        out.write(chunk)


def annotation(row: ExportRow) -> dict[str, Any]:
    """One excerpt as a Web Annotation."""
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": theme.name}
        for theme in row.themes
    ]
    if row.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": row.note,
                "format": "text/plain",
            }
        )
    return {
        "@context": CONTEXT,
        "id": row.id,
        "type": "Annotation",
        "motivation": "tagging",
        "created": _when(row.created),
        "modified": _when(row.updated),
        "creator": {
            "id": f"{USER_IRI}{row.username}",
            "type": "Person",
            "name": row.author,
            "nickname": row.username,
        },
        "body": bodies,
        "target": {"source": row.document.iri, "selector": _selectors(row)},
    }


def _selectors(row: ExportRow) -> list[dict[str, Any]]:
    start, end = row.document_start, row.document_end
    text = row.document.text
    return [
        {
            "type": "TextQuoteSelector",
            "exact": row.quote,
            "prefix": text[max(0, start - CONTEXT_WIDTH) : start],
            "suffix": text[end : end + CONTEXT_WIDTH],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def _page_start(number: int, index: int) -> str:
    key = ', "first": ' if number == 0 else ', "next": '
    page = {"id": f"{COLLECTION_IRI}#page-{number + 1}", "type": "AnnotationPage"}
    return key + json.dumps(page)[:-1] + f', "startIndex": {index}, "items": ['


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
