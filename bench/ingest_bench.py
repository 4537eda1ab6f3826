"""Time end-to-end ingestion of the bundled corpus (a script, not a test).

Each repetition ingests the five bundled files into a fresh temporary SQLite
database: read + pipeline + database write, through ``document_ingest``.
Prints seconds per file (median and best over the repetitions) and in total.
The first repetition is also reported on its own ("cold"): it pays for loading
the language-identification model and the word-frequency lists once per
process. Last, the whole ``manage.py ingest`` command is timed in a fresh
process and database: the figure a person waits for.

With ``--big MB`` it instead ingests one large file made from the corpus
(``bench/big_source.py``: headings, footnotes, pages) and prints each stage's
wall and CPU time (reading, cleaning, writing, then indexing the records),
records per second and MB per second.

    .venv/bin/python bench/ingest_bench.py [--repeat N] [--big MB]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def configure(workdir: Path) -> None:
    """Point Django at a throwaway data dir and database, then set it up."""
    os.environ["GLOSS_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Ingestion only queues index updates here; indexing is timed on its own.
    os.environ["GLOSS_SEARCH_DRAINER"] = "process"
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def one_round() -> dict[str, float]:
    """Ingest every bundled file into an emptied database; seconds per file."""
    from corpus.models import Document
    from corpus.services import bundled_sources, document_ingest
    from search import outbox
    from search.backend import get_backend

    Document.objects.all().delete()
    timings = {}
    for source in bundled_sources():
        start = time.perf_counter()
        document_ingest(path=source.path, metadata=source.metadata)
        timings[source.path.name] = time.perf_counter() - start
    start = time.perf_counter()
    outbox.drain(backend=get_backend())
    timings["(search index update)"] = time.perf_counter() - start
    return timings


def report(rounds: list[dict[str, float]]) -> None:
    names = [name for name in rounds[0] if not name.startswith("(")]
    print(f"{'file':<28} {'bytes':>8} {'median s':>9} {'best s':>8}")
    sources = {p.name: p for p in (REPO / "corpus" / "sources").glob("*.txt")}
    for name in names:
        values = [r[name] for r in rounds]
        size = sources[name].stat().st_size
        print(
            f"{name:<28} {size:>8} {statistics.median(values):>9.3f} "
            f"{min(values):>8.3f}"
        )
    index = [r["(search index update)"] for r in rounds]
    print(
        f"{'(search index update)':<28} {'':>8} {statistics.median(index):>9.3f} "
        f"{min(index):>8.3f}"
    )
    totals = [sum(r.values()) for r in rounds]
    print(
        f"{'total':<28} {'':>8} {statistics.median(totals):>9.3f} {min(totals):>8.3f}"
    )
    print(f"({len(rounds)} repetitions, fresh SQLite database)")


def command_seconds() -> float:
    """Wall time of ``manage.py migrate`` excluded, ``manage.py ingest`` alone."""
    with tempfile.TemporaryDirectory(prefix="gloss-bench-cmd-") as workdir:
        env = {
            **os.environ,
            "GLOSS_DATA_DIR": workdir,
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'cmd.sqlite3'}",
            "GLOSS_SEARCH_DRAINER": "inline",  # the command indexes, as make run's does
        }
        manage = [sys.executable, str(REPO / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        start = time.perf_counter()
        subprocess.run([*manage, "ingest"], env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def big_round(megabytes: float, workdir: Path) -> None:
    """Ingest one big generated file; print each stage's wall and CPU time."""
    from bench.big_source import big_source
    from corpus.services import document_ingest
    from search import outbox
    from search.backend import get_backend

    path = workdir / "big-source.txt"
    path.write_text(big_source(megabytes), encoding="utf-8")
    size = path.stat().st_size / 1e6
    marks: list[tuple[str, float, float]] = []

    def mark(stage: str) -> None:
        marks.append((stage, time.perf_counter(), time.process_time()))
        if len(marks) > 1:  # as it goes: a big file's stages take minutes
            (done, wall, cpu), (_, wall2, cpu2) = marks[-2:]
            print(f"  {done} took {wall2 - wall:.2f} s ({cpu2 - cpu:.2f} s CPU)")

    mark("(start)")
    outcome = document_ingest(path=path, on_stage=mark)
    mark("indexing")
    outbox.drain(backend=get_backend())
    mark("(end)")
    records = sum(outcome.counts.values())
    print(f"{path.name}: {size:.1f} MB, {records} records ({outcome.status})")
    print(f"{'stage':<12} {'wall s':>8} {'CPU s':>8}")
    for (stage, wall, cpu), (_, wall2, cpu2) in zip(marks[1:], marks[2:], strict=False):
        print(f"{stage:<12} {wall2 - wall:>8.2f} {cpu2 - cpu:>8.2f}")
    wall = marks[-1][1] - marks[0][1]
    ingest = marks[-2][1] - marks[0][1]
    print(f"{'total':<12} {wall:>8.2f} {marks[-1][2] - marks[0][2]:>8.2f}")
    print(
        f"ingest (without indexing): {records / ingest:.0f} records/s, "
        f"{size / ingest:.2f} MB/s; with indexing: {records / wall:.0f} records/s, "
        f"{size / wall:.2f} MB/s (load average {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", type=float, help="MB: time one big file instead")
    args = parser.parse_args()
    if args.big:
        with tempfile.TemporaryDirectory(prefix="gloss-bench-big-") as workdir:
            configure(Path(workdir))
            big_round(args.big, Path(workdir))
        return
    with tempfile.TemporaryDirectory(prefix="gloss-bench-") as workdir:
        configure(Path(workdir))
        rounds = [one_round() for _ in range(args.repeat)]
        print(f"cold first round (loads models): {sum(rounds[0].values()):.3f} s")
        report(rounds)
    print(f"manage.py ingest, fresh process and database: {command_seconds():.3f} s")


if __name__ == "__main__":
    main()
