"""Exports: one module per format, each with ``write(rows, out)``.

``FORMATS`` maps a format name to its writer module, content type, file
extension and whether it writes bytes (binary formats need a file, not stdout)
or can stream (chunks produced one excerpt at a time, for downloads). A new
format is one module and one entry here. Rows come from
``annotations.exports.selection.export_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from annotations.exports import csvfile, docx, jsonl, markdown, qdc, qdpx, w3c


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    module: ModuleType
    content_type: str
    extension: str
    binary: bool = False

    @property
    def streams(self) -> bool:
        """Whether the module yields text chunks as it reads rows."""
        return hasattr(self.module, "chunks")


FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format("csv", "CSV (spreadsheet)", csvfile, "text/csv; charset=utf-8", "csv"),
        Format(
            "jsonl",
            "JSON Lines",
            jsonl,
            "application/x-ndjson; charset=utf-8",
            "jsonl",
        ),
        Format(
            "md",
            "Markdown excerpt book",
            markdown,
            "text/markdown; charset=utf-8",
            "md",
        ),
        Format(
            "docx",
            "Word excerpt book",
            docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            binary=True,
        ),
        Format("qdc", "REFI-QDA codebook", qdc, "application/xml", "qdc", binary=True),
        Format(
            "qdpx", "REFI-QDA project", qdpx, "application/zip", "qdpx", binary=True
        ),
        Format(
            "w3c",
            "W3C Web Annotation (JSON-LD)",
            w3c,
            'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
            "jsonld",
        ),
    ]
}
