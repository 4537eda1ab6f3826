"""Reads across apps: themes per paragraph (for search), listings, counts,
activity and the agreement report.

One-model reads are QuerySet methods in ``models.py``; what joins annotations
with the corpus or with people lives here. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from accounts.models import Project
from annotations import agreement, hierarchy, rounds
from annotations.models import (
    CODEBOOK_ORDER,
    Activity,
    Annotation,
    CodingRound,
    Memo,
    Origin,
    TaggedAnnotation,
    Theme,
)
from annotations.sentences import sentence_spans
from corpus.models import Document, Paragraph

T = TypeVar("T")


def themes_by_paragraph(paragraph_ids: Iterable[int]) -> dict[int, list[str]]:
    """Theme slugs on each paragraph (any annotator, retired themes included)
    with their ancestors' (so that a search on a parent theme finds its
    sub-themes' paragraphs), sorted; every requested id is a key, ``[]`` when
    it has none.

    This is what the search indexer stores in its ``theme`` field.
    """
    ids = list(dict.fromkeys(paragraph_ids))
    found: dict[int, set[int]] = {pk: set() for pk in ids}
    rows = (
        TaggedAnnotation.objects.filter(content_object__paragraph_id__in=ids)
        .values_list("content_object__paragraph_id", "tag_id")
        .distinct()
    )
    for paragraph_id, theme_id in rows:
        found[paragraph_id].add(theme_id)
    if not any(found.values()):
        return {pk: [] for pk in ids}
    tree = Theme.objects.values_list("pk", "parent_id", "slug")
    parents = {pk: parent for pk, parent, _ in tree}
    slugs = {pk: slug for pk, _, slug in tree}
    return {
        pk: sorted(
            {
                slugs[t]
                for theme in themes
                for t in [theme, *hierarchy.ancestors(parents, theme)]
            }
        )
        for pk, themes in found.items()
    }


def active_themes(project: Project | None) -> QuerySet[Theme]:
    """``project``'s themes offered in pickers (search's quick-tag menu)."""
    return Theme.objects.filter(project=project).active()


def display_name(user: User | None) -> str:
    """How people appear in attributions: full name, else user name."""
    if user is None:
        return "Gloss"
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


# --- listings ---------------------------------------------------------------


@dataclass(frozen=True)
class AnnotationFilters:
    """Validated filters of the annotation listing (API and pages)."""

    project: Project | None
    document: Document | None = None
    paragraph: Paragraph | None = None
    theme: Theme | None = None
    author: User | None = None
    # Who is asking: a blind round's coder sees only their own annotations on
    # its documents (annotations.rounds). None: everything (commands).
    viewer: User | None = None


def annotations_matching(filters: AnnotationFilters) -> QuerySet[Annotation]:
    """Annotations in reading order, with what a listing shows fetched."""
    rows = Annotation.objects.in_project(filters.project).for_display()
    if filters.viewer is not None:
        rows = rounds.visible_annotations(rows, filters.viewer, filters.project)
    return annotations_filtered(
        rows,
        documents=_given(filters.document),
        paragraph_ids=None if filters.paragraph is None else {filters.paragraph.pk},
        themes=_given(filters.theme),
        authors=_given(filters.author),
    )


def annotations_filtered(
    rows: QuerySet[Annotation],
    *,
    documents: Collection[Document] = (),
    paragraph_ids: Collection[int] | None = None,
    themes: Collection[Theme] = (),
    authors: Collection[User] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Annotation]:
    """``rows`` narrowed by every filter given, in reading order: the one
    builder of the listing (``annotations_matching``) and the exports.

    An empty collection or ``None`` means "any", except ``paragraph_ids``: an
    empty set there (a search that found nothing) matches nothing. Rows with any
    of ``themes`` count once; ``since`` and ``until`` are creation dates,
    both inclusive.
    """
    if documents:
        rows = rows.filter(document__in=documents)
    if paragraph_ids is not None:
        rows = rows.filter(paragraph_id__in=paragraph_ids)
    if themes:
        rows = rows.filter(themes__in=themes).distinct()
    if authors:
        rows = rows.filter(author__in=authors)
    if since is not None:
        rows = rows.filter(created__date__gte=since)
    if until is not None:
        rows = rows.filter(created__date__lte=until)
    return rows.order_by("document__source_name", "paragraph__position", "start", "pk")


def _given(value: T | None) -> tuple[T, ...]:
    return () if value is None else (value,)


def annotators(project: Project | None) -> QuerySet:
    """Everyone who has made at least one annotation in ``project``, by user name."""
    users = get_user_model()._default_manager
    if project is None:
        return users.none()
    return (
        users.filter(annotations__document__project=project)
        .distinct()
        .order_by("username")
    )


def people(project: Project | None) -> QuerySet:
    """The project's people: its members and anyone who annotated in it."""
    users = get_user_model()._default_manager
    if project is None:
        return users.none()
    return users.filter(
        Q(memberships__project=project) | Q(annotations__document__project=project)
    ).distinct()


# --- counts and activity ----------------------------------------------------


def theme_counts(project: Project | None) -> QuerySet[Theme]:
    """Every theme of ``project`` with ``annotation_count``, ``paragraph_count``,
    ``document_count`` and ``coder_count`` (anchored annotations only)."""
    anchored = Q(tagged_annotations__content_object__orphaned=False)
    through = "tagged_annotations__content_object"
    return (
        Theme.objects.filter(project=project)
        .annotate(
            annotation_count=Count(f"{through}", filter=anchored, distinct=True),
            paragraph_count=Count(
                f"{through}__paragraph", filter=anchored, distinct=True
            ),
            document_count=Count(
                f"{through}__document", filter=anchored, distinct=True
            ),
            coder_count=Count(f"{through}__author", filter=anchored, distinct=True),
        )
        .order_by(*CODEBOOK_ORDER)
    )


@dataclass(frozen=True)
class ThemeNode:
    """A codebook row: the theme (with ``theme_counts`` figures), its depth in
    the tree, and ``rolled_up``: its passages and its descendants', each once."""

    theme: Theme
    depth: int
    rolled_up: int
    first: bool = True  # among its siblings (the reorder buttons' ends)
    last: bool = True


def theme_parents(project: Project | None) -> dict[int, int | None]:
    """``project``'s hierarchy as ``{theme pk: parent pk}`` (one query)."""
    return dict(Theme.objects.filter(project=project).values_list("pk", "parent_id"))


def theme_ancestors(theme: Theme) -> list[Theme]:
    """From the top-level theme down to ``theme``'s parent (two queries)."""
    chain = hierarchy.ancestors(theme_parents(theme.project), theme.pk)
    found = Theme.objects.in_bulk(chain)
    return [found[pk] for pk in reversed(chain)]


def theme_tree(project: Project | None) -> list[ThemeNode]:
    """Every theme of ``project`` in tree order (parents before children) with roll-ups.

    Three queries whatever the codebook's size: the counts, the tree, and the
    (theme, annotation) pairs the roll-up unites.
    """
    themes = {theme.pk: theme for theme in theme_counts(project)}
    parents = theme_parents(project)
    pairs = TaggedAnnotation.objects.filter(
        tag__project=project, content_object__orphaned=False
    ).values_list("tag_id", "content_object_id")
    members: dict[int, set[int]] = defaultdict(set)
    for theme_pk, annotation_pk in pairs:
        members[theme_pk].add(annotation_pk)
    rolled = hierarchy.roll_up(parents, members)
    rows = hierarchy.depth_first(parents, order=themes)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in rows:  # siblings as theme_reorder sees them, in display order
        groups[(parents[row.node], themes[row.node].retired)].append(row.node)
    return [
        ThemeNode(
            themes[row.node],
            row.depth,
            len(rolled[row.node]),
            first=_siblings(groups, parents, themes[row.node])[0] == row.node,
            last=_siblings(groups, parents, themes[row.node])[-1] == row.node,
        )
        for row in rows
    ]


def _siblings(groups: dict, parents: dict, theme: Theme) -> list[int]:
    return groups[(parents[theme.pk], theme.retired)]


@dataclass
class DocumentCounts:
    document: Document
    total: int = 0
    coders: int = 0
    by_theme: dict[int, int] = field(default_factory=dict)  # theme pk -> count


def document_counts(project: Project | None) -> list[DocumentCounts]:
    """Annotations per document and theme, for ``project``'s documents that
    have any."""
    rows = (
        TaggedAnnotation.objects.filter(
            content_object__document__project=project, content_object__orphaned=False
        )
        .values_list("content_object__document_id", "tag_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_document: dict[int, dict[int, int]] = defaultdict(dict)
    for document_id, theme_id, n in rows:
        by_document[document_id][theme_id] = n
    totals = (
        Document.objects.filter(pk__in=by_document)
        .annotate(
            total=Count("annotations", filter=Q(annotations__orphaned=False)),
            coders=Count(
                "annotations__author",
                filter=Q(annotations__orphaned=False),
                distinct=True,
            ),
        )
        .order_by("source_name")
    )
    return [
        DocumentCounts(doc, doc.total, doc.coders, by_document[doc.pk])
        for doc in totals
    ]


def document_memos(document: Document) -> QuerySet[Memo]:
    """The memos on ``document`` itself, newest first, with their authors."""
    return Memo.objects.filter(document=document).select_related("author")


def recent_activity(
    project: Project | None,
    limit: int = 100,
    actor: User | None = None,
    viewer: User | None = None,
) -> QuerySet[Activity]:
    """The newest entries; a blind round's coder (``viewer``) does not see
    others' work on its documents."""
    rows = Activity.objects.filter(project=project).select_related(
        "actor", "document", "paragraph"
    )
    if viewer is not None:
        rows = rounds.visible_activity(rows, viewer, project)
    if actor is not None:
        rows = rows.filter(actor=actor)
    return rows[:limit]


def orphaned_annotations(project: Project | None) -> QuerySet[Annotation]:
    """``project``'s annotations re-ingestion could not place again, for a
    curator to settle."""
    rows = Annotation.objects.in_project(project).filter(orphaned=True)
    return rows.for_display().order_by("-updated")


# --- agreement --------------------------------------------------------------

# Origins counted unless asked: independent close readings (and imports of
# them). Bulk and search-result tags apply one decision to many passages.
DEFAULT_ORIGINS = frozenset({Origin.MANUAL, Origin.IMPORT})
UNITS = ("paragraph", "sentence")


@dataclass(frozen=True)
class Disagreement:
    paragraph: Paragraph
    tagged_by: list[str]
    not_tagged_by: list[str]
    span: tuple[int, int] | None = None  # the sentence, for sentence units

    @property
    def text(self) -> str:
        if self.span is None:
            return self.paragraph.text
        return self.paragraph.text[self.span[0] : self.span[1]]


@dataclass(frozen=True)
class ThemeAgreement:
    theme: Theme
    alpha: float | None
    kappas: list[tuple[str, str, float | None]]
    units: int  # paragraphs (or sentences) with two or more coders
    coders: list[str]
    disagreements: list[Disagreement]
    percent: float | None = None  # share of agreeing pairs, not chance-corrected
    fleiss: float | None = None
    used_by: int = 0  # coders who tagged the theme in some unit

    @property
    def single_coder(self) -> bool:
        """Only one person used the theme: the figures say nothing of agreement."""
        return self.used_by == 1


@dataclass(frozen=True)
class AgreementScope:
    """What an agreement report covers (the agreement page's choices). Empty
    ``coders``/``documents``: everyone, every document; a ``coding_round``
    fixes both (and the time window: ``rounds.round_annotations``)."""

    coders: frozenset[str] = frozenset()
    documents: frozenset[int] = frozenset()
    coding_round: CodingRound | None = None
    unit: str = "paragraph"
    origins: frozenset[str] = DEFAULT_ORIGINS
    viewer: User | None = None  # a blind round's coder sees only their own


def agreement_report(
    project: Project | None,
    themes: Iterable[Theme] | None = None,
    scope: AgreementScope | None = None,
) -> list[ThemeAgreement]:
    """Per theme, agreement among the people who coded the same documents.

    A person counts as a coder of a document once they annotated anything in
    it (in a round: every round coder codes every round document); every
    non-meta paragraph of such a document (with at least two coders) is a unit,
    or each of its sentences (``scope.unit``), with value 1 for each coder who
    tagged the theme in it (a span overlapping the sentence), else 0. Only
    annotations of ``scope.origins`` count (bulk and search tags not, by default).
    """
    scope = scope or AgreementScope()
    rows = _agreement_annotations(project, scope)
    coders = _coders_by_document(rows, scope)
    paragraphs = list(
        Paragraph.objects.visible()
        .filter(document_id__in=coders)
        .exclude(kind=Paragraph.Kind.META)
        .select_related("document")
        .in_reading_order()
    )
    units = _units(paragraphs, scope.unit)
    tagged = _tagged_spans(rows)
    chosen = Theme.objects.filter(project=project) if themes is None else themes
    return [
        _theme_agreement(theme, units, coders, tagged.get(theme.pk, {}))
        for theme in chosen
        if theme.project_id == getattr(project, "pk", None)
    ]


def _agreement_annotations(
    project: Project | None, scope: AgreementScope
) -> QuerySet[Annotation]:
    rows = Annotation.objects.in_project(project).anchored()
    rows = rows.filter(paragraph__hidden=False, origin__in=scope.origins)
    if scope.viewer is not None:
        rows = rounds.visible_annotations(rows, scope.viewer, project)
    if scope.coding_round is not None:
        rows = rows.filter(pk__in=rounds.round_annotations(scope.coding_round))
    if scope.documents:
        rows = rows.filter(document_id__in=scope.documents)
    if scope.coders:
        rows = rows.filter(author__username__in=scope.coders)
    return rows


def _coders_by_document(
    rows: QuerySet[Annotation], scope: AgreementScope
) -> dict[int, list[str]]:
    """Document id -> user names of its coders, for documents with two or more."""
    found: dict[int, set[str]] = defaultdict(set)
    if scope.coding_round is not None:
        names = {c.get_username() for c in scope.coding_round.coders.all()}
        if scope.coders:
            names &= scope.coders
        for document_id in scope.coding_round.documents.values_list("pk", flat=True):
            if not scope.documents or document_id in scope.documents:
                found[document_id] = set(names)
    else:
        pairs = rows.values_list("document_id", "author__username").distinct()
        for document_id, username in pairs:
            found[document_id].add(username)
    return {doc: sorted(names) for doc, names in found.items() if len(names) >= 2}


Unit = tuple[Paragraph, tuple[int, int] | None]  # a paragraph, or a sentence of it


def _units(paragraphs: list[Paragraph], unit: str) -> list[Unit]:
    if unit != "sentence":
        return [(p, None) for p in paragraphs]
    return [(p, span) for p in paragraphs for span in sentence_spans(p.text)]


def _tagged_spans(
    rows: QuerySet[Annotation],
) -> dict[int, dict[tuple[int, str], list[tuple[int, int]]]]:
    """Theme id -> {(paragraph id, user name): [spans tagged with it]}."""
    tagged = TaggedAnnotation.objects.filter(content_object__in=rows).values_list(
        "tag_id",
        "content_object__paragraph_id",
        "content_object__author__username",
        "content_object__start",
        "content_object__end",
    )
    found: dict[int, dict[tuple[int, str], list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for theme_id, paragraph_id, username, start, end in tagged:
        found[theme_id][(paragraph_id, username)].append((start, end))
    return found


def _value(
    spans: list[tuple[int, int]] | None, sentence: tuple[int, int] | None
) -> int:
    """1 when the coder tagged the theme in the unit (overlapping the sentence)."""
    if not spans:
        return 0
    if sentence is None:
        return 1
    return int(any(a < sentence[1] and b > sentence[0] for a, b in spans))


def _theme_agreement(
    theme: Theme,
    units: list[Unit],
    coders: dict[int, list[str]],
    tagged: dict[tuple[int, str], list[tuple[int, int]]],
) -> ThemeAgreement:
    ratings = {
        index: {
            name: _value(tagged.get((p.pk, name)), span)
            for name in coders[p.document_id]
        }
        for index, (p, span) in enumerate(units)
    }
    split = [
        Disagreement(
            units[index][0],
            sorted(n for n, v in ratings[index].items() if v),
            sorted(n for n, v in ratings[index].items() if not v),
            units[index][1],
        )
        for index in agreement.disagreements(ratings)
    ]
    kappas = agreement.pairwise_kappa(ratings)
    values = [list(v.values()) for v in ratings.values()]
    return ThemeAgreement(
        theme=theme,
        alpha=agreement.krippendorff_alpha_nominal(values),
        kappas=[(str(a), str(b), k) for (a, b), k in kappas.items()],
        units=len(ratings),
        coders=sorted({n for names in coders.values() for n in names}),
        disagreements=split,
        percent=agreement.percent_agreement(values),
        fleiss=agreement.fleiss_kappa(values),
        used_by=len({n for v in ratings.values() for n, x in v.items() if x}),
    )


# --- the activity log's pages -----------------------------------------------

ACTIVITY_PAGE_SIZE = 50
ACTIVITY_PAGE_MAX = 200


@dataclass(frozen=True)
class ActivityPage:
    """One page of the log, newest first; the cursors are the ids to pass as
    ``before`` (older entries) and ``after`` (newer ones), None at either end."""

    entries: list[Activity]
    older: int | None
    newer: int | None


def activity_page(
    project: Project | None,
    *,
    actor: User | None = None,
    theme: Theme | None = None,
    verb: str | None = None,
    before: Activity | None = None,
    after: Activity | None = None,
    size: int = ACTIVITY_PAGE_SIZE,
    viewer: User | None = None,
) -> ActivityPage:
    """Keyset paging over (created, id), on the log's indexes: every page
    costs the same however far back it is. ``before``/``after`` are entries
    of the project (the cursors). A blind round's coder (``viewer``) does not
    see others' work on its documents."""
    rows = Activity.objects.filter(project=project)
    if viewer is not None:
        rows = rounds.visible_activity(rows, viewer, project)
    if actor is not None:
        rows = rows.filter(actor=actor)
    if theme is not None:
        rows = rows.filter(theme_links__theme_id=theme.pk)
    if verb:
        rows = rows.filter(verb=verb)
    rows = rows.select_related("actor", "document", "paragraph", "undoes")
    if after is not None:
        # (created, id) > the cursor's; the plain bound on created lets the
        # index range-scan (an OR alone made SQLite scan the whole project).
        newer = rows.filter(created__gte=after.created).filter(
            Q(created__gt=after.created) | Q(pk__gt=after.pk)
        )
        found = list(newer.order_by("created", "id")[: size + 1])
        more = len(found) > size
        entries = found[:size][::-1]
        return ActivityPage(entries, _last_id(entries), _first_id(entries, more))
    if before is not None:
        rows = rows.filter(created__lte=before.created).filter(
            Q(created__lt=before.created) | Q(pk__lt=before.pk)
        )
    found = list(rows.order_by("-created", "-id")[: size + 1])
    entries = found[:size]
    older = _last_id(entries) if len(found) > size else None
    return ActivityPage(entries, older, _first_id(entries, before is not None))


def _first_id(entries: list[Activity], more: bool) -> int | None:
    return entries[0].pk if entries and more else None


def _last_id(entries: list[Activity]) -> int | None:
    return entries[-1].pk if entries else None


# --- what a codebook change will do (its confirmation page) -----------------


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _children_names(theme: Theme) -> list[str]:
    return list(theme.children.order_by(*CODEBOOK_ORDER).values_list("name", flat=True))


def theme_merge_preview(source: Theme, target: Theme) -> list[str]:
    """The confirmation page's lines for merging ``source`` into ``target``."""
    carrying = Annotation.objects.filter(themes=source)
    both = carrying.filter(themes=target).count()
    total = carrying.count()
    lines = [
        f"{_count(total, 'annotation')} of {source.name} move to {target.name}"
        + (f" ({both} of them also carry {target.name}: they keep one)" if both else "")
        + "."
    ]
    children = [name for name in _children_names(source) if name != target.name]
    if children:
        lines.append(f"Its sub-themes move under {target.name}: {', '.join(children)}.")
    memos = source.memos.count()
    if memos:
        lines.append(f"{_count(memos, 'memo')} on {source.name} are deleted.")
    lines.append(f"{source.name} is removed from the codebook.")
    return lines


def theme_retire_preview(theme: Theme) -> list[str]:
    used = Annotation.objects.filter(themes=theme).count()
    return [
        f"{theme.name} is no longer offered when tagging or in filters.",
        f"The {_count(used, 'annotation')} that have it keep it.",
    ]


def theme_delete_preview(theme: Theme) -> tuple[list[str], str]:
    """The lines, and why the deletion is refused ("" when it is not)."""
    used = Annotation.objects.filter(themes=theme).count()
    if used:
        refusal = (
            f"{_count(used, 'annotation')} carry {theme.name}: merge it into "
            "another theme, or retire it, instead."
        )
        return [], refusal
    lines = [f"{theme.name} is removed from the codebook."]
    children = _children_names(theme)
    if children:
        where = theme.parent.name if theme.parent else "the top level"
        lines.append(f"Its sub-themes move up to {where}: {', '.join(children)}.")
    memos = theme.memos.count()
    if memos:
        lines.append(f"{_count(memos, 'memo')} on {theme.name} are deleted.")
    return lines, ""
