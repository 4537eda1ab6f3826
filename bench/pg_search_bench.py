"""Search benchmark: the PostgreSQL backend against SQLite FTS5, per corpus size.

A script, not a test: it prints figures and asserts nothing.

For each ``--sizes`` entry (default 10,000 and 100,000 paragraphs) it builds
``bench/search_bench.py``'s deterministic synthetic corpus, indexes it with
``PostgresBackend.rebuild`` (records fed from memory, written the production
way) and with SQLite FTS5, then runs the same query mix on both (one word,
two-word AND, phrase, OR, NOT, typo, theme filter; a page of 20 with
highlights and the four facet counts) and prints p50/p95 per query type side
by side.

It works in a database of its own, created on the server given by
``--server`` and dropped at the end; it refuses to start if that database
exists already (a rebuild replaces every search entry in it). With
``--keep`` the database stays, and a later ``--keep`` run reuses it: a size
whose entries are already there (same corpus: it is deterministic) is not
rebuilt, so query changes can be measured without a 100k rebuild each time.
Give one size per kept database.

    .venv/bin/python bench/pg_search_bench.py [--sizes 10000,100000]
        [--queries N] [--server postgres://postgres@127.0.0.1:5432]
        [--database gloss_pg_search_bench] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import psycopg  # noqa: E402
import search_bench as shared  # noqa: E402


def create_database(server: str, name: str, keep: bool) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and keep:
            return  # reused: run_size rebuilds only if its entries differ
        if exists:
            sys.exit(f"database {name} exists already; choose another --database")
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(server: str, name: str, data_dir: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"{server}/{name}",
            "GLOSS_SEARCH_BACKEND": "postgres",
            "GLOSS_DATA_DIR": data_dir,
            "SECRET_KEY": "pg-search-bench",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run_size(size: int, per_type: int, seed: int, tmp: Path, keep: bool) -> None:
    from search.postgres_backend import PostgresBackend

    records = shared.make_corpus(size, seed)
    queries = shared.make_queries(records, per_type, seed)
    backend = PostgresBackend(shared.MemorySource(records))
    if keep and backend.status().documents == size:
        indexing = "postgres reused (--keep)"
    else:
        start = time.perf_counter()
        backend.rebuild()
        pg_seconds = time.perf_counter() - start
        indexing = f"postgres {pg_seconds:.1f} s ({size / pg_seconds:,.0f}/s)"
    db, fts_seconds = shared.fts_setup(records, tmp / f"fts-{size}.sqlite3")
    print(
        f"\n{size:,} paragraphs: indexing {indexing}, fts5 {fts_seconds:.1f} s"
        f" ({size / fts_seconds:,.0f}/s); load {load()}"
    )
    print(f"{len(queries)} queries ({per_type} per type), page of 20 + 4 facets:")
    cpu = time.process_time()
    # Interleaved query by query (see time_queries): a busy machine slows both.
    postgres, fts = shared.time_queries(queries, [pg_run(backend), shared.fts_run(db)])
    report(postgres, fts)
    print(
        f"(this process's CPU, FTS5 and the pg client side: "
        f"{time.process_time() - cpu:.1f} s; load {load()})"
    )
    db.close()


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def pg_run(backend):  # noqa: ANN001, ANN201 - a PostgresBackend
    def run(query: shared.Query) -> object:
        return backend.search(query.whoosh, page_size=20, project=shared.PROJECT)

    return run


def report(postgres: dict[str, list[float]], fts: dict[str, list[float]]) -> None:
    pct = shared.percentile
    print(f"{'query type':<14} {'pg p50':>8} {'p95':>8} {'fts5 p50':>9} {'p95':>8}")
    rows = [(kind, postgres[kind], fts[kind]) for kind in shared.QUERY_TYPES]
    rows.append(
        (
            "all",
            [v for values in postgres.values() for v in values],
            [v for values in fts.values() for v in values],
        )
    )
    for kind, pg, ft in rows:
        print(
            f"{kind:<14} {pct(pg, 0.5):>6.1f}ms {pct(pg, 0.95):>6.1f}ms"
            f" {pct(ft, 0.5):>7.1f}ms {pct(ft, 0.95):>6.1f}ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=30, help="per type")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="gloss_pg_search_bench")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database; reuse it if there"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    create_database(args.server, args.database, args.keep)
    try:
        with tempfile.TemporaryDirectory(prefix="gloss-pg-bench-") as tmp:
            setup_django(args.server, args.database, tmp)
            for size in sizes:
                run_size(size, args.queries, args.seed, Path(tmp), args.keep)
            from django.db import connections

            connections.close_all()
    finally:
        if not args.keep:
            drop_database(args.server, args.database)
    print(
        "\n(typo: FTS5 has no spelling correction and runs the misspelled word;"
        " PostgreSQL finds the correction in its word table and runs that.)"
    )


if __name__ == "__main__":
    main()
