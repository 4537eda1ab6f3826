"""Time and query count of the adjudication queue and the consensus layer at
scale (a script, not a test).

Builds the analysis benchmark's throwaway SQLite corpus (``analysis_bench``:
four coders, themes with sub-themes, ``--annotations`` annotations), settles
``--decisions`` (paragraph, theme) pairs of the queue as a curator, then
requests the queue (open, one theme, settled), the coded passages on the
consensus layer and a CSV export of it, ``--runs`` times each. Prints the
median and worst wall time, the median CPU time and the queries of a request.

    .venv/bin/python bench/adjudication_bench.py [--annotations 20000]
        [--paragraphs 40000] [--documents 20] [--decisions 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import analysis_bench  # noqa: E402

PAGES = [
    ("queue (all themes)", "/adjudicate/"),
    ("queue, page 5", "/adjudicate/?page=5"),
    ("queue (one theme)", "/adjudicate/?theme=t0"),
    ("queue: settled", "/adjudicate/?status=settled"),
    ("passages: consensus layer", "/analysis/passages/?layer=consensus"),
    ("export CSV: consensus layer", "/export/?format=csv&layer=consensus"),
]


def settle(count: int) -> object:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Project
    from accounts.roles import Role
    from accounts.services import membership_set
    from annotations import adjudication
    from annotations.models import ConsensusDecision

    project = Project.objects.first_project()
    curator = get_user_model().objects.create(username="curator")
    membership_set(user=curator, project=project, role=Role.CURATOR)
    units = adjudication.queue_units(adjudication.QueueFilters(project))
    items = adjudication.queue_items(adjudication.QueueFilters(project), units)
    pairs = [
        (item.paragraph, line.theme)
        for item in items
        for line in item.lines
        if line.disputed
    ][:count]
    now = timezone.now()
    ConsensusDecision.objects.bulk_create(
        ConsensusDecision(
            project=project,
            paragraph=p,
            theme=t,
            present=i % 3 != 0,
            decided_by=curator,
            decided_at=now,
        )
        for i, (p, t) in enumerate(pairs)
    )
    print(f"{len(units)} units in the queue; {len(pairs)} decisions made")
    return curator


def measure(user: object, runs: int) -> None:
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    request_started.disconnect(reset_queries)
    client = Client()
    client.force_login(user)
    print(f"{'page':30} {'median ms':>9} {'worst ms':>8} {'cpu ms':>7} {'queries':>7}")
    for name, url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            b"".join(getattr(client.get(url), "streaming_content", [b""]))
        count = len(queries.captured_queries)
        wall, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            b"".join(getattr(client.get(url), "streaming_content", [b""]))
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(
            f"{name:30} {statistics.median(wall):9.0f} {max(wall):8.0f}"
            f" {statistics.median(cpu):7.0f} {count:7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=20_000)
    parser.add_argument("--paragraphs", type=int, default=40_000)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        analysis_bench.configure(Path(workdir))
        analysis_bench.populate(args.annotations, args.paragraphs, args.documents)
        print(f"{args.annotations} annotations over {args.paragraphs} paragraphs")
        measure(settle(args.decisions), args.runs)


if __name__ == "__main__":
    main()
