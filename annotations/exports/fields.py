"""The flat fields of one excerpt, shared by the CSV and JSON Lines formats."""

from __future__ import annotations

from typing import Any

from annotations.exports.selection import ExportRow

FIELDS = [
    "id",
    "quote",
    "themes",
    "note",
    "annotator",
    "annotator_name",
    "created",
    "document",
    "document_title",
    "authors",
    "year",
    "section",
    "paragraph",
    "page",
    "start",
    "end",
    "context",
    "link",
]


def flat(row: ExportRow) -> dict[str, Any]:
    """Field name -> value; lists stay lists (CSV joins them with "; ")."""
    return {
        "id": row.id,
        "quote": row.quote,
        "themes": [theme.name for theme in row.themes],
        "note": row.note,
        "annotator": row.username,
        "annotator_name": row.author,
        "created": row.created.isoformat(),
        "document": row.document.iri,
        "document_title": row.document.title,
        "authors": row.document.authors,
        "year": row.document.year,
        "section": row.section,
        "paragraph": row.position,
        "page": row.page,
        "start": row.start,
        "end": row.end,
        "context": row.context,
        "link": row.link,
    }
