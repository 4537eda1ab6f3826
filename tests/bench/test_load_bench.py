"""The load bench in a tiny bounded mode: the app served as ``make run`` serves
it (gunicorn, drainer, task worker) answers 4 clients tagging, editing and
searching, one of them with the slowest queries, and ingests an upload
meanwhile, with no failed request, no deadlock and an index that matches the
database afterwards. Behaviour only: the bench's timings are not asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load_bench.py"
# Each request kind an ordinary client sends, as the bench names it.
KINDS = ("tag", "edit", "api themes", "api list", "reader")
RUNS = ("Mixed run", "Baseline run", "Ingest run")
# A line of a run's table: request kind, count, p50, p95, p99, errors.
ROW = re.compile(r"^  (\S[^\n]*?)\s+(\d+)\s+\d+\s+\d+\s+\d+  ", re.M)


@pytest.fixture(scope="module")
def bench_output() -> str:
    run = subprocess.run(  # noqa: S603 - our own script, loopback only
        [sys.executable, str(BENCH), "--database", "sqlite", "--clients", "4"]
        + ["--slow", "1", "--seconds", "5", "--ingest-mb", "0.3", "--settle", "300"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return run.stdout


def test_no_request_failed_and_nothing_deadlocked(bench_output: str) -> None:
    assert bench_output.rstrip().endswith("failures: 0")
    assert "server log: {'deadlock': 0, 'server error': 0}" in bench_output


def test_every_run_sent_the_requests_it_names(bench_output: str) -> None:
    """Each run tagged and searched; over the runs, every kind was sent (a
    run of 5 s by 3 ordinary clients need not draw every kind)."""
    runs = re.split(r"\n(?=Mixed run|Baseline run|Ingest run)", bench_output)[1:]
    assert [r.split(" (")[0] for r in runs] == list(RUNS)
    sent: set[str] = set()
    for run in runs:
        counts = {kind: int(n) for kind, n in ROW.findall(run)}
        assert counts.get("tag", 0) > 0, run
        assert any(k.startswith(("search:", "page:")) for k in counts), run
        sent.update(counts)
    assert set(KINDS) <= sent
    assert any(k.startswith("slow ") for k in sent)  # the slow client's queries


def test_the_upload_was_ingested_and_indexed(bench_output: str) -> None:
    assert "ingest jobs: {'done': 1}" in bench_output
    assert "The index matches the database" in bench_output
