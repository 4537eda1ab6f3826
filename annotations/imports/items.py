"""Annotations read from a file, and how they become Gloss annotations:
anchored, attributed, tagged and deduplicated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import Project
from annotations import services
from annotations.anchoring import Quote
from annotations.exports.selection import ANNOTATION_IRI, USER_IRI
from annotations.imports.anchoring import Placement, Texts, place
from annotations.imports.report import ImportFileError, ImportReport
from annotations.models import Annotation, Theme
from corpus.models import Document


@dataclass
class Item:
    source_id: str
    documents: list[Document]
    quote: Quote
    position: tuple[int, int] | None = None
    themes: list[Theme] = field(default_factory=list)
    note: str = ""
    creators: list[str] = field(default_factory=list)  # names to try, best first


class People:
    """Creator names -> accounts (user name, ``urn:gloss:user:`` IRI or full
    name); the fallback author when nobody matches."""

    def __init__(self, fallback: User) -> None:
        self.fallback = fallback
        self.cache: dict[str, User | None] = {}
        self.unknown: set[str] = set()

    def author(self, names: Sequence[str]) -> User:
        for name in names:
            user = self._find(name.removeprefix(USER_IRI))
            if user is not None:
                return user
        if names:
            self.unknown.add(names[0])
        return self.fallback

    def _find(self, name: str) -> User | None:
        if name not in self.cache:
            users = get_user_model()._default_manager
            match = users.filter(username=name).first()
            first, _, last = name.partition(" ")
            self.cache[name] = (
                match
                or users.filter(
                    Q(first_name=first, last_name=last) if last else Q(first_name=name)
                ).first()
            )
        return self.cache[name]


def theme_named(actor: Any, project: Project, name: str, report: ImportReport) -> Theme:
    """The theme with this name or slug, created when the codebook lacks it."""
    name = " ".join(name.split())
    codebook = Theme.objects.filter(project=project)
    found = codebook.filter(Q(name__iexact=name) | Q(slug=name.lower())).first()
    if found is not None:
        return found
    try:
        theme, _ = services.theme_import(
            actor=actor, project=project, guid=None, name=name
        )
    except ValidationError as exc:
        raise ImportFileError(f"Theme {name!r}: {' '.join(exc.messages)}") from exc
    report.themes_created.append(theme.name)
    return theme


def apply(
    actor: Any, items: Iterable[Item], people: People, report: ImportReport
) -> None:
    """Import each item unless it is a duplicate or cannot be anchored."""
    texts, seen = Texts(), set()
    for item in items:
        if item.source_id in seen or _known(item.source_id):
            report.duplicates += 1
            continue
        seen.add(item.source_id)
        if not item.themes:
            report.unanchored.append(f"{item.source_id}: no tag (theme) to import")
            continue
        placed = place(texts, item.documents, item.quote, item.position)
        if isinstance(placed, str):
            report.unanchored.append(f"{item.source_id}: {placed}")
            continue
        try:
            _create(actor, item, placed, people.author(item.creators), report)
        except ValidationError as exc:
            report.unanchored.append(f"{item.source_id}: {' '.join(exc.messages)}")
    for name in sorted(people.unknown):
        report.notes.append(
            f"unknown creator {name!r}: attributed to {people.fallback}"
        )


def _known(source_id: str) -> bool:
    """Imported before, or one of ours that still exists."""
    if Annotation.objects.filter(source_id=source_id).exists():
        return True
    own = source_id.removeprefix(ANNOTATION_IRI)
    return (
        source_id.startswith(ANNOTATION_IRI)
        and own.isascii()
        and own.isdigit()
        and (Annotation.objects.filter(pk=int(own)).exists())
    )


def _create(
    actor: Any, item: Item, placed: Placement, author: Any, report: ImportReport
) -> None:
    same = Annotation.objects.filter(
        paragraph=placed.paragraph, start=placed.start, end=placed.end, author=author
    )
    if any(set(a.themes.all()) == set(item.themes) for a in same):
        report.duplicates += 1
        return
    services.annotation_import(
        actor=actor,
        author=author,
        paragraph=placed.paragraph,
        start=placed.start,
        end=placed.end,
        themes=item.themes,
        note=item.note,
        source_id=item.source_id,
    )
    report.created += 1
