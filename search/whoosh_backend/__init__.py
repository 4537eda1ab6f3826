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

import array
import bisect
import collections
import contextlib
import fcntl
import heapq
import io
import itertools
import logging
import math
import pickle
import secrets
import shutil
import struct
import threading
import time
import zlib
from collections.abc import (
    Callable,
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

from whoosh import (
    collectors,
    columns,
    fields,
    formats,
    highlight,
    index,
    matching,
    reading,
    scoring,
    sorting,
)
from whoosh import query as wq
from whoosh.analysis import Filter, RegexTokenizer, Token
from whoosh.codec import whoosh3
from whoosh.filedb.structfile import BufferFile
from whoosh.idsets import BitSet
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import byte_to_length

from search import analysis
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
from search.whoosh_backend import bulk

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
    lengths = _length_bytes(self, fieldname)
    if lengths is None:
        return default
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    return byte_to_length(lbyte) if lbyte else None


class _SegmentCache:
    """What is read from a written segment, kept across searchers.

    A segment's files never change once written (deletions are kept apart,
    in the index's table of contents), so what is derived from them is keyed
    by the segment's id and document count, not by the reader: a searcher
    reopened after a small commit finds the big segments' entries here and
    reads only the new segment. The least recently used entry goes first,
    so the entries of big segments in use outlive those of short-lived small
    segments that merges replaced.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()  # outside the lock: another thread may make it too
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _segment_key(segment: Any, *parts: Any) -> tuple[Any, ...]:
    return (segment.segment_id(), segment.doc_count_all(), *parts)


# (segment, field) -> the field's length bytes (None: no length column).
_LENGTH_BYTES = _SegmentCache(256)


def _length_bytes(perdoc: Any, fieldname: str) -> bytes | None:
    def load() -> bytes | None:
        reader = perdoc._cached_reader(
            whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
        )
        return None if reader is None else bytes(reader.load())

    found: bytes | None = _LENGTH_BYTES.get(
        _segment_key(perdoc._segment, fieldname), load
    )
    return found


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


# Decoded posting blocks of the search running in this thread (None: none).
_BLOCKS = threading.local()


def _block_reader(original: Any, attribute: str) -> Any:
    """``W3LeafMatcher._read_ids`` (weights, values) reusing a block this
    search decoded already: the fast path reads a block for the matching set,
    then Whoosh's matcher reads it again to score the page. Blocks of a
    written segment never change; the cache lives for one search."""

    def read(self: Any) -> None:
        cache = getattr(_BLOCKS, "cache", None)
        if cache is None:
            original(self)
            return
        key = (id(self._postfile), self._dataoffset, attribute)
        if key in cache:
            setattr(self, attribute, cache[key])
        else:
            original(self)
            cache[key] = getattr(self, attribute)

    return read


@contextlib.contextmanager
def _cached_blocks() -> Iterator[None]:
    _BLOCKS.cache = {}
    try:
        yield
    finally:
        _BLOCKS.cache = None


# whoosh-reloaded is pinned (2.7.5): the replaced methods are checked against
# the originals (kept here) in tests/search/test_whoosh_backend.py.
whoosh_doc_field_length = whoosh3.W3PerDocReader.doc_field_length
whoosh3.W3PerDocReader.doc_field_length = _cached_doc_field_length
whoosh_column_reader = reading.SegmentReader.column_reader
reading.SegmentReader.column_reader = _cached_column_reader
whoosh_block_readers = {
    name: getattr(whoosh3.W3LeafMatcher, name)
    for name in ("_read_ids", "_read_weights", "_read_values")
}
for _reader_name, _reader in whoosh_block_readers.items():
    _cached = _block_reader(_reader, f"_{_reader_name[6:]}")  # _read_ids -> _ids
    setattr(whoosh3.W3LeafMatcher, _reader_name, _cached)


def _buffer_file_init(
    self: Any, buf: Any, name: str | None = None, onclose: Any = None
) -> None:
    """``BufferFile.__init__`` without copying ``buf`` into a ``BytesIO``.

    A segment's files are views of its memory-mapped compound file, and
    Whoosh copied each one whole into a ``BytesIO`` when a reader opened it:
    reopening the searcher after a one-record commit copied every segment's
    terms and postings (a third of a search's time right after a commit, at
    30,000 records). The stream reads the view instead, copying only the
    bytes each read returns.
    """
    self._buf = buf
    self._name = name
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False
    self.file = _ViewStream(buf)


class _ViewStream:
    """A read-only binary stream over a buffer (what Whoosh reads segment
    files with: read, seek, tell; readline for pickles)."""

    def __init__(self, view: Any) -> None:
        self._view = memoryview(view).cast("B")
        self._pos = 0
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        start, total = self._pos, len(self._view)
        end = total if size is None or size < 0 else min(total, start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        start, total = self._pos, len(self._view)
        limit = total if size is None or size < 0 else min(total, start + size)
        end = start
        while end < limit and self._view[end] != 0x0A:
            end += 1
        return self.read(min(end + 1, limit) - start)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}
        position = base[whence] + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._pos = position
        return position

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        # Our export of the compound file's map ends here, so the map can close.
        self._view.release()
        self.closed = True


whoosh_buffer_file_init = BufferFile.__init__
BufferFile.__init__ = _buffer_file_init


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


# How the drainer's small segments are merged. Whoosh's default (MERGE_SMALL)
# merged the small segments again at nearly every commit, re-reading each of
# their terms: half of a one-tag commit's time at 10,000 records, and the
# drainer commits about once a tag when people search right after tagging.
# By tiers instead (as Lucene does), a record is rewritten once per tier:
# segments of 1-9 records are merged when there are MERGE_FANOUT of them,
# 10-99 likewise, up to HOT_MERGE_BELOW records (a larger merge would hold
# up the changes queued behind it); an idle drainer folds every segment below
# IDLE_MERGE_BELOW into one (``WhooshBackend.tidy``). Merging is indexing the
# merged segments' records again (``WhooshBackend._fold``).
MERGE_FANOUT = 10
HOT_MERGE_BELOW = 100
IDLE_MERGE_BELOW = 1000


def _tier(documents: int, fanout: int) -> int:
    tier = 0
    while documents >= fanout:
        documents //= fanout
        tier += 1
    return tier


def merge_plan(
    sizes: Sequence[tuple[int, int]],
    fanout: int = MERGE_FANOUT,
    below: int = HOT_MERGE_BELOW,
) -> tuple[set[int], set[int]]:
    """Which segments a commit merges into its new one, and which it drops.

    ``sizes`` are (documents written, documents not deleted) per segment.
    A segment whose every document was deleted (replaced since) is dropped.
    Of the rest smaller than ``below``, when a tier (1-9 documents, 10-99 …
    for a fanout of 10) holds ``fanout`` segments, the lowest such tier is
    merged, with every smaller segment.

    >>> merge_plan([(50_000, 49_990), (3, 3), (1, 0)] + [(1, 1)] * 8)
    (set(), {2})
    >>> merged, dropped = merge_plan([(50_000, 49_990), (30, 30)] + [(1, 1)] * 10)
    >>> sorted(merged), dropped
    ([2, 3, 4, 5, 6, 7, 8, 9, 10, 11], set())
    >>> merged, _ = merge_plan([(9_000, 9_000), (4, 4)] + [(20, 20)] * 10)
    >>> sorted(merged)
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    >>> merge_plan([(50_000, 50_000)] + [(150, 150)] * 12)
    (set(), set())
    """
    dropped = {i for i, (_, live) in enumerate(sizes) if live == 0}
    tiers = {
        i: _tier(written, fanout)
        for i, (written, _) in enumerate(sizes)
        if written < below and i not in dropped
    }
    counts = collections.Counter(tiers.values())
    full = [tier for tier, count in counts.items() if count >= fanout]
    if not full:
        return set(), dropped
    return {i for i, tier in tiers.items() if tier <= min(full)}, dropped


def idle_merge_plan(
    sizes: Sequence[tuple[int, int]], below: int = IDLE_MERGE_BELOW
) -> tuple[set[int], set[int]]:
    """What an idle drainer merges into one segment, and drops: every
    segment smaller than ``below`` documents, when there are two or more.

    >>> idle_merge_plan([(50_000, 50_000), (12, 12), (1, 1), (1, 0)])
    ({1, 2}, {3})
    >>> idle_merge_plan([(50_000, 50_000), (12, 12)])
    (set(), set())
    """
    dropped = {i for i, (_, live) in enumerate(sizes) if live == 0}
    small = {i for i, (written, _) in enumerate(sizes) if written < below} - dropped
    return (small if len(small) > 1 else set()), dropped


def _segment_sizes(segment: Any) -> tuple[int, int]:
    return segment.doc_count_all(), segment.doc_count()


MergePlan = Callable[[Sequence[tuple[int, int]]], tuple[set[int], set[int]]]


def _drop_emptied(writer: Any, segments: list[Any]) -> list[Any]:
    """The commit's merge policy (``writer.commit(mergetype=...)``): no
    Whoosh merge (``WhooshBackend._fold`` merges); segments left with no
    document (all replaced since, or folded) are dropped."""
    return [segment for segment in segments if segment.doc_count() > 0]


def _delete_records(writer: Any, ids: Iterable[int]) -> None:
    """Delete these records' documents, looked up with one searcher
    (``update_document`` opened one per record over every segment)."""
    with writer.searcher() as searcher:
        for pid in ids:
            writer.delete_by_term("id", str(pid), searcher=searcher)


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
                _delete_records(writer, [*deletes, *(r.id for r in upserts)])
                for record in upserts:
                    writer.add_document(**to_document(record))
                self._fold(writer, merge_plan)
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer)

    def _commit(self, writer: Any) -> None:
        """Make a batch durable and visible (a hook point for crash tests)."""
        writer.commit(mergetype=_drop_emptied)

    def _fold(self, writer: Any, plan: MergePlan) -> bool:
        """Merge the segments ``plan`` picks by indexing their records again
        from the source into the writer's new segment (they are dropped at
        the commit, emptied); whether there were any. Whoosh's own merge
        re-reads every term of every merged segment (~0.3 ms a term: seconds
        for ten small segments) where this costs milliseconds a record, and
        the source's version of a record is never older than the index's."""
        segments = writer.segments
        merged, _ = plan([_segment_sizes(segment) for segment in segments])
        if not merged:
            return False
        offsets = [0, *itertools.accumulate(s.doc_count_all() for s in segments)]
        docnums: dict[int, int] = {}  # record id -> global document number
        for i in sorted(merged):
            reader = reading.SegmentReader(writer.storage, writer.schema, segments[i])
            try:
                for docnum, stored in reader.iter_docs():
                    docnums[int(stored["id"])] = offsets[i] + docnum
            finally:
                reader.close()
        for docnum in docnums.values():
            writer.delete_document(docnum)
        for record in self.source.records(list(docnums)):
            writer.add_document(**to_document(record))
        return True

    def tidy(self) -> bool:
        """Fold the small segments the drainer's commits left into one (the
        drainer calls this when it has been idle a while); whether it did."""
        with self.exclusive(0):
            try:
                ix = self._open()
            except CORRUPTION:
                return False  # the next write or search rebuilds it
            writer = ix.writer()
            try:
                if not self._fold(writer, idle_merge_plan):
                    writer.cancel()
                    return False
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer)
            return True

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
        """Bulk indexing (``search.whoosh_backend.bulk``): with ``procs`` > 1, each
        process indexes a contiguous run of the records into its own
        segments (no merge). A small corpus is indexed in this process:
        starting subprocesses would cost more."""
        everything = list(records)
        procs = self.procs if len(everything) >= SMALL_BUILD else 1
        count = bulk.write_index(
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
        compiled = compile_query(node, compile_filters(filters))
        started = time.monotonic()
        deadline = None if self.time_budget is None else started + self.time_budget
        notice = ""
        try:
            fast = _FastPath(self.searcher, self._allowed(), deadline)
            shown, total, groups = fast.run(compiled, page * page_size, sort)
        except (_Unsupported, _OutOfTime):
            # Whoosh's collectors, with what is left of the budget.
            spent = time.monotonic() - started
            shown, total, groups, notice = self._collect(
                compiled, page * page_size, sort, spent
            )
        marker = Marker.from_node(node)
        start = (page - 1) * page_size
        hits = [_hit(stored, score, marker) for stored, score in shown[start:]]
        return SearchPage(
            hits=hits,
            total=total,
            page=page,
            page_size=page_size,
            facets=_facet_counts(groups),
            corrected_query=corrected,
            notice=notice,
            partial=bool(notice),
        )

    def _collect(
        self, compiled: wq.Query, limit: int, sort: str, spent: float
    ) -> tuple[list[tuple[Mapping[str, Any], Any]], int, dict[str, Any], str]:
        """The search through Whoosh's collectors: every match scored and
        categorised (the fast path's reference, and its fallback)."""
        collector: Any = self.searcher.collector(
            limit=limit, groupedby=_facets(), sortedby=_sort(sort), scored=True
        )
        budget = (
            None if self.time_budget is None else max(0.0, self.time_budget - spent)
        )
        collector = _ProjectCollector(collector, self._allowed(), budget)
        notice = ""
        try:
            self.searcher.search_with_collector(compiled, collector)
        except collectors.TimeLimit:
            notice = BUDGET_NOTICE.format(seconds=self.time_budget)
        results = collector.results()
        shown = [(hit.fields(), hit.score) for hit in results[:limit]]
        groups = {name: results.groups(name) for name in _FACET_NAMES}
        return shown, len(results), groups, notice

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
            for word in _terms_within(leaf, folded, maxdist)
        }
        found = {
            word: count
            for word in words
            if (count := _raw_frequency(searcher, word, allowed))
        }
        if found:
            return max(found, key=lambda w: (found[w], w))
    return None


def _terms_within(leaf: Any, folded: str, maxdist: int) -> Iterable[str]:
    """``leaf.terms_within("raw", folded, maxdist, prefix=1)``: the segment's
    words with ``folded``'s first letter whose rest is within ``maxdist``
    edits (Levenshtein) of its rest. Whoosh walks the term file with a DFA
    built for each word (5 ms a segment at 100,000 records for one edit, 30
    for two); for one edit this looks up every one-edit variant of the word
    in the segment's vocabulary, kept in memory per segment."""
    if leaf.segment() is None:  # an index that never held a record
        return []
    if maxdist != 1 or not folded:
        return leaf.terms_within("raw", folded, maxdist, prefix=1)
    vocabulary, alphabet = _spelling_vocabulary(leaf)
    first, rest = folded[0], folded[1:]
    variants = {rest}
    for i in range(len(rest) + 1):
        head, tail = rest[:i], rest[i:]
        variants.update(head + c + tail for c in alphabet)  # an insertion
        if tail:
            variants.add(head + tail[1:])  # a deletion
            variants.update(head + c + tail[1:] for c in alphabet)  # a change
    return [first + v for v in variants if first + v in vocabulary]


# (segment id, field) -> the words of ``raw`` in the segment and their
# letters; a segment's term dictionary never changes once written.
_VOCABULARY_CACHE: dict[tuple[str, str], tuple[frozenset[str], str]] = {}
_VOCABULARY_CACHE_SIZE = 32


def _spelling_vocabulary(leaf: Any) -> tuple[frozenset[str], str]:
    key = (leaf.segment().segment_id(), "raw")
    found = _recently_used(_VOCABULARY_CACHE, key)
    if found is None:
        field = leaf.schema["raw"]
        words = frozenset(field.from_bytes(term) for term in leaf.lexicon("raw"))
        found = (words, "".join(sorted(set().union(*words))))
        with _NAMES_LOCK:
            if len(_VOCABULARY_CACHE) >= _VOCABULARY_CACHE_SIZE:
                _VOCABULARY_CACHE.pop(next(iter(_VOCABULARY_CACHE)))
            _VOCABULARY_CACHE[key] = found
    return found


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


# -- the fast path ------------------------------------------------------------
#
# Whoosh's collectors score every match and categorise it for each facet, one
# Python call chain per document: 60-80% of a word search at 100,000 records,
# and AND queries leapfrogged through six posting lists a document at a time.
# Here the matching set is computed per segment from whole posting blocks
# (set algebra: intersections in C, cheapest first), facets and the total are
# counted from it without scoring, and every match gets an estimate of its
# score from the same per-posting BM25F function Whoosh scores with, summed in
# another order. Whoosh's own matcher then scores exactly the matches that can
# reach the page shown (estimate within SCORE_SLACK of the page's last one),
# so hits, scores, order, totals and facets are Whoosh's (checked against a
# plain Whoosh search in tests/search/test_whoosh_fast_path.py). Query shapes
# it does not know, and searches past their time budget, go to the collectors.

# Estimates differ from Whoosh's scores only by float rounding (another order
# of the same additions, ~1e-15 relative); this margin is far wider than that.
SCORE_SLACK = 1e-9

SegmentScores = dict[int, float]  # segment document number -> estimated score


class _Unsupported(Exception):
    """A query (or an index state) the fast path does not handle."""


class _OutOfTime(Exception):
    """The time budget ran out during the fast path."""


# A term is probed (its posting list searched for given records) rather than
# read whole when it has this many times more postings than there are records
# to look for: a probe decodes only the blocks holding them.
PROBE_RATIO = 8


class _SegmentEvaluator:
    """The matches of a compiled query in one segment, then score estimates
    for those matches only.

    ``within`` mirrors Whoosh's matchers as set operations: And starts from
    its smallest part and looks for those records in the others (probing long
    posting lists instead of reading them), Not subtracts, Or unites.
    ``estimates`` sums, per match, the BM25F scores of the terms matching it,
    with Whoosh's boosts (and the 1.0 that Whoosh's InverseMatcher adds for
    each Not inside an And).
    """

    def __init__(self, searcher: Searcher, check_time: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.check_time = check_time
        self._docs: dict[int, Collection[int]] = {}  # id(query) -> all matches
        self._expansions: dict[int, wq.Query] = {}  # id(prefix) -> its terms
        self._weights: dict[tuple[str, bytes], dict[int, float]] = {}
        self._complete: set[tuple[str, bytes]] = set()  # read whole
        self._probed: dict[tuple[str, bytes], set[int]] = {}  # else looked for
        self._scorers: dict[tuple[str, bytes], Any] = {}
        self.inexact: set[int] = set()  # see ``estimates``

    # -- the matching set ------------------------------------------------

    def docs(self, query: wq.Query) -> Collection[int]:
        """Every match of ``query`` in the segment."""
        key = id(query)
        if key not in self._docs:
            self._docs[key] = self.within(query, None)
        return self._docs[key]

    def within(self, query: wq.Query, among: set[int] | None) -> Collection[int]:
        """The matches of ``query`` among ``among`` (None: all records)."""
        self.check_time()
        if among is not None and id(query) in self._docs:
            return among.intersection(self._docs[id(query)])
        if query is wq.NullQuery or among is not None and not among:
            return ()
        if isinstance(query, wq.Or | wq.And) and len(query.subqueries) == 1:
            return self.within(query.subqueries[0], among)  # Whoosh: the child alone
        if isinstance(query, wq.Term):
            return self._term_docs(query, among)
        kind = type(query)
        if kind is wq.Or:
            if query.minmatch or query.scale:
                raise _Unsupported("Or with minmatch or scale")
            subs = self._needed(query.subqueries)
            return set().union(*(self.within(sub, among) for sub in subs))
        if kind is wq.And:
            return self._intersection(query.subqueries, among)
        if kind is wq.AndMaybe:
            return self.within(query.a, among)
        if kind is wq.AndNot:
            kept = set(self.within(query.a, among))
            return kept.difference(self.within(query.b, kept))
        if kind is wq.ConstantScoreQuery:
            return self.within(query.child, among)
        if kind is wq.Phrase:
            return self._phrase(query, among)
        if kind is wq.Prefix:
            return self.within(self._expanded(query), among)
        if kind is wq.Every and query.fieldname in (None, "", "*"):
            docs = self.reader.all_doc_ids()  # live records only
            return set(docs) if among is None else set(docs).intersection(among)
        raise _Unsupported(kind.__name__)

    def _needed(self, subs: Sequence[wq.Query]) -> Sequence[wq.Query]:
        """An Or's parts without the exact-form ``raw`` term of a word whose
        stemmed terms are there too, when no record of the segment has text
        in ``raw`` only (``_raw_covered``): every record with the word in
        ``raw`` then has its stem in its language's field, so the stems
        already match it. The term still scores (``estimates``), but only
        for the matches, instead of being read whole to find them: it is the
        longest list of the three (positions), and in an AND most of it is
        records the other words rule out.

        >>> word = "Borders"
        >>> stems = [wq.Term(f"text_{lang}", analysis.normalise(word, lang))
        ...          for lang in ("en", "fr")]
        >>> [t.fieldname for t in _stems_cover([*stems, wq.Term("raw", "borders")])]
        ['text_en', 'text_fr']
        """
        if len(subs) < 3 or not _raw_covered(self.reader):
            return subs
        return _stems_cover(subs)

    def _intersection(
        self, subs: Sequence[wq.Query], among: set[int] | None
    ) -> Collection[int]:
        positive = sorted((s for s in subs if not isinstance(s, wq.Not)), key=self.size)
        if not positive:
            raise _Unsupported("And of Nots only")
        docs = set(self.within(positive[0], among))  # the cheapest first
        for sub in positive[1:]:
            docs = set(self.within(sub, docs))
        for sub in subs:
            if isinstance(sub, wq.Not) and docs:
                docs.difference_update(self.within(sub.query, docs))
        return docs

    def size(self, query: wq.Query) -> int:
        """At most how many records ``query`` matches (for ordering work)."""
        if isinstance(query, wq.Term):
            key = self._key(query.fieldname, query.text)
            return self.reader.doc_frequency(*key) if key else 0
        if isinstance(query, wq.Phrase):
            return min(
                (self.size(wq.Term(query.fieldname, w)) for w in query.words),
                default=0,
            )
        if isinstance(query, wq.Prefix):
            return self.size(self._expanded(query))
        if isinstance(query, wq.Or):
            return sum(self.size(sub) for sub in query.subqueries)
        if isinstance(query, wq.And):
            return min((self.size(s) for s in query.subqueries), default=0)
        if isinstance(query, wq.AndMaybe | wq.AndNot):
            return self.size(query.a)
        if isinstance(query, wq.ConstantScoreQuery):
            return self.size(query.child)
        return self.reader.doc_count_all()

    def _term_docs(self, query: wq.Term, among: set[int] | None) -> Collection[int]:
        key = self._key(query.fieldname, query.text)
        if key is None:
            return ()
        if among is None or key in self._complete:
            weights = self._read(key)
            return weights.keys() if among is None else among.intersection(weights)
        if self.reader.doc_frequency(*key) <= PROBE_RATIO * len(among):
            return among.intersection(self._read(key))
        return self._probe(key, among).keys()

    def _key(self, fieldname: str, text: Any) -> tuple[str, bytes] | None:
        try:
            return fieldname, self.searcher.schema[fieldname].to_bytes(text)
        except ValueError:  # Whoosh's Term matches nothing then
            return None

    def _leaf(self, key: tuple[str, bytes]) -> tuple[Any, Collection[int]] | None:
        """A fresh posting matcher for the term and the deleted records it
        would hide (Whoosh's FilterMatcher), or None: not in this segment.
        The matcher may already have passed leading deleted records, or be
        exhausted when every record with the term here was deleted (the
        FilterMatcher moved it on when it was made)."""
        if key not in self.reader:
            return None
        matcher = self.searcher.postings(*key)
        deleted: Collection[int] = ()
        if isinstance(matcher, matching.FilterMatcher):
            deleted, matcher = matcher._ids, matcher.child
        # (Whoosh's codec inlines no postings by default: every list has blocks.)
        if not isinstance(matcher, whoosh3.W3LeafMatcher):
            raise _Unsupported(type(matcher).__name__)
        self._scorers[key] = matcher.scorer
        return matcher, deleted

    def _read(self, key: tuple[str, bytes]) -> dict[int, float]:
        """The whole posting list (record -> weight), a block at a time."""
        if key in self._complete:
            return self._weights[key]
        weights: dict[int, float] = {}
        leaf = self._leaf(key)
        if leaf is not None:
            matcher, deleted = leaf
            for block in _posting_blocks(matcher):
                weights.update(zip(block.ids, block.weights(), strict=True))
            for doc in deleted:
                weights.pop(doc, None)
        self._weights[key] = weights
        self._complete.add(key)
        return weights

    def _probe(
        self, key: tuple[str, bytes], among: Collection[int]
    ) -> dict[int, float]:
        """The postings of the term for ``among``: skipping through the list
        decodes only the blocks that may hold them."""
        weights = self._weights.setdefault(key, {})
        if key in self._complete:
            return {doc: weights[doc] for doc in among if doc in weights}
        probed = self._probed.setdefault(key, set())
        todo = sorted(set(among).difference(probed))
        leaf = self._leaf(key) if todo else None
        if leaf is not None:
            matcher, deleted = leaf
            at = 0
            # Only the blocks holding a record looked for are decoded (the
            # lambda reads ``at`` as the loop moves it).
            skip = lambda last: last < todo[at]  # noqa: E731, B023
            for block in _posting_blocks(matcher, skip):
                found = dict(zip(block.ids, block.weights(), strict=True))
                upto = bisect.bisect_right(todo, block.last, at)
                for doc in todo[at:upto]:  # the wanted records this block spans
                    if doc in found and doc not in deleted:
                        weights[doc] = found[doc]
                at = upto
                if at == len(todo):
                    break
        probed.update(todo)
        return {doc: weights[doc] for doc in among if doc in weights}

    def _phrase(self, query: wq.Phrase, among: set[int] | None) -> Collection[int]:
        """Records with every word, then those where the words stand adjacent
        and in order: what Whoosh's SpanNear2 (slop 1, ordered, mindist 1)
        accepts, read from the candidates' positions only."""
        if query.slop != 1 or not query.words:
            raise _Unsupported("Phrase with slop or no words")
        terms = [wq.Term(query.fieldname, word) for word in query.words]
        candidates = set(self._intersection(terms, among))
        if not candidates:
            return ()
        keys = [self._key(query.fieldname, word) for word in query.words]
        positions = [self._positions(key, candidates) for key in keys if key]
        found = set()
        for doc in candidates:
            starts = set(positions[0][doc])
            for offset, word in enumerate(positions[1:], 1):
                starts.intersection_update(p - offset for p in word[doc])
            if starts:
                found.add(doc)
        return found

    def _positions(
        self, key: tuple[str, bytes], docs: set[int]
    ) -> dict[int, list[int]]:
        """The term's positions in each of ``docs`` (which all have it),
        decoding only the posting blocks that hold them."""
        leaf = self._leaf(key)
        if leaf is None:
            raise _Unsupported("a phrase word vanished")
        matcher, _deleted = leaf
        if type(self.searcher.schema[key[0]].format) is not formats.Positions:
            raise _Unsupported("positions in another format")
        wanted = sorted(docs)
        found: dict[int, list[int]] = {}
        at = 0
        # The lambda reads ``at`` as this loop moves it (a block is skipped
        # when it ends before the next record wanted).
        skip = lambda last: last < wanted[at]  # noqa: E731, B023
        for block in _posting_blocks(matcher, skip):
            values = dict(zip(block.ids, block.values(), strict=True))
            upto = bisect.bisect_right(wanted, block.last, at)
            for doc in wanted[at:upto]:  # all have the term: see above
                found[doc] = _decode_positions(values[doc])
            at = upto
            if at == len(wanted):
                break
        return found

    def _expanded(self, query: wq.Prefix) -> wq.Query:
        """A prefix as the terms it expands to here (Whoosh's MultiTerm)."""
        key = id(query)
        if key not in self._expansions:
            terms = [t for t in query._btexts(self.reader) if t]
            expanded: wq.Query = wq.Or(
                [wq.Term(query.fieldname, t) for t in terms], boost=query.boost
            )
            if len(terms) == 1:  # Whoosh uses the one Term alone (boost dropped)
                expanded = wq.Term(query.fieldname, terms[0])
            self._expansions[key] = expanded
        return self._expansions[key]

    # -- score estimates ---------------------------------------------------

    def estimates(self, query: wq.Query, docs: set[int]) -> SegmentScores:
        """Estimated scores of ``query`` for ``docs`` (all matches of it).

        Each term's score is Whoosh's own (the same function of the same
        weight and length, boosts applied alike), and Whoosh adds them up
        pairwise along its matcher tree. Where at most two parts of a node
        match a record, the order of the additions cannot change the sum, so
        the estimate is Whoosh's score to the bit; records where three or
        more add up at some node (their grouping depends on Whoosh's tree
        shape) are left in ``inexact`` for Whoosh's matcher to score."""
        self.check_time()
        if query is wq.NullQuery or not docs:
            return {}
        if isinstance(query, wq.Or | wq.And) and len(query.subqueries) == 1:
            return self.estimates(query.subqueries[0], docs)
        if isinstance(query, wq.Term):
            return self._term_scores(query, docs)
        kind = type(query)
        if kind is wq.Or:
            total: SegmentScores = {}
            addends: collections.Counter[int] = collections.Counter()
            for sub in query.subqueries:
                mine = set(self.within(sub, docs))
                addends.update(mine)
                for doc, score in self.estimates(sub, mine).items():
                    total[doc] = total.get(doc, 0.0) + score
            self.inexact.update(doc for doc, n in addends.items() if n > 2)
            return _boosted(total, query.boost)
        if kind is wq.And:
            if len(query.subqueries) > 2:
                self.inexact.update(docs)
            nots = sum(1.0 for sub in query.subqueries if isinstance(sub, wq.Not))
            total = dict.fromkeys(docs, nots)
            for sub in query.subqueries:
                if not isinstance(sub, wq.Not):
                    for doc, score in self.estimates(sub, docs).items():
                        total[doc] += score
            return _boosted(total, query.boost)
        if kind is wq.AndMaybe:
            total = self.estimates(query.a, docs)
            optional = set(self.within(query.b, docs))
            for doc, score in self.estimates(query.b, optional).items():
                total[doc] += score
            return _boosted(total, query.boost)
        if kind is wq.AndNot:
            return _boosted(self.estimates(query.a, docs), query.boost)
        if kind is wq.ConstantScoreQuery:
            # A ListMatcher of weight ``score``; a weight of 0.0 reads as 1.0.
            return dict.fromkeys(docs, query.score or 1.0)
        if kind is wq.Phrase:
            # SpanNear2 wraps an intersection of the words' terms: their sum.
            if len(query.words) > 2:
                self.inexact.update(docs)
            total = dict.fromkeys(docs, 0.0)
            for word in query.words:
                term = wq.Term(query.fieldname, word)
                for doc, score in self._term_scores(term, docs).items():
                    total[doc] += score
            return _boosted(total, query.boost)
        if kind is wq.Prefix:
            return self.estimates(self._expanded(query), docs)
        if kind is wq.Every:
            return dict.fromkeys(docs, query.boost or 1.0)
        raise _Unsupported(kind.__name__)

    def _term_scores(self, query: wq.Term, docs: set[int]) -> SegmentScores:
        key = self._key(query.fieldname, query.text)
        if key is None:
            return {}
        if key in self._complete:
            weights = self._weights[key]
            if len(weights) < len(docs):
                found = {d: w for d, w in weights.items() if d in docs}
            else:
                found = {d: weights[d] for d in docs if d in weights}
        else:
            found = self._probe(key, docs)
        if not found:
            return {}
        scorer = self._scorers[key]
        if type(scorer) is not scoring.BM25FScorer or scoring.bm25 is not _BM25:
            raise _Unsupported(f"scored by {type(scorer).__name__}")
        # BM25FScorer._score(weight, length) inlined: the same expression on
        # the same numbers (so the same float), without four calls a posting.
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        lengths = _field_lengths(self.reader, query.fieldname)
        scores = {
            d: idf * ((w * (k1 + 1)) / (w + k1 * ((1 - b) + b * lengths[d] / avgfl)))
            for d, w in found.items()
        }
        return _boosted(scores, query.boost)


_BM25 = scoring.bm25


def _stems_cover(subs: Sequence[wq.Query]) -> Sequence[wq.Query]:
    """``subs`` without each ``raw`` term whose word's stemmed terms (every
    stemmed field's) are among them (see ``_SegmentEvaluator._needed``)."""
    terms = {(s.fieldname, s.text) for s in subs if type(s) is wq.Term}

    def covered(sub: wq.Query) -> bool:
        if type(sub) is not wq.Term or sub.fieldname != "raw":
            return False
        if not isinstance(sub.text, str):  # a prefix's expansion: no stems
            return False
        return all(
            (f"text_{lang}", analysis.normalise(sub.text, lang)) in terms
            for lang in analysis.STEMMED_LANGUAGES
        )

    kept = [sub for sub in subs if not covered(sub)]
    return subs if len(kept) == len(subs) else kept


def _raw_covered(reader: Any) -> bool:
    """Whether every record of the segment with words in ``raw`` has words in
    a stemmed field too (its language's: ``to_document``): false when a
    record's language is neither English nor French. Read from the length
    columns (a length byte is 0 exactly when the field is empty), once per
    segment."""

    def covered() -> bool:
        perdoc, count = reader._perdoc, reader.doc_count_all()
        raw, *stemmed = (
            (_length_bytes(perdoc, name) or b"").ljust(count, b"\0")
            for name in (
                "raw",
                *(f"text_{lang}" for lang in analysis.STEMMED_LANGUAGES),
            )
        )
        return all(
            not length or any(lengths[doc] for lengths in stemmed)
            for doc, length in enumerate(raw[:count])
        )

    found: bool = _RAW_COVERED.get(_segment_key(reader._perdoc._segment), covered)
    return found


_RAW_COVERED = _SegmentCache(256)


@dataclass
class _Block:
    """One posting block as ``W3LeafMatcher`` decodes it (``_read_ids``,
    ``_read_weights``, ``_read_values``), from its pickled data tuple."""

    last: int  # its highest record number (block info)
    count: int
    data: tuple[Any, Any, Any] | None  # (ids, weights, values) once read
    raw: Any  # the data's bytes (zlib-compressed when ``compressed``)
    compressed: bool
    byteids: bool
    fixedsize: int | None
    cache: dict[Any, Any] | None  # this search's decoded blocks (``_BLOCKS``)
    key: Any

    def _tuple(self) -> tuple[Any, Any, Any]:
        if self.data is None:
            cache = self.cache
            if cache is not None and self.key in cache:
                self.data = cache[self.key]
            else:
                raw = zlib.decompress(self.raw) if self.compressed else self.raw
                self.data = pickle.loads(raw)
                if cache is not None:  # a phrase reads its words' blocks twice
                    cache[self.key] = self.data
        return self.data

    @property
    def ids(self) -> Sequence[int]:
        ids = self._tuple()[0]
        return ids if self.byteids else tuple(itertools.accumulate(ids))

    def weights(self) -> Sequence[float]:
        weights = self._tuple()[1]
        if weights is None:
            return (1.0,) * self.count
        if isinstance(weights, float):  # Whoosh's array("f") rounds it
            return (array.array("f", (weights,))[0],) * self.count
        return weights

    def values(self) -> Sequence[Any]:
        values, fixedsize = self._tuple()[2], self.fixedsize
        if fixedsize is None or fixedsize < 0:
            return values
        if fixedsize == 0:
            return (None,) * self.count
        return [values[i : i + fixedsize] for i in range(0, len(values), fixedsize)]


_BLOCK_LENGTH = struct.Struct("!i")  # Whoosh's ``write_int``


def _posting_blocks(
    matcher: Any, skip: Callable[[int], bool] | None = None
) -> Iterator[_Block]:
    """The term's posting blocks from ``matcher``'s current one to its last,
    read straight from the postings file: one slice per block, its info
    unpickled from memory, and ids delta-decoded in C. Whoosh's matcher made
    a dozen Python calls a block and a generator step a posting (about half
    of a two-word AND search at 100,000 records). Blocks for which ``skip``
    (given the block's last record number) is true are not decoded."""
    if not matcher.is_active():
        return
    get, byteids = matcher._postfile.get, matcher._byteids
    cache, name = getattr(_BLOCKS, "cache", None), id(matcher._postfile)
    fixedsize = matcher._fixedsize
    dataoffset, end, last = matcher._dataoffset, matcher._nextoffset, matcher._lastblock
    info = (matcher._blocklength, matcher._maxid, None, matcher._compression)
    while True:
        if skip is None or not skip(info[1]):
            key = (name, dataoffset, "data")
            cached = cache is not None and key in cache
            raw = b"" if cached else get(dataoffset, end - dataoffset)
            yield _Block(
                info[1],
                info[0],
                None,
                raw,
                bool(info[3]),
                byteids,
                fixedsize,
                cache,
                key,
            )
        if last:
            return
        (length,) = _BLOCK_LENGTH.unpack(get(end, 4))
        last, start = length < 0, end + 4
        block = io.BytesIO(get(start, abs(length)))
        info = pickle.load(block)
        dataoffset, end = start + block.tell(), start + abs(length)


def _decode_positions(value: bytes) -> list[int]:
    """``formats.Positions.decode_positions``: the deltas summed in C.

    >>> value = formats.Positions().encode([3, 5, 9])
    >>> _decode_positions(value) == formats.Positions().decode_positions(value)
    True
    """
    return list(itertools.accumulate(pickle.loads(value[_INT_SIZE:])))


def _field_lengths(reader: Any, fieldname: str) -> Sequence[Any]:
    """Each record's length in ``fieldname`` as BM25F reads it
    (``doc_field_length(doc, field, 1)``), listed once per segment."""
    perdoc = reader._perdoc

    def listed() -> tuple[Any, ...]:
        count = reader.doc_count_all()
        lengths = _length_bytes(perdoc, fieldname)
        if lengths is None:  # no length column: the default
            return (1,) * count
        values = [_BYTE_LENGTHS[b] for b in lengths[:count]]
        return (*values, *(None,) * (count - len(values)))  # past the end: byte 0

    found: tuple[Any, ...] = _LENGTH_VALUES.get(
        _segment_key(perdoc._segment, fieldname), listed
    )
    return found


# (segment, field) -> ``_field_lengths``.
_LENGTH_VALUES = _SegmentCache(256)
# What ``doc_field_length`` answers for each length byte (None for 0).
_BYTE_LENGTHS = (None, *(byte_to_length(b) for b in range(1, 256)))


def _boosted(scores: SegmentScores, boost: float) -> SegmentScores:
    if boost != 1.0:
        return {doc: score * boost for doc, score in scores.items()}
    return scores


@dataclass
class _Segment:
    searcher: Searcher
    offset: int
    scores: SegmentScores  # the project's matches in this segment
    inexact: set[int]  # matches whose estimate may differ from Whoosh's score


class _FastPath:
    """Total, facets and the page of one search without Whoosh's collectors
    (see the comment above ``SCORE_SLACK``)."""

    def __init__(
        self, searcher: Searcher, allowed: Container[int] | None, deadline: float | None
    ) -> None:
        self.searcher = searcher
        self.allowed = allowed
        self.deadline = deadline

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise _OutOfTime

    def run(self, compiled: wq.Query, limit: int, sort: str) -> tuple[list, int, dict]:
        """(the first ``limit`` hits as (stored fields, score), total, facets)."""
        if not isinstance(self.searcher.weighting, scoring.BM25F):
            raise _Unsupported("another weighting")
        if self.searcher.doc_count_all() == 0:  # no segment to read yet
            raise _Unsupported("an empty index")
        with _cached_blocks():
            return self._run(compiled, limit, sort)

    def _run(self, compiled: wq.Query, limit: int, sort: str) -> tuple[list, int, dict]:
        segments = [
            self._segment(compiled, sub, offset, sort != "document")
            for sub, offset in self.searcher.leaf_searchers()
        ]
        total = sum(len(s.scores) for s in segments)
        facets = self._facets(segments)
        if sort == "document":
            ranked = self._by_document(segments, limit)
        else:
            ranked = self._by_score(compiled, segments, limit)
        stored = self.searcher.stored_fields
        return [(stored(doc), score) for score, doc in ranked], total, facets

    def _segment(
        self, compiled: wq.Query, sub: Searcher, offset: int, scored: bool
    ) -> _Segment:
        evaluator = _SegmentEvaluator(sub, self.check_time)
        docs = set(evaluator.docs(compiled))
        allowed = self.allowed
        if allowed is not None:
            docs = {doc for doc in docs if offset + doc in allowed}
        if not scored:  # sorted by document: scores are not shown
            return _Segment(sub, offset, dict.fromkeys(docs, 0.0), set())
        scores = evaluator.estimates(compiled, docs)
        return _Segment(sub, offset, scores, evaluator.inexact)

    def _facets(self, segments: list[_Segment]) -> dict[str, dict[Any, int]]:
        """What Whoosh's Count facets give: per field, name -> matches (a
        list column counts every name in a record's list)."""
        counts: dict[str, dict[Any, int]] = {}
        for name, facet in _facets().items():
            counted: collections.Counter[Any] = collections.Counter()
            for segment in segments:
                names = _segment_names(
                    segment.searcher.reader(), facet.fieldname, facet.allow_overlap
                )
                if facet.allow_overlap:  # every name of each record's list
                    lists = map(names.__getitem__, segment.scores)
                    counted.update(itertools.chain.from_iterable(lists))
                else:
                    counted.update(map(names.__getitem__, segment.scores))
            counts[name] = dict(counted)
        return counts

    def _by_score(
        self, compiled: wq.Query, segments: list[_Segment], limit: int
    ) -> list[tuple[float, int]]:
        """The top ``limit`` as Whoosh ranks them: score descending, then
        document number. Only matches whose estimate comes within
        ``SCORE_SLACK`` of the ``limit``-th best can be among them; those
        whose estimate may be off are scored by Whoosh's matcher."""
        estimates = [s for segment in segments for s in segment.scores.values()]
        if len(estimates) > limit:
            last = heapq.nlargest(limit, estimates)[-1]
            floor = last - SCORE_SLACK * max(1.0, abs(last))
        else:
            floor = -math.inf
        ranked = []
        for segment in segments:
            scores, inexact = segment.scores, segment.inexact
            candidates = [d for d, s in scores.items() if s >= floor]
            unsure = sorted(d for d in candidates if d in inexact)
            exact = dict(self._exact_scores(compiled, segment, unsure))
            ranked += [
                (exact[d] if d in exact else scores[d], segment.offset + d)
                for d in candidates
            ]
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return ranked[:limit]

    def _exact_scores(
        self, compiled: wq.Query, segment: _Segment, docs: list[int]
    ) -> list[tuple[int, float]]:
        if not docs:
            return []
        matcher = compiled.matcher(segment.searcher, self.searcher.context())
        exact = []
        for doc in docs:  # ascending
            self.check_time()
            if matcher.is_active():
                matcher.skip_to(doc)
            if not matcher.is_active() or matcher.id() != doc:
                raise _Unsupported("the evaluation and Whoosh's matcher disagree")
            exact.append((doc, matcher.score()))
        return exact

    def _by_document(
        self, segments: list[_Segment], limit: int
    ) -> list[tuple[Any, int]]:
        """The first ``limit`` in reading order, with Whoosh's sort keys."""
        sortedby = _sort("document")
        assert sortedby is not None
        categorizer = sortedby.categorizer(self.searcher)
        if categorizer.needs_current:
            raise _Unsupported("a sort that needs the matcher")
        items = []
        for segment in segments:
            categorizer.set_searcher(segment.searcher, segment.offset)
            key = categorizer.key_for
            items += [(key(None, d), segment.offset + d) for d in segment.scores]
        items.sort()
        return items[:limit]


# -- compiling the query tree -------------------------------------------------


def compile_query(node: q.Node, filters: Sequence[wq.Query] = ()) -> wq.Query:
    """The tree (and the facet filters) as a Whoosh query: words in the
    records' own text, ranked up when the section, title or byline has them
    too.

    The filters go inside the AndMaybe, not around it: Whoosh's
    ``AndMaybeMatcher.skip_to`` moves its optional side to the target rather
    than to where the required side landed, so under an intersection it
    missed the context bonus of some records, and filtering by a facet
    changed the order of the records it kept."""
    compiled = wq.And([compile_node(node), *filters])
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


def _recently_used(cache: dict[Any, Any], key: Any) -> Any:
    """``cache[key]`` (None if absent), moved to the end so that the oldest
    entry evicted is the least recently used: evicted in insertion order,
    the big segments' entries went after 32 (or 64) drainer commits had
    each added a small segment's, and their rebuild took seconds at 100k."""
    with _NAMES_LOCK:
        if key in cache:
            cache[key] = cache.pop(key)
        return cache.get(key)


def _segment_names(reader: Any, fieldname: str, lists: bool) -> list[Any]:
    if reader.segment() is None:  # an index that never held a record
        return []
    key = (reader.segment().segment_id(), reader.doc_count_all(), fieldname)
    names = _recently_used(_NAMES_CACHE, key)
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


_FACET_NAMES = ("document", "theme", "lang", "kind")


def _facet_counts(
    groups: Mapping[str, Mapping[Any, int]],
) -> dict[str, list[FacetCount]]:
    counts = {}
    for name in _FACET_NAMES:
        items = [(_name(key), n) for key, n in groups[name].items() if key is not None]
        items.sort(key=lambda item: (-item[1], item[0]))
        counts[name] = [FacetCount(value, n) for value, n in items]
    return counts


def _name(key: Any) -> str:
    return key.decode("utf-8") if isinstance(key, bytes) else str(key)


# -- highlighting -------------------------------------------------------------


_TOKENIZER = RegexTokenizer(analysis.TOKEN_PATTERN)
# The attributes ``_TOKENIZER(text, chars=True, mode="query")`` gives a token.
_QUERY_TOKEN = {
    "positions": False,
    "chars": True,
    "stopped": False,
    "boost": 1.0,
    "removestops": True,
    "mode": "query",
}
# (start, end, the Token when the word is marked, else None)
Span = tuple[int, int, Token | None]


def _spans(text: str, marker: Marker, lang: str) -> list[Span]:
    """Every word of ``text`` as Whoosh's tokenizer finds it, with a Token
    (what Whoosh's fragmenters copy into a fragment) for the marked words
    only: the others are only counted in characters, and making a Token for
    each word took a third of highlighting."""
    matches = list(_TOKENIZER.expression.finditer(text))
    flags = marker.flags([match.group(0) for match in matches], lang)
    spans: list[Span] = []
    for match, matched in zip(matches, flags, strict=True):
        start, end = match.span()
        token = None
        if matched:
            token = object.__new__(Token)
            token.__dict__ = {
                **_QUERY_TOKEN,
                "text": match.group(0),
                "startchar": start,
                "endchar": end,
                "matched": True,
            }
        spans.append((start, end, token))
    return spans


def _whole_fragment(text: str, spans: list[Span]) -> list[highlight.Fragment]:
    """``WholeFragmenter().fragment_tokens`` on the spans."""
    limit = highlight.DEFAULT_CHARLIMIT
    tokens = []
    for _start, end, token in spans:
        if end > limit:
            break
        if token is not None:
            tokens.append(token)
    return [highlight.Fragment(text, tokens)]


def _context_fragments(text: str, spans: list[Span]) -> Iterator[highlight.Fragment]:
    """``ContextFragmenter(maxchars=300, surround=90).fragment_tokens`` on
    the spans, step for step (Whoosh's loop, reading tuples)."""
    maxchars, surround, limit = 300, 90, highlight.DEFAULT_CHARLIMIT
    first: int | None = None
    firsts: collections.deque[int] = collections.deque()
    countdown, currentlen, end = -1, 0, None
    tokens: list[Token] = []
    for start, end, token in spans:
        length = end - start
        if end > limit:
            break
        if countdown < 0 and token is None:
            firsts.append(start)
            while firsts and end - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + length > maxchars:
            countdown = 0
        elif token is not None:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first, countdown = start, countdown + surround
            tokens.append(token)
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                yield highlight.mkfrag(text, tokens, startchar=first, endchar=end)
                tokens, firsts, first, currentlen = [], collections.deque(), None, 0
    if tokens:
        yield highlight.mkfrag(text, tokens, startchar=first, endchar=end)


def highlight_html(text: str, marker: Marker, lang: str) -> str:
    """Safe HTML for a record: the text escaped by Whoosh's ``HtmlFormatter``
    (the only Whoosh formatter that escapes), matches in <mark>. Long texts
    become excerpts around the matches (Whoosh's ContextFragmenter, 300
    characters, 90 around a match); with no match, the opening lines."""
    formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    spans = _spans(text, marker, analysis.field_language(lang))
    if len(text) <= WHOLE_TEXT_CHARS:
        found: Iterable[highlight.Fragment] = _whole_fragment(text, spans)
    else:
        found = _context_fragments(text, spans)
    fragments: list[highlight.Fragment] = highlight.top_fragments(
        found, 2, highlight.BasicFragmentScorer(), highlight.FIRST
    )
    if not fragments:
        end = min(len(text), WHOLE_TEXT_CHARS)
        fragments = [highlight.Fragment(text, [], 0, end)]
    html = formatter.format(fragments)
    before = "… " if fragments[0].startchar > 0 else ""
    after = " …" if fragments[-1].endchar < len(text) else ""
    return before + html + after


def _hit(stored: Mapping[str, Any], score: Any, marker: Marker) -> Hit:
    """A hit from its stored fields; sorted searches' scores are sort keys."""
    return Hit(
        id=int(stored["id"]),
        score=score if isinstance(score, float) else 0.0,
        highlight=highlight_html(stored["body"], marker, stored.get("lang", "")),
        themes=tuple(_themes(stored.get("themes"))),
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
