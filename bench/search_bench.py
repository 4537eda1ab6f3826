"""Search benchmark: Whoosh (through WhooshBackend) against SQLite FTS5.

A script, not a test: it prints figures and asserts nothing.

1. Builds a deterministic synthetic corpus (fixed seed) of ``--size``
   paragraphs (default 100,000): sentences of the bundled corpus
   (``corpus/sources/*.txt``) with a share of their words replaced by words
   drawn, Zipf-like, from wordfreq's English (or French) list, so the
   vocabulary is realistic rather than the seeds' few thousand words.
2. Times bulk indexing with ``WhooshBackend.rebuild`` (the production path,
   records fed from memory instead of the database).
3. Runs a fixed query mix (one word, two-word AND, phrase, OR, NOT, typo,
   theme filter, prefix*), each with highlights and facets, on Whoosh and,
   query by query in turn, on SQLite FTS5 (Python's sqlite3, porter +
   unicode61 without diacritics) with snippet() and the same four facet
   counts; prints p50 and p95 per type and the Whoosh/FTS5 ratios.
4. For typo queries, a second, fair FTS5 reference: FTS5 alone runs the
   misspelled word and finds nothing, while Whoosh corrects it first. The
   "typo, fts5 corrects" line adds a correction step of the same kind to
   FTS5: the word looked up in an fts5vocab table of the same paragraphs
   (unstemmed, diacritics removed, as Whoosh's ``raw`` field), and when
   neither it nor its stem is known, its one-edit variants sharing its first
   letter looked up at once and the one most paragraphs have chosen, then run
   with snippets and facets.
   That vocabulary index is built once beside the FTS5 index and timed on its
   own line (not in the FTS5 indexing figures).

    .venv/bin/python bench/search_bench.py [--size N] [--queries N] [--seed S]
        [--projects N] [--reuse-index DIR]

``--reuse-index DIR`` keeps the Whoosh and FTS5 indexes in DIR and reuses them
on later runs with the same corpus (size, seed, projects), so query-side
changes are measured without the ~3 minutes of indexing each time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import wordfreq  # noqa: E402

from search.backend import IndexRecord  # noqa: E402
from search.whoosh_backend import WhooshBackend  # noqa: E402

THEMES = ("sovereignty", "distrust", "bilateralism")
KINDS = (
    ("paragraph", 70),
    ("footnote", 15),
    ("reference", 7),
    ("heading", 5),
    ("meta", 3),
)
PARAGRAPHS_PER_DOCUMENT = 500
# One project holds every record: the costliest case for the project filter,
# whose postings then list every record.
PROJECT = 1
REPLACE_SHARE = 0.25  # of a seed sentence's words, replaced by list words
FRENCH_SHARE = 0.05
QUERY_TYPES = (
    "one word",
    "two-word AND",
    "phrase",
    "OR",
    "NOT",
    "typo",
    "theme filter",
    "prefix*",
)


# -- the corpus ---------------------------------------------------------------


def seed_sentences() -> tuple[list[str], list[str]]:
    """English and French sentences of the bundled corpus (French: the lines
    with typical French function words)."""
    text = " ".join(
        p.read_text(encoding="utf-8")
        for p in sorted((REPO / "corpus" / "sources").glob("*.txt"))
    )
    sentences = [
        s.strip() for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text))
    ]
    sentences = [s for s in sentences if 30 <= len(s) <= 400]
    french = [
        s
        for s in sentences
        if len(re.findall(r"\b(les|des|est|une|dans|qui)\b", s)) >= 2
    ]
    english = [s for s in sentences if s not in set(french)]
    return english, french


class Vocabulary:
    """Words from wordfreq's list, drawn with Zipf-like weights (1 / rank)."""

    def __init__(self, lang: str, size: int) -> None:
        self.words = [w for w in wordfreq.top_n_list(lang, size) if w.isalpha()]
        weights = [1.0 / (rank + 20) for rank in range(len(self.words))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def make_text(
    rng: random.Random, seeds: list[str], vocab: Vocabulary, sentences: int
) -> str:
    out = []
    for sentence in rng.choices(seeds, k=sentences):
        words = sentence.split()
        replaced = vocab.draw(rng, len(words))
        out.append(
            " ".join(
                r if rng.random() < REPLACE_SHARE else w
                for w, r in zip(words, replaced, strict=True)
            )
        )
    return " ".join(out)


def make_corpus(size: int, seed: int) -> list[IndexRecord]:
    rng = random.Random(seed)
    english, french = seed_sentences()
    vocab = {"en": Vocabulary("en", 30000), "fr": Vocabulary("fr", 10000)}
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    records = []
    for i in range(size):
        doc = i // PARAGRAPHS_PER_DOCUMENT
        lang = "fr" if rng.random() < FRENCH_SHARE else "en"
        kind = rng.choices(kinds, weights)[0]
        length = 1 if kind in ("heading", "meta") else rng.randint(2, 6)
        text = make_text(rng, french if lang == "fr" else english, vocab[lang], length)
        if kind == "heading":
            text = text[:80]
        themes = (
            tuple(sorted(set(rng.sample(THEMES, rng.randint(1, 2)))))
            if rng.random() < 0.3
            else ()
        )
        records.append(
            IndexRecord(
                id=i + 1,
                project=PROJECT,
                document=f"doc-{doc:04d}",
                document_order=f"{doc:04d}.txt",
                title=f"Synthetic document {doc}",
                authors=("A. Author",),
                section=f"Section {i // 25}",
                kind=kind,
                lang=lang,
                page=None,
                position=i % PARAGRAPHS_PER_DOCUMENT,
                text=text,
                themes=themes,
            )
        )
    return records


def spread(records: list[IndexRecord], projects: int) -> list[IndexRecord]:
    """Documents dealt round to ``projects`` projects (ids 1, 2, …)."""
    if projects <= 1:
        return records
    return [
        replace(r, project=PROJECT + int(r.document.rsplit("-", 1)[1]) % projects)
        for r in records
    ]


class MemorySource:
    def __init__(self, records: list[IndexRecord]) -> None:
        self.by_id = {r.id: r for r in records}

    def records(self, ids):  # noqa: ANN001, ANN201 - RecordSource
        return [self.by_id[i] for i in ids if i in self.by_id]

    def all_records(self) -> Iterator[IndexRecord]:
        return iter(self.by_id.values())


# -- the queries --------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str
    whoosh: str
    fts: str  # FTS5 MATCH expression
    theme: str | None = None


def make_queries(records: list[IndexRecord], per_type: int, seed: int) -> list[Query]:
    """A fixed mix: content words of mid frequency in the corpus's English text."""
    rng = random.Random(seed + 1)
    words = _content_words(records[:5000])
    queries = []
    for _ in range(per_type):
        a, b = rng.sample(words, 2)
        phrase = _bigram(rng, records)
        typo = _typo(rng, rng.choice([w for w in words if len(w) >= 7]))
        theme = rng.choice(THEMES)
        queries += [
            Query("one word", a, a),
            Query("two-word AND", f"{a} {b}", f"{a} AND {b}"),
            Query("phrase", f'"{phrase}"', f'"{phrase}"'),
            Query("OR", f"{a} OR {b}", f"{a} OR {b}"),
            Query("NOT", f"{a} -{b}", f"{a} NOT {b}"),
            Query("typo", typo, typo),
            Query("theme filter", f"theme:{theme} {a}", a, theme),
        ]
    # Drawn from their own generator so the other types' queries stay the ones
    # earlier runs measured.
    prefix_rng = random.Random(seed + 2)
    for _ in range(per_type):
        prefix = _prefix(prefix_rng, words)
        queries.append(Query("prefix*", f"{prefix}*", f"{prefix}*"))
    return queries


def _content_words(records: list[IndexRecord]) -> list[str]:
    counts: dict[str, int] = {}
    for record in records:
        if record.lang == "en":
            for w in re.findall(r"[a-z]{5,}", record.text.lower()):
                counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    return ranked[50:600]  # skip the most common, keep words that do occur


def _bigram(rng: random.Random, records: list[IndexRecord]) -> str:
    while True:
        words = re.findall(r"[a-z]{4,}", rng.choice(records).text.lower())
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            return f"{words[i]} {words[i + 1]}"


def _prefix(rng: random.Random, words: list[str]) -> str:
    """The first 4 to 6 letters of a content word (Gloss needs at least 3)."""
    return rng.choice(words)[: rng.randint(4, 6)]


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # one letter dropped


# -- running ------------------------------------------------------------------


Timings = dict[str, list[float]]  # query type -> milliseconds per query


def time_queries(
    queries: list[Query], runs: list[Callable[[Query], object]]
) -> tuple[list[Timings], list[Timings]]:
    """Wall and CPU milliseconds per query type, for each engine's ``run``.
    The engines take turns query by query, so a machine busy with other work
    slows both alike and their ratio stays readable; CPU time (this process's:
    both engines run in it, one query at a time) is what a query cost,
    whatever share of the cores it got."""
    for run in runs:
        for kind in QUERY_TYPES:  # warm caches once per type
            run(next(query for query in queries if query.kind == kind))
    walls: list[Timings] = [{kind: [] for kind in QUERY_TYPES} for _ in runs]
    cpus: list[Timings] = [{kind: [] for kind in QUERY_TYPES} for _ in runs]
    for query in queries:
        for run, wall, cpu in zip(runs, walls, cpus, strict=True):
            start, cpu_start = time.perf_counter(), time.process_time()
            run(query)
            cpu[query.kind].append((time.process_time() - cpu_start) * 1000)
            wall[query.kind].append((time.perf_counter() - start) * 1000)
    return walls, cpus


def whoosh_run(backend: WhooshBackend) -> Callable[[Query], object]:
    def run(query: Query) -> object:
        return backend.search(query.whoosh, page_size=20, project=PROJECT)

    return run


def fts_setup(
    records: list[IndexRecord], path: Path
) -> tuple[sqlite3.Connection, float]:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE para (id INTEGER PRIMARY KEY, document TEXT, kind TEXT,"
        " lang TEXT, text TEXT)"
    )
    db.execute("CREATE TABLE para_theme (para_id INTEGER, theme TEXT)")
    db.execute("CREATE INDEX para_theme_theme ON para_theme (theme, para_id)")
    db.execute("CREATE INDEX para_theme_para ON para_theme (para_id, theme)")
    db.execute(
        "CREATE VIRTUAL TABLE para_fts USING fts5(text, content='para',"
        " content_rowid='id',"
        " tokenize='porter unicode61 remove_diacritics 2')"
    )
    start = time.perf_counter()
    with db:
        db.executemany(
            "INSERT INTO para VALUES (?, ?, ?, ?, ?)",
            ((r.id, r.document, r.kind, r.lang, r.text) for r in records),
        )
        db.executemany(
            "INSERT INTO para_theme VALUES (?, ?)",
            ((r.id, t) for r in records for t in r.themes),
        )
        db.execute("INSERT INTO para_fts (rowid, text) SELECT id, text FROM para")
    return db, time.perf_counter() - start


def fts_run(db: sqlite3.Connection) -> Callable[[Query], object]:
    """One query on FTS5: a ranked page with snippets, then the four facet
    counts, each a GROUP BY over the same MATCH (joined with the theme table
    for a theme filter)."""

    def run(query: Query) -> object:
        base = "FROM para_fts f JOIN para p ON p.id = f.rowid"
        args: tuple[str, ...] = (query.fts,)
        if query.theme:
            base += " JOIN para_theme t ON t.para_id = f.rowid"
        base += " WHERE para_fts MATCH ?"
        if query.theme:
            base += " AND t.theme = ?"
            args += (query.theme,)
        page = db.execute(
            "SELECT f.rowid, bm25(para_fts),"
            " snippet(para_fts, 0, '<mark>', '</mark>', ' … ', 40)"
            f" {base} ORDER BY bm25(para_fts) LIMIT 20",
            args,
        ).fetchall()
        facets = [
            db.execute(
                f"SELECT p.{col}, count(*) {base} GROUP BY p.{col}", args
            ).fetchall()
            for col in ("document", "kind", "lang")
        ]
        themes = db.execute(
            "SELECT tt.theme, count(*) "
            + base.replace(
                " WHERE", " JOIN para_theme tt ON tt.para_id = f.rowid WHERE", 1
            )
            + " GROUP BY tt.theme",
            args,
        ).fetchall()
        return page, facets, themes

    return run


def fts_vocabulary_setup(db: sqlite3.Connection) -> float | None:
    """The unstemmed vocabulary of the paragraphs for the fair typo reference:
    an FTS5 index of the same text without the porter stemmer (no positions,
    only which paragraphs have each word) and its fts5vocab ``row`` table.
    Made once (kept with a reused index); returns its build time, or None
    when it was there already."""
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'para_raw_vocab'"
    ).fetchone()
    if found:
        return None
    start = time.perf_counter()
    with db:
        db.execute(
            "CREATE VIRTUAL TABLE para_raw USING fts5(text, content='para',"
            " content_rowid='id', detail=none,"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        db.execute("INSERT INTO para_raw (rowid, text) SELECT id, text FROM para")
        db.execute("CREATE VIRTUAL TABLE para_raw_vocab USING fts5vocab(para_raw, row)")
    return time.perf_counter() - start


def fts_correcting_run(db: sqlite3.Connection) -> Callable[[Query], object]:
    """FTS5 with a spelling step of the kind Whoosh's: a word the vocabulary
    does not know is replaced by the one-edit variant (same first letter) that
    most paragraphs have, then the query runs as ``fts_run`` runs it. Only
    typo queries are run (the other types return at once, untimed)."""
    search = fts_run(db)
    letters = "".join(
        sorted(
            {
                c
                for (term,) in db.execute("SELECT term FROM para_raw_vocab")
                for c in term
            }
        )
    )

    def run(query: Query) -> object:
        if query.kind != "typo":
            return None
        word = query.fts.lower()
        # Known as typed, or by its stem (as Whoosh checks its stemmed fields).
        known = (
            db.execute(
                "SELECT 1 FROM para_raw_vocab WHERE term = ?", (word,)
            ).fetchone()
            or db.execute(
                "SELECT 1 FROM para_fts WHERE para_fts MATCH ? LIMIT 1", (word,)
            ).fetchone()
        )
        if not known:
            candidates = db.execute(
                "SELECT term, doc FROM para_raw_vocab WHERE term IN"
                " (SELECT value FROM json_each(?))",
                (json.dumps(sorted(one_edit(word, letters))),),
            ).fetchall()
            if candidates:
                word = max(candidates, key=lambda row: (row[1], row[0]))[0]
        return search(replace(query, fts=word))

    return run


def one_edit(word: str, letters: str) -> set[str]:
    """The variants of ``word`` one insertion, deletion or change away that
    keep its first letter (what Whoosh's one-edit lookup with prefix=1 asks).

    >>> sorted(one_edit("ab", "ab"))
    ['a', 'aa', 'aab', 'ab', 'aba', 'abb']
    """
    first, rest = word[:1], word[1:]
    variants = set()
    for i in range(len(rest) + 1):
        head, tail = rest[:i], rest[i:]
        variants.update(head + c + tail for c in letters)
        if tail:
            variants.add(head + tail[1:])
            variants.update(head + c + tail[1:] for c in letters)
    return {first + v for v in variants}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the indexing
    processes): on a shared machine, wall time measures the share it got."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(
    whoosh: dict[str, list[float]],
    fts: dict[str, list[float]],
    correcting: dict[str, list[float]] | None = None,
) -> None:
    print(
        f"{'query type':<14} {'whoosh p50':>10} {'p95':>8} {'fts5 p50':>9}"
        f" {'p95':>8} {'ratio p50':>10} {'p95':>7}"
    )
    for kind in QUERY_TYPES:
        w50, w95 = percentile(whoosh[kind], 0.5), percentile(whoosh[kind], 0.95)
        f50, f95 = percentile(fts[kind], 0.5), percentile(fts[kind], 0.95)
        print(
            f"{kind:<14} {w50:>8.1f}ms {w95:>6.1f}ms {f50:>7.1f}ms {f95:>6.1f}ms"
            f" {w50 / max(f50, 0.001):>9.1f}x {w95 / max(f95, 0.001):>6.1f}x"
        )
    all_w = [v for values in whoosh.values() for v in values]
    all_f = [v for values in fts.values() for v in values]
    print(
        f"{'all':<14} {percentile(all_w, 0.5):>8.1f}ms"
        f" {percentile(all_w, 0.95):>6.1f}ms"
        f" {percentile(all_f, 0.5):>7.1f}ms {percentile(all_f, 0.95):>6.1f}ms"
        f" {statistics.median(all_w) / max(statistics.median(all_f), 0.001):>9.1f}x"
    )
    if correcting is not None:
        w50, w95 = percentile(whoosh["typo"], 0.5), percentile(whoosh["typo"], 0.95)
        f50, f95 = (percentile(correcting["typo"], p) for p in (0.5, 0.95))
        print(
            f"{'typo, fts5 fix':<14} {w50:>8.1f}ms {w95:>6.1f}ms {f50:>7.1f}ms"
            f" {f95:>6.1f}ms {w50 / max(f50, 0.001):>9.1f}x"
            f" {w95 / max(f95, 0.001):>6.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=100_000, help="paragraphs (default 100,000)"
    )
    parser.add_argument(
        "--queries", type=int, default=30, help="queries per type (default 30)"
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--procs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="indexing processes",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=2048,
        help="posting pool per indexing process (default 2048: no spill at 100k)",
    )
    parser.add_argument(
        "--projects",
        type=int,
        default=1,
        help="spread the documents over this many projects; queries run in the"
        " first (default 1: the index holds one project)",
    )
    parser.add_argument(
        "--reuse-index",
        metavar="DIR",
        help="keep both indexes in DIR and reuse them on later runs with the same"
        " --size, --seed and --projects (default: a temporary directory)",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    records = spread(make_corpus(args.size, args.seed), args.projects)
    vocabulary = {w for r in records for w in re.findall(r"\w+", r.text.lower())}
    print(
        f"corpus: {len(records):,} paragraphs, {len(vocabulary):,} distinct words, "
        f"{sum(len(r.text) for r in records) / 1e6:.1f} MB of text"
        f" ({time.perf_counter() - start:.1f} s to generate)"
    )
    queries = make_queries(records, args.queries, args.seed)

    with contextlib.ExitStack() as stack:
        if args.reuse_index:
            where = Path(args.reuse_index).resolve()
            where.mkdir(parents=True, exist_ok=True)
        else:
            tmp = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="gloss-search-bench-")
            )
            where = Path(tmp)
        backend, db = build_indexes(records, where, args)
        print(
            f"\n{len(queries)} queries ({args.queries} per type),"
            " page of 20 with highlights and 4 facets:"
        )
        runs = [whoosh_run(backend), fts_run(db), fts_correcting_run(db)]
        walls, cpus = time_queries(queries, runs)
        report(*walls)
        print(f"\nthe same queries, CPU time (load average {_load()}):")
        report(*cpus)
        print(
            "(typo: FTS5 has no spelling correction and runs the misspelled word,"
            " which finds nothing; Whoosh finds the correction and runs that.)"
        )
        print(
            "(typo, fts5 fix: the same typo queries against a fair reference,"
            " FTS5 with a one-edit lookup"
            " in an fts5vocab table of the same paragraphs, unstemmed, then the"
            " corrected word run with snippets and facets; ratios are Whoosh's"
            " typo p50 and p95 over it.)"
        )
        db.close()
        backend.close()


def build_indexes(
    records: list[IndexRecord], where: Path, args: argparse.Namespace
) -> tuple[WhooshBackend, sqlite3.Connection]:
    """Both indexes under ``where``: reused when ``BENCH`` there says they were
    built from this corpus (and the Whoosh build still opens with this code's
    schema), else built and timed."""
    backend = WhooshBackend(
        where / "index",
        MemorySource(records),
        procs=args.procs,
        memory_mb=args.memory_mb,
    )
    marker, fts_path = where / "BENCH", where / "fts.sqlite3"
    stamp = f"size={args.size} seed={args.seed} projects={args.projects}\n"
    if (
        marker.exists()
        and marker.read_text() == stamp
        and fts_path.exists()
        and backend.status().documents == len(records)
    ):
        print(f"indexes reused from {where} (built for {stamp.strip()})")
        db = sqlite3.connect(fts_path)
        _vocabulary(db, len(records))
        return backend, db
    marker.unlink(missing_ok=True)
    fts_path.unlink(missing_ok=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    backend.rebuild()
    seconds = time.perf_counter() - start
    whoosh_cpu = cpu_seconds() - cpu
    print(
        f"whoosh bulk indexing: {seconds:.1f} s"
        f" ({len(records) / seconds:,.0f} paragraphs/s, {args.procs} processes,"
        f" {args.memory_mb} MB each)"
    )
    cpu = cpu_seconds()
    db, fts_seconds = fts_setup(records, fts_path)
    fts_cpu = cpu_seconds() - cpu
    print(
        f"fts5 bulk indexing:   {fts_seconds:.1f} s"
        f" ({len(records) / fts_seconds:,.0f} paragraphs/s)"
    )
    print(f"indexing ratio whoosh/fts5: {seconds / fts_seconds:.1f}x")
    print(
        f"indexing cpu: whoosh {whoosh_cpu:.1f} s (all its processes),"
        f" fts5 {fts_cpu:.1f} s, ratio {whoosh_cpu / max(fts_cpu, 0.001):.1f}x"
    )
    _vocabulary(db, len(records))
    marker.write_text(stamp)
    return backend, db


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def _vocabulary(db: sqlite3.Connection, size: int) -> None:
    seconds = fts_vocabulary_setup(db)
    if seconds is not None:
        print(
            f"fts5 spelling vocabulary (typo reference only): {seconds:.1f} s"
            f" ({size / seconds:,.0f} paragraphs/s)"
        )


if __name__ == "__main__":
    main()
