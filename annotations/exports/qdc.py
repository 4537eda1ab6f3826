"""REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

Every theme of the codebook (retired ones too, so codings elsewhere still
resolve) as a codable ``Code`` with its GUID, ``#RRGGBB`` colour and a
description holding the definition and the inclusion/exclusion notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO
from xml.etree import ElementTree as ET

from annotations.exports.selection import ExportRow, ThemeInfo

NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Gloss"


def write(rows: Iterable[ExportRow], out: BinaryIO) -> None:
    root = ET.Element(f"{{{NS}}}CodeBook", origin=ORIGIN)
    codes_element(root, codebook_of(rows), NS)
    serialise(root, NS, out)


def codebook_of(rows: Iterable[ExportRow]) -> list[ThemeInfo]:
    """The export's codebook, else the themes its rows carry."""
    codebook = getattr(rows, "codebook", None)  # ExportRows and wrappers
    if codebook:
        return list(codebook)
    found = {theme.guid: theme for row in rows for theme in row.themes}
    return sorted(found.values(), key=lambda theme: theme.name)


def codes_element(parent: ET.Element, themes: list[ThemeInfo], ns: str) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for theme in themes:
        code = ET.SubElement(
            codes,
            f"{{{ns}}}Code",
            guid=theme.guid,
            name=theme.name,
            isCodable="true",
            color=theme.colour.upper(),
        )
        if theme.description:
            ET.SubElement(code, f"{{{ns}}}Description").text = theme.description


def serialise(root: ET.Element, ns: str, out: BinaryIO) -> None:
    """UTF-8 XML, no byte-order mark, the namespace as the default one."""
    ET.register_namespace("", ns)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
