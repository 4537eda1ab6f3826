"""Writes and searches at scale: many taggers and searchers on N paragraphs (a script).

For each engine in ``--runs`` (``whoosh:sqlite``: the Whoosh index with a
SQLite database; ``postgres:postgres``: PostgreSQL full-text search in a
PostgreSQL database it creates and drops on 127.0.0.1:5432; ``whoosh:postgres``
also works):

1. **Build**: a throwaway installation (``load_bench.installation``); writes
   ``--size`` synthetic paragraphs (``search_bench.make_corpus``: sentences of
   the bundled corpus with words from wordfreq, 500 per document) as text
   files and ingests them with ``manage.py ingest`` (the project's own
   pipeline and bulk write path), tags ``--seed-share`` of them through
   ``annotations_bulk_create`` (so ``theme:`` filters match from the start),
   and builds the index with ``search_index rebuild``. Times each step.
2. **Serve** as ``make run`` does (gunicorn with gunicorn.conf.py: web
   workers, the search drainer, the task worker) on a free loopback port.
3. **Load** for ``--seconds``: ``--taggers`` people tag passages through
   ``POST /api/annotations`` (pausing up to 2 × ``--tag-think`` s between
   tags); after every tag the tagger searches ``theme:T word document:D``
   until the search finds the passage (freshness for its author: the time
   from the 201 to the first search that finds it); a watcher (another
   account) does the same for every ``--watch-every``-th tag, polling every
   0.1 s (freshness for everyone else: the drainer's lag); ``--searchers``
   people send searches of every type (word, AND, phrase, OR, NOT, prefix*,
   typo, theme filter; facets and highlights are always on in the API).
4. **After**: waits for the outbox to empty, then ``search_index verify
   --check`` (index = database), and reads the server log for "database is
   locked", deadlocks and server errors.

Then, once, the **SQLite FTS5 reference** (``search_bench.fts_setup`` and
``fts_run``: a ranked page with snippets and the facet counts), single process,
on the same paragraphs read back from the first run's database (with the
themes they had at its end) and the same queries: p50/p95 per type.

Prints p50/p95/p99 and errors per request type, throughput, freshness p50/p95,
whether index = database, the load average, and the issue's targets (0 errors,
tag p95 < 300 ms, search p95 < 500 ms, freshness p95 < 1 s, index = database)
met or not. Exits non-zero on a failed request, drift or log alarm.
Requests go to 127.0.0.1 only.

    .venv/bin/python bench/scale_bench.py [--size 10000] [--seconds 60]
        [--runs whoosh:sqlite,postgres:postgres] [--snapshot DIR]

``--snapshot DIR`` (SQLite runs) saves the built installation in DIR and, on a
later run with the same arguments, starts from that copy instead of building
(the output says so): for iterating on the serving side only.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_bench import (  # noqa: E402 - the sibling scripts, found just above
    ACCOUNTS_SCRIPT,
    PASSWORD,
    Client,
    alarm_context,
    free_port,
    installation,
    log_alarms,
    manage,
    percentile,
    serve,
    stop,
)
from search_bench import (  # noqa: E402
    THEMES,
    fts_run,
    make_corpus,
)

TARGETS = {"tag p95": 300.0, "search p95": 500.0, "freshness p95": 1000.0}
QUERY_TYPES = ("word", "AND", "phrase", "OR", "NOT", "prefix", "typo", "theme")
FRESH_TIMEOUT = 10.0  # s: a tag not found by then counts as never found
WATCH_POLL = 0.1


# --- building the installation ------------------------------------------------


def write_sources(folder: Path, size: int, seed: int, env: dict[str, str]) -> int:
    """About ``size`` paragraph records as text files, one per document.

    The synthetic texts carry the seed sentences' list markers, headings and
    cut sentences, so the segmenter joins and splits some of them (1,000
    texts made ~650 records): it is run once on the first document, and
    enough texts are written for ``size`` records."""
    first = folder / "calibrate.txt"
    first.write_text(document_text("doc-0000", texts(500, seed)), encoding="utf-8")
    out = manage(env, "shell", "-c", CALIBRATE_SCRIPT, stdin=f"{first}\n")
    first.unlink()
    ratio = int(out.split("RECORDS ")[1].split()[0]) / 500
    by_document: dict[str, list[str]] = defaultdict(list)
    for record in make_corpus(int(size / ratio) + 1, seed):
        by_document[record.document].append(as_paragraph(record.text))
    for slug, written in by_document.items():
        (folder / f"{slug}.txt").write_text(document_text(slug, written), "utf-8")
    return len(by_document)


def texts(count: int, seed: int) -> list[str]:
    return [as_paragraph(r.text) for r in make_corpus(count, seed)]


def document_text(slug: str, paragraphs: list[str]) -> str:
    return f"Synthetic study {slug}\n\n" + "\n\n".join(paragraphs) + "\n"


CALIBRATE_SCRIPT = """
import sys
from corpus.ingestion import pipeline
path = sys.stdin.readline().strip()
print("RECORDS", len(pipeline.process(open(path, encoding="utf-8").read()).paragraphs))
"""


def as_paragraph(text: str) -> str:
    """A capital first and a full stop last, so the segmenter keeps each
    synthetic paragraph on its own (a replaced last word lost its stop, and a
    paragraph without one continues on the next line).

    >>> as_paragraph("trade and the border")
    'Trade and the border.'
    """
    text = text.strip()
    if not text.endswith((".", "!", "?")):
        text += "."
    return text[:1].upper() + text[1:]


# Run inside ``manage.py shell``: tag a share of the paragraphs in bulk.
SEED_TAGS_SCRIPT = """
import json, random, sys
from accounts.models import Project
from accounts.roles import Role
from accounts import services as accounts
from annotations import services
from corpus.models import Paragraph
spec = json.loads(sys.stdin.readline())
rng = random.Random(spec["seed"])
project = Project.objects.order_by("id").first()
seeder, _ = accounts.user_create(
    username="seeder", role=Role.ANNOTATOR, password=spec["password"]
)
ids = list(Paragraph.objects.filter(kind="paragraph").values_list("id", flat=True))
chosen = rng.sample(ids, int(len(ids) * spec["share"]))
made = 0
for start in range(0, len(chosen), services.BULK_MAX_ITEMS):
    items = [services.SpanRequest(p) for p in chosen[start:start + 500]]
    theme = spec["themes"][(start // 500) % len(spec["themes"])]
    outcome = services.annotations_bulk_create(
        author=seeder, project=project, theme=theme, items=items
    )
    made += len(outcome.created)
print(f"SEEDED {made}")
"""

# Run inside ``manage.py shell``: every paragraph with its themes, one JSON a line.
DUMP_SCRIPT = """
import json
from annotations.selectors import themes_by_paragraph
from corpus.models import Paragraph
rows = Paragraph.objects.visible().select_related("document").order_by("id")
for start in range(0, rows.count(), 5000):
    chunk = list(rows[start:start + 5000])
    themes = themes_by_paragraph([p.id for p in chunk])
    for p in chunk:
        print(json.dumps({
            "id": p.id, "document": p.document.slug, "kind": p.kind,
            "lang": p.lang, "text": p.text, "themes": sorted(themes.get(p.id, ())),
        }))
"""


@dataclass
class Installation:
    env: dict[str, str]
    tokens: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)


def build(
    env: dict[str, str], args: argparse.Namespace, users: dict[str, str]
) -> Installation:
    """Migrate, ingest the synthetic corpus, seed tags, index; then accounts."""
    setup = Installation(env, {})
    # Changes only queue during the build: the rebuild at the end indexes all.
    quiet = {**env, "GLOSS_SEARCH_DRAINER": "process"}
    step(setup, "migrate", lambda: manage(quiet, "migrate", "--noinput", "-v", "0"))
    folder = Path(env["GLOSS_DATA_DIR"]) / "sources"
    folder.mkdir()
    documents = write_sources(folder, args.size, args.seed, quiet)
    step(
        setup,
        f"ingest ({documents} files)",
        lambda: manage(quiet, "ingest", str(folder)),
    )
    top_up(setup, quiet, args, folder)
    spec = json.dumps(
        {
            "seed": args.seed,
            "share": args.seed_share,
            "themes": THEMES,
            "password": PASSWORD,
        }
    )
    seeded = step(
        setup,
        "seed tags (bulk)",
        lambda: manage(quiet, "shell", "-c", SEED_TAGS_SCRIPT, stdin=spec + "\n"),
    )
    print(f"  {seeded.strip().splitlines()[-1]}")
    step(setup, "index rebuild", lambda: manage(env, "search_index", "rebuild"))
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    spec = json.dumps({"users": users, "password": PASSWORD})
    out = manage(env, "shell", "-c", ACCOUNTS_SCRIPT, stdin=spec + "\n")
    line = next(x for x in out.splitlines() if x.startswith("TOKENS "))
    setup.tokens = dict(json.loads(line.removeprefix("TOKENS ")))
    setup.paragraphs = dump(env)
    return setup


def built(
    env: dict[str, str], args: argparse.Namespace, users: dict[str, str], spec: str
) -> Installation:
    """``build``, or with ``--snapshot DIR`` a copy of the installation an
    earlier run built with the same arguments and saved there (the data
    directory without the source texts, the secret key, the tokens): the
    load then starts from the same database and index, minutes sooner."""
    if not args.snapshot:
        return build(env, args, users)
    key = {"spec": spec, "size": args.size, "seed": args.seed, "users": users}
    key |= {"seed_share": args.seed_share}
    folder = Path(args.snapshot) / f"{spec.replace(':', '-')}-{args.size}"
    data = Path(env["GLOSS_DATA_DIR"])
    saved = folder / "setup.json"
    if saved.exists() and json.loads(saved.read_text())["key"] == key:
        state = json.loads(saved.read_text())
        shutil.copytree(folder / "data", data, dirs_exist_ok=True)
        env["SECRET_KEY"] = state["secret"]
        print(f"  restored from snapshot {folder} (built {state['built']})")
        setup = Installation(env, state["tokens"])
        setup.paragraphs = dump(env)
        return setup
    setup = build(env, args, users)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(data, folder / "data", ignore=shutil.ignore_patterns("sources"))
    state = {"key": key, "secret": env["SECRET_KEY"], "tokens": setup.tokens}
    state["built"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    saved.write_text(json.dumps(state))
    print(f"  saved as snapshot {folder}")
    return setup


def top_up(
    setup: Installation, env: dict[str, str], args: argparse.Namespace, folder: Path
) -> None:
    """Ingest more documents if the segmenter made fewer records than asked
    (the calibration sees one document only): once, scaled by what it made."""
    made = int(manage(env, "shell", "-c", COUNT_SCRIPT).split("RECORDS ")[1].split()[0])
    if made >= args.size * 0.98:
        return
    more = folder / "more"
    more.mkdir()
    wanted = int((args.size - made) * written(folder) / made) + 1
    for n, chunk in enumerate(chunks(texts(wanted, args.seed + 1), 500)):
        (more / f"more-{n:04d}.txt").write_text(document_text(f"more-{n}", chunk))
    step(setup, "ingest (top-up)", lambda: manage(env, "ingest", str(more)))


COUNT_SCRIPT = """
from corpus.models import Paragraph
print("RECORDS", Paragraph.objects.count())
"""


def written(folder: Path) -> int:
    """How many paragraphs the text files in ``folder`` hold."""
    return sum(p.read_text().count("\n\n") for p in folder.glob("*.txt"))


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def step(setup: Installation, name: str, action: Any) -> Any:
    started = time.monotonic()
    result = action()
    setup.timings[name] = time.monotonic() - started
    print(f"  {name:28} {setup.timings[name]:7.1f} s")
    return result


def dump(env: dict[str, str]) -> list[dict[str, Any]]:
    out = manage(env, "shell", "-c", DUMP_SCRIPT)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


# --- the queries ----------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str
    gloss: str  # Gloss's query language
    fts: str  # the FTS5 MATCH expression that means the same
    theme: str | None = None


def make_queries(
    paragraphs: list[dict[str, Any]], per_type: int, seed: int
) -> list[Query]:
    """Content words of mid frequency in the English paragraphs."""
    rng = random.Random(seed + 1)
    counts: Counter[str] = Counter()
    for p in paragraphs[:5000]:
        if p["lang"] == "en":
            counts.update(re.findall(r"[a-z]{5,}", p["text"].lower()))
    words = [w for w, _ in counts.most_common(600)[50:]]
    queries = []
    for _ in range(per_type):
        a, b = rng.sample(words, 2)
        phrase = _bigram(rng, paragraphs)
        typo = _typo(rng, rng.choice([w for w in words if len(w) >= 7]))
        theme = rng.choice(THEMES)
        prefix = a[:4]
        queries += [
            Query("word", a, a),
            Query("AND", f"{a} {b}", f"{a} AND {b}"),
            Query("phrase", f'"{phrase}"', f'"{phrase}"'),
            Query("OR", f"{a} OR {b}", f"{a} OR {b}"),
            Query("NOT", f"{a} -{b}", f"{a} NOT {b}"),
            Query("prefix", f"{prefix}*", f"{prefix}*"),
            Query("typo", typo, typo),
            Query("theme", f"theme:{theme} {a}", a, theme),
        ]
    return queries


def _bigram(rng: random.Random, paragraphs: list[dict[str, Any]]) -> str:
    while True:
        words = re.findall(r"[a-z]{4,}", rng.choice(paragraphs)["text"].lower())
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            return f"{words[i]} {words[i + 1]}"


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # one letter dropped


# --- the load -------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int
    ms: float
    ok: bool


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    fresh: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    never: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # watched tags left unfollowed: every follower was busy
    lock: threading.Lock = field(default_factory=threading.Lock)
    seconds: float = 0.0

    def add(self, kind: str, status: int, ms: float, ok: bool) -> None:
        with self.lock:
            self.samples.append(Sample(kind, status, ms, ok))

    def freshness(self, who: str, seconds: float | None) -> None:
        with self.lock:
            if seconds is None:
                self.never[who] += 1
            else:
                self.fresh[who].append(seconds * 1000)


@dataclass(frozen=True)
class Target:
    """A passage to tag, and a query that finds it (and few others)."""

    id: int
    length: int
    document: str
    word: str


def targets(paragraphs: list[dict[str, Any]]) -> list[Target]:
    found = []
    for p in paragraphs:
        # Whole tokens of letters only: a word glued to an apostrophe or a
        # hyphen ("l'Amérique") is not a word of its own to every analyser.
        words = [w for w in p["text"].split() if w.isalpha() and len(w) >= 5]
        if p["kind"] == "paragraph" and len(p["text"]) > 40 and words:
            found.append(
                Target(p["id"], len(p["text"]), p["document"], max(words, key=len))
            )
    return found


def call(
    client: Client,
    rec: Recorder,
    kind: str,
    method: str,
    path: str,
    body: Any = None,
    expect: int = 200,
) -> Any:
    started = time.perf_counter()
    status, payload = client.api(method, path, body)
    ms = (time.perf_counter() - started) * 1000
    rec.add(kind, status, ms, status == expect)
    return payload if status == expect else None


def finds(client: Client, rec: Recorder, kind: str, target: Target, theme: str) -> bool:
    query = f"theme:{theme} {target.word}"
    params = urllib.parse.urlencode(
        {"q": query, "document": target.document, "page_size": 100}
    )
    body = call(client, rec, kind, "GET", f"/api/search?{params}")
    return bool(body) and any(
        r["paragraph"]["id"] == target.id for r in body["results"]
    )


def until_found(
    client: Client,
    rec: Recorder,
    kind: str,
    target: Target,
    theme: str,
    since: float,
    pause: float,
) -> float | None:
    """Search until ``target`` is found with ``theme``; seconds since ``since``."""
    while time.monotonic() - since < FRESH_TIMEOUT:
        if finds(client, rec, kind, target, theme):
            return time.monotonic() - since
        time.sleep(pause)
    return None


def tagger(
    client: Client,
    rec: Recorder,
    pool: list[Target],
    watch: queue.Queue,
    args: argparse.Namespace,
    seed: int,
    going: Any,
) -> None:
    rng = random.Random(seed)
    count = 0
    while going():
        target = rng.choice(pool)
        theme = rng.choice(THEMES)
        start = rng.randrange(0, max(1, target.length - 1))
        body = {
            "paragraph": target.id,
            "start": start,
            "end": min(target.length, start + rng.randint(1, 200)),
            "themes": [theme],
            "note": "scale bench",
        }
        made = call(client, rec, "tag", "POST", "/api/annotations", body, expect=201)
        if made is not None:
            done = time.monotonic()
            count += 1
            if count % args.watch_every == 0:
                watch.put((target, theme, done))
            lag = until_found(client, rec, "search own tag", target, theme, done, 0.05)
            rec.freshness("author", lag)
        time.sleep(rng.uniform(0, 2 * args.tag_think))


def watcher(
    client: Client,
    rec: Recorder,
    watch: queue.Queue,
    args: argparse.Namespace,
    going: Any,
) -> None:
    """Follow each watched tag in its own thread (up to ``args.watchers`` at
    once), so one slow search does not make the next tag's lag look longer;
    a tag that finds every follower busy is skipped (and counted)."""
    slots = threading.Semaphore(args.watchers)
    followers: list[threading.Thread] = []

    def follow(target: Target, theme: str, done: float) -> None:
        try:
            lag = until_found(
                client, rec, "search others' tag", target, theme, done, WATCH_POLL
            )
            rec.freshness("everyone else", lag)
        finally:
            slots.release()

    while going() or not watch.empty():
        try:
            target, theme, done = watch.get(timeout=0.5)
        except queue.Empty:
            continue
        if not slots.acquire(blocking=False):
            rec.skipped += 1
            continue
        followers.append(threading.Thread(target=follow, args=(target, theme, done)))
        followers[-1].start()
    for thread in followers:
        thread.join()


def searcher(
    client: Client,
    rec: Recorder,
    queries: list[Query],
    args: argparse.Namespace,
    seed: int,
    going: Any,
) -> None:
    rng = random.Random(seed)
    while going():
        query = rng.choice(queries)
        params = urllib.parse.urlencode({"q": query.gloss})
        call(client, rec, f"search {query.kind}", "GET", f"/api/search?{params}")
        time.sleep(rng.uniform(0, 2 * args.search_think))


def load(
    base: str,
    tokens: dict[str, str],
    pool: list[Target],
    queries: list[Query],
    args: argparse.Namespace,
) -> Recorder:
    rec = Recorder()
    watch: queue.Queue = queue.Queue()
    deadline = time.monotonic() + args.seconds

    def going() -> bool:
        return time.monotonic() < deadline

    def person(name: str) -> Client:
        return Client(base, name, tokens[name], slow=False)

    threads = [
        threading.Thread(
            target=tagger,
            args=(person(f"tagger{n:02d}"), rec, pool, watch, args, n, going),
        )
        for n in range(args.taggers)
    ]
    threads += [
        threading.Thread(
            target=searcher,
            args=(person(f"searcher{n:02d}"), rec, queries, args, 100 + n, going),
        )
        for n in range(args.searchers)
    ]
    threads.append(
        threading.Thread(
            target=watcher, args=(person("watcher"), rec, watch, args, going)
        )
    )
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rec.seconds = time.monotonic() - started
    return rec


# --- reporting ------------------------------------------------------------------


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def p(values: list[float], q: int) -> float:
    return percentile(values, q) if values else float("nan")


def report(title: str, rec: Recorder) -> dict[str, float]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in rec.samples:
        by_kind[sample.kind].append(sample)
    print(
        f"\n{title}: {len(rec.samples)} requests in {rec.seconds:.0f} s "
        f"({len(rec.samples) / rec.seconds:.1f} requests/s); load {load_average()}"
    )
    print(
        f"  {'request':22} {'count':>6} {'per s':>6} "
        f"{'p50':>7} {'p95':>7} {'p99':>7}  errors"
    )
    for kind in sorted(by_kind):
        samples = by_kind[kind]
        ms = [s.ms for s in samples]
        errors = Counter(s.status for s in samples if not s.ok)
        shown = ", ".join(f"{k}×{v}" for k, v in sorted(errors.items())) or "0"
        print(
            f"  {kind:22} {len(ms):6} {len(ms) / rec.seconds:6.1f} {p(ms, 50):7.0f} "
            f"{p(ms, 95):7.0f} {p(ms, 99):7.0f}  {shown}"
        )
    searches = [
        s.ms
        for s in rec.samples
        if s.kind.startswith("search ") and s.kind.split()[1] in QUERY_TYPES
    ]
    everything = [s.ms for s in rec.samples if s.kind.startswith("search")]
    print(
        f"  {'all typed searches':22} {len(searches):6} {'':6} {p(searches, 50):7.0f} "
        f"{p(searches, 95):7.0f} {p(searches, 99):7.0f}"
    )
    print(
        f"  {'every search':22} {len(everything):6} {'':6} {p(everything, 50):7.0f} "
        f"{p(everything, 95):7.0f} {p(everything, 99):7.0f}"
    )
    for who in ("author", "everyone else"):
        lags = rec.fresh.get(who, [])
        print(
            f"  freshness for {who:14} {len(lags):5} tags: p50 {p(lags, 50):6.0f} ms, "
            f"p95 {p(lags, 95):6.0f} ms, "
            f"max {max(lags, default=float('nan')):6.0f} ms; "
            f"not found within {FRESH_TIMEOUT:.0f} s: {rec.never[who]}"
        )
    print(f"  watched tags skipped (every follower busy): {rec.skipped}")
    tags = [s.ms for s in rec.samples if s.kind == "tag"]
    fresh = rec.fresh.get("author", []) + rec.fresh.get("everyone else", [])
    return {
        "errors": sum(not s.ok for s in rec.samples) + sum(rec.never.values()),
        "tag p95": p(tags, 95),
        "search p95": p(everything, 95),
        "freshness p95": p(fresh, 95),
    }


def fts_reference(paragraphs: list[dict[str, Any]], queries: list[Query]) -> None:
    """SQLite FTS5 on the same paragraphs and queries, one process."""
    with tempfile.TemporaryDirectory(prefix="gloss-scale-fts-") as tmp:
        db = sqlite3.connect(Path(tmp) / "fts.sqlite3")
        db.execute(
            "CREATE TABLE para (id INTEGER PRIMARY KEY, document TEXT,"
            " kind TEXT, lang TEXT, text TEXT)"
        )
        db.execute("CREATE TABLE para_theme (para_id INTEGER, theme TEXT)")
        db.execute("CREATE INDEX para_theme_theme ON para_theme (theme, para_id)")
        db.execute("CREATE INDEX para_theme_para ON para_theme (para_id, theme)")
        db.execute(
            "CREATE VIRTUAL TABLE para_fts USING fts5(text, content='para',"
            " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        started = time.perf_counter()
        with db:
            db.executemany(
                "INSERT INTO para VALUES (?, ?, ?, ?, ?)",
                (
                    (r["id"], r["document"], r["kind"], r["lang"], r["text"])
                    for r in paragraphs
                ),
            )
            db.executemany(
                "INSERT INTO para_theme VALUES (?, ?)",
                ((r["id"], t) for r in paragraphs for t in r["themes"]),
            )
            db.execute("INSERT INTO para_fts (rowid, text) SELECT id, text FROM para")
        built = time.perf_counter() - started
        run = fts_run(db)
        for query in queries[: len(QUERY_TYPES)]:
            run(query)  # warm each type once
        timings: dict[str, list[float]] = defaultdict(list)
        for query in queries:
            begun = time.perf_counter()
            run(query)
            timings[query.kind].append((time.perf_counter() - begun) * 1000)
        db.close()
    print(
        f"\nSQLite FTS5 reference ({len(paragraphs)} paragraphs, built in "
        f"{built:.1f} s; one process, no HTTP; ranked page + snippets + facet "
        f"counts); load {load_average()}"
    )
    print(f"  {'query type':22} {'count':>6} {'p50':>7} {'p95':>7}")
    for kind in QUERY_TYPES:
        ms = timings[kind]
        print(f"  {kind:22} {len(ms):6} {p(ms, 50):7.1f} {p(ms, 95):7.1f}")
    print("  (typo: FTS5 has no spelling correction and runs the misspelled word)")


def wait_for_outbox(env: dict[str, str], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        out = manage(env, "search_index", "status")
        found = re.search(r"Pending outbox rows:\s+(\d+)", out)
        pending = int(found.group(1)) if found else -1
        if pending == 0 or time.monotonic() >= deadline:
            return pending
        time.sleep(0.5)


def verdict(name: str, figures: dict[str, float], same: bool) -> list[str]:
    lines = [
        f"  0 errors: {'met' if figures['errors'] == 0 else 'NOT met'}"
        f" ({figures['errors']:.0f})"
    ]
    for key, limit in TARGETS.items():
        value = figures[key]
        met = value < limit
        lines.append(
            f"  {key} < {limit:.0f} ms: {'met' if met else 'NOT met'} ({value:.0f} ms)"
        )
    lines.append(f"  index = database: {'met' if same else 'NOT met'}")
    return [f"Targets ({name}):", *lines]


# --- main -----------------------------------------------------------------------


def run_one(spec: str, args: argparse.Namespace, state: dict[str, Any]) -> bool:
    engine, database = spec.split(":")
    users = {f"tagger{n:02d}": "annotator" for n in range(args.taggers)}
    users |= {f"searcher{n:02d}": "viewer" for n in range(args.searchers)}
    users["watcher"] = "viewer"
    print(f"\n=== {engine} search, {database} database, {args.size} paragraphs ===")
    with installation(database, os.environ.get("BENCH_KEEP")) as base_env:
        env = {**base_env, "GLOSS_SEARCH_BACKEND": engine}
        setup = built(env, args, users, spec)
        count = len(setup.paragraphs)
        print(f"  {count} paragraphs in the database; load {load_average()}")
        pool = targets(setup.paragraphs)
        queries = make_queries(setup.paragraphs, args.queries, args.seed)
        log = Path(env["GLOSS_DATA_DIR"]) / "gunicorn.log"
        port = free_port()
        server = serve({**env, "WEB_CONCURRENCY": str(args.workers)}, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            rec = load(base, setup.tokens, pool, queries, args)
            figures = report(
                f"Load ({args.taggers} taggers, {args.searchers} searchers, 1 watcher;"
                f" {args.workers} web workers)",
                rec,
            )
            started = time.monotonic()
            pending = wait_for_outbox(env, 300)  # the drainer still runs
            waited = time.monotonic() - started
            print(
                f"  outbox empty {waited:.1f} s after the load"
                if pending == 0
                else f"  outbox still holds {pending} rows after 300 s"
            )
        finally:
            stop(server)
        out = manage(env, "search_index", "verify", "--check", check=False).strip()
        same = "matches the database" in out
        print(f"  search_index verify --check: {out.splitlines()[-1] if out else '?'}")
        alarms = log_alarms(log)
        print(f"  server log: {dict(alarms)}")
        if any(alarms.values()):
            print(f"  around the first alarms:\n{alarm_context(log)}")
        for line in verdict(f"{engine}/{database}", figures, same):
            print(line)
        if "fts" not in state:
            state["fts"] = True
            fts_reference(dump(env), queries)
        return figures["errors"] == 0 and same and not any(alarms.values())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="paragraphs")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--runs",
        default="whoosh:sqlite,postgres:postgres",
        help="engine:database, comma-separated",
    )
    parser.add_argument("--taggers", type=int, default=20)
    parser.add_argument("--searchers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn web workers")
    parser.add_argument("--tag-think", type=float, default=3.0, help="mean pause, s")
    parser.add_argument("--search-think", type=float, default=1.0, help="mean pause, s")
    parser.add_argument(
        "--watch-every", type=int, default=4, help="watch every n-th tag"
    )
    parser.add_argument(
        "--seed-share",
        type=float,
        default=0.05,
        help="share of paragraphs tagged before the load",
    )
    parser.add_argument(
        "--watchers", type=int, default=4, help="watched tags followed at once"
    )
    parser.add_argument("--queries", type=int, default=30, help="per type")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--snapshot",
        metavar="DIR",
        help="reuse the installation saved in DIR by an earlier run with the"
        " same arguments (saved there after a build), instead of building",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(
        f"scale bench: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} cores,"
        f" load {load_average()}; {args}"
    )
    state: dict[str, Any] = {}
    results = [run_one(spec, args, state) for spec in args.runs.split(",")]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
