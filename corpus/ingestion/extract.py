"""Read a source file into a ``Layout``: the dispatcher to one module per format.

Plain text and markdown are read as they are (markdown markup is cleaned later,
record by record). DOCX (``docx``), ODT (``odt``), EPUB (``epub``) and HTML
(``html``) come as typed blocks with their real structure. Anything else that
is not text is refused with a message a person can act on.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus.ingestion.docx import read_docx
from corpus.ingestion.epub import read_epub
from corpus.ingestion.html import read_html
from corpus.ingestion.layout import Layout
from corpus.ingestion.odt import read_odt
from corpus.ingestion.source import ExtractionError, decode

__all__ = ["ExtractionError", "decode", "read_layout", "read_text"]

TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
DOCX_SUFFIX = ".docx"
PDF_SUFFIX = ".pdf"
MAX_BYTES = 50 * 1024 * 1024


def _read_pdf(data: bytes, name: str) -> Layout:
    # Imported on first use: pdfminer costs an import only when a PDF comes.
    from corpus.ingestion.pdf import read_pdf

    return read_pdf(data, name)


# Formats read from their bytes (binary packages), by file suffix.
PACKAGE_READERS = {
    DOCX_SUFFIX: read_docx,
    ".odt": read_odt,
    ".epub": read_epub,
    PDF_SUFFIX: _read_pdf,
}


def read_layout(path: Path) -> Layout:
    """One source file as the pipeline's ``Layout``, or ``ExtractionError``.

    Every format ends here: the pipeline reads layouts, never files.
    """
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    try:
        if suffix in PACKAGE_READERS:
            return PACKAGE_READERS[suffix](data, path.name)
        if suffix in HTML_SUFFIXES or (
            suffix not in TEXT_SUFFIXES and _looks_html(data)
        ):
            return read_html(data, path.name)
    except RecursionError as exc:  # elements nested thousands deep
        raise ExtractionError(
            f"{path.name}: the document is nested too deeply to be read"
        ) from exc
    text = decode(data, path.name)
    if not text.strip():
        raise ExtractionError(f"{path.name}: the file has no text")
    return Layout.from_text(text)


def read_text(path: Path) -> str:
    """The text of one source file (its blocks separated by blank lines), or
    ``ExtractionError`` saying why not."""
    return read_layout(path).plain_text()


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise ExtractionError(f"{path}: is a folder, not a file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ExtractionError(
                f"{path.name}: {size // 1_048_576} MB is over the "
                f"{MAX_BYTES // 1_048_576} MB limit for one source file"
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ExtractionError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ExtractionError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not data.strip():
        raise ExtractionError(f"{path.name}: the file is empty")
    return data


def _looks_html(data: bytes) -> bool:
    head = data[:1024].removeprefix(b"\xef\xbb\xbf")
    return bool(re.match(rb"\s*(?:<!doctype html|<html\b)", head, re.IGNORECASE))
