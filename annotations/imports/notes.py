"""A REFI-QDA project's ``<Notes>`` as memos (see ``refi``'s docstring).

A note's subject is whatever refers to it with a ``NoteRef``: a code, a text
source, a selection, or the project; a note nothing refers to is a project
memo (the research journal). Its author is its ``creatingUser``, matched like
a selection's creator.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError

from accounts.models import Project
from annotations import services
from annotations.imports.items import People
from annotations.imports.report import ImportReport
from annotations.models import Annotation, Memo, Theme
from corpus.models import Document

PROJECT = "{urn:QDA-XML:project:1.0}"


def run(  # noqa: PLR0913 - the import's state, passed along
    actor: Any,
    project: Project,
    root: ET.Element,
    codes: dict[str, Theme],
    documents: dict[str, Document],
    users: dict[str, list[str]],
    people: People,
    report: ImportReport,
) -> None:
    """Import every note of the project that is not here yet."""
    subjects = _subjects(root, codes, documents)
    for note in root.iter(f"{PROJECT}Note"):
        guid = _guid(note)
        if Memo.objects.filter(project=project, guid=guid).exists():
            report.memo_duplicates += 1
            continue
        subject = subjects.get(guid, {})
        if subject is None:
            report.notes.append(f"memo {guid}: its passage was not imported; skipped")
            continue
        creator = users.get(note.get("creatingUser", "").lower(), [])
        try:
            services.memo_import(
                actor=actor,
                project=project,
                author=people.author([name for name in creator if name]),
                text=note.findtext(f"{PROJECT}PlainTextContent", "")
                or note.get("name", ""),
                guid=guid,
                **subject,
            )
        except ValidationError as exc:
            report.notes.append(f"memo {guid}: {' '.join(exc.messages)}; skipped")
            continue
        report.memos_created += 1


def _subjects(
    root: ET.Element, codes: dict[str, Theme], documents: dict[str, Document]
) -> dict[str, dict[str, Any] | None]:
    """Note GUID -> the memo's subject (``{}``: the project; None: a passage
    that is not here)."""
    found: dict[str, dict[str, Any] | None] = {}
    for ref in root.findall(f"{PROJECT}NoteRef"):
        found[_target(ref)] = {}
    for code in root.iter(f"{PROJECT}Code"):
        theme = codes.get(_guid(code))
        for ref in code.findall(f"{PROJECT}NoteRef"):
            found[_target(ref)] = {"theme": theme} if theme else {}
    for source in root.iter(f"{PROJECT}TextSource"):
        document = documents.get(_guid(source))
        for ref in source.findall(f"{PROJECT}NoteRef"):
            found[_target(ref)] = {"document": document} if document else {}
        for selection in source.iter(f"{PROJECT}PlainTextSelection"):
            refs = selection.findall(f"{PROJECT}NoteRef")
            if refs:
                passage = _imported(_guid(selection))
                for ref in refs:
                    found[_target(ref)] = {"annotation": passage} if passage else None
    return found


def _imported(selection_guid: str) -> Annotation | None:
    return Annotation.objects.filter(source_id=f"urn:uuid:{selection_guid}").first()


def _guid(element: ET.Element) -> str:
    return element.get("guid", "").strip("{}").lower()


def _target(ref: ET.Element) -> str:
    return ref.get("targetGUID", "").strip("{}").lower()
