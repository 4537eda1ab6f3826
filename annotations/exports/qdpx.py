"""REFI-QDA project (``.qdpx``): a zip of ``project.qde`` and ``sources/``.

``project.qde`` (namespace ``urn:QDA-XML:project:1.0``) lists the users who
made the excerpts, the codebook, and each document as a ``TextSource`` whose
plain text is ``sources/<guid>.txt`` (UTF-8, no BOM; referenced as
``internal://<guid>.txt``). Each excerpt is a ``PlainTextSelection`` with
document-level, zero-based, end-exclusive positions, its note as the
description, its author as ``creatingUser`` and one ``Coding`` per theme.
GUIDs are derived from stable IRIs, so exporting twice gives the same GUIDs.
Codes nest as the code hierarchy. Memos are ``<Notes>`` (each a ``Note`` with
its text inline), referenced by ``NoteRef`` from their theme's ``Code``, their
document's ``TextSource``, their passage's ``PlainTextSelection`` or, for the
research journal, the ``Project``; a memo whose passage or document is not in
the export is left out with it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from typing import BinaryIO
from xml.etree import ElementTree as ET

from annotations.exports.qdc import codebook_of, codes_element, serialise
from annotations.exports.selection import (
    DocumentInfo,
    ExportRow,
    MemoInfo,
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
    memos: list[MemoInfo] = list(getattr(rows, "memos", []))
    if themes:
        by_theme = _notes_on(memos, "theme")
        codes_element(ET.SubElement(root, _tag("CodeBook")), themes, NS, by_theme)
    sources = ET.Element(_tag("Sources"))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        seen_users = _write_sources(rows, sources, archive, _notes_on(memos, "passage"))
        written = _refer_notes(root, sources, memos, {theme.guid for theme in themes})
        seen_users |= {memo.username: memo.author for memo in written}
        _fill_users(users, seen_users)
        if len(sources):
            root.append(sources)
        _notes_element(root, written)
        for ref in root.findall(_tag("NoteRef")):  # the journal's come last
            root.remove(ref)
            root.append(ref)
        if not len(users):
            root.remove(users)
        buffer = io.BytesIO()
        serialise(root, NS, buffer)
        archive.writestr("project.qde", buffer.getvalue())


def _write_sources(
    rows: Iterable[ExportRow],
    sources: ET.Element,
    archive: zipfile.ZipFile,
    notes: dict[str, list[str]],
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
        _selection(source, row, notes)  # type: ignore[arg-type]
    return users


def _notes_on(memos: list[MemoInfo], subject: str) -> dict[str, list[str]]:
    """Subject GUID -> the GUIDs of its memos."""
    found: dict[str, list[str]] = defaultdict(list)
    for memo in memos:
        if memo.subject == subject:
            found[memo.subject_guid].append(memo.guid)
    return found


def _refer_notes(
    root: ET.Element, sources: ET.Element, memos: list[MemoInfo], themes: set[str]
) -> list[MemoInfo]:
    """Add the documents' NoteRefs; return the memos whose subject is in the
    export (so that every Note written is referenced from its subject)."""
    documents = {source.get("guid", ""): source for source in sources}
    selections = {s.get("guid", "") for s in sources.iter(_tag("PlainTextSelection"))}
    kept = []
    for memo in memos:
        if memo.subject == "document" and memo.subject_guid in documents:
            _note_ref(documents[memo.subject_guid], memo.guid, before="VariableValue")
        elif memo.subject == "project":
            ET.SubElement(root, _tag("NoteRef"), targetGUID=memo.guid)
        elif not (
            (memo.subject == "theme" and memo.subject_guid in themes)
            or (memo.subject == "passage" and memo.subject_guid in selections)
        ):
            continue
        kept.append(memo)
    return kept


def _note_ref(element: ET.Element, guid: str, before: str) -> None:
    """A NoteRef in its place in the schema's sequence (before ``before``)."""
    ref = ET.Element(_tag("NoteRef"), targetGUID=guid)
    later = [i for i, child in enumerate(element) if child.tag == _tag(before)]
    element.insert(later[0] if later else len(element), ref)


def _notes_element(root: ET.Element, memos: list[MemoInfo]) -> None:
    """``<Notes>`` goes right after ``<Sources>`` (or the codebook, or users)."""
    if not memos:
        return
    notes = ET.Element(_tag("Notes"))
    for memo in memos:
        note = ET.SubElement(
            notes,
            _tag("Note"),
            guid=memo.guid,
            name=memo.text.split("\n", 1)[0][:60],
            creatingUser=user_guid(memo.username),
            creationDateTime=_when(memo.created),
        )
        ET.SubElement(note, _tag("PlainTextContent")).text = memo.text
    order = ["Users", "CodeBook", "Variables", "Cases", "Sources"]
    last = max(
        (i for i, child in enumerate(root) if child.tag in {_tag(n) for n in order}),
        default=-1,
    )
    root.insert(last + 1, notes)


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


def _selection(source: ET.Element, row: ExportRow, notes: dict[str, list[str]]) -> None:
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
    for note in notes.get(selection.get("guid", ""), []):
        ET.SubElement(selection, _tag("NoteRef"), targetGUID=note)


def _fill_users(users: ET.Element, seen: dict[str, str]) -> None:
    for username, name in sorted(seen.items()):
        ET.SubElement(users, _tag("User"), guid=user_guid(username), name=name)
        users[-1].set("id", username)


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
