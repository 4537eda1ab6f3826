"""REFI-QDA project (``.qdpx``): a zip of ``project.qde`` and ``sources/``.

``project.qde`` (namespace ``urn:QDA-XML:project:1.0``) lists the users who
made the excerpts, the codebook, and each document as a ``TextSource`` whose
plain text is ``sources/<guid>.txt`` (UTF-8, no BOM; referenced as
``internal://<guid>.txt``). Each excerpt is a ``PlainTextSelection`` with
document-level, zero-based, end-exclusive positions, its note as the
description, its author as ``creatingUser`` and one ``Coding`` per theme.
GUIDs are derived from stable IRIs, so exporting twice gives the same GUIDs.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from typing import BinaryIO
from xml.etree import ElementTree as ET

from annotations.exports.qdc import codebook_of, codes_element, serialise
from annotations.exports.selection import (
    DocumentInfo,
    ExportRow,
    guid_for,
    user_guid,
)

NS = "urn:QDA-XML:project:1.0"
ORIGIN = "Gloss"


def write(rows: Iterable[ExportRow], out: BinaryIO) -> None:
    root = ET.Element(f"{{{NS}}}Project", name="Gloss export", origin=ORIGIN)
    root.set("creationDateTime", _when(dt.datetime.now(dt.UTC)))
    users = ET.SubElement(root, _tag("Users"))
    themes = codebook_of(rows)
    if themes:
        codes_element(ET.SubElement(root, _tag("CodeBook")), themes, NS)
    sources = ET.Element(_tag("Sources"))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        seen_users = _write_sources(rows, sources, archive)
        _fill_users(users, seen_users)
        if len(sources):
            root.append(sources)
        if not len(users):
            root.remove(users)
        buffer = io.BytesIO()
        serialise(root, NS, buffer)
        archive.writestr("project.qde", buffer.getvalue())


def _write_sources(
    rows: Iterable[ExportRow], sources: ET.Element, archive: zipfile.ZipFile
) -> dict[str, str]:
    """A TextSource per document met; returns username -> display name."""
    users: dict[str, str] = {}
    source: ET.Element | None = None
    current: DocumentInfo | None = None
    for row in rows:
        if row.document is not current:
            current = row.document
            source = _text_source(sources, current)
            archive.writestr(f"sources/{current.guid}.txt", current.text.encode())
        users[row.username] = row.author
        _selection(source, row)  # type: ignore[arg-type]
    return users


def _text_source(sources: ET.Element, document: DocumentInfo) -> ET.Element:
    source = ET.SubElement(
        sources,
        _tag("TextSource"),
        guid=document.guid,
        name=document.source_name,
        plainTextPath=f"internal://{document.guid}.txt",
    )
    ET.SubElement(source, _tag("Description")).text = document.title
    return source


def _selection(source: ET.Element, row: ExportRow) -> None:
    creator = user_guid(row.username)
    selection = ET.SubElement(
        source,
        _tag("PlainTextSelection"),
        guid=guid_for(row.id),
        name=row.quote[:60],
        startPosition=str(row.document_start),
        endPosition=str(row.document_end),
        creatingUser=creator,
        creationDateTime=_when(row.created),
        modifiedDateTime=_when(row.updated),
    )
    if row.note:
        ET.SubElement(selection, _tag("Description")).text = row.note
    for theme in row.themes:
        coding = ET.SubElement(
            selection,
            _tag("Coding"),
            guid=guid_for(row.id, theme.guid),
            creatingUser=creator,
            creationDateTime=_when(row.created),
        )
        ET.SubElement(coding, _tag("CodeRef"), targetGUID=theme.guid)


def _fill_users(users: ET.Element, seen: dict[str, str]) -> None:
    for username, name in sorted(seen.items()):
        ET.SubElement(users, _tag("User"), guid=user_guid(username), name=name)
        users[-1].set("id", username)


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
