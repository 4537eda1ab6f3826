"""Read a source file into raw text: the only module that knows file formats.

Plain text and markdown are read as they are (markdown markup is cleaned later,
record by record). HTML keeps its block structure as blank-line separated
paragraphs and drops scripts, styles and navigation. DOCX is read from its XML
with the standard library. Anything else that is not text is refused with a
message a person can act on.
"""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

from corpus.ingestion.layout import Layout

TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
DOCX_SUFFIX = ".docx"
PDF_SUFFIX = ".pdf"
MAX_BYTES = 50 * 1024 * 1024
_SNIFF = 8192


class ExtractionError(Exception):
    """A source file that cannot become text; the message is shown to the user."""


def read_layout(path: Path) -> Layout:
    """One source file as the pipeline's ``Layout``, or ``ExtractionError``.

    Every format ends here: the pipeline reads layouts, never files.
    """
    if path.suffix.lower() == PDF_SUFFIX:
        # Imported here: pdf imports this module's ExtractionError, and
        # pdfminer costs an import only when a PDF comes.
        from corpus.ingestion.pdf import read_pdf

        return read_pdf(_read_bytes(path), path.name)
    return Layout.from_text(read_text(path), _format_of(path))


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == DOCX_SUFFIX:
        return "docx"
    return "html" if suffix in HTML_SUFFIXES else "text"


def read_text(path: Path) -> str:
    """The text of one source file, or ``ExtractionError`` saying why not."""
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == DOCX_SUFFIX:
        text = docx_to_text(data, path.name)
    else:
        text = decode(data, path.name)
        if suffix in HTML_SUFFIXES or (
            suffix not in TEXT_SUFFIXES and _looks_html(text)
        ):
            text = html_to_text(text)
    if not text.strip():
        raise ExtractionError(f"{path.name}: the file has no text")
    return text


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


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; never a guess.

    Guessing a legacy encoding silently would put mojibake into every record;
    a clear refusal lets the person re-save the file as UTF-8.

    >>> decode("é".encode(), "a.txt")
    'é'
    >>> decode(b"\\xff\\xfeh\\x00i\\x00", "a.txt")
    'hi'
    >>> decode(b"caf\\xe9", "a.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    corpus.ingestion.extract.ExtractionError: a.txt: not UTF-8 text ...
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:_SNIFF] or _control_share(data[:_SNIFF]) > 0.1:
        raise ExtractionError(f"{name}: a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} "
            f"at position {exc.start}); save it as UTF-8 and try again"
        ) from exc


def _control_share(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1)


def _looks_html(text: str) -> bool:
    return bool(re.match(r"\s*(?:<!doctype html|<html\b)", text, re.IGNORECASE))


class _HTMLText(HTMLParser):
    """Collects text, one blank-line separated block per HTML block element."""

    BLOCKS = frozenset(
        "p div h1 h2 h3 h4 h5 h6 li blockquote section article tr br hr pre "
        "dd dt figcaption caption".split()
    )
    SKIP = frozenset("script style nav noscript template svg head".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                self.parts.append("#" * int(tag[1]) + " ")
            elif tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """HTML to markdown-like text: headings as ``#``, items as ``-``.

    >>> html_to_text("<h2>Intro</h2><p>One <em>two</em>.</p><script>x()</script>")
    '## Intro\\n\\nOne two.'
    """
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    blocks = (block.strip() for block in "".join(parser.parts).split("\n\n"))
    return "\n\n".join(block for block in blocks if block)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_to_text(data: bytes, name: str) -> str:
    """The paragraphs of a Word document, headings marked with ``#``."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise ExtractionError(f"{name}: not a readable Word (.docx) file") from exc
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        level = _heading_level(style.get(f"{_W}val", "") if style is not None else "")
        if text.strip():
            paragraphs.append(("#" * level + " " if level else "") + text.strip())
    return "\n\n".join(paragraphs)


def _heading_level(style: str) -> int:
    match = re.match(r"(?i)heading\s*(\d)", style)
    return min(int(match.group(1)) + 1, 6) if match else 0
