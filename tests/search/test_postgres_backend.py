"""The PostgreSQL backend: what the contract does not cover (writes in the
caller's transaction, concurrent writers, the word table behind typo
correction, the time budget) and its refusal to run on SQLite."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from pytest_django.fixtures import Settings

from accounts.roles import Role
from annotations import services as annotation_services
from search.backend import get_backend, reset_backends
from search.models import IndexOutbox
from search.selectors import DatabaseRecordSource
from search.services import search_paragraphs
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)
from tests.search.conftest import paragraph
from tests.search.contract import CORPUS, A, B, MemorySource, record

ROOT = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL backend runs only on a PostgreSQL database",
)


@pytest.fixture
def pg_search(settings: Settings) -> None:
    """The configured engine is PostgreSQL for this test."""
    settings.GLOSS_SEARCH_BACKEND = "postgres"
    reset_backends()


def theme_hits(query: str) -> set[int]:
    return {
        row.paragraph.id
        for row in search_paragraphs(project=first_project(), query=query).rows
    }


def test_settings_refuse_the_postgres_backend_on_sqlite(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GLOSS_SEARCH_BACKEND": "postgres",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "GLOSS_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test-only",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "GLOSS_SEARCH_BACKEND=postgres searches inside PostgreSQL" in result.stderr


@pytest.mark.skipif(connection.vendor == "postgresql", reason="needs another database")
def test_backend_refuses_a_database_that_is_not_postgresql(db: None) -> None:
    from search.postgres_backend import PostgresBackend

    with pytest.raises(ImproperlyConfigured, match="needs a PostgreSQL database"):
        PostgresBackend(MemorySource(CORPUS))


@on_postgresql
def test_a_tag_is_indexed_in_its_own_transaction(pg_search, small_corpus) -> None:
    annotator = UserFactory(role=Role.ANNOTATOR)
    theme = ThemeFactory(name="Mistrust", slug="mistrust")
    target = paragraph(small_corpus, 3)  # "Distrust of U.S. authorities …"

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        annotation_services.annotation_create(
            author=annotator, paragraph=target, start=0, end=8, themes=[theme.slug]
        )
        # Inside the transaction, before any commit: already searchable, and
        # nothing was queued for a drainer.
        assert theme_hits("theme:mistrust") == {target.id}
        assert not IndexOutbox.objects.exists()
        raise Undo
    # Rolled back with the tag itself.
    assert theme_hits("theme:mistrust") == set()
    assert get_backend().drift().clean


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_paragraph_keep_both_themes(pg_search) -> None:
    """Two transactions tag one paragraph at once. Each re-reads the themes
    only after it holds the paragraph's lock, so the later one sees the
    earlier one's committed tag instead of overwriting it."""
    target = ParagraphFactory(text="Distrust runs deep.")
    backend = get_backend()
    backend.rebuild()
    first_locked = threading.Event()
    errors: list[BaseException] = []

    def tag(slug: str, hold: float) -> None:
        try:
            with transaction.atomic():
                AnnotationFactory(paragraph=target, themes=[ThemeFactory(slug=slug)])
                backend.upsert([target.id])
                first_locked.set()
                time.sleep(hold)  # the other writer arrives meanwhile
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=tag, args=("alpha", 1.0))
    first.start()
    assert first_locked.wait(10)
    second = threading.Thread(target=tag, args=("beta", 0))
    second.start()
    first.join(20)
    second.join(20)
    assert errors == []
    hit = backend.search("distrust", project=target.document.project_id).hits[0]
    assert hit.themes == ("alpha", "beta")
    assert backend.drift().clean


@on_postgresql
@pytest.mark.django_db
def test_the_word_table_follows_every_write() -> None:
    from search.postgres_backend import PostgresBackend

    source = MemorySource(CORPUS)
    backend = PostgresBackend(source)
    backend.rebuild()
    assert backend.search("perimeterr", project=A).corrected_query == "perimeter"
    backend.delete([5])  # the only record with "perimeter"
    assert backend.search("perimeterr", project=A).corrected_query is None
    source.put(record(9, "Drones over the border."))
    backend.upsert([9])
    assert backend.search("dronnes", project=A).corrected_query == "drones"
    source.put(record(9, "Satellites over the border."))  # text replaced
    backend.upsert([9])
    assert backend.search("dronnes", project=A).corrected_query is None
    # Counted per project: B's drones are not A's.
    source.put(record(10, "Drones again.", project=B), record(11, "Drones.", project=B))
    backend.upsert([10, 11])
    assert word_table()[B, "drones"] == 2 and (A, "drones") not in word_table()
    assert backend.search("dronnes", project=A).corrected_query is None
    backend.delete([10])
    assert word_table()[B, "drones"] == 1
    assert word_table() == recounted_words()


def word_table() -> dict[tuple[int, str], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT project, word, docs FROM search_pg_word")
        return {(project, word): docs for project, word, docs in cursor.fetchall()}


def recounted_words() -> dict[tuple[int, str], int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT project, w, count(*) FROM search_pg_entry,"
            " unnest(tsvector_to_array(raw)) AS w GROUP BY project, w"
        )
        return {(project, word): docs for project, word, docs in cursor.fetchall()}


@on_postgresql
@pytest.mark.django_db
def test_a_search_past_its_time_budget_stops_with_a_notice() -> None:
    from search.postgres_backend import PostgresBackend

    words = "security cooperation border trust perimeter agency".split()
    many = MemorySource(
        record(i, " ".join(words[(i + k) % len(words)] for k in range(40)))
        for i in range(1, 4001)
    )
    backend = PostgresBackend(many, time_budget=0.001)
    backend.rebuild()
    page = backend.search("secur* OR coop* OR bord* OR trus* OR agen*", project=A)
    assert "time budget" in page.notice
    assert (page.hits, page.total) == ([], 0)
    unlimited = PostgresBackend(many).search("secur*", project=A)
    assert unlimited.total == 4000 and unlimited.notice == ""


BEFORE_PROJECT_COLUMN = [("search", "0003_outbox_background")]


def migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Migrate forward again and empty the search tables afterwards: later
    tests share this database (and a flush leaves these raw tables alone)."""
    yield
    migrate()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_pg_entry")
        cursor.execute("DELETE FROM search_pg_word")


def pre_project_fingerprint(paragraph_id: int) -> str:
    """The fingerprint code from before projects gave a record (its repr
    had no project)."""
    (current,) = DatabaseRecordSource().records([paragraph_id])
    old = repr(current).replace(f"project={current.project}, ", "")
    return hashlib.sha1(old.encode("utf-8")).hexdigest()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_migration_0004_gives_existing_entries_their_project(
    pg_search, latest_schema_after
) -> None:
    """Entries written before the project column get their document's
    project, words are recounted per project, orphans go, and the old
    fingerprints show as drift until repaired; backwards, words are counted
    over the whole index again."""
    mine = ParagraphFactory(text="Drones over the border.")  # the first project
    other = ProjectFactory()
    theirs = ParagraphFactory(
        document=DocumentFactory(project=other), text="Drones and zeppelins."
    )
    migrate(BEFORE_PROJECT_COLUMN)
    old = {mine.id: pre_project_fingerprint(mine.id)}
    old[theirs.id] = pre_project_fingerprint(theirs.id)
    raw = {mine.id: "'drones':1", theirs.id: "'drones':1 'zeppelins':2"}
    raw[999_999] = "'drones':1"  # an entry whose paragraph is gone
    old[999_999] = "orphan"
    with connection.cursor() as cursor:  # entries as the code of 0003 wrote them
        cursor.execute("DELETE FROM search_pg_entry")
        cursor.execute("DELETE FROM search_pg_word")
        for pid, fingerprint in old.items():
            cursor.execute(
                "INSERT INTO search_pg_entry (id, document, document_order, title,"
                " authors, section, kind, lang, position, body, themes, fingerprint,"
                " tsv_en, tsv_fr, raw, context) VALUES (%s, 'd', 'd', '', '{}', '',"
                " 'paragraph', 'en', 0, '', '{}', %s, '', '', %s::tsvector, '')",
                [pid, fingerprint, raw[pid]],
            )
        cursor.execute(
            "INSERT INTO search_pg_word SELECT w, count(*) FROM search_pg_entry,"
            " unnest(tsvector_to_array(raw)) AS w GROUP BY w"
        )
    del old[999_999]
    migrate()
    reset_backends()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, project FROM search_pg_entry")
        assert dict(cursor.fetchall()) == {
            mine.id: first_project().pk,
            theirs.id: other.pk,
        }
    assert (
        word_table()
        == recounted_words()
        == {
            (first_project().pk, "drones"): 1,
            (other.pk, "drones"): 1,
            (other.pk, "zeppelins"): 1,
        }
    )
    backend = get_backend()
    assert backend.search("zeppelins", project=first_project().pk).total == 0
    assert backend.search("zeppelins", project=other.pk).total == 1
    drift = backend.drift()
    assert (drift.missing, drift.extra, drift.stale) == ([], [], sorted(old))
    backend.repair(drift)
    assert backend.drift().clean
    migrate(BEFORE_PROJECT_COLUMN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, docs FROM search_pg_word")
        words = dict(cursor.fetchall())
    assert (words["drones"], words["zeppelins"]) == (2, 1)  # over both projects


@on_postgresql
@pytest.mark.django_db
def test_sorted_by_document_order_only_the_page_is_ranked_with_the_same_scores() -> (
    None
):
    """Sorted by document order, the page's rows alone are ranked: each hit
    keeps the score a relevance-sorted search gives the same record, and the
    pages still follow document order with the full total."""
    from search.postgres_backend import PostgresBackend

    backend = PostgresBackend(MemorySource(CORPUS))
    backend.rebuild()
    by_rank = backend.search("cooperation OR canada", project=A, page_size=50)
    scores = {hit.id: hit.score for hit in by_rank.hits}
    assert len(scores) >= 4 and all(score > 0 for score in scores.values())
    pages = [
        backend.search(
            "cooperation OR canada", project=A, sort="document", page=n, page_size=2
        )
        for n in (1, 2, 3)
    ]
    hits = [hit for page in pages for hit in page.hits]
    assert {page.total for page in pages} == {by_rank.total}
    assert {hit.id: hit.score for hit in hits} == pytest.approx(scores)
    assert [hit.id for hit in hits] == [
        r.id
        for r in sorted(CORPUS, key=lambda r: (r.document_order, r.position, r.id))
        if r.id in scores
    ]


@on_postgresql
@pytest.mark.django_db
def test_a_search_runs_without_jit_and_leaves_the_setting_alone() -> None:
    """JIT compilation is off for the search's own statements (it cost more
    than it saved), and only there: the connection's setting is unchanged."""
    from search.postgres_backend import PostgresBackend

    backend = PostgresBackend(MemorySource(CORPUS))
    backend.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        (before,) = cursor.fetchone()
    seen: list[str] = []

    def spy(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        if sql.lstrip().startswith("WITH m AS"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('jit')")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert backend.search("cooperation", project=A).total > 0
    assert seen == ["off"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone()[0] == before
