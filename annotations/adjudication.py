"""Reads of adjudication: the queue of disagreements and the consensus layer.

A **unit** is a paragraph (not title matter, not hidden) of a document that
two or more of the chosen coders annotated; a coder *applied* a theme to a
unit when one of their annotations there carries it (as on the agreement
page). A unit and theme are **disputed** when some of the unit's coders
applied the theme and others did not. A unit is **open** while one of its
disputed themes has no decision (``ConsensusDecision``), **settled** once all
have one; a decision on an undisputed theme (a theme a curator added) does
not put a unit in the queue.

The consensus layer is the decisions with ``present=True``: exactly what
the curators settled, with the decider as its author. Units where every
coder agreed are *not* in it unless asked for (``agreed=True``): they are
the coders' consensus, nobody decided them.

Sentence units can come later: a decision carries ``unit_start`` (0 for a
paragraph) and the queue's items are keyed by paragraph; a finer unit is a
finer key, the rest stays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import Project
from annotations.models import Annotation, ConsensusDecision, TaggedAnnotation, Theme
from corpus.models import Document, Paragraph

OPEN, SETTLED = "open", "settled"


def disputed(coders: Iterable[str], applied: Mapping[int, set[str]]) -> list[int]:
    """The themes (ids) some of ``coders`` applied and some did not, sorted.

    >>> disputed(["ana", "ben"], {1: {"ana"}, 2: {"ana", "ben"}, 3: {"ben"}})
    [1, 3]
    >>> disputed(["ana", "ben", "cy"], {4: {"ana", "ben", "cy"}})
    []
    """
    everyone = set(coders)
    return sorted(t for t, who in applied.items() if who & everyone != everyone)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: one theme or all, some coders or all (at least
    two of them on a document), some documents or all, open or settled."""

    project: Project | None
    theme: Theme | None = None
    coders: tuple[User, ...] = ()
    documents: tuple[Document, ...] = ()
    status: str = OPEN


@dataclass
class ThemeLine:
    """One theme on a unit: who applied it, who did not, and its decision."""

    theme: Theme
    applied_by: list[str]
    not_applied_by: list[str]
    decision: ConsensusDecision | None = None

    @property
    def disputed(self) -> bool:
        return bool(self.applied_by) and bool(self.not_applied_by)


@dataclass
class QueueItem:
    paragraph: Paragraph
    coders: list[str]
    lines: list[ThemeLine] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for line in self.lines if line.disputed and not line.decision)


@dataclass
class Unit:
    """A unit as the queue is computed: ids only, hydrated for one page."""

    paragraph_id: int
    coders: list[str]
    applied: dict[int, set[str]]
    disputed: list[int]


def queue(filters: QueueFilters) -> list[Unit]:
    """The units in the queue (``filters.status``), in reading order. Cheap
    to page: items are built per page (``queue_items``)."""
    units = _units(filters)
    decided = _decided_pairs(filters.project)
    chosen = []
    for unit in units:
        pairs = [(unit.paragraph_id, t) for t in unit.disputed]
        is_open = any(pair not in decided for pair in pairs)
        if (filters.status == OPEN) == is_open:
            chosen.append(unit)
    return chosen


def queue_units(filters: QueueFilters) -> list[int]:
    """The ids of the paragraphs in the queue, in reading order."""
    return [unit.paragraph_id for unit in queue(filters)]


def queue_items(filters: QueueFilters, units: Sequence[Unit | int]) -> list[QueueItem]:
    """The queue's items for ``units`` (one page; or paragraph ids), in order."""
    ids = [u if isinstance(u, int) else u.paragraph_id for u in units]
    if any(isinstance(u, int) for u in units):
        units = _units(filters, ids)
    found = {u.paragraph_id: u for u in units if isinstance(u, Unit)}
    paragraphs = Paragraph.objects.select_related("document").in_bulk(found)
    decisions: dict[int, dict[int, ConsensusDecision]] = defaultdict(dict)
    rows = ConsensusDecision.objects.in_project(filters.project).filter(
        paragraph_id__in=found
    )
    for decision in rows.select_related("theme", "decided_by"):
        decisions[decision.paragraph_id][decision.theme_id] = decision
    themes = Theme.objects.filter(project=filters.project).in_bulk(
        {t for u in found.values() for t in u.applied}
        | {t for ds in decisions.values() for t in ds}
    )
    items = []
    for pk in ids:
        unit = found[pk]
        item = QueueItem(paragraphs[pk], unit.coders)
        shown = set(unit.applied) | set(decisions[pk])
        for theme_id in sorted(shown, key=lambda t: themes[t].name.lower()):
            who = unit.applied.get(theme_id, set())
            item.lines.append(
                ThemeLine(
                    themes[theme_id],
                    sorted(who),
                    sorted(set(unit.coders) - who),
                    decisions[pk].get(theme_id),
                )
            )
        items.append(item)
    return items


def _units(filters: QueueFilters, only: Sequence[int] | None = None) -> list[Unit]:
    """Every unit with a disputed theme (within ``filters.theme``), in
    reading order; only the paragraphs ``only`` when given."""
    coders = _coders_by_document(filters)
    rows = TaggedAnnotation.objects.filter(
        content_object__in=_annotations(filters, coders)
    ).values_list(
        "content_object__paragraph_id",
        "tag_id",
        "content_object__author__username",
        "content_object__document_id",
        "content_object__document__source_name",
        "content_object__paragraph__position",
    )
    if only is not None:
        rows = rows.filter(content_object__paragraph_id__in=only)
    applied: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    places: dict[int, tuple[str, int, int]] = {}
    for paragraph_id, theme_id, username, document_id, source, position in rows:
        applied[paragraph_id][theme_id].add(username)
        places[paragraph_id] = (source, position, document_id)
    units = []
    # Reading order: documents by source name, records by position.
    for paragraph_id in sorted(places, key=places.__getitem__):
        document_id = places[paragraph_id][2]
        themes = applied[paragraph_id]
        split = disputed(coders[document_id], themes)
        if filters.theme is not None:
            split = [t for t in split if t == filters.theme.pk]
        if split:
            units.append(Unit(paragraph_id, coders[document_id], dict(themes), split))
    return units


def _annotations(filters: QueueFilters, coders: dict[int, list[str]]) -> QuerySet:
    rows = _coded(filters).filter(document_id__in=list(coders))
    return rows.exclude(paragraph__kind=Paragraph.Kind.META)


def _coded(filters: QueueFilters) -> QuerySet[Annotation]:
    """The project's anchored annotations on visible records, by the chosen
    coders in the chosen documents."""
    rows = Annotation.objects.in_project(filters.project).anchored()
    rows = rows.filter(paragraph__hidden=False)
    if filters.coders:
        rows = rows.filter(author__in=filters.coders)
    if filters.documents:
        rows = rows.filter(document__in=filters.documents)
    return rows


def _coders_by_document(filters: QueueFilters) -> dict[int, list[str]]:
    """Document id -> its coders' user names, for documents with two or more."""
    rows = _coded(filters).values_list("document_id", "author__username").distinct()
    found: dict[int, set[str]] = defaultdict(set)
    for document_id, username in rows:
        found[document_id].add(username)
    return {doc: sorted(names) for doc, names in found.items() if len(names) >= 2}


def _decided_pairs(project: Project | None) -> set[tuple[int, int]]:
    """Every (paragraph id, theme id) the project decided (one query; no
    list of ids, which SQLite would take as thousands of parameters)."""
    rows = ConsensusDecision.objects.in_project(project)
    return set(rows.values_list("paragraph_id", "theme_id"))


# --- the consensus layer ------------------------------------------------------


def consensus_codings(project: Project | None) -> QuerySet[ConsensusDecision]:
    """The consensus layer: ``project``'s decisions that a theme is on a unit,
    on visible records, with what listings and exports show fetched."""
    rows = ConsensusDecision.objects.in_project(project).present()
    rows = rows.filter(paragraph__hidden=False)
    return rows.select_related("theme__parent", "decided_by", "paragraph__document")


def agreed_codings(
    project: Project | None,
) -> list[tuple[Paragraph, Theme, datetime]]:
    """Units and themes every coder of the unit applied and nobody decided:
    the coders' own consensus (the export's ``agreed`` option), in reading
    order, each with its last coder's annotation time."""
    filters = QueueFilters(project)
    coders = _coders_by_document(filters)
    rows = TaggedAnnotation.objects.filter(
        content_object__in=_annotations(filters, coders)
    ).values_list(
        "content_object__paragraph_id",
        "tag_id",
        "content_object__author__username",
        "content_object__created",
    )
    applied: dict[tuple[int, int], set[str]] = defaultdict(set)
    latest: dict[tuple[int, int], datetime] = {}
    for paragraph_id, theme_id, username, created in rows:
        key = (paragraph_id, theme_id)
        applied[key].add(username)
        latest[key] = max(created, latest.get(key, created))
    decided = _decided_pairs(project)
    paragraphs = Paragraph.objects.select_related("document").in_bulk(
        {p for p, _ in applied}
    )
    themes = Theme.objects.filter(project=project).in_bulk({t for _, t in applied})
    found = [
        (paragraphs[p], themes[t], latest[(p, t)])
        for (p, t), who in applied.items()
        if (p, t) not in decided and who >= set(coders[paragraphs[p].document_id])
    ]
    return sorted(found, key=lambda r: (r[0].document.source_name, r[0].position))
