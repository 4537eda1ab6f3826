"""Two people tagging the same paragraph at the same moment both land.

Real threads, each with its own database connection, released together by a
barrier; runs on SQLite (a file database: writers wait for the lock) and on
PostgreSQL (row locks). Transactional tests, so each thread's commit is real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from annotations import services
from annotations.models import Activity, Annotation, TaggedAnnotation
from corpus.models import Paragraph
from tests.factories import (
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs: Callable[[], object]) -> list[BaseException]:
    """Run each job in its own thread, all released at once; return failures."""
    barrier = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def worker(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            failures.append(error)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return failures


@pytest.fixture
def scene():
    paragraph = ParagraphFactory(
        document=DocumentFactory(), text="Trust between agencies is scarce."
    )
    ThemeFactory(slug="distrust", name="Distrust")
    ThemeFactory(slug="sovereignty", name="Sovereignty")
    people = [UserFactory(role=Role.ANNOTATOR) for _ in range(4)]
    return paragraph, people


def tagging(user, paragraph: Paragraph, start: int, end: int, themes: list[str]):
    def job() -> None:
        services.annotation_create(
            author=user, paragraph=paragraph, start=start, end=end, themes=themes
        )

    return job


def test_two_people_tag_the_same_paragraph_at_once(scene):
    paragraph, (ana, ben, *_) = scene
    failures = run_together(
        tagging(ana, paragraph, 0, 5, ["distrust"]),
        tagging(ben, paragraph, 0, 5, ["distrust", "sovereignty"]),
    )
    assert failures == []
    rows = Annotation.objects.filter(paragraph=paragraph)
    assert sorted(rows.values_list("author__username", flat=True)) == sorted(
        [ana.username, ben.username]
    )
    assert TaggedAnnotation.objects.count() == 3


def test_four_people_with_themes_in_opposite_orders(scene):
    """Theme rows are locked in key order, so opposite orders cannot deadlock."""
    paragraph, people = scene
    orders = [["distrust", "sovereignty"], ["sovereignty", "distrust"]] * 2
    failures = run_together(
        *(
            tagging(user, paragraph, i, i + 5, order)
            for i, (user, order) in enumerate(zip(people, orders, strict=True))
        )
    )
    assert failures == []
    assert Annotation.objects.filter(paragraph=paragraph).count() == 4


def test_two_edits_of_one_annotation_are_serialised(scene):
    """An author and a curator editing at once: both saves apply, one after
    the other; neither fails and the row is never half-written."""
    paragraph, (ana, *_) = scene
    curator = UserFactory(role=Role.CURATOR)
    annotation = services.annotation_create(
        author=ana, paragraph=paragraph, start=0, end=5, themes=["distrust"]
    )

    def edit(user, note: str, themes: list[str]):
        return lambda: services.annotation_update(
            actor=user, annotation=annotation, note=note, themes=themes
        )

    failures = run_together(
        edit(ana, "from ana", ["distrust"]),
        edit(curator, "from the curator", ["sovereignty"]),
    )
    assert failures == []
    annotation.refresh_from_db()
    pairs = {("from ana", ("distrust",)), ("from the curator", ("sovereignty",))}
    themes = tuple(t.slug for t in annotation.themes.all())
    assert (annotation.note, themes) in pairs
    assert Activity.objects.filter(verb="edited").count() == 2


def locking_queries(run: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries if " FOR " in q["sql"]]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (it locks the whole database); "
    "the PostgreSQL run checks the lock modes",
)
def test_writes_lock_only_their_own_rows_and_never_block_key_checks(scene):
    """What deadlocked: FOR UPDATE through Meta.ordering's joins locked the
    document row, and blocked the FOR KEY SHARE of deferred FK checks."""
    paragraph, (ana, *_) = scene
    create = tagging(ana, paragraph, 0, 5, ["distrust", "sovereignty"])
    queries = locking_queries(create)
    annotation = Annotation.objects.get()
    queries += locking_queries(
        lambda: services.annotation_update(
            actor=ana, annotation=annotation, note="n", themes=["sovereignty"]
        )
    )
    assert len(queries) >= 3  # the paragraph, the themes, the annotation
    for sql in queries:
        assert "FOR NO KEY UPDATE OF" in sql, sql
        assert " JOIN " not in sql, sql


def test_a_mix_of_creates_edits_and_bulk_tags_never_deadlocks(scene):
    paragraph, people = scene
    others = [
        ParagraphFactory(document=paragraph.document, text=f"Trust {i} is scarce.")
        for i in range(3)
    ]
    mine = {
        user.pk: services.annotation_create(
            author=user, paragraph=paragraph, start=0, end=5, themes=["distrust"]
        )
        for user in people
    }

    def workload(user) -> Callable[[], None]:
        def job() -> None:
            for round_ in range(6):
                themes = ["sovereignty", "distrust"][:: 1 if round_ % 2 else -1]
                services.annotation_create(
                    author=user,
                    paragraph=others[round_ % 3],
                    start=0,
                    end=5,
                    themes=themes,
                )
                services.annotation_update(
                    actor=user,
                    annotation=mine[user.pk],
                    note=f"r{round_}",
                    themes=themes,
                )
                items = [services.SpanRequest(p.pk) for p in reversed(others)]
                services.annotations_bulk_create(
                    project=first_project(), author=user, theme=themes[0], items=items
                )

        return job

    failures = run_together(*(workload(user) for user in people))
    assert failures == []
    assert Annotation.objects.filter(paragraph__in=others, note="").count() >= 4 * 6


def test_two_edits_from_the_same_version_one_wins_one_conflicts(scene):
    """Both read version 1 and send it: the conditional UPDATE lets exactly
    one through; the other gets VersionConflict and writes nothing."""
    paragraph, (ana, *_) = scene
    curator = UserFactory(role=Role.CURATOR)
    annotation = services.annotation_create(
        author=ana, paragraph=paragraph, start=0, end=5, themes=["distrust"]
    )

    def edit(user, note: str):
        return lambda: services.annotation_update(
            actor=user, annotation=annotation, note=note, version=1
        )

    failures = run_together(edit(ana, "from ana"), edit(curator, "from cleo"))
    assert [type(f) for f in failures] == [services.VersionConflict]
    annotation.refresh_from_db()
    assert annotation.version == 2
    assert annotation.note in ("from ana", "from cleo")
    assert Activity.objects.filter(verb="edited").count() == 1


def test_two_undos_of_one_merge_at_once_undo_it_once(scene):
    """Two curators press Undo on the same merge together: one restores, the
    other is refused ("undone already"), and the theme exists once."""
    from django.core.exceptions import ValidationError

    from annotations import undo
    from annotations.models import Theme

    paragraph, (ana, *_) = scene
    services.annotation_create(
        author=ana, paragraph=paragraph, start=0, end=5, themes=["distrust"]
    )
    curators = [UserFactory(role=Role.CURATOR) for _ in range(2)]
    services.theme_merge(
        actor=curators[0],
        source=Theme.objects.get(slug="distrust"),
        target=Theme.objects.get(slug="sovereignty"),
    )
    entry = Activity.objects.get(verb="theme-merged")
    failures = run_together(
        *(lambda c=c: undo.activity_undo(actor=c, entry=entry) for c in curators)
    )
    assert len(failures) == 1 and isinstance(failures[0], ValidationError)
    assert "undone already" in " ".join(failures[0].messages)
    assert Theme.objects.filter(slug="distrust").count() == 1
    assert Activity.objects.filter(verb="undone").count() == 1
    assert Annotation.objects.get().themes.get().slug == "distrust"
