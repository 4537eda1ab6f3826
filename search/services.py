"""Search as one service behind the page, the API and the command.

``search_paragraphs`` catches the index up with pending changes (so a user
sees their own edits; the PostgreSQL engine has none pending), runs the
backend, and hydrates the hits with their paragraphs. ``paragraphs_changed``
is how other apps say that paragraphs (or their themes) changed: call it
inside the transaction that changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

from corpus.models import Paragraph
from search import blind, gate, outbox, selectors, spans
from search import query as q
from search.backend import FACETS, SORTS, FacetCount, SearchPage, get_backend

if TYPE_CHECKING:
    from accounts.models import Project

MAX_PAGE_SIZE = 100
MAX_RESULTS = 10_000  # page * page_size beyond this is refused (deep paging is slow)


class SearchRequestError(ValueError):
    """Parameters out of range; the message is for the user (a 422 in the API)."""


class SearchBusy(SearchRequestError):
    """A long query while other long ones run (``search.gate``): a 429."""


RETRY_AFTER = 3  # seconds, for the Retry-After header of a 429
BUSY = (
    "Other long searches are running: a query of {terms} terms must wait its "
    "turn. Try again in a few seconds, or shorten it (fewer than {heavy} terms "
    "never wait)."
)


@dataclass(frozen=True)
class ResultRow:
    paragraph: Paragraph
    score: float
    highlight: SafeString  # escaped by the backend's HTML formatter
    themes: tuple[str, ...]

    @property
    def match_span(self) -> tuple[int, int] | None:
        """The sentence around the first match: what "tag the match" tags."""
        return spans.match_span(self.paragraph.text, str(self.highlight))

    @property
    def url(self) -> str:
        """The reading page, scrolled to this record and marking it."""
        p = self.paragraph
        return f"{p.document.get_absolute_url()}?hl={p.position}#{p.anchor}"


@dataclass(frozen=True)
class FacetRow:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: str
    filters: dict[str, list[str]]
    sort: str
    page: int
    page_size: int
    total: int = 0
    corrected_query: str | None = None
    rows: list[ResultRow] = field(default_factory=list)
    facets: dict[str, list[FacetRow]] = field(default_factory=dict)
    notice: str = ""
    searched: bool = False  # False for an empty query without filters
    partial: bool = False  # the search stopped at its time budget

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_json(self) -> dict[str, Any]:
        """The API's shape (README, "Search API")."""
        return {
            "query": self.query,
            "corrected_query": self.corrected_query,
            "total": self.total,
            "page": self.page,
            "results": [_row_json(row) for row in self.rows],
            "facets": {
                name: [vars(f) for f in rows] for name, rows in self.facets.items()
            },
            "notice": self.notice,
        }


def search_paragraphs(
    *,
    project: Project,
    query: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    page: int = 1,
    page_size: int = 20,
    sort: str = "relevance",
    viewer: Any = None,
) -> SearchResult:
    """Search the paragraph records of ``project``.

    Everything in the result (hits, total, facets, the corrected query, and
    the document names echoed in the filters) comes from that project only:
    another project's words and documents are as unknown as words that exist
    nowhere. Raises ``QuerySyntaxError`` for a malformed query,
    ``SearchRequestError`` for parameters out of range, and its subclass
    ``SearchBusy`` for a long query while other long ones run. An empty query with
    no filter searches nothing (``searched`` is False). ``viewer`` (the person
    searching) may see other themes than the index holds on some paragraphs
    (a blind coding round): ``search.blind`` then answers as they must see it.
    """
    value = partial(_filter_value, project=project)
    clean = _clean_filters(filters or {}, value)
    _check_paging(page, page_size, sort)
    parsed = q.ParsedQuery(query, q.map_filters(q.parse(query), value))
    result = SearchResult(query, clean, sort, page, min(page_size, MAX_PAGE_SIZE))
    if isinstance(parsed.node, q.MatchAll) and not clean:
        return result
    backend = get_backend()
    with gate.heavy_turn(query) as allowed:
        if not allowed:
            raise SearchBusy(
                BUSY.format(terms=q.term_count(query), heavy=gate.HEAVY_TERMS)
            )
        # An engine written in each change's transaction is already current.
        notice = (
            ""
            if backend.same_transaction
            else outbox.catch_up(backend, project, _person_id(viewer))
        )
        view = selectors.theme_view(project, viewer)
        if view is None:
            found = backend.search(
                parsed, clean, page, result.page_size, sort, project=project.pk
            )
        else:
            found = blind.search(
                backend, parsed, clean, page, result.page_size, sort, project.pk, view
            )
    _fill(result, found, notice, project)
    return result


def paragraphs_changed(
    *, paragraph_ids: Collection[int], actor_id: int | None = None
) -> None:
    """Update the index for these paragraphs (created, changed, deleted or
    re-themed), in the caller's transaction: written now when the engine lives
    in the database (PostgreSQL), else queued in the outbox and applied after
    commit or, at the latest, before ``actor_id``'s next search (Whoosh)."""
    backend = get_backend()
    if backend.same_transaction:
        backend.upsert(paragraph_ids)
    else:
        outbox.enqueue(paragraph_ids, actor_id=actor_id)


def _person_id(viewer: Any) -> int | None:
    """The signed-in person searching (their own changes are waited for);
    None for a command or an anonymous caller (everyone's are)."""
    if getattr(viewer, "is_authenticated", False):
        return int(viewer.pk)
    return None


class _IndexFollowsRecords:
    """``corpus.hooks`` listener: changed records are indexed again."""

    def paragraphs_changed(
        self, paragraph_ids: Collection[int], actor_id: int | None = None
    ) -> None:
        paragraphs_changed(paragraph_ids=paragraph_ids, actor_id=actor_id)

    def batch(self) -> AbstractContextManager[None]:
        return outbox.deferred()


INDEX_FOLLOWS_RECORDS = _IndexFollowsRecords()


def _clean_filters(
    filters: Mapping[str, Sequence[str]], value: Callable[[str, str], str]
) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for name, values in filters.items():
        if name not in FACETS:
            raise SearchRequestError(f"Unknown filter {name!r}.")
        kept = [v.strip() for v in values if v and v.strip()]
        if kept:
            clean[name] = [value(name, v) for v in kept]
    return clean


def _filter_value(name: str, value: str, *, project: Project) -> str:
    value = q.validate_filter(name, value)
    if name == "document":
        return selectors.document_slug(value, project)
    return value


def _check_paging(page: int, page_size: int, sort: str) -> None:
    if sort not in SORTS:
        raise SearchRequestError(f"sort must be one of {', '.join(SORTS)}.")
    if page < 1 or page_size < 1:
        raise SearchRequestError("page and page_size start at 1.")
    if page * min(page_size, MAX_PAGE_SIZE) > MAX_RESULTS:
        raise SearchRequestError(
            f"Only the first {MAX_RESULTS:,} results can be paged through; "
            "narrow the search."
        )


def _fill(
    result: SearchResult, found: SearchPage, notice: str, project: Project
) -> None:
    paragraphs = selectors.paragraphs_by_id([hit.id for hit in found.hits], project)
    result.rows = [
        # mark_safe: the highlight is the backend's escaped HTML, never raw text.
        ResultRow(paragraphs[h.id], h.score, mark_safe(h.highlight), h.themes)
        for h in found.hits
        if h.id in paragraphs  # deleted since the last drain
    ]
    result.total = found.total
    result.corrected_query = found.corrected_query
    result.facets = _facet_rows(found.facets, project)
    result.notice = " ".join(n for n in (found.notice, notice) if n)
    result.partial = found.partial
    result.searched = True


def _facet_rows(
    facets: Mapping[str, list[FacetCount]], project: Project
) -> dict[str, list[FacetRow]]:
    documents = [f.value for f in facets.get("document", [])]
    titles = selectors.document_labels(documents, project)
    labels = {"document": titles, "lang": {"": "unknown"}}
    return {
        name: [
            FacetRow(f.value, labels.get(name, {}).get(f.value, f.value), f.count)
            for f in counts
        ]
        for name, counts in facets.items()
    }


def _row_json(row: ResultRow) -> dict[str, Any]:
    p = row.paragraph
    return {
        "paragraph": {
            "id": p.id,
            "document": p.document.slug,
            "document_title": p.document.display_title,
            "position": p.position,
            "kind": p.kind,
            "lang": p.lang,
            "section": p.section,
            "text": p.text,
        },
        "score": round(row.score, 4),
        "highlight": str(row.highlight),
        "themes": list(row.themes),
    }
