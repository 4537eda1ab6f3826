"""Import REFI-QDA files: a ``.qdc`` codebook and the codings of a ``.qdpx``.

Codes are matched to themes by GUID, then by name; new ones are added, known
ones updated (name, colour, description). A project's text sources are matched
to our documents by file name, then by the SHA-256 of their plain text; each
``PlainTextSelection`` with codings becomes an annotation by its creating
user (matched by user name or name), its description as the note. Positions
are trusted where our text still has the quote; otherwise the quote (taken
from the project's own text) is looked for with its context.

Nested codes become the code hierarchy (a nested code is moved under the
code around it; a move that would make a loop is reported and skipped; a
top-level code keeps whatever parent it has here). A project's ``<Notes>``
become memos, attached where a ``NoteRef`` points from: a code (the theme's
memo), a text source (the document's), a selection (the passage's) or the
project (the research journal, as are notes nothing refers to). A memo whose
GUID is already here is not imported twice.

XML is read with the standard library's expat parser, which loads no external
entities and (expat >= 2.4) refuses entity-expansion bombs. A ``.qdpx`` is a
zip: its members' uncompressed sizes are checked against ``MAX_UNPACKED``
before anything is read (a 0.5 MB file can unpack to gigabytes), and each
member is read with that limit in force, whatever its header claims.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError

from accounts.models import Project
from annotations import services
from annotations.anchoring import Quote
from annotations.exports.selection import document_info
from annotations.imports import notes
from annotations.imports.items import Item, People, apply
from annotations.imports.report import ImportFileError, ImportReport
from annotations.models import Theme
from corpus.models import Document

PROJECT = "{urn:QDA-XML:project:1.0}"
CODEBOOK = "{urn:QDA-XML:codebook:1.0}"
CONTEXT_WIDTH = 32
MAX_UNPACKED = 200 * 1024 * 1024  # bytes of all members together
MAX_RATIO = 200  # uncompressed / compressed size of one member


def run_codebook(
    actor: Any, project: Project, data: bytes, report: ImportReport
) -> None:
    root = _xml(data, "codebook")
    if root.tag != f"{CODEBOOK}CodeBook":
        raise ImportFileError("Not a REFI-QDA codebook (no CodeBook element).")
    _codes(actor, project, root, CODEBOOK, report)


def run_project(
    actor: Any, project: Project, data: bytes, people: People, report: ImportReport
) -> None:
    archive = _zip(data)
    root = _xml(_member(archive, "project.qde"), "project")
    if root.tag != f"{PROJECT}Project":
        raise ImportFileError("project.qde is not a REFI-QDA project.")
    codes = _codes(actor, project, root, PROJECT, report)
    users = {
        user.get("guid", "").lower(): [user.get("id", ""), user.get("name", "")]
        for user in root.iter(f"{PROJECT}User")
    }
    finder = _DocumentFinder(project)
    items = _items(archive, root, codes, users, report, finder)
    apply(actor, items, people, report)
    notes.run(actor, project, root, codes, finder.matched, users, people, report)


def _codes(
    actor: Any, project: Project, root: ET.Element, ns: str, report: ImportReport
) -> dict[str, Theme]:
    """Add or update every code; GUID (lower case) -> theme."""
    found = {}
    for code in root.iter(f"{ns}Code"):
        guid, name = code.get("guid", "").strip("{}").lower(), code.get("name", "")
        if not name.strip():
            raise ImportFileError(f"A code without a name (GUID {guid}).")
        description = code.findtext(f"{ns}Description")
        try:
            theme, created = services.theme_import(
                actor=actor,
                project=project,
                guid=guid or None,
                name=name,
                colour=_colour(code.get("color")),
                description=description,
            )
        except ValidationError as exc:
            raise ImportFileError(f"Code {name!r}: {' '.join(exc.messages)}") from exc
        (report.themes_created if created else report.themes_updated).append(theme.name)
        found[guid] = theme
    _nest(actor, root, ns, found, report)
    return found


def _nest(
    actor: Any,
    root: ET.Element,
    ns: str,
    themes: dict[str, Theme],
    report: ImportReport,
) -> None:
    """Put each nested code's theme under the code around it."""
    for parent_code in root.iter(f"{ns}Code"):
        parent = themes[parent_code.get("guid", "").strip("{}").lower()]
        for child_code in parent_code.findall(f"{ns}Code"):
            child = themes[child_code.get("guid", "").strip("{}").lower()]
            child.refresh_from_db(fields=["parent"])
            if child.parent_id == parent.pk:
                continue
            try:
                services.theme_move(actor=actor, theme=child, parent=parent)
            except ValidationError as exc:
                report.notes.append(f"code {child.name!r}: {' '.join(exc.messages)}")


def _items(
    archive: zipfile.ZipFile,
    root: ET.Element,
    codes: dict[str, Theme],
    users: dict[str, list[str]],
    report: ImportReport,
    documents: _DocumentFinder,
) -> Iterator[Item]:
    for source in root.iter(f"{PROJECT}TextSource"):
        text = _source_text(archive, source)
        document = documents.find(source.get("name", ""), text)
        if document is not None:
            documents.matched[source.get("guid", "").lower()] = document
        if document is None:
            report.notes.append(f"no document matches source {source.get('name')!r}")
            continue
        for selection in source.iter(f"{PROJECT}PlainTextSelection"):
            yield _item(selection, text, document, codes, users)


def _positions(selection: ET.Element, length: int) -> tuple[int, int]:
    """A selection's start and end, checked against its source's text."""
    raw = (selection.get("startPosition", "0"), selection.get("endPosition", "0"))
    if not all(value.isascii() and value.strip().isdigit() for value in raw):
        raise ImportFileError(
            f"Selection {selection.get('guid', '?')}: positions {raw[0]!r}–{raw[1]!r} "
            "are not whole numbers."
        )
    start, end = int(raw[0]), int(raw[1])
    if not start <= end <= length:
        raise ImportFileError(
            f"Selection {selection.get('guid', '?')}: positions {start}–{end} lie "
            f"outside its source's {length} characters."
        )
    return start, end


def _item(
    selection: ET.Element,
    text: str,
    document: Document,
    codes: dict[str, Theme],
    users: dict[str, list[str]],
) -> Item:
    start, end = _positions(selection, len(text))
    refs = selection.iter(f"{PROJECT}CodeRef")
    themes = [
        codes[g] for g in (r.get("targetGUID", "").lower() for r in refs) if g in codes
    ]
    creator = selection.get("creatingUser", "").lower()
    return Item(
        source_id=f"urn:uuid:{selection.get('guid', '').strip('{}').lower()}",
        documents=[document],
        quote=Quote(
            text[start:end],
            text[max(0, start - CONTEXT_WIDTH) : start],
            text[end : end + CONTEXT_WIDTH],
        ),
        position=(start, end),
        themes=list({theme.pk: theme for theme in themes}.values()),
        note=selection.findtext(f"{PROJECT}Description") or "",
        creators=[name for name in users.get(creator, []) if name],
    )


def _source_text(archive: zipfile.ZipFile, source: ET.Element) -> str:
    inline = source.findtext(f"{PROJECT}PlainTextContent")
    if inline is not None:
        return inline
    path = source.get("plainTextPath", "")
    name = "sources/" + path.removeprefix("internal://")
    try:
        return _member(archive, name).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{name} is not UTF-8 text.") from exc


class _DocumentFinder:
    """Our document for a project's source: by file name, else by the hash of
    its plain text. The hashes are computed once per import, on first need (a
    project of 2,000 unknown sources rebuilt every document's text per source)."""

    def __init__(self, project: Project) -> None:
        self.documents = Document.objects.filter(project=project)
        self.by_digest: dict[str, Document] | None = None
        self.matched: dict[str, Document] = {}  # source GUID -> our document

    def find(self, name: str, text: str) -> Document | None:
        by_name = self.documents.filter(source_name=name).first()
        if by_name is not None:
            return by_name
        if self.by_digest is None:
            self.by_digest = {
                _digest(document_info(document).text): document
                for document in self.documents
            }
        return self.by_digest.get(_digest(text))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _colour(value: str | None) -> str | None:
    """``#RGB`` or ``#RRGGBB`` -> ``#rrggbb``; anything else is ignored."""
    if not value or not value.startswith("#"):
        return None
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    try:
        int(digits, 16)
    except ValueError:
        return None
    return f"#{digits.lower()}" if len(digits) == 6 else None


def _xml(data: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ImportFileError(f"The {what} is not well-formed XML: {exc}") from exc


def _zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportFileError("A .qdpx project must be a zip archive.") from exc
    members = archive.infolist()
    if sum(member.file_size for member in members) > MAX_UNPACKED:
        raise ImportFileError(_too_big())
    for member in members:
        if member.file_size > MAX_RATIO * max(member.compress_size, 1024):
            raise ImportFileError(
                f"{member.filename} unpacks {member.file_size:,} bytes from "
                f"{member.compress_size:,}: not a project file (a zip bomb?)."
            )
    return archive


def _too_big() -> str:
    return (
        f"The project unpacks to more than {MAX_UNPACKED // 1_048_576} MB; "
        "import it in parts (a codebook, then the codings)."
    )


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as member:
            # The header's size may lie: read at most the limit, whatever it says.
            data = member.read(MAX_UNPACKED + 1)
    except KeyError as exc:
        raise ImportFileError(f"The project has no {name}.") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(f"{name} cannot be unpacked ({exc}).") from exc
    if len(data) > MAX_UNPACKED:
        raise ImportFileError(_too_big())
    return data
