"""The Whoosh implementation of ``SearchBackend``: the only module importing whoosh.

Layout of the index root (``GLOSS_INDEX_DIR``)::

    CURRENT            name of the live build, replaced atomically (os.replace)
    write.lock         flock()ed by the one process allowed to write
    build-<stamp>/     a Whoosh index; the live one and at most one older
      SCHEMA           the ``SCHEMA_VERSION`` it was built with (none: version 1)

A build made with another schema version is treated like a damaged one: it is
rebuilt from the database before it is used (e.g. version 1 had no project
field, and searching it in a project would find nothing).

Every record carries its project (the ``project`` field) and every search is
narrowed to one: only the project's records are collected (so the results,
the total and the facets are the project's), and spelling corrections check
each candidate word against the project's records (Whoosh's term dictionary
is global to the index).

Whoosh allows one writer per index and raises ``LockError`` at once when a
second one starts, so every write here happens under ``exclusive()``, an
``fcntl.flock`` on ``write.lock`` that the kernel releases when a process dies.
A rebuild fills a new ``build-*`` directory and then switches ``CURRENT``;
searches keep reading the old build until the switch, while changes made
meanwhile wait in the outbox (the rebuild holds the lock) and are applied to
the new build afterwards.

Searchers are cached per thread (readers hold file positions) and reopened
when ``CURRENT`` names another build or the build has a newer commit.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import secrets
import shutil
import struct
import threading
import time
from collections.abc import (
    Collection,
    Container,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import collectors, columns, fields, highlight, index, reading, sorting
from whoosh import query as wq
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.codec import whoosh3
from whoosh.idsets import BitSet
from whoosh.searching import Searcher
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from search import analysis, whoosh_bulk
from search import query as q
from search.backend import (
    KIND_BOOST,
    FacetCount,
    Hit,
    IndexRecord,
    IndexStatus,
    RecordSource,
    SearchBackend,
    SearchPage,
    SearchRequest,
    SearchUnavailable,
)
from search.highlight import Marker

log = logging.getLogger(__name__)
# Below this many records a rebuild runs in one process.
SMALL_BUILD = 5000

POINTER = "CURRENT"
LOCK_FILE = "write.lock"
BUILD_PREFIX = "build-"
SCHEMA_FILE = "SCHEMA"
# Bump when the fields or their analysis change: older builds are rebuilt.
# 2: the ``project`` field (searches are narrowed to one project).
SCHEMA_VERSION = 2

# Where a query word is looked for, with query-time weights: the record's own
# text, in the stemmed field of its language, plus the unstemmed ``raw`` field
# (an exact-form bonus; the only text field of records in other languages).
TEXT_FIELDS = (("text_en", "en", 1.0), ("text_fr", "fr", 1.0), ("raw", "xx", 0.5))
# The record's context: section heading, document title and byline. They only
# raise the rank of records that match in their own text; matching there too
# made every record of a paper a result for a word of its title, and made
# queries 2-3 times slower at 100,000 records (each word became six terms).
CONTEXT_FIELDS = (("section", "en", 0.3), ("title", "en", 0.25), ("authors", "xx", 0.5))
# Fields whose terms make a word "known" (not to be corrected).
VOCABULARY_FIELDS = tuple(
    (name, lang) for name, lang, _ in (*TEXT_FIELDS, *CONTEXT_FIELDS)
)
FILTER_FIELDS = {
    "theme": "themes",
    "document": "document",
    "lang": "lang",
    "kind": "kind",
}
WHOLE_TEXT_CHARS = 400  # shorter records are shown whole, longer ones as excerpts
REBUILT_NOTICE = (
    "The search index was missing or damaged and has been rebuilt from the database."
)
FieldSpec = tuple[str, str, float]  # field name, analysis language, query weight


class OutdatedSchema(index.IndexError):
    """The live build was made with another ``SCHEMA_VERSION``: rebuild it."""


CORRUPTION = (OSError, EOFError, struct.error, KeyError, index.IndexError)


class NormaliseFilter(Filter):
    """Fold accents and stem (``search.analysis.normalise``) each token."""

    is_morph = True

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        normalise, lang = analysis.normalise, self.lang
        for token in tokens:
            token.text = normalise(token.text, lang)
            yield token


def analyzer(lang: str) -> Any:
    return RegexTokenizer(analysis.TOKEN_PATTERN) | NormaliseFilter(lang)


Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, value


class AnalysedText(fields.TEXT):
    """A TEXT field that indexes without Whoosh's token pipeline.

    ``index()`` is what bulk indexing spends most of its analysis time in: for
    every word Whoosh's tokenizer and filters pass a mutable ``Token`` along a
    chain of generators. This computes the same (term, frequency, weight,
    posting value) tuples from ``analysis.words`` and ``analysis.normalise``
    directly; ``tests/search/test_whoosh_backend.py`` checks that both paths
    give identical postings. Queries still go through ``analyzer()``.
    """

    def __init__(self, lang: str, phrase: bool = True) -> None:
        super().__init__(analyzer=analyzer(lang), phrase=phrase)
        self.lang = lang

    def index(
        self, value: Any, **kwargs: Any
    ) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, str):  # lists and tuples: Whoosh's own path
            yield from super().index(value, **kwargs)
            return
        normalise, lang = analysis.normalise, self.lang
        field_boost = self.format.field_boost
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(analysis.words(value)):
            positions.setdefault(normalise(word, lang), []).append(position)
        encode = self.format.encode if self.format.supports("positions") else None
        for term, where in positions.items():
            freq = len(where)
            posting = encode(where) if encode else pack_uint(freq)
            yield term.encode("utf-8"), freq, freq * field_boost, posting


def _cached_doc_field_length(
    self: Any, docnum: int, fieldname: str, default: int = 0
) -> int | None:
    """``W3PerDocReader.doc_field_length`` reading from memory.

    Whoosh reads a document's field length from its file once per call: once
    per posting when a segment is written (a fifth of bulk indexing time) and
    once per matching document when BM25 scores a search. This loads each
    field's length column (one byte per document) on first use and answers
    from it, with the original's results, quirks included (``None`` for a
    zero length byte).
    """
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    cache = self.__dict__.setdefault("_gloss_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        reader = self._cached_reader(
            whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
        )
        lengths = cache[fieldname] = b"" if reader is None else bytes(reader.load())
        cache[fieldname, "column"] = reader is not None
    if not cache[fieldname, "column"]:
        return default
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    return byte_to_length(lbyte) if lbyte else None


def _cached_column_reader(
    self: Any,
    fieldname: str,
    column: Any = None,
    reverse: bool = False,
    translate: bool = True,
) -> Any:
    """``SegmentReader.column_reader``, made once per segment reader and field.

    Whoosh makes a new column reader per call, and a variable-length column's
    reader starts by reading one offset per document: every facet of every
    search re-read four columns' offsets, a fifth of a search's time at 30,000
    records. Column readers are read-only once made (``reverse`` mutates one,
    so reversed readers are not cached), and a segment reader, like the
    searcher holding it, serves one thread.
    """
    if reverse or column is not None:
        return whoosh_column_reader(self, fieldname, column, reverse, translate)
    cache = self.__dict__.setdefault("_gloss_columns", {})
    key = (fieldname, translate)
    if key not in cache:
        cache[key] = whoosh_column_reader(self, fieldname, None, False, translate)
    return cache[key]


# whoosh-reloaded is pinned (2.7.5): the replaced methods are checked against
# the originals (kept here) in tests/search/test_whoosh_backend.py.
whoosh_doc_field_length = whoosh3.W3PerDocReader.doc_field_length
whoosh3.W3PerDocReader.doc_field_length = _cached_doc_field_length
whoosh_column_reader = reading.SegmentReader.column_reader
reading.SegmentReader.column_reader = _cached_column_reader


class ThemesField(fields.KEYWORD):
    """Multi-valued theme slugs, with a list column so facets can count each."""

    def __init__(self) -> None:
        super().__init__(stored=True, commas=True)
        # Set here: KEYWORD ignores a column passed as ``sortable``.
        self.column_type = columns.VarBytesListColumn()

    def to_column_value(self, value: Any) -> list[bytes]:
        values = [value] if isinstance(value, str) else value
        return [v.encode("utf-8") for v in values]


def make_schema() -> fields.Schema:
    """One Whoosh document per paragraph record (see ``IndexRecord``).

    Word queries use the stemmed per-language fields, which keep frequencies
    but no positions; ``raw`` (folded, unstemmed, with positions) serves exact
    phrases, prefixes, spelling suggestions and an exact-form bonus. Positions
    are kept once, not per field: they are what makes Whoosh indexing slow.
    """
    stemmed = {
        f"text_{lang}": _frequency_field(lang) for lang in analysis.STEMMED_LANGUAGES
    }
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        project=fields.ID(),  # the project's id: every search is narrowed by it
        document=fields.ID(stored=True, sortable=True),
        # Sort keys only: columns, no postings (NUMERIC would index 8 terms).
        order=fields.COLUMN(columns.VarBytesColumn()),
        kind=fields.ID(stored=True, sortable=True),
        lang=fields.ID(stored=True, sortable=True),
        themes=ThemesField(),
        position=fields.COLUMN(columns.NumericColumn("I")),
        raw=AnalysedText(analysis.OTHER_LANGUAGE),
        title=_frequency_field("en"),
        authors=_frequency_field(analysis.OTHER_LANGUAGE),
        section=_frequency_field("en"),
        body=fields.STORED(),
        fingerprint=fields.STORED(),
        **stemmed,
    )


def analysed_fields(schema: fields.Schema) -> dict[str, str]:
    """The ``AnalysedText`` fields of ``schema`` with their analysis language."""
    return {
        name: field.lang
        for name, field in schema.items()
        if isinstance(field, AnalysedText)
    }


def _frequency_field(lang: str) -> fields.TEXT:
    return AnalysedText(lang, phrase=False)


def to_document(record: IndexRecord) -> dict[str, Any]:
    """The ``add_document`` keywords for one record."""
    lang = analysis.field_language(record.lang)
    return {
        "id": str(record.id),
        "project": str(record.project),
        "document": record.document,
        "order": record.document_order.encode("utf-8"),
        "kind": record.kind,
        "lang": record.lang or "",
        "themes": sorted(set(record.themes)),
        "position": record.position,
        "title": record.title,
        "authors": " ; ".join(record.authors),
        "section": record.section,
        "raw": record.text,
        **({f"text_{lang}": record.text} if lang in analysis.STEMMED_LANGUAGES else {}),
        "body": record.text,
        "fingerprint": record.fingerprint(),
        "_boost": KIND_BOOST.get(record.kind, 1.0),
    }


class WhooshBackend(SearchBackend):
    """Whoosh index under ``root`` (see the module docstring for the layout)."""

    def __init__(
        self,
        root: Path,
        source: RecordSource,
        procs: int = 1,
        memory_mb: int = 1024,
        time_budget: float | None = None,
    ) -> None:
        super().__init__(source)
        self.root = Path(root)
        self.procs = procs  # processes for bulk indexing (rebuild)
        # Seconds one search may spend collecting matches before it stops
        # with partial results (None: no limit), so no query holds a worker.
        self.time_budget = time_budget
        # Whoosh's posting pool per process: past it, postings spill to disk
        # and are merged back, which made bulk indexing ~2x slower at 100k.
        self.limitmb = memory_mb
        self._local = threading.local()

    # -- locking ---------------------------------------------------------

    @contextlib.contextmanager
    def exclusive(self, timeout: float | None = None) -> Iterator[None]:
        depth = getattr(self._local, "lock_depth", 0)
        if depth:  # this thread holds it already
            self._local.lock_depth = depth + 1
            try:
                yield
            finally:
                self._local.lock_depth -= 1
            return
        handle = self._acquire(timeout)
        self._local.lock_depth = 1
        try:
            yield
        finally:
            self._local.lock_depth = 0
            handle.close()  # closing the file releases the flock

    def _acquire(self, timeout: float | None) -> Any:
        """flock (not lockf): it excludes other threads of this process too."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / LOCK_FILE).open("a")
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    handle.close()
                    raise SearchUnavailable("the search index is busy") from None
                time.sleep(0.005)

    # -- builds and the pointer --------------------------------------------

    def _live_build(self) -> Path | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name if name else None

    def _switch(self, build: Path) -> None:
        """Point ``CURRENT`` at ``build`` atomically; keep one older build for
        searches still running on it, delete the rest."""
        tmp = self.root / f"{POINTER}.{secrets.token_hex(4)}"
        tmp.write_text(build.name)
        tmp.replace(self.root / POINTER)  # os.replace: atomic on POSIX
        builds = sorted(self.root.glob(f"{BUILD_PREFIX}*"))  # names sort by time
        for old in [b for b in builds if b != build][:-1]:
            shutil.rmtree(old, ignore_errors=True)

    def _new_build(self) -> tuple[Path, index.Index]:
        stamp = f"{time.strftime('%Y%m%dT%H%M%S')}.{time.time_ns() % 10**9:09d}"
        build = self.root / f"{BUILD_PREFIX}{stamp}-{secrets.token_hex(3)}"
        build.mkdir(parents=True)
        (build / SCHEMA_FILE).write_text(f"{SCHEMA_VERSION}\n")
        return build, index.create_in(str(build), make_schema())

    def _open(self) -> index.Index:
        build = self._live_build()
        if build is None or not index.exists_in(str(build)):
            raise index.EmptyIndexError(f"no search index at {self.root}")
        version = _schema_version(build)
        if version != SCHEMA_VERSION:
            raise OutdatedSchema(
                f"index schema version {version}, this code needs {SCHEMA_VERSION}"
            )
        return index.open_dir(str(build))

    # -- writes ----------------------------------------------------------

    def apply(self, upserts: Sequence[IndexRecord], deletes: Collection[int]) -> None:
        if not upserts and not deletes:
            return
        with self.exclusive():
            ix, rebuilt = self._writable()
            if rebuilt:
                return  # rebuilt from the database just now: already current
            writer = ix.writer()
            try:
                for pid in deletes:
                    writer.delete_by_term("id", str(pid))
                for record in upserts:
                    writer.update_document(**to_document(record))
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer)

    def _commit(self, writer: Any) -> None:
        """Make a batch durable and visible (a hook point for crash tests)."""
        writer.commit()

    def _writable(self) -> tuple[index.Index, bool]:
        """The live index, rebuilt first if it is missing or unreadable; and
        whether it was rebuilt (from the source, so it holds every change)."""
        try:
            return self._open(), False
        except CORRUPTION as exc:
            self._recover(exc)
            return self._open(), True

    def rebuild(self) -> int:
        """Build a new index from the source and switch to it.

        Holds the writer lock throughout, so changes made meanwhile wait in
        the outbox and are applied to the new build afterwards, never to the
        old one only. Searches keep using the old build until the switch.
        """
        with self.exclusive():
            build, ix = self._new_build()
            try:
                count = self._fill(ix, self.source.all_records())
            except BaseException:
                shutil.rmtree(build, ignore_errors=True)
                raise
            self._switch(build)
        self._forget_searchers()
        log.info("search index rebuilt: %d records in %s", count, build.name)
        return count

    def _fill(self, ix: index.Index, records: Iterator[IndexRecord]) -> int:
        """Bulk indexing (``search.whoosh_bulk``): with ``procs`` > 1, each
        process indexes a contiguous run of the records into its own
        segments (no merge). A small corpus is indexed in this process:
        starting subprocesses would cost more."""
        everything = list(records)
        procs = self.procs if len(everything) >= SMALL_BUILD else 1
        count = whoosh_bulk.write_index(
            ix,
            everything,
            to_document,
            analysed_fields(ix.schema),
            procs=procs,
            limitmb=self.limitmb,
        )
        # Never switch to an index that lost records.
        with ix.searcher() as searcher:
            if searcher.doc_count() != count:
                raise RuntimeError(
                    f"index build incomplete: {searcher.doc_count()} of {count} records"
                )
        return count

    def _recover(self, exc: BaseException) -> None:
        """Rebuild a missing or unreadable index from the source (once, even when
        several processes notice at the same time)."""
        with self.exclusive():
            try:
                self._open().searcher().close()
                return  # another process rebuilt it while we waited
            except CORRUPTION:
                pass
            if isinstance(exc, index.EmptyIndexError):
                log.info(
                    "no search index yet at %s; building it from the database",
                    self.root,
                )
            else:
                log.warning(
                    "search index unusable (%s); rebuilding it from the database", exc
                )
            self.rebuild()

    # -- reads -----------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher on the live build, reopened when it changed.

        Reopened rather than ``Searcher.refresh()``ed: in whoosh-reloaded 2.7.5
        ``refresh()`` keeps the segments a merge replaced, so a refreshed
        searcher counts old versions of updated records (see
        ``tests/search/test_whoosh_backend.py``).
        """
        build = self._live_build()
        cached: tuple[Path, Searcher] | None = getattr(self._local, "searcher", None)
        if cached is not None and cached[0] == build and cached[1].up_to_date():
            return cached[1]
        self._forget_searchers()
        searcher = self._open().searcher()
        self._local.searcher = (build, searcher)
        return searcher

    def close(self) -> None:
        self._forget_searchers()

    def _forget_searchers(self) -> None:
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached[1].close()
        self._local.searcher = None

    def _usable_searcher(self) -> tuple[Searcher, str]:
        """A searcher, rebuilding a missing or corrupt index first; the notice
        tells the user when that happened."""
        try:
            return self._searcher(), ""
        except CORRUPTION as exc:
            self._forget_searchers()
            self._recover(exc)
            return self._searcher(), REBUILT_NOTICE

    def run_search(self, request: SearchRequest) -> SearchPage:
        parsed, project = request.parsed, request.project
        args = (request.filters, request.page, request.page_size, request.sort)
        searcher, notice = self._usable_searcher()
        try:
            result = _Search(searcher, parsed, project, self.time_budget).run(*args)
        except CORRUPTION as exc:  # damage found only while reading postings
            self._forget_searchers()
            self._recover(exc)
            again = _Search(self._searcher(), parsed, project, self.time_budget)
            result = again.run(*args)
            notice = REBUILT_NOTICE
        result.notice = " ".join(filter(None, [notice, result.notice]))
        return result

    def fingerprints(self) -> dict[int, str]:
        searcher, _ = self._usable_searcher()
        return {
            int(stored["id"]): stored["fingerprint"]
            for stored in searcher.all_stored_fields()
        }

    def status(self) -> IndexStatus:
        build = self._live_build()
        try:
            count = self._searcher().doc_count()
        except CORRUPTION:
            count = 0
        return IndexStatus(
            location=str(self.root),
            documents=count,
            generation=build.name if build else "(none)",
        )


@dataclass
class _Search:
    """One search in one project: compile the tree, correct typos, collect,
    highlight."""

    searcher: Searcher
    parsed: q.ParsedQuery
    project: int
    time_budget: float | None = None
    lookups: int = 0  # spelling lookups made (at most q.MAX_CORRECTIONS)

    def run(
        self, filters: Mapping[str, Sequence[str]], page: int, page_size: int, sort: str
    ) -> SearchPage:
        node, corrected = q.correct(self.parsed.text, self.parsed.node, self._fix)
        compiled = wq.And([compile_query(node), *compile_filters(filters)])
        collector: Any = self.searcher.collector(
            limit=page * page_size,
            groupedby=_facets(),
            sortedby=_sort(sort),
            scored=True,
        )
        collector = _ProjectCollector(collector, self._allowed(), self.time_budget)
        notice = ""
        try:
            self.searcher.search_with_collector(compiled, collector)
        except collectors.TimeLimit:
            notice = BUDGET_NOTICE.format(seconds=self.time_budget)
        results = collector.results()
        marker = Marker.from_node(node)
        start = (page - 1) * page_size
        hits = [_hit(hit, marker) for hit in results[start : page * page_size]]
        return SearchPage(
            hits=hits,
            total=len(results),
            page=page,
            page_size=page_size,
            facets=_facet_counts(results),
            corrected_query=corrected,
            notice=notice,
            partial=bool(notice),
        )

    def _fix(self, word: str) -> str | None:
        """A replacement for a word the index does not know, or None.

        At most ``q.MAX_CORRECTIONS`` words are looked up: each lookup walks
        the vocabulary within two edits, and 32 misspelled words took 1-4 s
        before the time budget even began. Later unknown words stay as typed.
        """
        folded = analysis.fold(word)
        if len(folded) < 4 or folded.isdigit() or self._known(word):
            return None
        if self.lookups >= q.MAX_CORRECTIONS:
            return None
        self.lookups += 1
        return _suggest(self.searcher, folded, self._allowed())

    def _known(self, word: str) -> bool:
        """Whether a record of the project has ``word`` (in any vocabulary
        field): the term dictionary alone would know other projects' words."""
        reader = self.searcher.reader()
        terms = [
            wq.Term(name, text)
            for name, lang in VOCABULARY_FIELDS
            if reader.doc_frequency(name, text := analysis.normalise(word, lang))
        ]
        allowed = self._allowed()
        if not terms or allowed is None:  # one project: its dictionary is the index's
            return bool(terms)
        return project_frequency(self.searcher, wq.Or(terms), allowed, limit=1) > 0

    def _allowed(self) -> Container[int] | None:
        return project_docs(self.searcher, self.project)


BUDGET_NOTICE = (
    "This search stopped at its {seconds:g}-second time budget: the results and "
    "counts below are partial. Narrow the query (fewer OR words or prefixes) "
    "for complete results."
)


class _ProjectCollector(collectors.WrappingCollector):
    """Collects the matches among ``allowed`` (global document numbers; None:
    all), and stops with ``TimeLimit`` once ``budget`` seconds have passed.

    The project is checked here rather than as a query term: ANDing every
    query with a term that most records have made searches 3x slower (its
    postings were walked along with the query's). Everything counted (total,
    facets) is counted from what is collected, so from the project only.

    Whoosh's own ``TimeLimitCollector`` starts a timer thread per search and
    can only interrupt by SIGALRM, which works in the main thread alone; this
    checks a monotonic clock between matches instead, in any thread. What was
    collected before the deadline stays available through ``results()``.
    Whoosh's ``FilterCollector`` is not used: wrapped, its filter is skipped.
    """

    def __init__(
        self, child: Any, allowed: Container[int] | None, budget: float | None
    ) -> None:
        super().__init__(child)
        self.allowed = allowed
        self.budget = budget
        self.deadline = 0.0

    def prepare(self, top_searcher: Any, query: Any, context: Any) -> None:
        if self.budget is not None:
            self.deadline = time.monotonic() + self.budget
        self.child.prepare(top_searcher, query, context)

    def collect_matches(self) -> None:
        child, allowed, offset = self.child, self.allowed, self.offset
        budget, deadline = self.budget, self.deadline
        for sub_docnum in child.matches():
            if allowed is None or offset + sub_docnum in allowed:
                child.collect(sub_docnum)
            if budget is not None and time.monotonic() >= deadline:
                raise collectors.TimeLimit


def _suggest(
    searcher: Searcher, folded: str, allowed: Container[int] | None
) -> str | None:
    """The word within one edit of ``folded`` (two for longer words), sharing
    its first letter, that most records of the project have (``allowed``,
    see ``project_docs``); None when nothing is that close. Runs on the
    unstemmed ``raw`` field: stems would suggest non-words. The candidates
    come from the index's term dictionary, which holds every project's words,
    so each is counted in the project's records
    (and dropped at zero): another project's word is never offered, nor does
    its frequency there decide between two of this project's words."""
    for maxdist in (1, 2) if len(folded) >= 6 else (1,):
        words = {
            word
            for leaf, _offset in searcher.reader().leaf_readers()
            for word in leaf.terms_within("raw", folded, maxdist, prefix=1)
        }
        found = {
            word: count
            for word in words
            if (count := _raw_frequency(searcher, word, allowed))
        }
        if found:
            return max(found, key=lambda w: (found[w], w))
    return None


def _raw_frequency(
    searcher: Searcher, word: str, allowed: Container[int] | None
) -> int:
    """Records having ``word`` in ``raw``: from the term dictionary when the
    index holds one project (as before projects), else counted in the project."""
    if allowed is None:
        return int(searcher.doc_frequency("raw", word))
    return project_frequency(searcher, wq.Term("raw", word), allowed)


def project_docs(searcher: Searcher, project: int) -> Container[int] | None:
    """The global document numbers of ``project``'s records in this searcher,
    or None when every record of the index is the project's (one project: no
    checking at all). Made once per searcher and project (a searcher is
    reopened when the index changes, so it never goes stale)."""
    reader, term = searcher.reader(), str(project)
    # Deleted records are in both counts: equal means no other project's.
    if reader.doc_frequency("project", term) == reader.doc_count_all():
        return None
    cache = searcher.__dict__.setdefault("_gloss_projects", {})
    if term not in cache:
        docs = searcher.docs_for_query(wq.Term("project", term))
        cache[term] = BitSet(docs, size=reader.doc_count_all())
    allowed: Container[int] = cache[term]
    return allowed


def project_frequency(
    searcher: Searcher,
    query: wq.Query,
    allowed: Container[int] | None,
    limit: int | None = None,
) -> int:
    """How many live records among ``allowed`` (None: all) match ``query``
    (counting stops at ``limit``). Deleted records are not counted, unlike
    ``doc_frequency``."""
    found = searcher.docs_for_query(query)  # global numbers, deleted ones left out
    docs = (d for d in found if allowed is None or d in allowed)
    return sum(1 for _ in itertools.islice(docs, limit))


# -- compiling the query tree -------------------------------------------------


def compile_query(node: q.Node) -> wq.Query:
    """The tree as a Whoosh query: words in the records' own text, ranked up
    when the section, title or byline has them too."""
    compiled = compile_node(node)
    words = [leaf for leaf in q.positive_leaves(node) if isinstance(leaf, q.Word)]
    if not words:
        return compiled
    context = wq.Or([_word_query(w.text, CONTEXT_FIELDS) for w in words])
    return wq.AndMaybe(compiled, context)


def compile_node(node: q.Node) -> wq.Query:
    if isinstance(node, q.And | q.Or):
        kind = wq.And if isinstance(node, q.And) else wq.Or
        return kind([compile_node(c) for c in node.children])
    if isinstance(node, q.Not):
        return wq.Not(compile_node(node.child))
    if isinstance(node, q.Word):
        return _word_query(node.text, TEXT_FIELDS)
    if isinstance(node, q.Phrase):
        return _phrase_query(node.words)
    if isinstance(node, q.Prefix):
        # Scored like words (Whoosh scores expansions as constants by default).
        return wq.Prefix("raw", node.text, constantscore=False)
    if isinstance(node, q.Filter):
        return _filter_query(node.name, [node.value])
    return wq.Every()


def _word_query(word: str, specs: Sequence[FieldSpec]) -> wq.Query:
    parts = list(analysis.words(word))
    if not parts:
        return wq.NullQuery
    if len(parts) > 1:  # "U.S.-Mexico": one word typed, several indexed
        return _phrase_query(parts)
    return wq.Or(
        [
            wq.Term(name, analysis.normalise(parts[0], lang), boost=weight)
            for name, lang, weight in specs
        ]
    )


def _phrase_query(words: list[str]) -> wq.Query:
    """Exact: the folded words, adjacent and in order, in the unstemmed field."""
    terms = [analysis.fold(word) for word in words]
    if not terms:
        return wq.NullQuery
    return wq.Term("raw", terms[0]) if len(terms) == 1 else wq.Phrase("raw", terms)


def _filter_query(name: str, values: Sequence[str]) -> wq.Query:
    """Filters select without adding to the score."""
    field = FILTER_FIELDS[name]
    return wq.ConstantScoreQuery(wq.Or([wq.Term(field, v) for v in values]), 0.0)


def compile_filters(filters: Mapping[str, Sequence[str]]) -> list[wq.Query]:
    return [_filter_query(name, values) for name, values in filters.items() if values]


class _SegmentFacet(sorting.FieldFacet):
    """A column facet whose per-document names are read once per segment.

    Whoosh's categorizers read each matching document's value from the column
    file and decode it, for every facet of every search; a segment's columns
    never change once written, so the names are kept in memory per segment
    (``_segment_names``) and counting a facet becomes a list lookup. The names
    are the ones Whoosh's own categorizers give (checked in the tests).
    """

    def categorizer(self, global_searcher: Searcher) -> sorting.Categorizer:
        return _SegmentCategorizer(self.fieldname, self.allow_overlap)


class _SegmentCategorizer(sorting.Categorizer):
    def __init__(self, fieldname: str, allow_overlap: bool) -> None:
        self.fieldname = fieldname
        self.allow_overlap = allow_overlap
        self._names: Sequence[Any] = ()

    def set_searcher(self, segment_searcher: Searcher, docoffset: int) -> None:
        reader = segment_searcher.reader()
        self._names = _segment_names(reader, self.fieldname, self.allow_overlap)

    def key_for(self, matcher: Any, segment_docnum: int) -> Any:
        return self._names[segment_docnum]

    def keys_for(self, matcher: Any, segment_docnum: int) -> Any:
        return self._names[segment_docnum]


# (segment id, document count, field) -> names, for the segments in use: a
# live index has a handful; old builds' entries age out.
_NAMES_CACHE: dict[tuple[str, int, str], list[Any]] = {}
_NAMES_CACHE_SIZE = 256
_NAMES_LOCK = threading.Lock()


def _segment_names(reader: Any, fieldname: str, lists: bool) -> list[Any]:
    key = (reader.segment().segment_id(), reader.doc_count_all(), fieldname)
    names = _NAMES_CACHE.get(key)
    if names is None:
        column = whoosh_column_reader(reader, fieldname, None, False, False)
        if lists:  # what OverlappingCategorizer.keys_for gives: the raw list
            names = [column[docnum] for docnum in range(reader.doc_count_all())]
        else:  # ColumnCategorizer: the sort key, then key_to_name
            field = reader.schema[fieldname]
            names = [
                field.from_column_value(column.sort_key(docnum))
                for docnum in range(reader.doc_count_all())
            ]
        with _NAMES_LOCK:
            if len(_NAMES_CACHE) >= _NAMES_CACHE_SIZE:
                _NAMES_CACHE.pop(next(iter(_NAMES_CACHE)))
            _NAMES_CACHE[key] = names
    return names


def _facets() -> dict[str, sorting.FieldFacet]:
    def count(field: str, **kw: Any) -> sorting.FieldFacet:
        return _SegmentFacet(field, maptype=sorting.Count, **kw)

    return {
        "document": count("document"),
        "theme": count("themes", allow_overlap=True),
        "lang": count("lang"),
        "kind": count("kind"),
    }


def _sort(sort: str) -> sorting.MultiFacet | None:
    if sort == "document":
        return sorting.MultiFacet(
            [sorting.FieldFacet("order"), sorting.FieldFacet("position")]
        )
    return None


def _facet_counts(results: Any) -> dict[str, list[FacetCount]]:
    counts = {}
    for name in ("document", "theme", "lang", "kind"):
        groups = results.groups(name)
        items = [(_name(key), n) for key, n in groups.items() if key is not None]
        items.sort(key=lambda item: (-item[1], item[0]))
        counts[name] = [FacetCount(value, n) for value, n in items]
    return counts


def _name(key: Any) -> str:
    return key.decode("utf-8") if isinstance(key, bytes) else str(key)


# -- highlighting -------------------------------------------------------------


def _mark(marker: Marker, tokens: Iterable[Any], lang: str) -> list[Any]:
    """Whoosh tokens with ``matched`` set (what the HtmlFormatter marks).

    Copies: Whoosh's tokenizer yields one Token object changed in place, and a
    phrase is only seen whole by looking at the words around each one."""
    copies = [token.copy() for token in tokens]
    flags = marker.flags([token.text for token in copies], lang)
    for token, matched in zip(copies, flags, strict=True):
        token.matched = matched
    return copies


_TOKENIZER = RegexTokenizer(analysis.TOKEN_PATTERN)


def highlight_html(text: str, marker: Marker, lang: str) -> str:
    """Safe HTML for a record: the text escaped by Whoosh's ``HtmlFormatter``
    (the only Whoosh formatter that escapes), matches in <mark>. Long texts
    become excerpts around the matches; with no match, the opening lines."""
    formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    field_lang = analysis.field_language(lang)
    tokens = _mark(marker, _TOKENIZER(text, chars=True, mode="query"), field_lang)
    if len(text) <= WHOLE_TEXT_CHARS:
        fragmenter: Any = highlight.WholeFragmenter()
    else:
        fragmenter = highlight.ContextFragmenter(maxchars=300, surround=90)
    fragments = highlight.top_fragments(
        fragmenter.fragment_tokens(text, tokens),
        2,
        highlight.BasicFragmentScorer(),
        highlight.FIRST,
    )
    if not fragments:
        end = min(len(text), WHOLE_TEXT_CHARS)
        fragments = [highlight.Fragment(text, [], 0, end)]
    html = formatter.format(fragments)
    before = "… " if fragments[0].startchar > 0 else ""
    after = " …" if fragments[-1].endchar < len(text) else ""
    return before + html + after


def _hit(hit: Any, marker: Marker) -> Hit:
    score = hit.score if isinstance(hit.score, float) else 0.0
    return Hit(
        id=int(hit["id"]),
        score=score,
        highlight=highlight_html(hit["body"], marker, hit.get("lang", "")),
        themes=tuple(_themes(hit.get("themes"))),
    )


def _schema_version(build: Path) -> int:
    """The ``SCHEMA_VERSION`` a build was made with (1: before the file)."""
    try:
        return int((build / SCHEMA_FILE).read_text().strip())
    except FileNotFoundError:
        return 1
    except ValueError:
        return 0  # unreadable: not this version, so rebuilt


def _themes(stored: Any) -> list[str]:
    if not stored:
        return []
    return [stored] if isinstance(stored, str) else list(stored)
