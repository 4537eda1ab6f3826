"""The PostgreSQL full-text implementation of ``SearchBackend``, for several hosts.

The index is a table in the database (``search_pg_entry``, one row per record,
created by ``search/migrations/0002_postgres_search.py``, given a project
column by ``0004_postgres_project.py``), so every app host
that shares the database shares the index. Writes run in the caller's
transaction (``same_transaction``): a tag and its index entry commit or roll
back together, and the next request on any host sees both. No outbox, no
drainer, no index directory.

Columns (mirroring the Whoosh fields, see ``search.whoosh_backend``):

- ``tsv_en`` / ``tsv_fr``: the text of English / French records through the
  ``gloss_en`` / ``gloss_fr`` configurations (accents folded by unaccent, then
  Snowball stems, no stop words); empty for records in other languages.
- ``raw``: the folded, unstemmed words with positions, built here with
  ``search.analysis`` (the tokenizer the query side uses), for exact phrases,
  prefixes and an exact-form bonus; the only text column of other languages.
- ``context``: section, title and byline; they only raise the rank.
- ``project``: the record's project; every search is narrowed to one.
- ``search_pg_word``: every raw word of each project with the number of that
  project's records holding it, kept in step by each write; typo correction
  looks there, in the searched project's rows only (pg_trgm, then Levenshtein
  distance), so another project's words are never offered.

Concurrency: READ COMMITTED, plus advisory locks taken in the caller's
transaction: a write holds a shared lock on the whole index and an exclusive
lock per paragraph id (in id order, so two writers never wait on each other
in a cycle) before it reads the records, so two people tagging one paragraph
at once are indexed one after the other, each with the other's tag; a rebuild
holds the whole-index lock exclusively. Searches take no lock (MVCC): they
see the last committed state, during a rebuild too.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from search import analysis
from search import backend as base
from search import query as q
from search.backend import KIND_BOOST, IndexRecord, SearchBackend
from search.highlight import Marker, highlight_html

log = logging.getLogger(__name__)

ENTRY = "search_pg_entry"
WORD = "search_pg_word"
# Advisory lock keys (two-int form): the whole index, and one per paragraph.
LOCK_INDEX = (0x676C, 0)
LOCK_PARAGRAPH = 0x676D
BATCH = 1000
# Limits of a tsvector: positions are 1..16383, at most 256 per lexeme, and a
# lexeme is below 2 KB. Longer "words" are not words; they are left out.
MAX_POSITION = 16383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2046
# Query-time weights, as in Whoosh: the record's own text, the exact-form
# bonus, and the context bonus.
RAW_WEIGHT = 0.5
CONTEXT_WEIGHT = 0.3
BUDGET_NOTICE = (
    "This search stopped at its {seconds:g}-second time budget before it "
    "finished, so no results are shown. Narrow the query (fewer OR words or "
    "prefixes)."
)

_COLUMNS = (
    "id, project, document, document_order, title, authors, section, kind, lang, page,"
    " position, body, themes, fingerprint, tsv_en, tsv_fr, raw, context"
)
_UPDATES = ", ".join(
    f"{column} = EXCLUDED.{column}" for column in _COLUMNS.split(", ")[1:]
)
INSERT = f"""
    INSERT INTO {ENTRY} ({_COLUMNS}) VALUES (
        %(id)s, %(project)s, %(document)s, %(document_order)s, %(title)s, %(authors)s,
        %(section)s, %(kind)s, %(lang)s, %(page)s, %(position)s, %(body)s,
        %(themes)s, %(fingerprint)s,
        to_tsvector('gloss_en', %(en)s), to_tsvector('gloss_fr', %(fr)s),
        %(raw)s::tsvector,
        to_tsvector('gloss_en', %(context)s) || to_tsvector('gloss_xx', %(byline)s)
    )
    ON CONFLICT (id) DO UPDATE SET {_UPDATES}
"""
WORD_COUNTS = f"""
    SELECT project, w, count(*) FROM {ENTRY}, unnest(tsvector_to_array(raw)) AS w
    WHERE id = ANY(%s) GROUP BY project, w
"""


def require_postgresql() -> None:
    """Refuse, with the fix in the message, to run on another database."""
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(
            "The PostgreSQL search backend needs a PostgreSQL database "
            f"(this one is {connection.vendor}): set DATABASE_URL to "
            "postgres://…, or use GLOSS_SEARCH_BACKEND=whoosh."
        )


# -- what a row holds -----------------------------------------------------------


def tsquery_term(term: str) -> str:
    """A lexeme quoted for tsvector/tsquery input.

    >>> tsquery_term("o'neil")
    "'o''neil'"
    """
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def raw_vector(text: str) -> str:
    """The ``raw`` column as tsvector input: folded words with positions.

    >>> raw_vector("Trust, trust <b>Ça</b>")
    "'trust':1,2 'b':3,5 'ca':4"
    """
    positions: dict[str, list[int]] = {}
    for number, word in enumerate(analysis.words(text), start=1):
        term = analysis.fold(word)
        if len(term.encode("utf-8")) > MAX_LEXEME_BYTES:
            continue
        slots = positions.setdefault(term, [])
        position = min(number, MAX_POSITION)
        if len(slots) < MAX_POSITIONS and (not slots or slots[-1] != position):
            slots.append(position)
    return " ".join(
        f"{tsquery_term(term)}:{','.join(map(str, slots))}"
        for term, slots in positions.items()
    )


def parser_text(text: str) -> str:
    """Text for PostgreSQL's parser, which takes ``<…>`` for markup and ``&…;``
    for entities and indexes no word inside them (``<b>Trust</b>`` would lose
    "b"; ``alert(<x>)`` its content). Offsets do not matter here.

    >>> parser_text("<script>alert(1)</script> &amp; AT&T")
    ' script>alert(1) /script>  amp; AT T'
    """
    return text.replace("<", " ").replace("&", " ")


def entry_row(record: IndexRecord) -> dict[str, Any]:
    """The ``INSERT`` parameters for one record."""
    lang = analysis.field_language(record.lang)
    text = parser_text(record.text)
    return {
        "id": record.id,
        "project": record.project,
        "document": record.document,
        "document_order": record.document_order,
        "title": record.title,
        "authors": list(record.authors),
        "section": record.section,
        "kind": record.kind,
        "lang": record.lang or "",
        "page": record.page,
        "position": record.position,
        "body": record.text,
        "themes": sorted(set(record.themes)),
        "fingerprint": record.fingerprint(),
        "en": text if lang == "en" else "",
        "fr": text if lang == "fr" else "",
        "raw": raw_vector(record.text),
        "context": parser_text(f"{record.section}\n{record.title}"),
        "byline": parser_text(" ; ".join(record.authors)),
    }


# -- the backend ------------------------------------------------------------------


class PostgresBackend(SearchBackend):
    """Full-text search in the ``search_pg_entry`` table (module docstring)."""

    same_transaction = True

    def __init__(
        self, source: base.RecordSource, time_budget: float | None = None
    ) -> None:
        require_postgresql()
        super().__init__(source)
        # Seconds one search may run (statement_timeout), so no query holds
        # a worker; None: no limit.
        self.time_budget = time_budget

    # -- writes --------------------------------------------------------------

    def upsert(self, paragraph_ids: Collection[int]) -> None:
        """Re-read and re-index the given records in the caller's transaction,
        after locking them (see the module docstring): the read then sees
        every change committed by another writer of the same paragraphs."""
        ids = sorted(set(paragraph_ids))
        if not ids:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            _lock(cursor, ids)
            records = self.source.records(ids)
            found = {record.id for record in records}
            _write(cursor, records, [pid for pid in ids if pid not in found])

    def apply(self, upserts: Sequence[IndexRecord], deletes: Collection[int]) -> None:
        if not upserts and not deletes:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            _lock(cursor, sorted({r.id for r in upserts} | set(deletes)))
            _write(cursor, upserts, deletes)

    def rebuild(self) -> int:
        """Replace every entry in one transaction: searches meanwhile see the
        old entries (MVCC), writers wait for the new ones."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_INDEX)
            cursor.execute(f"DELETE FROM {ENTRY}")
            cursor.execute(f"DELETE FROM {WORD}")
            count = 0
            records = self.source.all_records()
            while batch := list(islice(records, BATCH)):
                cursor.executemany(INSERT, [entry_row(r) for r in batch])
                count += len(batch)
            cursor.execute(
                f"INSERT INTO {WORD} (project, word, docs) SELECT project, w, count(*)"
                f" FROM {ENTRY}, unnest(tsvector_to_array(raw)) AS w"
                " GROUP BY project, w"
            )
            # Merge the GIN pending lists now rather than in the next searches
            # (see the migration), and give the planner fresh statistics.
            cursor.execute(
                "SELECT count(gin_clean_pending_list(indexrelid)) FROM pg_index"
                " JOIN pg_class c ON c.oid = indexrelid JOIN pg_am a"
                " ON a.oid = c.relam WHERE a.amname = 'gin' AND indrelid = ANY("
                f"ARRAY['{ENTRY}'::regclass, '{WORD}'::regclass])"
            )
            cursor.execute(f"ANALYZE {ENTRY}")
            cursor.execute(f"ANALYZE {WORD}")
        log.info("search entries rebuilt in PostgreSQL: %d records", count)
        return count

    # -- reads ---------------------------------------------------------------

    def run_search(self, request: base.SearchRequest) -> base.SearchPage:
        page, page_size = request.page, request.page_size
        with transaction.atomic(), connection.cursor() as cursor:
            # Past jit_above_cost (100,000 by default; a broad OR estimates
            # ~25,000 at 100k records, more on a bigger or skewed corpus)
            # PostgreSQL JIT-compiles the statement: forced on a 10,938-match
            # OR at 100k, compiling took 135-250 ms (2.6-3.0 s past
            # jit_optimize_above_cost) for ~500 ms of execution; it never pays
            # back in a search. Off for this search only, then restored (SET
            # LOCAL alone would last to the end of a caller's transaction).
            cursor.execute(
                "SELECT current_setting('jit'), set_config('jit', 'off', true)"
            )
            (jit,) = cursor.fetchone()[:1]
            search = _Search(cursor, request.parsed, request.project, request.filters)
            found: base.SearchPage | None = None
            try:
                with transaction.atomic(), _time_budget(cursor, self.time_budget):
                    found = search.run(page, page_size, request.sort)
            except DatabaseError as exc:
                # (raised on: the atomic block's rollback ends the SET LOCAL)
                if self.time_budget is None or not _cancelled(exc):
                    raise  # not this search's budget: an error like any other
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])
        if found is not None:
            return found
        return base.SearchPage(
            hits=[],
            total=0,
            page=page,
            page_size=page_size,
            notice=BUDGET_NOTICE.format(seconds=self.time_budget),
        )

    def fingerprints(self) -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, fingerprint FROM {ENTRY}")
            return dict(cursor.fetchall())

    def status(self) -> base.IndexStatus:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {ENTRY}")
            (count,) = cursor.fetchone()
        return base.IndexStatus(
            location=f"PostgreSQL table {ENTRY} in {connection.settings_dict['NAME']}",
            documents=count,
            generation="updated in each change's transaction",
        )


def _lock(cursor: Any, ids: Sequence[int]) -> None:
    """Share the whole-index lock, then lock each id in order (the keys are
    int4: ids beyond 2**31 share a key with another, which only serialises)."""
    cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", LOCK_INDEX)
    keys = sorted({pid % 2_147_483_647 for pid in ids})
    cursor.execute(
        "SELECT count(pg_advisory_xact_lock(%s, k))"
        " FROM (SELECT unnest(%s::int[]) AS k ORDER BY 1) AS ordered",
        [LOCK_PARAGRAPH, keys],
    )


def _write(
    cursor: Any, upserts: Sequence[IndexRecord], deletes: Collection[int]
) -> None:
    """Write rows and keep the word table's counts in step, per project (only
    words whose count changed are touched: tagging changes none)."""
    ids = sorted({r.id for r in upserts} | set(deletes))
    before = _word_counts(cursor, ids)
    cursor.execute(f"DELETE FROM {ENTRY} WHERE id = ANY(%s)", [sorted(set(deletes))])
    if upserts:
        cursor.executemany(INSERT, [entry_row(r) for r in upserts])
    after = _word_counts(cursor, [r.id for r in upserts])
    delta = {
        word: after.get(word, 0) - before.get(word, 0)
        for word in before.keys() | after.keys()
        if after.get(word, 0) != before.get(word, 0)
    }
    if delta:
        _adjust_words(cursor, delta)


ProjectWord = tuple[int, str]


def _word_counts(cursor: Any, ids: Sequence[int]) -> dict[ProjectWord, int]:
    if not ids:
        return {}
    cursor.execute(WORD_COUNTS, [list(ids)])
    return {(project, word): count for project, word, count in cursor.fetchall()}


def _adjust_words(cursor: Any, delta: Mapping[ProjectWord, int]) -> None:
    keys = sorted(delta)  # one order for every writer: no lock cycles
    projects, words = [k[0] for k in keys], [k[1] for k in keys]
    cursor.execute(
        f"INSERT INTO {WORD} (project, word, docs)"
        " SELECT * FROM unnest(%s::bigint[], %s::text[], %s::int[]) ORDER BY 1, 2"
        " ON CONFLICT (project, word)"
        f" DO UPDATE SET docs = {WORD}.docs + EXCLUDED.docs",
        [projects, words, [delta[k] for k in keys]],
    )
    cursor.execute(
        f"DELETE FROM {WORD} w USING unnest(%s::bigint[], %s::text[]) AS k(p, t)"
        " WHERE w.project = k.p AND w.word = k.t AND w.docs <= 0",
        [projects, words],
    )


@contextmanager
def _time_budget(cursor: Any, seconds: float | None) -> Iterator[None]:
    """``statement_timeout`` for the statements inside; callers open a
    savepoint around it, whose end (or the transaction's) ends the SET LOCAL."""
    if seconds is not None:
        millis = max(1, round(seconds * 1000))
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)", [str(millis)]
        )
    yield


def _cancelled(exc: DatabaseError) -> bool:
    """Whether PostgreSQL cancelled the statement (statement_timeout)."""
    return getattr(exc.__cause__, "sqlstate", None) == "57014"


# -- one search -------------------------------------------------------------------


@dataclass
class _Search:
    """In one project: correct typos, compile the tree and filters to SQL,
    fetch a page of hits and the facet counts, highlight the hits."""

    cursor: Any
    parsed: q.ParsedQuery
    project: int
    filters: Mapping[str, Sequence[str]]

    def run(self, page: int, page_size: int, sort: str) -> base.SearchPage:
        node, corrected = q.correct(self.parsed.text, self.parsed.node, self._fix)
        scope = Sql("e.project = %s", (self.project,))
        where = Sql.all([scope, compile_node(node), *compile_filters(self.filters)])
        rank = rank_sql(node)
        limits = [page_size, (page - 1) * page_size]
        # One pass over the matches (materialised once) gives the page's ids
        # in order, the total and the four facets; the page's texts follow.
        if sort == "document":
            # The order needs no relevance: only the page's own rows are
            # ranked (ts_rank reads each record's large tsvectors out of
            # TOAST, over half of a broad search's time when every match is).
            matches = "0"
            page_rows = (
                "SELECT e.id, e.document_order, e.position,"
                f" {rank.text} AS rank FROM {ENTRY} e WHERE e.id = ANY(ARRAY("
                "SELECT id FROM m ORDER BY document_order, position, id"
                " LIMIT %s OFFSET %s))"
            )
            order = "document_order, position, id"
            params = [*where.params, *rank.params, *limits]
        else:
            # The page is cut first (a top-N heap sort of the matches), then
            # numbered: sorting every match to number it cost more.
            matches = rank.text
            order = "rank DESC, id"
            page_rows = f"SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s"
            params = [*rank.params, *where.params, *limits]
        self.cursor.execute(
            "WITH m AS MATERIALIZED (SELECT e.id, e.document, e.kind, e.lang,"
            f" e.themes, e.document_order, e.position, {matches} AS rank"
            f" FROM {ENTRY} e WHERE {where.text}),"
            f" page AS (SELECT id, rank, row_number() OVER (ORDER BY {order}) AS n"
            f" FROM ({page_rows}) AS cut)"
            " SELECT 'hit', id::text, n, rank FROM page"
            " UNION ALL SELECT 'total', '', count(*), 0 FROM m"
            " UNION ALL SELECT 'document', document, count(*), 0 FROM m GROUP BY 2"
            " UNION ALL SELECT 'lang', lang, count(*), 0 FROM m WHERE lang <> ''"
            " GROUP BY 2"
            " UNION ALL SELECT 'kind', kind, count(*), 0 FROM m GROUP BY 2"
            " UNION ALL SELECT 'theme', t, count(*), 0 FROM m, unnest(m.themes) AS t"
            " GROUP BY 2",
            params,
        )
        ranked, total, facets = _page_and_facets(self.cursor.fetchall())
        hits = self._hits(ranked, Marker.from_node(node))
        return base.SearchPage(hits, total, page, page_size, facets, corrected)

    def _hits(self, ranked: list[tuple[int, float]], marker: Marker) -> list[base.Hit]:
        self.cursor.execute(
            f"SELECT id, body, lang, themes FROM {ENTRY}"
            " WHERE id = ANY(%s) AND project = %s",
            [[pid for pid, _ in ranked], self.project],
        )
        rows = {pid: (text, lang, tags) for pid, text, lang, tags in self.cursor}
        return [
            base.Hit(pid, score, highlight_html(text, marker, lang), tuple(tags))
            for pid, score in ranked
            for text, lang, tags in [rows[pid]]
        ]

    def _fix(self, word: str) -> str | None:
        """A replacement for a word no record knows, or None."""
        folded = analysis.fold(word)
        if len(folded) < 4 or len(folded) > 64 or folded.isdigit():
            return None
        if self._known(word, folded):
            return None
        return self._suggest(folded)

    def _known(self, word: str, folded: str) -> bool:
        """Known in the project as a raw word, a stem in either language, or a
        context word (another project's words are unknown here)."""
        p = self.project
        self.cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {WORD} WHERE project = %s AND word = %s)"
            f" OR EXISTS (SELECT 1 FROM {ENTRY} WHERE project = %s"
            "  AND tsv_en @@ plainto_tsquery('gloss_en', %s))"
            f" OR EXISTS (SELECT 1 FROM {ENTRY} WHERE project = %s"
            "  AND tsv_fr @@ plainto_tsquery('gloss_fr', %s))"
            f" OR EXISTS (SELECT 1 FROM {ENTRY} WHERE project = %s AND context @@"
            "  (plainto_tsquery('gloss_en', %s) || plainto_tsquery('gloss_xx', %s)))",
            [p, folded, p, parser_text(word), p, parser_text(word), p]
            + [parser_text(word)] * 2,
        )
        return bool(self.cursor.fetchone()[0])

    def _suggest(self, folded: str) -> str | None:
        """The word of the project's records within one edit of ``folded`` (two
        for longer words), sharing its first letter, that most of them have;
        as Whoosh suggests.
        Trigram similarity (GIN index) finds candidates, Levenshtein decides."""
        for maxdist in (1, 2) if len(folded) >= 6 else (1,):
            self.cursor.execute(
                f"SELECT word FROM {WORD} WHERE project = %s AND word %% %s"
                " AND left(word, 1) = left(%s, 1)"
                " AND length(word) BETWEEN %s AND %s"
                " AND levenshtein(word, %s) <= %s"
                " ORDER BY docs DESC, word DESC LIMIT 1",
                [
                    self.project,
                    folded,
                    folded,
                    len(folded) - maxdist,
                    len(folded) + maxdist,
                    folded,
                    maxdist,
                ],
            )
            row = self.cursor.fetchone()
            if row is not None:
                return str(row[0])
        return None


def _page_and_facets(
    rows: Sequence[tuple[str, str, int, float]],
) -> tuple[list[tuple[int, float]], int, dict[str, list[base.FacetCount]]]:
    """Split the search statement's rows: the page's (id, score) in order, the
    total, and each facet's counts."""
    hits: list[tuple[int, int, float]] = []
    counts: dict[str, list[tuple[str, int]]] = {name: [] for name in base.FACETS}
    total = 0
    for kind, value, number, score in rows:
        if kind == "hit":
            hits.append((number, int(value), float(score)))
        elif kind == "total":
            total = number
        else:
            counts[kind].append((value, number))
    ranked = [(pid, score) for _, pid, score in sorted(hits)]
    return ranked, total, {name: _facet_rows(rows) for name, rows in counts.items()}


def _facet_rows(rows: list[tuple[str, int]]) -> list[base.FacetCount]:
    """Most frequent first, then by value (as the Whoosh backend orders them)."""
    rows = sorted(rows, key=lambda row: (-row[1], row[0]))
    return [base.FacetCount(value, count) for value, count in rows]


# -- compiling the query tree ---------------------------------------------------


@dataclass(frozen=True)
class Sql:
    """A piece of SQL with its parameters, in order."""

    text: str
    params: tuple[Any, ...] = ()

    @classmethod
    def join(cls, operator: str, parts: Sequence[Sql]) -> Sql:
        text = f" {operator} ".join(part.text for part in parts)
        return cls(f"({text})", tuple(p for part in parts for p in part.params))

    @classmethod
    def all(cls, parts: Sequence[Sql]) -> Sql:
        return cls.join("AND", parts) if parts else cls("TRUE")


def compile_node(node: q.Node) -> Sql:
    """The tree as a boolean SQL expression over ``e``, a ``search_pg_entry`` row.

    >>> compile_node(q.parse("secur* -kind:footnote")).text
    '(e.raw @@ %s::tsquery AND NOT (e.kind = %s))'
    """
    if isinstance(node, q.And | q.Or):
        operator = "AND" if isinstance(node, q.And) else "OR"
        return Sql.join(operator, [compile_node(c) for c in node.children])
    if isinstance(node, q.Not):
        child = compile_node(node.child)
        return Sql(f"NOT ({child.text})", child.params)
    if isinstance(node, q.Word):
        return _word_sql(node.text)
    if isinstance(node, q.Phrase):
        return _raw_sql(_phrase_tsquery(node.words))
    if isinstance(node, q.Prefix):
        return _raw_sql(f"{tsquery_term(node.text)}:*")
    if isinstance(node, q.Filter):
        return _filter_sql(node.name, [node.value])
    return Sql("TRUE")


def _word_sql(word: str) -> Sql:
    """A word in the stemmed text of either language, or as typed (folded)."""
    parts = list(analysis.words(word))
    if not parts:
        return Sql("FALSE")
    if len(parts) > 1:  # "U.S.-Mexico": one word typed, several indexed
        return _raw_sql(_phrase_tsquery(parts))
    text = parser_text(parts[0])
    return Sql(
        "(e.tsv_en @@ plainto_tsquery('gloss_en', %s)"
        " OR e.tsv_fr @@ plainto_tsquery('gloss_fr', %s) OR e.raw @@ %s::tsquery)",
        (text, text, tsquery_term(analysis.fold(parts[0]))),
    )


def _phrase_tsquery(words: Sequence[str]) -> str:
    """Folded words adjacent and in order (``<->``), as tsquery input."""
    return " <-> ".join(tsquery_term(analysis.fold(w)) for w in words) or "''"


def _raw_sql(tsquery: str) -> Sql:
    return Sql("e.raw @@ %s::tsquery", (tsquery,))


FILTER_COLUMNS = {"document": "document", "lang": "lang", "kind": "kind"}


def _filter_sql(name: str, values: Sequence[str]) -> Sql:
    """Values of one facet are alternatives; themes is multi-valued."""
    if name == "theme":
        return Sql("e.themes && %s::text[]", (list(values),))
    column = FILTER_COLUMNS[name]
    if len(values) == 1:
        return Sql(f"e.{column} = %s", (values[0],))
    return Sql(f"e.{column} = ANY(%s)", (list(values),))


def compile_filters(filters: Mapping[str, Sequence[str]]) -> list[Sql]:
    return [
        _filter_sql(name, list(values)) for name, values in filters.items() if values
    ]


def rank_sql(node: q.Node) -> Sql:
    """Relevance, as the Whoosh backend weighs it: the words in the stemmed
    text, the exact forms (weight 0.5), the context (0.3), times the record
    kind's weight (body text over notes and references)."""
    leaves = list(q.positive_leaves(node))
    if not leaves:
        return Sql("0")
    single = [
        parser_text(parts[0])
        for leaf in leaves
        if isinstance(leaf, q.Word)
        and len(parts := list(analysis.words(leaf.text))) == 1
    ]
    raw = " | ".join(f"({_leaf_tsquery(leaf)})" for leaf in leaves)
    terms = [f"{RAW_WEIGHT} * ts_rank(e.raw, %s::tsquery)"]
    params: list[Any] = [raw]
    if single:
        en, fr, ctx = (_any_of(cfg, len(single)) for cfg in ("en", "fr", "ctx"))
        terms += [
            f"ts_rank(e.tsv_en, {en})",
            f"ts_rank(e.tsv_fr, {fr})",
            f"{CONTEXT_WEIGHT} * ts_rank(e.context, {ctx})",
        ]
        params += [*single, *single, *[w for w in single for _ in (0, 1)]]
    boost = " ".join(f"WHEN '{kind}' THEN {w}" for kind, w in KIND_BOOST.items())
    return Sql(
        f"(({' + '.join(terms)}) * CASE e.kind {boost} ELSE 1.0 END)", tuple(params)
    )


def _leaf_tsquery(leaf: q.Word | q.Phrase | q.Prefix) -> str:
    if isinstance(leaf, q.Prefix):
        return f"{tsquery_term(leaf.text)}:*"
    words = (
        leaf.words if isinstance(leaf, q.Phrase) else list(analysis.words(leaf.text))
    )
    return _phrase_tsquery(words)


def _any_of(config: str, count: int) -> str:
    """A tsquery matching any of ``count`` words (parameters) in ``config``;
    "ctx" is the context column's pair of configurations."""
    if config == "ctx":
        one = "(plainto_tsquery('gloss_en', %s) || plainto_tsquery('gloss_xx', %s))"
    else:
        one = f"plainto_tsquery('gloss_{config}', %s)"
    return "(" + " || ".join([one] * count) + ")"
