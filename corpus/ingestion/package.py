"""Zip packages and their XML parts, read defensively (DOCX, ODT, EPUB).

A document package is a zip of XML parts. Before anything is decompressed the
zip directory is checked, so a zip bomb is refused from its declared sizes; an
XML part that declares entities in a DTD is refused before parsing (the
"billion laughs" expansion needs such declarations; office and EPUB parts never
carry them). Every failure is an ``ExtractionError`` with a reason.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from xml.etree import ElementTree

from corpus.ingestion.source import ExtractionError

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts together
MAX_RATIO = 100  # uncompressed / compressed size of one part
_RATIO_FLOOR = 1024 * 1024  # small parts may compress well; only big ones count
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def open_package(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """The zip archive, checked against its declared sizes.

    ``kind`` names the format for messages ("Word (.docx)").

    >>> open_package(b"PK junk", "a.docx", "Word")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    corpus.ingestion.source.ExtractionError: a.docx: not a readable Word file ...
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(
            f"{name}: not a readable {kind} file (the zip container is damaged)"
        ) from exc
    check_sizes(archive.infolist(), name)
    return archive


def check_sizes(members: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a package whose parts would expand beyond reason.

    >>> bomb = zipfile.ZipInfo("word/document.xml")
    >>> bomb.file_size, bomb.compress_size = 150 * 2**20, 2**20
    >>> check_sizes([bomb], "a.docx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    corpus.ingestion.source.ExtractionError: a.docx: word/document.xml would expand ...
    """
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise ExtractionError(
                f"{name}: {member.filename} would expand {ratio:.0f} times "
                f"(over {MAX_RATIO}); refused as a possible zip bomb"
            )
    if total > MAX_UNCOMPRESSED:
        raise ExtractionError(
            f"{name}: the parts would take {total // 2**20} MB uncompressed, "
            f"over the {MAX_UNCOMPRESSED // 2**20} MB limit"
        )


def read_part(archive: zipfile.ZipFile, part: str, name: str) -> bytes | None:
    """The bytes of one part, ``None`` when the package has no such part."""
    try:
        return archive.read(part)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(f"{name}: the part {part} is damaged") from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, odd method
        raise ExtractionError(
            f"{name}: the part {part} cannot be read ({exc})"
        ) from exc


def parse_xml(data: bytes, name: str, part: str) -> ElementTree.Element:
    """One XML part as an element tree; DTD entity declarations are refused.

    >>> parse_xml(b"<a>x</a>", "a.docx", "p").text
    'x'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "a.docx", "p")
    Traceback (most recent call last):
    ...
    corpus.ingestion.source.ExtractionError: a.docx: p declares XML entities; refused
    """
    if _ENTITY_DECLARATION.search(data):
        raise ExtractionError(f"{name}: {part} declares XML entities; refused")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ExtractionError(f"{name}: {part} is not well-formed XML ({exc})") from exc
