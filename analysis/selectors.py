"""Reads of the analysis pages: each builds its view's numbers in a few
queries, whatever the corpus size (no query per row or cell).

Definitions (also in the README):

- A **passage** is an anchored annotation (orphans have no place to show).
- Filtering on a theme includes its sub-themes: a parent theme's passages are
  its own and its descendants'. Every count below is rolled up the same way,
  so a cell's count is the number of passages its link lists.
- Themes combine with **OR** (a passage with any of them) or **AND**. AND
  *within the passage*: one passage carries every theme. AND *within the
  paragraph*: the passage carries one of the themes and its paragraph carries
  every theme (each perhaps on a different passage, by anyone).
- **Co-occurrence** of two themes: a paragraph where both are coded (on the
  same passage, on overlapping passages or on separate ones); the passage
  measure counts passages that carry both themes themselves.

Every read takes the current project first (``Project | None``) and sees only
its themes, documents, passages and memos; None (a person in no project) sees
nothing, never everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Project
from analysis import charts, kwic, tables
from annotations import hierarchy
from annotations.adjudication import consensus_codings
from annotations.models import (
    CODEBOOK_ORDER,
    Annotation,
    ConsensusDecision,
    Memo,
    TaggedAnnotation,
    Theme,
)
from annotations.selectors import theme_parents
from corpus.models import Document, Paragraph

Parents = dict[int, int | None]


# --- the project's material -------------------------------------------------
# Every read below starts from one of these, so nothing of another project
# (nor, without a project, anything at all) can reach a page or a count.


def project_themes(project: Project | None) -> QuerySet[Theme]:
    """``project``'s codebook; none without a project."""
    return Theme.objects.filter(project=project) if project else Theme.objects.none()


def _project_documents(project: Project | None) -> QuerySet:
    """The ids of ``project``'s documents, as a subquery.

    ``document_id IN (…)`` rather than a join on the document: with the join
    SQLite walks the passages document by document, and the theme filters'
    counts took three times as long (bench/analysis_bench.py)."""
    return Document.objects.in_project(project).values("pk")


def project_passages(project: Project | None) -> QuerySet[Annotation]:
    """``project``'s annotations (through their document); none without one."""
    rows = Annotation.objects.all()
    if project is None:
        return rows.none()
    return rows.filter(document_id__in=_project_documents(project))


def project_taggings(project: Project | None) -> QuerySet[TaggedAnnotation]:
    """The theme-on-annotation rows of ``project``'s anchored passages (an
    annotation is in its document's project)."""
    if project is None:
        return TaggedAnnotation.objects.none()
    return TaggedAnnotation.objects.filter(
        content_object__document_id__in=_project_documents(project),
        content_object__orphaned=False,
    )


def _ours(rows: Iterable[tuple], parents: Parents) -> list[tuple]:
    """The ``(theme pk, ...)`` rows whose theme is in ``parents`` (the
    project's tree). The services only ever tag with the document's
    project's themes; this keeps a count right even if a row did not, for
    nothing, where filtering on the theme's project in SQL doubled the
    matrix query (SQLite then walks the tagging rows theme by theme).

    >>> _ours([(1, "a"), (9, "b")], {1: None})
    [(1, 'a')]
    """
    return [row for row in rows if row[0] in parents]


def project_memos(project: Project | None) -> QuerySet[Memo]:
    return Memo.objects.filter(project=project) if project else Memo.objects.none()


@dataclass(frozen=True)
class PassageFilters:
    """What the coded passages page (and the KWIC over passages) filter on."""

    themes: Sequence[Theme] = ()
    mode: str = "or"  # "or" | "and"
    within: str = "passage"  # "passage" | "paragraph" (how AND is judged)
    coders: Sequence[AbstractBaseUser] = ()
    documents: Sequence[Document] = ()
    query: str = ""  # words in the quote (a plain database match)
    languages: Sequence[str] = ()  # the record's language
    kinds: Sequence[str] = ()  # the record's kind
    since: date | None = None  # created on or after (inclusive)
    until: date | None = None  # created on or before (inclusive)
    # records a search query found; None = no query, empty = found nothing
    paragraph_ids: frozenset[int] | None = None


READING_ORDER = ("document__source_name", "paragraph__position", "start", "pk")


def coded_passages(
    project: Project | None, filters: PassageFilters, parents: Parents | None = None
) -> QuerySet[Annotation]:
    """``project``'s anchored passages matching ``filters``, in reading order,
    with what the listing shows fetched alongside (themes prefetched: one more
    query)."""
    rows = passages_matching(project, filters, parents)
    return rows.for_display().order_by(*READING_ORDER)


def passages_matching(
    project: Project | None, filters: PassageFilters, parents: Parents | None = None
) -> QuerySet[Annotation]:
    """``project``'s anchored passages ``filters`` select, unordered, nothing
    fetched. ``parents``: ``theme_parents(project)`` when the caller has it."""
    groups: list[set[int]] = []
    if filters.themes:  # the tree is one query; not read when not needed
        parents = theme_parents(project) if parents is None else parents
        groups = [_below(parents, theme) for theme in filters.themes]
    rows = project_passages(project).anchored()
    if filters.mode == "and" and filters.within == "paragraph":
        rows = _any_theme(rows, groups)
        for group in groups:
            # Not narrowed to the project again: the group's themes are its
            # own, and a paragraph's passages are in its document's project.
            coded = Annotation.objects.anchored().filter(tagged_items__tag_id__in=group)
            rows = rows.filter(paragraph_id__in=coded.values("paragraph_id"))
    elif filters.mode == "and":
        for group in groups:
            rows = rows.filter(pk__in=_tagged_with(group))
    else:
        rows = _any_theme(rows, groups)
    return _narrowed(rows, filters)


def _below(parents: Parents, theme: Theme) -> set[int]:
    """``theme`` and its descendants, when it is one of ``parents``' (the
    project's); nothing otherwise, so another codebook's theme selects
    nothing rather than its own passages.

    >>> sorted(_below({1: None, 2: 1}, Theme(pk=1))), _below({1: None}, Theme(pk=9))
    ([1, 2], set())
    """
    if theme.pk not in parents:
        return set()
    return hierarchy.descendants(parents, theme.pk)


def _narrowed(rows: QuerySet[Annotation], filters: PassageFilters) -> QuerySet:
    """``rows`` narrowed by every filter but the themes."""
    if filters.coders:
        rows = rows.filter(author__in=filters.coders)
    if filters.documents:
        rows = rows.filter(document__in=filters.documents)
    if filters.query:
        rows = rows.filter(quote__icontains=filters.query)
    if filters.languages:
        rows = rows.filter(paragraph__lang__in=filters.languages)
    if filters.kinds:
        rows = rows.filter(paragraph__kind__in=filters.kinds)
    # Days as ranges of instants, not ``created__date``: SQLite computes that
    # in Python for every row (1.5 s at 50,000 passages), PostgreSQL
    # cannot use an index on it.
    if filters.since is not None:
        rows = rows.filter(created__gte=day_start(filters.since))
    if filters.until is not None:
        rows = rows.filter(created__lt=day_start(filters.until + timedelta(days=1)))
    if filters.paragraph_ids is not None:
        rows = rows.filter(paragraph_id__in=filters.paragraph_ids)
    return rows


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone (``created``
    dates are read in it, as the export reads them)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _tagged_with(themes: set[int]) -> QuerySet:
    return TaggedAnnotation.objects.filter(tag_id__in=themes).values(
        "content_object_id"
    )


def _any_theme(rows: QuerySet[Annotation], groups: list[set[int]]) -> QuerySet:
    if not groups:
        return rows
    return rows.filter(pk__in=_tagged_with(set().union(*groups)))


# Within a group (or over the whole listing when not grouped).
PASSAGE_ORDERS = {
    "reading": ("document__source_name", "paragraph__position", "start", "pk"),
    "newest": ("-created", "-pk"),
    "oldest": ("created", "pk"),
}


def passage_listing(
    project: Project | None,
    filters: PassageFilters,
    group: str = "document",
    order: str = "reading",
    matching: QuerySet[Annotation] | None = None,
) -> QuerySet:
    """The coded passages page's rows: passages grouped by document (documents
    in corpus order), or not grouped, in ``order``; or, ``group="theme"``,
    (theme, passage) pairs by theme name: a passage is listed under each of
    its themes (those filtered on, with their sub-themes, when any are).
    ``matching``: ``passages_matching(project, filters)`` when the caller has
    it."""
    within = PASSAGE_ORDERS[order]
    if matching is None:
        matching = passages_matching(project, filters)
    if group == "theme":
        return _theme_pairs(project, filters, within, matching)
    rows = matching.for_display()
    if group == "document":
        return rows.order_by("document__source_name", "document_id", *within)
    return rows.order_by(*within)


def _theme_pairs(
    project: Project | None,
    filters: PassageFilters,
    within: Sequence[str],
    matching: QuerySet[Annotation],
) -> QuerySet:
    # ``matching`` is the project's already, and its passages carry only the
    # project's themes (the services tag with nothing else). Not also
    # ``tag__project``: SQLite then walks the pairs theme by theme and the
    # page's count took ten times as long (bench/analysis_bench.py).
    pairs = TaggedAnnotation.objects.filter(content_object__in=matching)
    if filters.themes:
        parents = theme_parents(project)
        groups = [_below(parents, theme) for theme in filters.themes]
        pairs = pairs.filter(tag_id__in=set().union(*groups))
    pairs = pairs.select_related(
        "tag",
        "content_object__author",
        "content_object__paragraph__document",
        "content_object__document",
    ).prefetch_related("content_object__themes")
    keys = [_prefixed(key, "content_object__") for key in within]
    return pairs.order_by("tag__name", "tag_id", *keys)


def _prefixed(key: str, prefix: str) -> str:
    """An ordering key on a related model (``-created`` → ``-x__created``).

    >>> _prefixed("-created", "content_object__")
    '-content_object__created'
    """
    sign = "-" if key.startswith("-") else ""
    return sign + prefix + key.lstrip("-")


def slugs_with_descendants(
    project: Project | None, themes: Sequence[Theme]
) -> list[str]:
    """The slugs of ``themes`` and of every theme below them in ``project``'s
    codebook, by slug: what a filter that does not roll up (the export's)
    needs to select the same passages. One query."""
    if not themes:
        return []
    rows = list(project_themes(project).values_list("pk", "parent_id", "slug"))
    parents = {pk: parent for pk, parent, _ in rows}
    below = set().union(*(_below(parents, t) for t in themes))
    return sorted(slug for pk, _, slug in rows if pk in below)


def paragraph_count(passages: QuerySet[Annotation]) -> int:
    """How many paragraphs the passages fall in (one query)."""
    return passages.order_by().values("paragraph_id").distinct().count()


# --- matrices ---------------------------------------------------------------


@dataclass
class Matrix:
    """Rows = themes in tree order (with depth), columns = documents or coders.

    ``cells[(theme pk, column pk)]`` is the count (passages, rolled up);
    ``shares`` the coded share of each document's paragraphs (0..1), when the
    columns are documents.
    """

    rows: list[hierarchy.TreeRow]
    themes: dict[int, Theme]
    columns: list[Any]
    cells: dict[tables.Cell, int] = field(default_factory=dict)
    shares: dict[tables.Cell, float] = field(default_factory=dict)

    @property
    def highest(self) -> int:
        return max(self.cells.values(), default=0)


MATRIX_COLUMNS = {
    "document": "content_object__document_id",
    "coder": "content_object__author_id",
}


def code_matrix(
    project: Project | None, by: str = "document", shares: bool = False
) -> Matrix:
    """``project``'s code × document (``by="document"``) or code × coder
    matrix, with each document's coded share of paragraphs when ``shares``:
    three queries (themes with the tree, coded rows, columns)."""
    themes, parents = _themes_and_parents(project)
    coded = _coded_rows(
        project, parents, MATRIX_COLUMNS[by], "content_object__paragraph_id"
    )
    cells = tables.cross_tab(
        ((theme, passage, column) for theme, passage, column, _ in coded), parents
    )
    column_ids = {column for (_, column) in cells}
    matrix = Matrix(hierarchy.depth_first(parents, themes), themes, [], cells)
    if by == "coder":
        matrix.columns = list(_users().filter(pk__in=column_ids).order_by("username"))
        return matrix
    documents = Document.objects.in_project(project).filter(pk__in=column_ids)
    documents = documents.order_by("source_name")
    if not shares:
        matrix.columns = list(documents)
        return matrix
    matrix.columns = list(documents.annotate(paragraph_total=Count("paragraphs")))
    matrix.shares = _shares(coded, parents, matrix.columns)
    return matrix


def _shares(coded: list[tuple], parents: Parents, documents: list[Document]) -> dict:
    """Each (theme, document)'s coded paragraphs over the document's total."""
    totals = {document.pk: document.paragraph_total for document in documents}
    paragraphs = tables.cross_tab(
        ((theme, paragraph, column) for theme, _, column, paragraph in coded), parents
    )
    return {
        cell: n / totals[cell[1]] for cell, n in paragraphs.items() if totals[cell[1]]
    }


def _themes_and_parents(project: Project | None) -> tuple[dict[int, Theme], Parents]:
    ordered = project_themes(project).order_by(*CODEBOOK_ORDER)
    themes = {theme.pk: theme for theme in ordered}
    parents = {pk: theme.parent_id for pk, theme in themes.items()}
    return themes, parents


def _coded_rows(project: Project | None, parents: Parents, *columns: str) -> list:
    """``(theme pk, passage pk, *columns)`` for every theme (of ``parents``,
    the project's tree) on every passage of ``project``."""
    rows = project_taggings(project)
    return _ours(
        rows.values_list("tag_id", "content_object_id", *columns).order_by(), parents
    )


def _users() -> QuerySet:
    return get_user_model()._default_manager.all()


@dataclass
class CoOccurrence:
    """Theme × theme; ``cells[(a, b)]`` counts paragraphs (or passages)."""

    rows: list[hierarchy.TreeRow]
    themes: dict[int, Theme]
    cells: dict[tables.Cell, int]
    measure: str

    @property
    def highest(self) -> int:
        off_diagonal = [n for (a, b), n in self.cells.items() if a != b]
        return max(off_diagonal, default=0)


def co_occurrence(project: Project | None, measure: str = "paragraph") -> CoOccurrence:
    """``project``'s themes coded together in one paragraph
    (``measure="paragraph"``) or on one passage (``"passage"``), rolled up;
    three queries."""
    themes, parents = _themes_and_parents(project)
    column = (
        "content_object__paragraph_id"
        if measure == "paragraph"
        else "content_object_id"
    )
    coded = _coded_rows(project, parents, column)
    members = tables.members(((theme, item) for theme, _, item in coded), parents)
    cells = tables.co_occurrence(members)
    return CoOccurrence(hierarchy.depth_first(parents, themes), themes, cells, measure)


# --- codelines --------------------------------------------------------------


@dataclass
class Codeline:
    """One document's strip: ``marks[theme pk]`` = coded paragraph positions
    (rolled up); ``length`` = positions in the strip."""

    document: Document
    length: int
    marks: dict[int, list[int]]


def codelines(
    project: Project | None, documents: QuerySet[Document] | None = None
) -> tuple[list, dict]:
    """A codeline per document of ``project`` (all of them by default, else
    those of ``documents`` in it) and the themes, in three queries (themes
    and tree, documents with lengths, coded rows)."""
    themes, parents = _themes_and_parents(project)
    shown = Document.objects.in_project(project)
    if documents is not None:
        shown = shown.filter(pk__in=documents.values("pk"))
    documents = list(
        shown.annotate(last=Max("paragraphs__position")).order_by("source_name")
    )
    # The documents are the project's already: no join on them again.
    coded = TaggedAnnotation.objects.filter(
        content_object__orphaned=False,
        content_object__document__in=[document.pk for document in documents],
    ).values_list(
        "tag_id", "content_object__paragraph__position", "content_object__document_id"
    )
    cells = tables.item_sets(_ours(coded.order_by(), parents), parents)
    lines = [
        Codeline(
            document,
            (document.last or 0) + 1,
            {
                theme: sorted(cells[(theme, document.pk)])
                for theme in themes
                if (theme, document.pk) in cells
            },
        )
        for document in documents
    ]
    return lines, themes


# --- charts -----------------------------------------------------------------


def theme_label(themes: dict[int, Theme], parents: Parents, pk: int) -> str:
    """A theme's name with its ancestors', top first (``Distrust › Mistrust``)."""
    chain = [pk, *hierarchy.ancestors(parents, pk)]
    return " › ".join(themes[node].name for node in reversed(chain))


def chart_themes(project: Project | None, matrix: Matrix | None = None) -> charts.Chart:
    """``project``'s passages per theme, rolled up (a parent's bar counts its
    sub-themes' passages, each once), themes in tree order.

    Summed from the code × document matrix (given, or built: three queries):
    a passage lies in one document, so a theme's documents' cells add up to
    its distinct passages."""
    matrix = matrix or code_matrix(project, "document")
    totals: dict[int, int] = defaultdict(int)
    for (theme_pk, _), count in matrix.cells.items():
        totals[theme_pk] += count
    parents = {pk: theme.parent_id for pk, theme in matrix.themes.items()}
    chart = charts.Chart("themes", "Passages per theme", "", "Theme", "", "Passages")
    for row in matrix.rows:
        theme, count = matrix.themes[row.node], totals.get(row.node, 0)
        if count or not theme.retired:
            label = theme_label(matrix.themes, parents, theme.pk)
            chart.groups.append(
                charts.Group(label, [charts.Bar("", count, theme.colour)])
            )
    chart.description = _describe(chart, "passages")
    return chart


def chart_theme_documents(
    project: Project | None, matrix: Matrix | None = None
) -> charts.Chart:
    """``project``'s passages per theme per document (the code × document
    matrix's cells)."""
    matrix = matrix or code_matrix(project, "document")
    names = [document.display_title for document in matrix.columns]
    colours = charts.series_colours(names)
    chart = charts.Chart(
        "documents",
        "Passages per theme and document",
        "",
        "Theme",
        "Document",
        "Passages",
    )
    parents = {pk: theme.parent_id for pk, theme in matrix.themes.items()}
    for row in matrix.rows:
        counts = [matrix.cells.get((row.node, d.pk), 0) for d in matrix.columns]
        if any(counts):
            bars = [
                charts.Bar(n, c, colours[n]) for n, c in zip(names, counts, strict=True)
            ]
            label = theme_label(matrix.themes, parents, row.node)
            chart.groups.append(charts.Group(label, bars))
    chart.description = _describe(chart, "passages")
    return chart


def chart_coding_over_time(project: Project | None) -> charts.Chart:
    """``project``'s passages coded per month by each coder (by when the
    passage was made), every month from the first to the last shown; one
    query."""
    rows = (
        project_passages(project)
        .anchored()
        .annotate(month=TruncMonth("created"))
        .values_list("month", "author__username")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(month.strftime("%Y-%m"), coder): n for month, coder, n in rows}
    chart = charts.Chart(
        "coders", "Coding over time, per coder", "", "Month", "Coder", "Passages"
    )
    if counts:
        coders = sorted({coder for _, coder in counts})
        colours = charts.series_colours(coders)
        shown = sorted(month for month, _ in counts)
        for month in charts.months(_month(shown[0]), _month(shown[-1])):
            bars = [
                charts.Bar(c, counts.get((month, c), 0), colours[c]) for c in coders
            ]
            chart.groups.append(charts.Group(month, bars))
    chart.description = _describe(chart, "passages")
    return chart


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _describe(chart: charts.Chart, unit: str) -> str:
    """A sentence for screen readers: the extent and the largest bar."""
    bars = [
        (bar.value, group.label, bar.series)
        for group in chart.groups
        for bar in group.bars
    ]
    if not bars:
        return f"{chart.title}: nothing is coded yet."
    value, group, series = max(bars, key=lambda bar: bar[0])
    where = f"{group}, {series}" if series else group
    return (
        f"{chart.title}: {len(chart.groups)} {chart.group_label.lower()} rows; "
        f"the largest is {where} with {value} {unit}. "
        "The table beside it lists every figure."
    )


CHARTS = {
    "themes": chart_themes,
    "documents": chart_theme_documents,
    "coders": chart_coding_over_time,
}


def all_charts(project: Project | None) -> list[charts.Chart]:
    """The charts page's three charts; the first two share one matrix."""
    matrix = code_matrix(project, "document")
    return [
        chart_themes(project, matrix),
        chart_theme_documents(project, matrix),
        chart_coding_over_time(project),
    ]


# --- memos ------------------------------------------------------------------


MEMO_SUBJECTS = ("theme", "document", "passage", "project")


def memos(
    project: Project | None, subject: str = "", query: str = ""
) -> QuerySet[Memo]:
    """``project``'s memos newest first, optionally of one kind of subject and
    containing ``query``."""
    rows = project_memos(project).for_display()
    if subject == "theme":
        rows = rows.filter(theme__isnull=False)
    elif subject == "document":
        rows = rows.filter(document__isnull=False)
    elif subject == "passage":
        rows = rows.filter(annotation__isnull=False)
    elif subject == "project":
        rows = rows.filter(theme=None, document=None, annotation=None)
    if query:
        rows = rows.filter(text__icontains=query)
    return rows


# --- KWIC -------------------------------------------------------------------


KWIC_MAX_LINES = 1000


@dataclass(frozen=True)
class Place:
    """Where a KWIC line links to: the record on the reading page."""

    document_slug: str
    document_title: str
    position: int


@dataclass
class Concordance:
    lines: list[kwic.KwicLine]
    places: dict[int, Place]
    truncated: bool


def concordance(
    project: Project | None,
    keyword: str,
    scope: str,
    filters: PassageFilters,
    sort: str = "position",
) -> Concordance:
    """KWIC lines of ``keyword`` over ``project``'s visible records
    (``scope="corpus"``, filtered by document and by theme: records with a
    passage so coded) or over its coded passages' quotes (``"passages"``,
    every passage filter applies). At most ``KWIC_MAX_LINES`` lines."""
    first_word = keyword.split()[0]
    if scope == "passages":
        rows = passages_matching(project, filters)
        rows = rows.filter(quote__icontains=first_word)
        rows = rows.order_by(*READING_ORDER)
        values = rows.values_list(
            "pk", "quote", "document__slug", "document__title", "paragraph__position"
        )
    else:
        rows = _corpus_records(project, filters).filter(text__icontains=first_word)
        values = rows.values_list(
            "pk", "text", "document__slug", "document__title", "position"
        )
    lines: list[kwic.KwicLine] = []
    places: dict[int, Place] = {}
    for pk, text, slug, title, position in values.iterator():
        found = kwic.concordance([(pk, text)], keyword)
        if found:
            places[pk] = Place(slug, title or slug, position)
            lines.extend(found)
        if len(lines) > KWIC_MAX_LINES:
            break
    truncated = len(lines) > KWIC_MAX_LINES
    return Concordance(kwic.sort_lines(lines[:KWIC_MAX_LINES], sort), places, truncated)


def _corpus_records(
    project: Project | None, filters: PassageFilters
) -> QuerySet[Paragraph]:
    records = Paragraph.objects.in_project(project).visible()
    if filters.documents:
        records = records.filter(document__in=filters.documents)
    if filters.themes:
        coded = passages_matching(project, PassageFilters(themes=filters.themes))
        records = records.filter(pk__in=coded.values("paragraph_id"))
    return records.order_by("document__source_name", "position")


# --- the consensus layer ------------------------------------------------------


def consensus_listing(
    project: Project | None, filters: PassageFilters
) -> QuerySet[ConsensusDecision]:
    """The consensus layer (``annotations.adjudication``) as the coded
    passages page lists it: one row per settled paragraph and theme, in
    reading order. Themes roll up and combine with OR (each row has one
    theme); coders are the deciders and dates the decisions'."""
    rows = consensus_codings(project)
    if filters.themes:
        parents = theme_parents(project)
        groups = [_below(parents, theme) for theme in filters.themes]
        rows = rows.filter(theme_id__in=set().union(*groups))
    if filters.coders:
        rows = rows.filter(decided_by__in=[coder.pk for coder in filters.coders])
    if filters.documents:
        rows = rows.filter(paragraph__document__in=filters.documents)
    if filters.query:
        rows = rows.filter(paragraph__text__icontains=filters.query)
    if filters.languages:
        rows = rows.filter(paragraph__lang__in=filters.languages)
    if filters.kinds:
        rows = rows.filter(paragraph__kind__in=filters.kinds)
    if filters.since is not None:
        rows = rows.filter(decided_at__gte=day_start(filters.since))
    if filters.until is not None:
        rows = rows.filter(decided_at__lt=day_start(filters.until + timedelta(days=1)))
    if filters.paragraph_ids is not None:
        rows = rows.filter(paragraph_id__in=filters.paragraph_ids)
    order = ("paragraph__document__source_name", "paragraph__position", "theme__name")
    return rows.order_by(*order, "pk")
