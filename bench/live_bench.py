"""What do live updates cost, and how fast do they arrive? (a script)

Sets up a throwaway installation like ``load_bench.py`` (SQLite by default,
or a PostgreSQL database it creates and drops on 127.0.0.1:5432), serves it
as ``make run`` does (gunicorn with gunicorn.conf.py: web workers, search
drainer, task worker) on a free loopback port, signs in ``--readers`` people
and opens one document for each. Then, each phase ``--seconds`` long:

1. **Idle** (reference): the readers are signed in and do nothing; the
   server's CPU time is what it spends anyway (the drainer and the task
   worker poll the database).
2. **One plain page** (reference): one client loads the reading page over and
   over: its request rate and CPU time per request.
3. **Polling**: every reader polls ``GET /api/documents/<slug>/live`` every
   ``--interval`` seconds as reader.js does (with the ETag, so an unchanged
   answer is a 304); nobody writes. Requests per second per open reader, and
   the server CPU above idle, per reader and per poll.
4. **Polling with writes**: the same, while one annotator tags a passage
   through the API every ``--write-every`` seconds. The delay from the
   write's 201 to the moment each poller first sees the new annotation
   (median and p95 over every reader and write).

Prints the figures and what the server log says about "database is locked",
deadlocks and server errors; exits non-zero on a failed request or alarm.
Requests go to 127.0.0.1 only and stop after the given seconds.

    .venv/bin/python bench/live_bench.py [--database sqlite|postgres]
        [--readers 20] [--seconds 20] [--interval 2] [--write-every 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_bench import (  # noqa: E402 - the sibling script, found just above
    REQUEST_TIMEOUT,
    Client,
    free_port,
    installation,
    log_alarms,
    percentile,
    prepare,
    serve,
    stop,
)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the server's CPU time ------------------------------------------------


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it (gunicorn master, workers,
    drainer, task worker), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """User + system CPU time of the whole server so far."""
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    cpu: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.ms.append(ms)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def measured(server_pid: int, phase: Phase, work: threading.Thread) -> Phase:
    started, cpu = time.monotonic(), cpu_seconds(server_pid)
    work.start()
    work.join()
    phase.seconds = time.monotonic() - started
    phase.cpu = cpu_seconds(server_pid) - cpu
    return phase


# --- the readers ----------------------------------------------------------


class Reader:
    """One open reading page: polls like reader.js (cursor, ETag)."""

    def __init__(self, client: Client, slug: str) -> None:
        self.client, self.path = client, f"/api/documents/{slug}/live"
        self.cursor, self.etag = 0, ""
        self.seen: dict[int, float] = {}  # annotation id -> when first seen

    def poll(self, phase: Phase) -> None:
        request = urllib.request.Request(
            f"{self.client.base}{self.path}?since={self.cursor}"
        )
        if self.etag:
            request.add_header("If-None-Match", self.etag)
        started = time.perf_counter()
        try:
            with self.client.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                status, body = answer.status, answer.read()
                etag = answer.headers.get("ETag", "")
        except urllib.error.HTTPError as error:
            status, body, etag = error.code, b"", error.headers.get("ETag", "")
        except OSError:
            status, body, etag = 0, b"", ""
        now = time.perf_counter()
        phase.add(status, (now - started) * 1000)
        if status == 200:
            data = json.loads(body)
            for annotation in data["annotations"]:
                self.seen.setdefault(annotation["id"], now)
            self.cursor, self.etag = data["cursor"], etag
        elif status == 304:
            self.etag = etag


def polling(
    readers: list[Reader], phase: Phase, seconds: float, interval: float
) -> None:
    """Each reader polls every ``interval`` s for ``seconds`` s, the readers'
    polls spread over the interval as pages opened at different moments."""
    end = time.monotonic() + seconds

    def loop(reader: Reader, offset: float) -> None:
        next_at = time.monotonic() + offset
        while next_at < end:
            time.sleep(max(0.0, next_at - time.monotonic()))
            reader.poll(phase)
            next_at += interval

    threads = [
        threading.Thread(target=loop, args=(r, interval * n / len(readers)))
        for n, r in enumerate(readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Writes:
    done: dict[int, float] = field(default_factory=dict)  # id -> when its 201 came
    failed: Counter[int] = field(default_factory=Counter)


def writing(
    writer: Client, spans: list[tuple[int, int]], seconds: float, every: float
) -> Writes:
    """Tag a random span through the API every ``every`` s."""
    writes, rng = Writes(), random.Random(7)
    end = time.monotonic() + seconds
    while time.monotonic() < end - every:
        paragraph, length = rng.choice(spans)
        start = rng.randrange(0, max(1, length - 5))
        body = {
            "paragraph": paragraph,
            "start": start,
            "end": min(length, start + 5),
            "themes": ["sovereignty"],
        }
        status, data = writer.api("POST", "/api/annotations", body)
        if status == 201:
            writes.done[data["id"]] = time.perf_counter()
        else:
            writes.failed[status] += 1
        time.sleep(every)
    return writes


def page_loads(client: Client, slug: str, phase: Phase, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        status, _ = client.open(f"/documents/{slug}/")
        phase.add(status, (time.perf_counter() - started) * 1000)


# --- the run ----------------------------------------------------------------


def target(writer: Client) -> tuple[str, list[tuple[int, int]]]:
    """A document of the corpus and some of its paragraphs (id, length)."""
    status, body = writer.api("GET", "/api/search?q=security&page_size=100")
    if status != 200:
        raise SystemExit(f"search gave {status}: {body}")
    hits = [
        h["paragraph"] for h in body["results"] if h["paragraph"]["kind"] == "paragraph"
    ]
    slug = hits[0]["document"]
    spans = [(p["id"], len(p["text"])) for p in hits if p["document"] == slug]
    return slug, spans


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--interval", type=float, default=2.0, help="poll period (s)")
    parser.add_argument("--write-every", type=float, default=1.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    names = {f"reader{n:02d}": "viewer" for n in range(args.readers)}
    names["writer"] = "annotator"
    with installation(args.database, os.environ.get("BENCH_KEEP")) as env:
        started = time.monotonic()
        tokens = prepare(env, names)
        print(f"set up ({args.database}) in {time.monotonic() - started:.0f} s")
        log = Path(env["GLOSS_DATA_DIR"]) / "gunicorn.log"
        port = free_port()
        server = serve(env, port, log)
        try:
            return bench(args, f"http://127.0.0.1:{port}", tokens, server.pid, log)
        finally:
            stop(server)


def bench(
    args: argparse.Namespace, base: str, tokens: dict[str, str], pid: int, log: Path
) -> int:
    writer = Client(base, "writer", tokens["writer"], slow=False)
    clients = [
        Client(base, name, tokens[name], slow=False)
        for name in sorted(tokens)
        if name != "writer"
    ]
    for client in [writer, *clients]:
        client.sign_in()
    slug, spans = target(writer)
    readers = [Reader(client, slug) for client in clients]
    for reader in readers:  # each page open: first answer, cursor and ETag
        reader.poll(Phase("open"))
    n, secs = len(readers), args.seconds
    print(
        f"{n} readers on {slug}; {len(spans)} paragraphs to tag; {secs:.0f} s a phase"
    )

    idle = measured(
        pid, Phase("idle"), threading.Thread(target=time.sleep, args=(secs,))
    )
    page = Phase("reading page")
    measured(
        pid, page, threading.Thread(target=page_loads, args=(writer, slug, page, secs))
    )
    polls = Phase("polling")
    work = threading.Thread(target=polling, args=(readers, polls, secs, args.interval))
    measured(pid, polls, work)
    for reader in readers:
        reader.seen.clear()
    busy = Phase("polling with writes")
    box: dict[str, Writes] = {}
    work = threading.Thread(target=polling, args=(readers, busy, secs, args.interval))
    writes_thread = threading.Thread(
        target=lambda: box.setdefault(
            "w", writing(writer, spans, secs - args.interval, args.write_every)
        )
    )
    writes_thread.start()
    measured(pid, busy, work)
    writes_thread.join()
    writes = box["w"]
    return report(args, idle, page, polls, busy, readers, writes, log)


def rate(phase: Phase) -> float:
    return phase.requests / phase.seconds


def report(  # noqa: PLR0913 - the bench's figures, passed on
    args: argparse.Namespace,
    idle: Phase,
    page: Phase,
    polls: Phase,
    busy: Phase,
    readers: list[Reader],
    writes: Writes,
    log: Path,
) -> int:
    n = len(readers)
    idle_cpu = idle.cpu / idle.seconds  # CPU seconds per second, i.e. cores
    print()
    print("Reference")
    print(f"  idle server CPU: {idle_cpu * 100:.1f} % of a core")
    page_cpu = (page.cpu / page.seconds - idle_cpu) / max(rate(page), 1e-9)
    print(
        f"  one client loading the reading page: {rate(page):.1f} pages/s, "
        f"p50 {statistics.median(page.ms):.0f} ms, "
        f"{page_cpu * 1000:.1f} ms server CPU a page; {dict(page.statuses)}"
    )
    print(f"Live updates ({n} open readers, a poll every {args.interval:g} s)")
    for phase in (polls, busy):
        extra = phase.cpu / phase.seconds - idle_cpu
        print(
            f"  {phase.name}: {rate(phase) / n:.2f} requests/s per open reader "
            f"({rate(phase):.1f} in all), p50 {statistics.median(phase.ms):.0f} ms, "
            f"p95 {percentile(phase.ms, 95):.0f} ms; statuses {dict(phase.statuses)}"
        )
        mixed = " (the writes' own cost included)" if phase is busy else ""
        print(
            f"    server CPU above idle{mixed}: {extra * 100:.1f} % of a core, "
            f"{extra / n * 100:.2f} % per reader, "
            f"{extra / max(rate(phase), 1e-9) * 1000:.1f} ms a poll"
        )
    delays = [
        (reader.seen[pk] - at) * 1000
        for pk, at in writes.done.items()
        for reader in readers
        if pk in reader.seen
    ]
    expected = len(writes.done) * n
    missed = expected - len(delays)
    print(
        f"  write -> seen by a poller: {len(writes.done)} writes, "
        f"median {statistics.median(delays):.0f} ms, "
        f"p95 {percentile(delays, 95):.0f} ms, max {max(delays):.0f} ms "
        f"({missed} of {expected} not seen before the phase ended)"
    )
    alarms = log_alarms(log)
    print(f"server log: {dict(alarms)}")
    failed = sum(
        count
        for phase in (page, polls, busy)
        for status, count in phase.statuses.items()
        if status not in (200, 304)
    ) + sum(writes.failed.values())
    print(f"failures: {failed}")
    return 1 if failed or any(alarms.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
