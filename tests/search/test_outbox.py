"""Consistency: the outbox written with every change, the single drainer, a
drainer killed mid-batch, and several processes changing and searching at once."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connections, transaction

from corpus.models import Paragraph
from corpus.services import document_ingest
from search import outbox
from search.backend import get_backend, reset_backends
from search.models import IndexOutbox
from search.selectors import DatabaseRecordSource
from search.services import paragraphs_changed, search_paragraphs
from search.whoosh_backend import WhooshBackend
from tests.factories import (
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    first_project,
)
from tests.search.conftest import paragraph

PROSE = (
    "The {word} agreement shaped security cooperation between the three countries.\n"
)


def ids_found(query: str) -> set[int]:
    result = search_paragraphs(project=first_project(), query=query, page_size=100)
    return {row.paragraph.id for row in result.rows}


@pytest.mark.django_db
def test_ingest_writes_outbox_rows_for_deleted_and_created_records(tmp_path: Path):
    source = tmp_path / "a.txt"
    source.write_text(PROSE.format(word="first"))
    document_ingest(path=source)
    old = set(Paragraph.objects.values_list("id", flat=True))
    assert set(IndexOutbox.objects.values_list("paragraph_id", flat=True)) == old
    IndexOutbox.objects.all().delete()
    source.write_text(PROSE.format(word="second") + "\nAnother paragraph.\n")
    document_ingest(path=source)
    new = set(Paragraph.objects.values_list("id", flat=True))
    queued = set(IndexOutbox.objects.values_list("paragraph_id", flat=True))
    assert queued == old | new and not old & new


@pytest.mark.django_db
def test_a_change_is_visible_in_the_next_search(tmp_path: Path, small_corpus):
    """No drain happened (on_commit does not run inside a test transaction):
    the search itself catches up before searching."""
    source = tmp_path / "b.txt"
    source.write_text(PROSE.format(word="Kingston"))
    document_ingest(path=source)
    assert outbox.pending() > 0
    assert len(ids_found("Kingston")) == 1
    assert outbox.pending() == 0


@pytest.mark.django_db
def test_deleted_records_leave_the_index(small_corpus):
    record = paragraph(small_corpus, 3)
    record_id = record.id
    assert record_id in ids_found("distrust")
    record.delete()
    paragraphs_changed(paragraph_ids=[record_id])
    assert ids_found("distrust") == set()
    assert get_backend().drift().clean


@pytest.mark.django_db
def test_a_busy_drainer_does_not_block_search_forever(small_corpus, settings):
    """Another process holds the writer lock: the search waits a little, then
    answers from the index as it is, saying so."""
    outbox.SEARCH_LOCK_WAIT, saved = 0.05, outbox.SEARCH_LOCK_WAIT
    try:
        paragraphs_changed(paragraph_ids=[paragraph(small_corpus, 2).id])
        other = WhooshBackend(settings.GLOSS_INDEX_DIR, DatabaseRecordSource())
        with other.exclusive():
            result = search_paragraphs(project=first_project(), query="security")
        assert result.total == 1
        assert "still being indexed" in result.notice
    finally:
        outbox.SEARCH_LOCK_WAIT = saved
    assert search_paragraphs(project=first_project(), query="security").notice == ""


# -- a drainer killed mid-batch ---------------------------------------------


class KilledBeforeCommit(WhooshBackend):
    """Dies after adding part of a batch to the writer, before its commit."""

    def _commit(self, writer) -> None:  # noqa: ANN001
        os.kill(os.getpid(), signal.SIGKILL)


class KilledAfterCommit(WhooshBackend):
    """Dies after the index commit, before the outbox rows are deleted."""

    def upsert(self, paragraph_ids) -> None:  # noqa: ANN001
        super().upsert(paragraph_ids)
        os.kill(os.getpid(), signal.SIGKILL)


def _drain_with(backend_class: type[WhooshBackend], index_dir: str) -> None:
    reset_backends()  # nothing inherited from the parent's caches
    backend = backend_class(Path(index_dir), DatabaseRecordSource())
    outbox.drain(backend=backend, batch_size=3)


def run_in_child(target, *args) -> int:  # noqa: ANN001
    connections.close_all()  # the child opens its own connection
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    process.join(60)
    return process.exitcode


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend_class", [KilledBeforeCommit, KilledAfterCommit])
def test_a_drainer_killed_mid_batch_loses_nothing(backend_class, settings):
    document = DocumentFactory()
    for position in range(3):
        ParagraphFactory(document=document, position=position, text=f"old {position}")
    get_backend().rebuild()
    new = [
        ParagraphFactory(document=document, position=10 + i, text=f"fresh marker{i}")
        for i in range(7)
    ]
    IndexOutbox.objects.bulk_create(IndexOutbox(paragraph_id=p.id) for p in new)

    assert (
        run_in_child(_drain_with, backend_class, str(settings.GLOSS_INDEX_DIR))
        == -signal.SIGKILL
    )

    assert (
        outbox.pending() == 7
    )  # rows are deleted only after a commit, by the survivor
    applied = outbox.drain(lock_timeout=1)  # the dead process's lock is gone
    assert applied == 7 and outbox.pending() == 0
    assert get_backend().drift().clean
    assert get_backend().count() == 10
    assert ids_found("fresh") == {p.id for p in new}


# -- several processes at once ---------------------------------------------

WORKERS = 4
ROUNDS = 5


def marker(worker: int, round_: int) -> str:
    """A word unique to one worker and round (letters only: the cleaner strips
    digits stuck to words, which look like footnote calls)."""
    return f"worker{chr(97 + worker)}round{chr(97 + round_)}"


def _worker(number: int, folder: str, errors) -> None:  # noqa: ANN001
    """Re-ingest this worker's file with new content, then search for it:
    the change must be found at once (read your writes)."""
    reset_backends()
    try:
        path = Path(folder) / f"w{number}.txt"
        for round_ in range(ROUNDS):
            word = marker(number, round_)
            path.write_text(PROSE.format(word=word) + f"\nA second paragraph {word}.\n")
            document_ingest(path=path)
            found = ids_found(word)
            if len(found) != 2:
                errors.put(f"{word}: found {len(found)} records, expected 2")
            search_paragraphs(
                project=first_project(), query="security cooperation"
            )  # others' records too
    except Exception as exc:  # LockError included: reported, never hidden
        errors.put(f"worker {number}: {type(exc).__name__}: {exc}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_processes_changing_and_searching_at_once_end_consistent(tmp_path: Path):
    get_backend().rebuild()  # an empty index to start from
    first_project()  # (the flush of a transactional test removed the migration's)
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_worker, args=(n, str(tmp_path), errors))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    reported = []
    while not errors.empty():
        reported.append(errors.get())
    assert reported == []
    assert [p.exitcode for p in processes] == [0] * WORKERS
    outbox.drain()
    backend = get_backend()
    assert backend.drift().clean  # the index equals the database
    assert backend.count() == Paragraph.objects.count() == 2 * WORKERS
    for n in range(WORKERS):
        assert len(ids_found(marker(n, ROUNDS - 1))) == 2
        # The first round's word is gone from the index: the search says so by
        # correcting it to the one close word that is left.
        old = search_paragraphs(project=first_project(), query=marker(n, 0))
        assert old.corrected_query == marker(n, ROUNDS - 1)


# -- the dedicated drainer (gunicorn's mode) ---------------------------------


def _follow(index_dir: str) -> None:
    reset_backends()
    outbox.follow(max_idle=3.0)


@pytest.mark.django_db(transaction=True)
def test_with_a_dedicated_drainer_no_request_opens_a_writer(settings, monkeypatch):
    settings.GLOSS_SEARCH_DRAINER = "process"
    document = DocumentFactory()
    record = ParagraphFactory(document=document, position=0, text="plain words")
    get_backend().rebuild()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    drainer = context.Process(target=_follow, args=(str(settings.GLOSS_INDEX_DIR),))
    drainer.start()

    writers: list[dict] = []  # any drain here would open the index writer
    monkeypatch.setattr(outbox, "drain", lambda **kwargs: writers.append(kwargs))
    with transaction.atomic():  # the change and its outbox row, together
        Paragraph.objects.filter(pk=record.pk).update(text="zebrafinch words")
        paragraphs_changed(paragraph_ids=[record.pk])

    assert ids_found("zebrafinch") == {record.pk}  # the next search sees it
    assert writers == []
    drainer.join(30)
    assert drainer.exitcode == 0
    assert outbox.pending() == 0


def test_an_unknown_drainer_mode_is_refused(monkeypatch):
    monkeypatch.setenv("GLOSS_SEARCH_DRAINER", "thread")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "GLOSS_SEARCH_DRAINER must be 'inline' or 'process'" in result.stderr


def test_a_batch_job_applies_its_changes_once_at_the_end(
    small_corpus, monkeypatch, django_capture_on_commit_callbacks
):
    drains: list[int] = []
    monkeypatch.setattr(outbox, "try_drain", lambda: drains.append(1))
    ids = list(small_corpus.paragraphs.values_list("id", flat=True))
    with outbox.deferred():
        with django_capture_on_commit_callbacks() as callbacks:
            paragraphs_changed(paragraph_ids=ids[:2])
            paragraphs_changed(paragraph_ids=ids[2:])
        assert callbacks == []  # no index commit per change
        assert drains == []
    assert drains == [1]  # one for the whole batch
    assert outbox.pending() == len(ids)


# -- the idle drainer: backing off, and woken by a change ----------------------


@pytest.mark.django_db
def test_an_idle_drainer_backs_off(monkeypatch):
    """Idle for 3 s, it looks 6 times (after 0.1, 0.2, 0.4, 0.8, 1.6 s), not the
    30 times a fixed 0.1 s poll makes."""
    looks: list[float] = []
    real_drain = outbox.drain

    def counted(**kwargs):
        looks.append(time.monotonic())
        return real_drain(**kwargs)

    monkeypatch.setattr(outbox, "drain", counted)
    assert outbox.follow(max_idle=3.0) == 0
    assert len(looks) <= 8
    gaps = [later - earlier for earlier, later in itertools.pairwise(looks)]
    assert gaps == sorted(gaps)  # each pause at least as long as the one before
    assert gaps[-1] >= 1.5


def _follow_pausing_long(index_dir: str) -> None:
    """A drainer whose idle pause is a minute: only its doorbell wakes it."""
    reset_backends()
    outbox.FOLLOW_POLL = outbox.FOLLOW_POLL_MAX = 60.0
    outbox.follow()


@pytest.mark.django_db(transaction=True)
def test_a_change_wakes_an_idle_drainer_at_once(settings):
    settings.GLOSS_SEARCH_DRAINER = "process"
    record = ParagraphFactory(document=DocumentFactory(), position=0, text="plain")
    get_backend().rebuild()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    drainer = context.Process(
        target=_follow_pausing_long, args=(str(settings.GLOSS_INDEX_DIR),)
    )
    drainer.start()
    try:
        time.sleep(3)  # it has looked once and is in its minute's pause
        with transaction.atomic():
            Paragraph.objects.filter(pk=record.pk).update(text="quokka words")
            paragraphs_changed(paragraph_ids=[record.pk])
        changed = time.monotonic()
        while outbox.pending() and time.monotonic() - changed < 20:
            time.sleep(0.05)
        assert outbox.pending() == 0, "the change waited for the drainer's pause"
        assert ids_found("quokka") == {record.pk}
    finally:
        drainer.terminate()  # SIGTERM rings too: it stops without ending its pause
        drainer.join(10)
    assert drainer.exitcode == 0


# -- a large change (a big document) does not hold up small ones ---------------


@pytest.mark.django_db
def test_small_changes_are_applied_before_a_large_one_queued_earlier(small_corpus):
    large = list(range(10_000, 10_000 + outbox.BACKGROUND_OVER + 50))
    outbox.enqueue(large)  # a big document's records, queued first
    small = [paragraph(small_corpus, 3).id]
    outbox.enqueue(small)  # then someone tags a passage
    backend = get_backend()
    batches: list[list[int]] = []
    real_upsert = backend.upsert

    def recorded(ids):
        batches.append(list(ids))
        return real_upsert(ids)

    backend.upsert = recorded
    assert outbox.drain(backend=backend) == len(large) + 1
    assert batches[0] == small
    assert all(len(batch) <= outbox.BACKGROUND_BATCH for batch in batches[1:])
    assert sorted(itertools.chain(*batches[1:])) == large


@pytest.mark.django_db
def test_a_search_does_not_wait_for_a_large_change(small_corpus, settings, monkeypatch):
    """Dedicated-drainer mode with the drainer busy elsewhere (none runs here):
    a small change would be waited for; a large one only gets a notice."""
    settings.GLOSS_SEARCH_DRAINER = "process"
    monkeypatch.setattr(outbox, "SEARCH_LOCK_WAIT", 30.0)
    outbox.enqueue(large_change(small_corpus))
    started = time.monotonic()
    result = search_paragraphs(project=first_project(), query="distrust")
    assert time.monotonic() - started < 10
    assert result.notice == outbox.BACKGROUND_NOTICE
    assert {row.paragraph.id for row in result.rows} == {paragraph(small_corpus, 3).id}


def large_change(document: object) -> list[int]:
    """Ids of new records in ``document``, more than a small change has."""
    count = outbox.BACKGROUND_OVER + 1
    return [p.id for p in ParagraphFactory.create_batch(count, document=document)]


@pytest.mark.django_db
def test_another_projects_pending_changes_are_neither_waited_for_nor_told(
    small_corpus, settings, monkeypatch
):
    """A large upload (or a backlog) in project B: a search in A neither waits
    for it nor says that it is being indexed; a search in B does."""
    settings.GLOSS_SEARCH_DRAINER = "process"  # no drainer runs: rows stay
    monkeypatch.setattr(outbox, "SEARCH_LOCK_WAIT", 0.2)
    other = ProjectFactory()
    elsewhere = DocumentFactory(project=other)
    outbox.enqueue(large_change(elsewhere))
    outbox.enqueue([ParagraphFactory(document=elsewhere).id])  # a small one too
    mine = search_paragraphs(project=first_project(), query="distrust")
    assert (mine.notice, mine.total) == ("", 1)
    theirs = search_paragraphs(project=other, query="distrust")
    assert theirs.notice == outbox.BEHIND_NOTICE
    IndexOutbox.objects.filter(background=False).delete()
    theirs = search_paragraphs(project=other, query="distrust")
    assert theirs.notice == outbox.BACKGROUND_NOTICE
