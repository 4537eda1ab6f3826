"""REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

Every theme of the codebook (retired ones too, so codings elsewhere still
resolve) as a codable ``Code`` with its GUID, ``#RRGGBB`` colour and a
description holding the definition and the inclusion/exclusion notes. The
code hierarchy is the nesting: a sub-theme's ``Code`` sits inside its
parent's (a theme whose parent is not exported sits at the top level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
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


def codes_element(
    parent: ET.Element,
    themes: list[ThemeInfo],
    ns: str,
    notes: Mapping[str, list[str]] | None = None,
) -> None:
    """``<Codes>`` with the themes nested as their tree; ``notes`` (theme GUID
    -> note GUIDs, projects only) adds each theme's ``NoteRef``s."""
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    exported = {theme.guid for theme in themes}
    children: dict[str, list[ThemeInfo]] = defaultdict(list)
    for theme in themes:
        under = theme.parent_guid if theme.parent_guid in exported else ""
        children[under].append(theme)
    seen: set[str] = set()

    def add(into: ET.Element, theme: ThemeInfo) -> None:
        seen.add(theme.guid)
        code = ET.SubElement(
            into,
            f"{{{ns}}}Code",
            guid=theme.guid,
            name=theme.name,
            isCodable="true",
            color=theme.colour.upper(),
        )
        if theme.description:
            ET.SubElement(code, f"{{{ns}}}Description").text = theme.description
        for note in (notes or {}).get(theme.guid, []):
            ET.SubElement(code, f"{{{ns}}}NoteRef", targetGUID=note)
        for child in children.get(theme.guid, []):
            if child.guid not in seen:  # a corrupt loop must not recurse forever
                add(code, child)

    for theme in children.get("", []):
        add(codes, theme)


def serialise(root: ET.Element, ns: str, out: BinaryIO) -> None:
    """UTF-8 XML, no byte-order mark, the namespace as the default one."""
    ET.register_namespace("", ns)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
