"""The outbox: how database changes reach the index, exactly once in effect.

``enqueue`` is called inside the transaction that changes paragraphs; ``drain``
is the single drainer. It holds the backend's writer lock across reading a
batch of rows, re-reading those paragraphs, writing them with one index
commit, and deleting the rows. Holding the lock across all four matters: two
drainers interleaving could otherwise index an older read after a newer one.

Crash safety: rows are deleted only after the index commit. Killed before the
commit, nothing was written and the rows remain; killed after it, the rows
remain and are applied again, which is harmless (upserts re-read the database).

Read your writes: every row names the person whose change it is. A search
waits only for its own person's small rows (and for unattributed ones, a
command's or an ingest's), never for everyone's queue: it rings the drainer's
doorbell with that person's id, the drainer puts their rows first in its next
batch (no database write: on SQLite every write queues for the one write
lock), and in inline mode the search applies just those rows itself. Another
person's backlog of tags does not hold up anyone else's next search.

Priorities: the rows of a large change (more than ``BACKGROUND_OVER``
paragraphs at once, a big document ingested) are background rows. The drainer
applies the small changes queued meanwhile first, in smaller batches between
background ones, and a search waits only for small changes (a person finds
their own tag in their next search) while saying that a large one is still
being indexed. Otherwise one 50 MB upload made every search wait for it.

The dedicated drainer (``follow``) backs off while idle: it looks again after
0.1 s, then 0.2, 0.4 … up to 2 s, so an idle server costs next to nothing. A
committed change does not wait for that: it rings the drainer's doorbell (a
datagram to a socket named after the index), which wakes it at once; it then
gathers the rest of the burst for up to ``GATHER`` (0.1 s) so that a burst of
tags is one index commit, unless someone's search is waiting.
"""

from __future__ import annotations

import hashlib
import logging
import select
import signal
import socket
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.db.models.expressions import Combinable
from django.utils import timezone

from corpus.models import Paragraph
from search.backend import SearchBackend, SearchUnavailable, get_backend
from search.models import IndexOutbox

if TYPE_CHECKING:
    from accounts.models import Project

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# A change of more paragraphs than this is queued as background rows, applied
# BACKGROUND_BATCH at a time so that a small change never waits long behind one.
BACKGROUND_OVER = 200
BACKGROUND_BATCH = 100
# The dedicated drainer's pauses while idle: FOLLOW_POLL after a batch,
# doubling up to FOLLOW_POLL_MAX (a change rings the doorbell meanwhile).
# Woken, it gathers the rest of a burst for up to GATHER before its commit
# (a waiting search cuts that short).
FOLLOW_POLL = 0.1
# After this long with nothing queued, the drainer tidies the index once.
TIDY_AFTER = 5.0
FOLLOW_POLL_MAX = 2.0
GATHER = 0.1
# Before a search: how long to wait for another process's drain to finish,
# and how long to spend draining, before searching what the index has.
SEARCH_LOCK_WAIT = 5.0
SEARCH_DRAIN_BUDGET = 10.0
# A waiting search rings the drainer again after this long (a lost datagram).
RING_AGAIN = 0.5


def enqueue(paragraph_ids: Iterable[int], *, actor_id: int | None = None) -> None:
    """Record that these paragraphs changed (call inside the changing
    transaction), by ``actor_id`` (the person, whose next search waits for
    it); after commit, try to apply them at once if no one else is."""
    ids = list(paragraph_ids)
    if not ids:
        return
    _insert_rows(ids, background=len(ids) > BACKGROUND_OVER, actor_id=actor_id)
    if dedicated_drainer():
        transaction.on_commit(ring)
    elif not _deferred:
        transaction.on_commit(try_drain)


def _insert_rows(ids: list[int], *, background: bool, actor_id: int | None) -> None:
    """One outbox row per id. A big document's ingest queues one row per
    record inside its write transaction: ``bulk_create`` of 93,000 rows took
    ~19 s of it (a model instance and SQL per value), a plain ``executemany``
    of the same values a fraction of that."""
    if len(ids) <= BACKGROUND_OVER:
        rows = [
            IndexOutbox(paragraph_id=pid, background=background, actor_id=actor_id)
            for pid in ids
        ]
        IndexOutbox.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return
    connection = connections[IndexOutbox.objects.db]
    meta, quote = IndexOutbox._meta, connection.ops.quote_name
    by_name = {f.name: f.get_attname_column()[1] for f in meta.concrete_fields}
    names = ("paragraph_id", "background", "actor_id", "created_at")
    columns = ", ".join(quote(str(by_name[name])) for name in names)
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"
    row = (background, actor_id, created)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(pid, *row) for pid in ids])


_deferred: list[bool] = []


@contextmanager
def deferred() -> Iterator[None]:
    """Queue changes without applying each one; apply them all once at the end.

    For batch jobs (``manage.py ingest``): one drain for many documents instead
    of an index commit per document. With a dedicated drainer it only defers
    nothing: that process applies the rows anyway.
    """
    _deferred.append(True)
    try:
        yield
    finally:
        _deferred.pop()
        if not _deferred and not dedicated_drainer():
            try_drain()


def dedicated_drainer() -> bool:
    """Whether one drainer process applies the outbox (requests never write)."""
    return settings.GLOSS_SEARCH_DRAINER == "process"


def pending() -> int:
    return IndexOutbox.objects.count()


def drain(
    *,
    backend: SearchBackend | None = None,
    batch_size: int = BATCH_SIZE,
    lock_timeout: float | None = None,
    budget: float | None = None,
    only: QuerySet[IndexOutbox] | None = None,
    first: Collection[int] = (),
    max_batches: int | None = None,
) -> int:
    """Apply pending rows in batches (one index commit each); return how many.

    Raises ``SearchUnavailable`` if the lock is not had within
    ``lock_timeout`` seconds. Stops starting new batches after ``budget``
    seconds (``None``: when the outbox is empty, or ``only``'s rows are gone:
    a search applies its own person's rows and leaves the rest queued), or
    after ``max_batches``. The rows of the people in ``first`` (ids of people
    whose search waits) go ahead of older ones.
    """
    backend = backend or get_backend()
    deadline = None if budget is None else time.monotonic() + budget
    applied, batches = 0, 0
    with backend.exclusive(lock_timeout):
        while deadline is None or time.monotonic() < deadline:
            done = _drain_batch(backend, batch_size, only, first)
            if not done:
                break
            applied, batches = applied + done, batches + 1
            if max_batches is not None and batches >= max_batches:
                break
    return applied


def _drain_batch(
    backend: SearchBackend,
    batch_size: int,
    only: QuerySet[IndexOutbox] | None = None,
    first: Collection[int] = (),
) -> int:
    """One index commit: small changes first (those of the people in
    ``first`` ahead of the rest), then (if none) background ones."""
    pending = IndexOutbox.objects.all() if only is None else only
    queued = pending.order_by("id").values_list("id", "paragraph_id")
    small = queued.filter(background=False)
    if first:
        waiting = Case(When(actor_id__in=list(first), then=0), default=1)
        small = small.order_by(waiting, "id")
    rows = list(small[:batch_size])
    if not rows and only is None:
        background = queued.filter(background=True)
        rows = list(background[: min(batch_size, BACKGROUND_BATCH)])
    if not rows:
        return 0
    backend.upsert(sorted({paragraph_id for _, paragraph_id in rows}))
    # By id, not by range: a row committed late with a lower id stays queued.
    IndexOutbox.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
    return len(rows)


def queued_ids() -> list[int]:
    """The ids of the rows committed now (before a rebuild reads the database)."""
    return list(IndexOutbox.objects.values_list("id", flat=True))


def settle(row_ids: list[int]) -> None:
    """Forget rows a rebuild has made true: it read the database after they
    were committed, so applying them again (93,000 after a big first ingest,
    in background batches) would only repeat it."""
    for start in range(0, len(row_ids), BATCH_SIZE):
        chunk = row_ids[start : start + BATCH_SIZE]
        IndexOutbox.objects.filter(id__in=chunk).delete()


def try_drain() -> None:
    """Drain now if no other process is (never raises: the rows stay queued)."""
    try:
        drain(lock_timeout=0)
    except SearchUnavailable:
        pass  # another process is draining; the next search catches up
    except Exception:  # the change is committed; indexing it can wait
        log.exception("draining the search outbox failed; rows stay queued")


def catch_up(
    backend: SearchBackend, project: Project | None = None, viewer_id: int | None = None
) -> str:
    """Before a search: apply pending changes so a user sees their own edits.

    Returns a notice for the user when some changes could not be applied in
    time, or a large one is still being indexed (the search then shows the
    index as it is). Only small changes are waited for: with ``viewer_id``,
    only that person's own (and unattributed ones); without, everyone's. With
    ``project``, only its records' changes are waited for and told of:
    another project's large upload is none of this search's business (nor
    may it learn of it).
    """
    newest = IndexOutbox.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return ""
    # Only rows that were pending when this search began count: others are
    # newer changes made by someone else meanwhile.
    before = IndexOutbox.objects.filter(id__lte=newest)
    if _awaited(backend, before.filter(background=False), project, viewer_id):
        return BEHIND_NOTICE
    large = before.filter(background=True)
    if project is not None:
        large = large.filter(_records_of(project))
    if large.exists():
        return BACKGROUND_NOTICE
    return ""


def _records_of(project: Project, *, or_gone: bool = False) -> Combinable:
    """Whether an outbox row's record is ``project``'s (or, ``or_gone``, no
    longer exists), looked up by primary key row by row. As ``paragraph_id IN
    (the project's records)`` SQLite first listed all the project's records:
    ~17 ms per search at 10,000 records, and every search under writes ran it."""
    records = Paragraph.objects.filter(pk=OuterRef("paragraph_id"))
    if or_gone:  # no record of another project: the project's, or deleted
        return ~Exists(records.exclude(document__project=project))
    return Exists(records.filter(document__project=project))


def _awaited(
    backend: SearchBackend,
    small: QuerySet[IndexOutbox],
    project: Project | None,
    viewer_id: int | None,
) -> bool:
    """Wait for the rows this search must see; whether some are left after
    the wait. Another person's rows are not this search's: they wait for
    the drainer (or their own person's next search)."""
    # The project's records, and records deleted since (their project is
    # unknown now; removing an entry is cheap).
    scope = Q()  # without a project, every record's
    if project is not None:
        scope = Q(_records_of(project, or_gone=True))
    if viewer_id is not None:  # their own rows anywhere, and no one's here
        scope = Q(actor_id=viewer_id) | (Q(actor_id__isnull=True) & scope)
    ids = list(small.filter(scope).values_list("id", flat=True))
    if not ids:
        return False
    awaited = IndexOutbox.objects.filter(id__in=ids)
    if dedicated_drainer():
        return _wait_for_drainer(awaited, viewer_id)
    return _drain_before_search(backend, awaited)


BEHIND_NOTICE = "Some recent changes are still being indexed and may not show yet."
BACKGROUND_NOTICE = (
    "A large document is still being indexed: some of its records may not show yet."
)


def _drain_before_search(backend: SearchBackend, small: QuerySet[IndexOutbox]) -> bool:
    """Inline mode: apply these rows (within a budget) ourselves, leaving
    everyone else's queued; whether some are left."""
    try:
        drain(
            backend=backend,
            only=small,
            lock_timeout=SEARCH_LOCK_WAIT,
            budget=SEARCH_DRAIN_BUDGET,
        )
    except SearchUnavailable:
        log.warning("search outbox busy; searching without the latest changes")
    return small.exists()


def _wait_for_drainer(small: QuerySet[IndexOutbox], viewer_id: int | None) -> bool:
    """Let the dedicated drainer apply the small changes this search waits
    for (ringing with the person's id: their rows go first, and again now and
    then, as a datagram may be lost); whether some are still waiting after
    SEARCH_LOCK_WAIT."""
    started = time.monotonic()
    rung = started - RING_AGAIN
    while small.exists():
        now = time.monotonic()
        if now - started >= SEARCH_LOCK_WAIT:
            log.warning("search drainer is behind; searching without the latest")
            return True
        if now - rung >= RING_AGAIN:
            ring(viewer_id)
            rung = now
        time.sleep(0.02)
    return False


def follow(*, max_idle: float | None = None) -> int:
    """The dedicated drainer's loop: apply rows as they come, one writer.

    Runs until SIGTERM/SIGINT, or after ``max_idle`` seconds with nothing to
    do (tests). Returns how many rows it applied. A failed batch is logged and
    retried: its rows stay queued until an index commit took them. While idle
    it pauses longer and longer (``idle_pauses``), woken early by ``ring``.
    """
    with _doorbell() as bell:
        stop = _stop_on_signals()
        applied, idle_since = 0, time.monotonic()
        pauses = idle_pauses()
        waiting: set[int] = set()  # people whose search waits: theirs first
        tidy = False  # whether the index needs tidying once idle
        while not stop:
            waiting |= _wait(bell, 0)  # rung during the last batch
            done = _follow_once(waiting)
            applied += done
            if done:
                idle_since, pauses = time.monotonic(), idle_pauses()
                waiting, tidy = set(), True  # their rows led that batch
            elif tidy and time.monotonic() - idle_since >= TIDY_AFTER:
                tidy = False
                _tidy()
            elif max_idle is not None and time.monotonic() - idle_since >= max_idle:
                break
            else:
                woken = _wait(bell, next(pauses))
                waiting |= woken or _gather(bell, GATHER)
    return applied


def _follow_once(first: Collection[int] = ()) -> int:
    """One batch (one index commit), so that people ringing meanwhile get
    their rows into the next one rather than after the whole queue."""
    try:
        return drain(lock_timeout=FOLLOW_POLL, first=first, max_batches=1)
    except SearchUnavailable:
        return 0  # a rebuild holds the lock; wait for it
    except Exception:
        log.exception("search drainer: a batch failed; it stays queued")
        connections.close_all()  # a broken connection is reopened
        return 0


def _tidy() -> None:
    """Let the backend tidy up while nothing is queued (Whoosh: merge the
    small segments the batches made). Never raises: it is only housekeeping."""
    try:
        get_backend().tidy()
    except SearchUnavailable:
        pass  # a rebuild holds the lock: its new index is tidy anyway
    except Exception:
        log.exception("search drainer: tidying the index failed")


def idle_pauses(
    first: float | None = None, longest: float | None = None
) -> Iterator[float]:
    """The idle drainer's pauses: doubling from ``first`` up to ``longest``.

    >>> from itertools import islice
    >>> list(islice(idle_pauses(0.1, 2.0), 7))
    [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]
    """
    pause = FOLLOW_POLL if first is None else first
    longest = FOLLOW_POLL_MAX if longest is None else longest
    while True:
        yield min(pause, longest)
        pause = min(pause * 2, longest)


def doorbell_address() -> str:
    """An abstract Unix socket (Linux: no file to clean up) named after the
    index directory, so each index has its own drainer's doorbell."""
    digest = hashlib.sha256(str(settings.GLOSS_INDEX_DIR).encode()).hexdigest()
    return f"\0gloss-search-drainer-{digest[:32]}"


def ring(waiting: int | None = None) -> None:
    """Wake the dedicated drainer now (after a commit that queued rows), or
    tell it that ``waiting`` (a person's id) waits for their rows.

    Never raises: with no drainer listening, the rows wait for its next look.
    """
    message = b"!" if waiting is None else f"w{waiting}".encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            sender.sendto(message, doorbell_address())
    except OSError:
        pass  # no drainer is listening, or its queue is full: it is awake


@contextmanager
def _doorbell() -> Iterator[socket.socket | None]:
    """The drainer's end of the doorbell; None where it cannot be had (the
    drainer then just polls, as it backs off)."""
    bell = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        bell.bind(doorbell_address())
    except OSError:
        log.warning("search drainer: no doorbell (another drainer has it?)")
        bell.close()
        yield None
        return
    bell.setblocking(False)
    try:
        yield bell
    finally:
        bell.close()


def _wait(bell: socket.socket | None, seconds: float) -> set[int]:
    """Pause up to ``seconds``; a ring ends the pause (all rings are taken).
    Returns the people the rings said are waiting."""
    if bell is None:
        time.sleep(seconds)
        return set()
    ready, _, _ = select.select([bell], [], [], seconds)
    messages = []
    while ready:
        try:
            messages.append(bell.recv(64))
        except BlockingIOError:
            break
    return waiting_people(messages)


def _gather(bell: socket.socket | None, seconds: float) -> set[int]:
    """After an idle drainer is woken: let the burst it belongs to arrive, up
    to ``seconds``, so that twenty tags made at once are one index commit and
    one searcher reopen per web worker, not twenty. A person's waiting search
    ends the pause at once: returns the people waiting (none: it timed out).
    """
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if people := _wait(bell, left):
            return people
    return set()


def waiting_people(messages: Iterable[bytes]) -> set[int]:
    """The people named in doorbell messages (``w<id>``; ``!`` names none).

    >>> sorted(waiting_people([b"!", b"w12", b"w3", b"w12", b"wx"]))
    [3, 12]
    """
    people = set()
    for message in messages:
        if message.startswith(b"w") and message[1:].isdigit():
            people.add(int(message[1:]))
    return people


def _stop_on_signals() -> list[int]:
    """A list that becomes truthy when SIGTERM or SIGINT arrives (which also
    rings, so a pausing drainer stops at once)."""
    stop: list[int] = []

    def handler(number: int, frame: object) -> None:
        stop.append(number)
        ring()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    return stop
