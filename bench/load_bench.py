"""Can one person stall everyone, and do writes fail under load? (a script)

Sets up a throwaway data directory and database (a SQLite file, or a
PostgreSQL database it creates and drops on 127.0.0.1:5432), migrates, ingests
the bundled corpus, creates accounts and API tokens, and serves the app as
``make run`` does (gunicorn with gunicorn.conf.py, so the search drainer and
the task worker run next to the web workers) on a free loopback port. Then:

1. **Mixed run** (``--seconds``): ordinary clients tag (``POST
   /api/annotations``), edit their annotations (``PATCH`` note and themes),
   search (several query types, over ``/api/search`` and the search page) and
   read (reader, theme list, annotation list), while the slow clients send
   the slowest queries that the limits let through (many exclusions,
   misspellings, nesting, wildcards, long phrases) to the API, the search
   page and the export page.
2. **Baseline run** (``--seconds``): the ordinary clients alone, on the same
   index, so the two runs' p95 compare like with like.
3. **Ingest run**: every client again while a curator uploads a generated
   text file of ``--ingest-mb`` MB (made-up words) through the upload page,
   until the task worker has ingested it; then the index must catch up and
   match the database (``search_index verify --check``).

Prints per request type the count, p50/p95/p99 and errors by status, the
ordinary requests' p95 in both runs and their ratio, and what the server logs
say about deadlocks ("deadlock detected", "database is locked") and server
errors. Exits non-zero on any failed request, deadlock or failed ingest.
Requests go to 127.0.0.1 only, and stop after the given seconds.

    .venv/bin/python bench/load_bench.py [--database sqlite|postgres] [--seconds 60]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = secrets.token_urlsafe(16)
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 120.0
# What the server logs when writers collide (PostgreSQL, then SQLite), and
# when a request failed inside the server.
LOG_ALARMS = {
    "deadlock": re.compile(r"deadlock detected|database is locked", re.I),
    "server error": re.compile(r"Internal Server Error|Traceback|WORKER TIMEOUT"),
}
THEMES = ("sovereignty", "distrust", "bilateralism")
# Words of the bundled corpus, to find paragraphs and to build queries.
CORPUS_WORDS = (
    "security cooperation border canada mexico united states sovereignty "
    "perimeter trade agreement terrorism intelligence defence bilateral "
    "trilateral policy government migration partnership continental "
    "institutions relationship national american washington ottawa"
).split()
ORDINARY_QUERIES = {
    "word": ["security", "border", "sovereignty", "intelligence", "ottawa"],
    "words": ["border security", "canada mexico trade", "national defence"],
    "phrase": ['"border security"', '"united states"', '"free trade"'],
    "or": ["canada OR mexico", "terrorism OR intelligence", "trade OR migration"],
    "prefix": ["cooperat*", "secur*", "bilat*"],
    "not": ["security -canada", "border NOT mexico", "trade -(canada OR mexico)"],
    "filter": ["theme:distrust", "security theme:sovereignty", "kind:footnote"],
    "typo": ["securty", "soverignty", "bordr cooperaton"],
}


# --- the throwaway installation -------------------------------------------


@contextmanager
def installation(database: str, keep: str | None) -> Iterator[dict[str, str]]:
    """A fresh data directory and database; the environment that uses them."""
    with tempfile.TemporaryDirectory(prefix="gloss-load-bench-", dir=keep) as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "GLOSS_DATA_DIR": str(workdir),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
            yield env
            return
        name = f"gloss_loadbench_{os.getpid()}"
        _postgres(f"CREATE DATABASE {name}")
        try:
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
            yield env
        finally:
            _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _postgres(statement: str) -> None:
    import psycopg  # only this mode needs it

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def manage(
    env: dict[str, str], *args: str, stdin: str | None = None, check: bool = True
) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [PYTHON, str(REPO / "manage.py"), *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
    )
    if done.returncode and not check:
        return done.stdout + done.stderr
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr}")
    return done.stdout


# Run inside ``manage.py shell``: the accounts and one API token each.
ACCOUNTS_SCRIPT = """
import json, sys
from accounts import services
from accounts.roles import Role
spec = json.loads(sys.stdin.readline())
tokens = {}
for name, role in spec["users"].items():
    user, _ = services.user_create(
        username=name, role=Role[role.upper()], password=spec["password"]
    )
    tokens[name] = services.api_token_create(user=user)
print("TOKENS " + json.dumps(tokens))
"""


def prepare(env: dict[str, str], users: dict[str, str]) -> dict[str, str]:
    """Migrate, ingest and index the bundled corpus (as ``make run``); the
    accounts' API tokens by user name."""
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "ingest")
    manage(env, "search_index", "verify")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    spec = json.dumps({"users": users, "password": PASSWORD})
    out = manage(env, "shell", "-c", ACCOUNTS_SCRIPT, stdin=spec + "\n")
    line = next(x for x in out.splitlines() if x.startswith("TOKENS "))
    return dict(json.loads(line.removeprefix("TOKENS ")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn exactly as ``make run`` starts it, on ``port``."""
    server_env = {**env, "GLOSS_BIND": f"127.0.0.1:{port}"}
    command = [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own server
            command, cwd=REPO, env=server_env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/")  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not start; see {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()


# --- clients --------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    ms: float
    ok: bool
    slow: bool  # sent by a slow client


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seconds: float = 0.0  # how long the run lasted

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Client:
    """One person: a browser session (cookies, CSRF) and an API token."""

    def __init__(self, base: str, username: str, token: str, slow: bool) -> None:
        self.base, self.username, self.token, self.slow = base, username, token, slow
        self.jar = http.cookiejar.CookieJar()
        handler = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(handler)
        self.mine: list[int] = []  # annotation ids this person made

    def sign_in(self) -> None:
        self.open("/accounts/login/")
        fields = {"username": self.username, "password": PASSWORD}
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()})
        self.open("/accounts/login/", data.encode(), referer=True)

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def open(
        self,
        path: str,
        data: bytes | None = None,
        *,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        referer: bool = False,
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path, data, headers=headers or {}, method=method
        )
        if referer:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, raw = self.open(path, data, method=method, headers=headers)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def timed(
        self,
        recorder: Recorder,
        kind: str,
        expect: int,
        call: Callable[[], Any],
        refusals: tuple[int, ...] = (),
    ) -> Any:
        """Time one request; ``refusals`` are statuses that answer it as
        designed (a long query told to wait its turn), counted on their own."""
        started = time.perf_counter()
        status, payload = call()
        ms = (time.perf_counter() - started) * 1000
        if status in refusals:
            kind = f"{kind} refused {status}"
        ok = status == expect or status in refusals
        recorder.add(Sample(kind, status, ms, ok, self.slow))
        return payload if status == expect else None


@dataclass(frozen=True)
class Catalogue:
    """What the clients pick from: paragraphs (id, length), document slugs."""

    paragraphs: list[tuple[int, int]]
    documents: list[str]


def catalogue(client: Client) -> Catalogue:
    paragraphs: dict[int, int] = {}
    documents: set[str] = set()
    for word in CORPUS_WORDS:
        query = urllib.parse.urlencode({"q": word, "page_size": 100})
        status, body = client.api("GET", f"/api/search?{query}")
        if status != 200:
            raise SystemExit(f"searching {word!r} gave {status}: {body}")
        for hit in body["results"]:
            paragraph = hit["paragraph"]
            if paragraph["kind"] in ("paragraph", "footnote"):
                paragraphs[paragraph["id"]] = len(paragraph["text"])
                documents.add(paragraph["document"])
    return Catalogue(sorted(paragraphs.items()), sorted(documents))


def ordinary_step(client: Client, rec: Recorder, cat: Catalogue, rng: Any) -> None:
    """One action of a person at work, drawn with realistic weights."""
    action = rng.choices(
        ("tag", "edit", "search", "page", "read", "themes", "list"),
        weights=(25, 20, 25, 10, 8, 6, 6),
    )[0]
    if action == "edit" and not client.mine:
        action = "tag"
    if action == "tag":
        tag(client, rec, cat, rng)
    elif action == "edit":
        edit(client, rec, rng)
    elif action in ("search", "page"):
        kind = rng.choice(sorted(ORDINARY_QUERIES))
        query = rng.choice(ORDINARY_QUERIES[kind])
        search(client, rec, f"{action}:{kind}", query, page=action == "page")
    elif action == "read":
        slug = rng.choice(cat.documents)
        client.timed(rec, "reader", 200, lambda: client.open(f"/documents/{slug}/"))
    elif action == "themes":
        client.timed(rec, "api themes", 200, lambda: client.api("GET", "/api/themes"))
    else:
        path = f"/api/annotations?document={rng.choice(cat.documents)}&limit=50"
        client.timed(rec, "api list", 200, lambda: client.api("GET", path))


def tag(client: Client, rec: Recorder, cat: Catalogue, rng: Any) -> None:
    paragraph, length = rng.choice(cat.paragraphs)
    start = rng.randrange(0, max(1, length - 1))
    end = min(length, start + rng.randint(1, 240))
    body = {
        "paragraph": paragraph,
        "start": start,
        "end": end,
        "themes": rng.sample(THEMES, rng.randint(1, 2)),
        "note": f"load bench note {rng.random():.6f}",
    }
    made = client.timed(
        rec, "tag", 201, lambda: client.api("POST", "/api/annotations", body)
    )
    if made is not None:
        client.mine.append(made["id"])


def edit(client: Client, rec: Recorder, rng: Any) -> None:
    pk = rng.choice(client.mine)
    body: dict[str, Any] = {"note": f"edited {rng.random():.6f}"}
    if rng.random() < 0.6:
        body["themes"] = rng.sample(THEMES, rng.randint(1, 3))
    client.timed(
        rec, "edit", 200, lambda: client.api("PATCH", f"/api/annotations/{pk}", body)
    )


def search(client: Client, rec: Recorder, kind: str, query: str, *, page: bool) -> None:
    # Only the slow clients' long queries may be told to wait their turn.
    refusals = (429,) if client.slow else ()
    if page:
        path = "/search/?" + urllib.parse.urlencode({"q": query})
        client.timed(rec, kind, 200, lambda: client.open(path), refusals)
    else:
        path = "/api/search?" + urllib.parse.urlencode({"q": query})
        client.timed(rec, kind, 200, lambda: client.api("GET", path), refusals)


def slow_step(client: Client, rec: Recorder, queries: list[str], rng: Any) -> None:
    """The costliest query the limits let through, by a rotating entry point."""
    query = rng.choice(queries)
    where = rng.choice(("api", "page", "export"))
    if where == "export":
        path = "/export/?" + urllib.parse.urlencode({"format": "csv", "query": query})
        # The export page refuses (400, with a message) a query it cannot
        # gather in time or that must wait its turn.
        client.timed(rec, "slow export", 200, lambda: client.open(path), (400,))
    else:
        search(client, rec, f"slow {where}", query, page=where == "page")


# --- the slowest queries ----------------------------------------------------


def slow_candidates(rng: random.Random) -> dict[str, str]:
    """Costly queries shaped to stay within the search limits (32 terms, 8
    levels, 500 characters, 3-letter prefixes): each term real or nearly so,
    so every one costs a posting-list walk or a spelling lookup."""
    words = [w for w in CORPUS_WORDS if len(w) >= 6]
    misspelt = [_misspell(rng, w) for w in rng.choices(words, k=32)]
    prefixes = sorted({w[:3] + "*" for w in CORPUS_WORDS})
    nested = "security"
    for word in words[:7]:
        nested = f"({word} OR ({nested} -{word[:3]}*))"
    phrases = " OR ".join(
        f'"{a} {b} {c}"' for a, b, c in zip(*[iter(words)] * 3, strict=False)
    )
    return {
        "exclusions": "security " + " ".join(f"-{w}" for w in words[:31]),
        "misspellings": " ".join(misspelt),
        "wildcards": " OR ".join(prefixes[:32]),
        "nesting": nested,
        "phrases": phrases,
        "mixed": " OR ".join(prefixes[:16])
        + " "
        + " ".join(f"-{w}" for w in misspelt[:15]),
    }


def _misspell(rng: random.Random, word: str) -> str:
    """Two letters changed: still within a long word's correction distance."""
    letters = list(word)
    for at in rng.sample(range(1, len(word)), 2):
        letters[at] = rng.choice("aeiouxyz")
    return "".join(letters)


def pick_slow_queries(client: Client, rng: random.Random) -> list[str]:
    """The candidates that the search accepts, each timed once, slowest first."""
    timed = []
    for name, query in slow_candidates(rng).items():
        trimmed = query[:500]
        path = "/api/search?" + urllib.parse.urlencode({"q": trimmed})
        started = time.perf_counter()
        status, body = client.api("GET", path)
        ms = (time.perf_counter() - started) * 1000
        print(f"  slow candidate {name:13} {status}  {ms:7.0f} ms  {trimmed[:60]}…")
        if status == 200:
            timed.append((ms, trimmed))
        elif status not in (400, 422):  # refused: outside the limits
            raise SystemExit(f"probing {name} gave {status}: {body}")
    if not timed:
        raise SystemExit("every slow candidate was refused; widen the candidates")
    return [query for _, query in sorted(timed, reverse=True)]


# --- the big ingest -----------------------------------------------------------


def big_text(megabytes: float, rng: random.Random) -> bytes:
    """A paper-like text of about ``megabytes`` MB: headings and paragraphs of
    made-up words. Its own vocabulary, so the ordinary queries match the same
    records before and after it is ingested: the two runs compare like with
    like, and what the ingest costs shows as its own effect."""
    vocabulary = _made_up_words(rng, 4000)
    target = int(megabytes * 1_000_000)
    lines, size, n = ["A Generated Study of Made-up Words", ""], 0, 0
    while size < target:
        if n % 40 == 0:
            lines += [f"{n // 40 + 1}. Section on {rng.choice(vocabulary)}", ""]
        words = " ".join(rng.choices(vocabulary, k=rng.randint(60, 140)))
        line = words.capitalize() + "."
        lines += [line, ""]
        size += len(line) + 2
        n += 1
    return "\n".join(lines).encode()


def _made_up_words(rng: random.Random, count: int) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    return sorted(words - set(CORPUS_WORDS))


def upload(client: Client, rec: Recorder, name: str, data: bytes) -> None:
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
        f"\r\n\r\n{client.csrf()}\r\n--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    path = "/documents/upload/"

    def post() -> tuple[int, bytes]:
        return client.open(path, body, headers=headers, referer=True)

    page = client.timed(rec, "upload 1 file", 200, post)
    if page is not None and b'data-status="refused"' in page:
        rec.add(Sample("upload refused", 422, 0, False, False))


def jobs(client: Client) -> Counter[str]:
    """The ingest jobs by status, as the upload page lists them."""
    status, page = client.open("/documents/upload/")
    if status != 200:
        return Counter({f"page {status}": 1})
    return Counter(re.findall(r'data-status="([a-z]+)"', page.decode()))


# --- a run ----------------------------------------------------------------


def run(
    clients: list[Client],
    cat: Catalogue,
    slow_queries: list[str],
    think: float,
    *,
    seconds: float | None = None,
    alongside: Callable[[Recorder], None] | None = None,
) -> Recorder:
    """Every client loops for ``seconds``, or while ``alongside`` (run in its
    own thread) has not returned. Ordinary clients pause up to ``think``
    seconds between actions; slow ones never do."""
    rec = Recorder()
    deadline = time.monotonic() + (seconds or 0)
    finished = threading.Event()

    def going() -> bool:
        return not finished.is_set() if seconds is None else time.monotonic() < deadline

    def loop(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        while going():
            if client.slow:
                slow_step(client, rec, slow_queries, rng)
            else:
                ordinary_step(client, rec, cat, rng)
                time.sleep(rng.uniform(0, think))

    def beside() -> None:
        try:
            alongside(rec)  # type: ignore[misc]
        finally:
            finished.set()

    threads = [
        threading.Thread(target=loop, args=(c, n)) for n, c in enumerate(clients)
    ]
    if alongside is not None:
        threads.append(threading.Thread(target=beside))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rec.seconds = time.monotonic() - started
    return rec


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(title: str, rec: Recorder) -> None:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in rec.samples:
        by_kind[sample.kind].append(sample)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{title}: {len(rec.samples)} requests in {rec.seconds:.0f} s")
    print(f"  (machine load average after it: {load}, on {os.cpu_count()} cores)")
    print(f"  {'request':22} {'count':>6} {'p50':>8} {'p95':>8} {'p99':>8}  errors")
    for kind in sorted(by_kind):
        samples = by_kind[kind]
        ms = [s.ms for s in samples]
        errors = Counter(s.status for s in samples if not s.ok)
        shown = ", ".join(f"{k}×{v}" for k, v in sorted(errors.items())) or "0"
        print(
            f"  {kind:22} {len(ms):6} {percentile(ms, 50):8.0f} "
            f"{percentile(ms, 95):8.0f} {percentile(ms, 99):8.0f}  {shown}"
        )


def ordinary_p95(rec: Recorder) -> float:
    ms = [s.ms for s in rec.samples if not s.slow and not s.kind.startswith("upload")]
    return percentile(ms, 95) if ms else 0.0


def failures(rec: Recorder) -> Counter[str]:
    return Counter(f"{s.kind} {s.status}" for s in rec.samples if not s.ok)


def ingest_run(  # noqa: PLR0913 - the bench's state, passed on
    args: argparse.Namespace,
    rng: random.Random,
    env: dict[str, str],
    people: list[Client],
    curator: Client,
    cat: Catalogue,
    slow_queries: list[str],
) -> Counter[str]:
    """Third run: every client, slow ones too, while a big file is uploaded
    and ingested; then the job's outcome and the index's agreement."""
    data = big_text(args.ingest_mb, rng)
    print(f"\nuploading a {len(data) / 1e6:.1f} MB text; all clients run meanwhile")
    alongside = ingest_while_loaded(curator, data, args.settle)
    loaded = run(people, cat, slow_queries, args.think, alongside=alongside)
    report("Ingest run (all clients, until the ingest job ended)", loaded)
    problems = failures(loaded)
    found = jobs(curator)
    print(f"ingest jobs: {dict(found)}")
    problems.update({f"ingest {k}": v for k, v in found.items() if k != "done"})
    started = time.monotonic()
    pending = index_catches_up(env, args.settle)
    waited = time.monotonic() - started
    if pending:
        print(f"the index is still behind after {waited:.0f} s: {pending} rows")
        return problems
    print(f"the index caught up {waited:.0f} s after the ingest")
    out = manage(env, "search_index", "verify", "--check", check=False)
    print(f"search_index verify --check: {out.strip()}")
    if "matches the database" not in out:
        problems["index drift"] += 1
    return problems


def log_alarms(log: Path) -> Counter[str]:
    text = log.read_text(errors="replace")
    return Counter({name: len(rx.findall(text)) for name, rx in LOG_ALARMS.items()})


def alarm_context(log: Path, shown: int = 3, around: int = 12) -> str:
    """The log lines around the first few alarms: which process, which query
    (the data directory, and so the log, is gone once the bench ends)."""
    lines = log.read_text(errors="replace").splitlines()
    hits = [
        n
        for n, line in enumerate(lines)
        if any(rx.search(line) for rx in LOG_ALARMS.values())
    ]
    blocks = []
    for n in hits[:shown]:
        blocks.append("\n".join(lines[max(0, n - around) : n + around]))
    return "\n  ...\n".join(blocks)


def ingest_while_loaded(
    curator: Client, data: bytes, timeout: float
) -> Callable[[Recorder], None]:
    """Upload ``data`` as one text file, then follow its ingest job until it
    ends (or ``timeout``): what the third run does beside the clients."""

    def alongside(rec: Recorder) -> None:
        started = time.monotonic()
        upload(curator, rec, "big-generated.txt", data)
        while time.monotonic() - started < timeout:
            begun = time.monotonic()
            found = jobs(curator)
            if any(kind.startswith("page ") for kind in found):
                # The page itself failed (a timeout is status 0): a failed
                # request like any other, and no reason to stop following.
                status = int(next(iter(found)).split()[1])
                ms = (time.monotonic() - begun) * 1000
                rec.add(Sample("upload page", status, ms, False, False))
            elif not found["queued"] and not found["running"]:
                break
            time.sleep(2)
        rec.add(
            Sample("ingest job", 200, (time.monotonic() - started) * 1000, True, False)
        )

    return alongside


def index_catches_up(env: dict[str, str], timeout: float) -> int:
    """Wait for the outbox to empty; the rows still pending after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        out = manage(env, "search_index", "status")
        found = re.search(r"Pending outbox rows:\s+(\d+)", out)
        pending = int(found.group(1)) if found else -1
        if pending == 0 or time.monotonic() >= deadline:
            return pending
        time.sleep(2)


# --- main -------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20, help="in all, slow ones too")
    parser.add_argument("--slow", type=int, default=3, help="clients of the slowest")
    parser.add_argument("--ingest-mb", type=float, default=50, help="0: no ingest")
    parser.add_argument("--think", type=float, default=0.5, help="max pause, s")
    parser.add_argument(
        "--settle", type=float, default=1800, help="longest ingest (and index) wait, s"
    )
    parser.add_argument("--seed", type=int, default=9)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    rng = random.Random(args.seed)
    names = {f"person{n:02d}": "annotator" for n in range(args.clients)}
    names["curator"] = "curator"
    with installation(args.database, os.environ.get("BENCH_KEEP")) as env:
        started = time.monotonic()
        tokens = prepare(env, names)
        print(f"set up ({args.database}) in {time.monotonic() - started:.0f} s")
        log = Path(env["GLOSS_DATA_DIR"]) / "gunicorn.log"
        port = free_port()
        server = serve(env, port, log)
        try:
            return bench(args, rng, env, f"http://127.0.0.1:{port}", tokens, log)
        finally:
            stop(server)


def bench(
    args: argparse.Namespace,
    rng: random.Random,
    env: dict[str, str],
    base: str,
    tokens: dict[str, str],
    log: Path,
) -> int:
    names = sorted(name for name in tokens if name != "curator")
    people = [
        Client(base, name, tokens[name], slow=n < args.slow)
        for n, name in enumerate(names)
    ]
    curator = Client(base, "curator", tokens["curator"], slow=False)
    for client in [*people, curator]:
        client.sign_in()
    cat = catalogue(curator)
    print(f"{len(cat.paragraphs)} paragraphs, {len(cat.documents)} documents to use")
    slow_queries = pick_slow_queries(curator, rng) if args.slow else []
    mixed = run(people, cat, slow_queries, args.think, seconds=args.seconds)
    report(f"Mixed run ({args.slow} slow clients of {len(people)})", mixed)
    problems = failures(mixed)
    ordinary = [c for c in people if not c.slow]
    baseline = run(ordinary, cat, [], args.think, seconds=args.seconds)
    report(f"Baseline run ({len(ordinary)} ordinary clients)", baseline)
    problems.update(failures(baseline))
    with_slow, without = ordinary_p95(mixed), ordinary_p95(baseline)
    ratio_line = (
        f"ordinary requests' p95: {with_slow:.0f} ms with the slow clients, "
        f"{without:.0f} ms without: ratio {with_slow / max(without, 1e-9):.2f}"
    )
    if args.ingest_mb:
        problems.update(ingest_run(args, rng, env, people, curator, cat, slow_queries))
    alarms = log_alarms(log)
    print()
    print(ratio_line)
    print(f"server log: {dict(alarms)}")
    if any(alarms.values()):
        print(f"around the first alarms in the server log:\n{alarm_context(log)}")
    problems.update({f"log: {k}": v for k, v in alarms.items() if v})
    print(f"failures: {dict(problems) or 0}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
