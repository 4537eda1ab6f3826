"""The narrow interface between Gloss and a search engine.

Everything outside the engine modules talks to search through
``SearchBackend``: ``search/whoosh_backend/`` (the default, an index
directory on one host) and ``search/postgres_backend.py`` (full-text search in
the database, for several hosts) implement it and pass the same contract tests
(``tests/search/contract.py``). ``get_backend`` is the one place that picks.

A backend indexes ``IndexRecord``s, which it gets from a ``RecordSource`` by
paragraph id. It never queries the database itself: the source does (see
``search.selectors.DatabaseRecordSource``), which keeps backends testable and
lets the benchmark feed one from memory.

Every record belongs to a project and every search runs in one: results,
counts, facets and spelling corrections come from that project's records only,
so a search never tells anyone that another project's words exist.
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from search.query import ParsedQuery

SORTS = ("relevance", "document")
FACETS = ("document", "theme", "lang", "kind")
# Weight by record kind, in every engine: body text outranks the apparatus, so
# a passage is not crowded out by the footnotes and references that cite the
# same words. Whoosh's BM25F expects weights >= 1, hence 1 for the lowest.
KIND_BOOST = {
    "paragraph": 2.0,
    "heading": 2.0,
    "meta": 2.0,
    "footnote": 1.25,
    "reference": 1.0,
}


class SearchUnavailable(RuntimeError):
    """The index cannot be used right now (e.g. the writer lock is busy)."""


@dataclass(frozen=True)
class IndexRecord:
    """Everything the index holds about one paragraph record."""

    id: int
    project: int  # the project's id: searches see their own project's records only
    document: str  # the document's slug (unique within its project)
    document_order: str  # the document's source name: documents sort by it
    title: str
    authors: tuple[str, ...]
    section: str
    kind: str
    lang: str
    page: int | None
    position: int
    text: str
    themes: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """A digest of every indexed value: equal digests, equal index entries.
        (The dataclass ``repr`` of str, int, None and tuples is stable.)"""
        return hashlib.sha1(repr(self).encode("utf-8")).hexdigest()


class RecordSource(Protocol):
    """Where a backend reads the records it indexes."""

    def records(self, ids: Collection[int]) -> list[IndexRecord]:
        """The records among ``ids`` that exist (missing ids are left out)."""

    def all_records(self) -> Iterator[IndexRecord]:
        """Every record, in any order, streamed."""


@dataclass(frozen=True)
class SearchRequest:
    """One search's arguments (see ``SearchBackend.search``), query parsed."""

    parsed: ParsedQuery
    project: int  # the project's id; there is no "every project"
    filters: Mapping[str, Sequence[str]]
    page: int
    page_size: int
    sort: str


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    highlight: str  # safe HTML: escaped text with <mark> around matches
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass
class SearchPage:
    """One page of results. ``corrected_query`` is set when a misspelled word
    was replaced ("showing results for …"); ``notice`` carries a message for the
    user, e.g. that a missing index was rebuilt."""

    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    corrected_query: str | None = None
    notice: str = ""
    partial: bool = False  # stopped at the time budget: hits and counts incomplete

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class IndexStatus:
    location: str
    documents: int  # records in the index
    generation: str  # which build is live (the pointer's target)


@dataclass(frozen=True)
class Drift:
    """Differences between the index and the records source."""

    missing: list[int]  # in the source, not in the index
    extra: list[int]  # in the index, not in the source
    stale: list[int]  # in both, with different content

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)


class SearchBackend(ABC):
    """A search engine over paragraph records.

    Writes (``apply``, ``upsert``, ``delete``, ``rebuild``) are atomic: after
    one returns, every later ``search`` in any process sees all of it; after
    one fails or its process dies, none of it. Callers that read a queue and
    write must hold ``exclusive()`` across both (see ``search.outbox``).
    """

    # True when writes join the caller's database transaction (PostgreSQL):
    # a change is then indexed as part of it, with no outbox and no drainer.
    same_transaction = False

    def __init__(self, source: RecordSource) -> None:
        self.source = source

    @abstractmethod
    def apply(self, upserts: Sequence[IndexRecord], deletes: Collection[int]) -> None:
        """Add or replace ``upserts`` and remove ``deletes``, in one commit."""

    def tidy(self) -> bool:
        """Housekeeping for the drainer's idle moments (Whoosh: merging the
        small segments its commits left); whether anything was done."""
        return False

    def upsert(self, paragraph_ids: Collection[int]) -> None:
        """Bring the given records up to date from the source, in one commit:
        ids the source still has are (re)indexed, the others removed."""
        with self.exclusive():  # read and write as one step (see search.outbox)
            records = self.source.records(paragraph_ids)
            found = {record.id for record in records}
            self.apply(records, [pid for pid in paragraph_ids if pid not in found])

    def delete(self, paragraph_ids: Collection[int]) -> None:
        """Remove the given records from the index, in one commit."""
        self.apply([], paragraph_ids)

    def search(
        self,
        query: str | ParsedQuery,
        filters: Mapping[str, Sequence[str]] | None = None,
        page: int = 1,
        page_size: int = 20,
        sort: str = "relevance",
        *,
        project: int,
    ) -> SearchPage:
        """Run ``query`` (a string in ``search.query``'s language, or already
        parsed) in the records of ``project`` (an id) narrowed by ``filters``
        (facet name -> accepted values; values of one facet are ORed, facets
        ANDed). Hits, totals, facets and corrections are computed within the
        project only. Raises ``QuerySyntaxError``."""
        parsed = ParsedQuery.of(query)
        return self.run_search(
            SearchRequest(
                parsed, _project_id(project), filters or {}, page, page_size, sort
            )
        )

    @abstractmethod
    def run_search(self, request: SearchRequest) -> SearchPage:
        """``search`` with its arguments normalised (what an engine implements)."""

    @abstractmethod
    def rebuild(self) -> int:
        """Re-index every record from the source, switching atomically; returns
        the number of records. Searches keep working on the old index meanwhile."""

    @abstractmethod
    def fingerprints(self) -> dict[int, str]:
        """Record id -> ``IndexRecord.fingerprint()`` for every indexed record."""

    @abstractmethod
    def status(self) -> IndexStatus:
        """Where the index is, how many records it holds, which build is live."""

    def exclusive(self, timeout: float | None = None) -> AbstractContextManager[None]:
        """Hold the engine's single-writer lock (re-entrant in a thread).

        Raises ``SearchUnavailable`` when ``timeout`` seconds pass without it
        (``None``: wait as long as needed). Engines with their own concurrency
        control may leave this as a no-op.
        """
        return _NoLock()

    def close(self) -> None:  # noqa: B027 - optional: most engines hold nothing
        """Release what this process holds open (searchers, files)."""

    def count(self) -> int:
        return self.status().documents

    def drift(self) -> Drift:
        """Compare the index with the source (reads everything: for ``verify``)."""
        indexed = self.fingerprints()
        wanted = {r.id: r.fingerprint() for r in self.source.all_records()}
        return Drift(
            missing=sorted(set(wanted) - set(indexed)),
            extra=sorted(set(indexed) - set(wanted)),
            stale=sorted(i for i in wanted.keys() & indexed if wanted[i] != indexed[i]),
        )

    def repair(self, drift: Drift) -> None:
        """Fix ``drift`` in one commit. Every id is re-read from the source at
        repair time (not trusted from the comparison, which may be older): an
        "extra" record created meanwhile is indexed, not deleted."""
        self.upsert([*drift.missing, *drift.extra, *drift.stale])


def _project_id(project: object) -> int:
    """The id a search runs in; anything else is a caller's bug, not a search
    of every project (``bool`` is refused too: ``True`` is not project 1).

    >>> _project_id(3)
    3
    >>> _project_id(None)
    Traceback (most recent call last):
    ...
    TypeError: a search needs a project id, not None
    """
    if isinstance(project, bool) or not isinstance(project, int):
        raise TypeError(f"a search needs a project id, not {project!r}")
    return project


class _NoLock(AbstractContextManager[None]):
    def __exit__(self, *exc: object) -> None:
        return None


# One backend per process, engine and index location: searchers are cached in it,
# and after a fork the child must open its own (file handles are not shared).
_backends: dict[tuple[int, str, str], SearchBackend] = {}
_backends_lock = threading.Lock()


def get_backend() -> SearchBackend:
    """The configured backend for this process: Whoosh at ``GLOSS_INDEX_DIR``,
    or PostgreSQL (``GLOSS_SEARCH_BACKEND``). The one place an engine is chosen."""
    from django.conf import settings

    from search.selectors import DatabaseRecordSource

    engine = getattr(settings, "GLOSS_SEARCH_BACKEND", "whoosh")
    key = (os.getpid(), engine, str(settings.GLOSS_INDEX_DIR))
    with _backends_lock:
        if key not in _backends:
            _backends[key] = _make_backend(engine, DatabaseRecordSource())
        return _backends[key]


def _make_backend(engine: str, source: RecordSource) -> SearchBackend:
    from django.conf import settings

    if engine == "postgres":
        from search.postgres_backend import PostgresBackend

        return PostgresBackend(
            source, time_budget=settings.GLOSS_SEARCH_TIME_BUDGET or None
        )
    from search.whoosh_backend import WhooshBackend

    return WhooshBackend(
        Path(settings.GLOSS_INDEX_DIR),
        source,
        procs=settings.GLOSS_SEARCH_PROCS,
        memory_mb=settings.GLOSS_SEARCH_MEMORY_MB,
        time_budget=settings.GLOSS_SEARCH_TIME_BUDGET or None,
    )


def reset_backends() -> None:
    """Forget this process's backends (tests switch index directories)."""
    with _backends_lock:
        for backend in _backends.values():
            backend.close()
        _backends.clear()
