"""The outbox: how database changes reach the index, exactly once in effect.

``enqueue`` is called inside the transaction that changes paragraphs; ``drain``
is the single drainer. It holds the backend's writer lock across reading a
batch of rows, re-reading those paragraphs, writing them with one index
commit, and deleting the rows. Holding the lock across all four matters: two
drainers interleaving could otherwise index an older read after a newer one.

Crash safety: rows are deleted only after the index commit. Killed before the
commit, nothing was written and the rows remain; killed after it, the rows
remain and are applied again, which is harmless (upserts re-read the database).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.db import transaction

from search.backend import SearchBackend, SearchUnavailable, get_backend
from search.models import IndexOutbox

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# Before a search: how long to wait for another process's drain to finish,
# and how long to spend draining, before searching what the index has.
SEARCH_LOCK_WAIT = 5.0
SEARCH_DRAIN_BUDGET = 10.0


def enqueue(paragraph_ids: Iterable[int]) -> None:
    """Record that these paragraphs changed (call inside the changing
    transaction); after commit, try to apply them at once if no one else is."""
    rows = [IndexOutbox(paragraph_id=pid) for pid in paragraph_ids]
    if not rows:
        return
    IndexOutbox.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    transaction.on_commit(try_drain)


def pending() -> int:
    return IndexOutbox.objects.count()


def drain(
    *,
    backend: SearchBackend | None = None,
    batch_size: int = BATCH_SIZE,
    lock_timeout: float | None = None,
    budget: float | None = None,
) -> int:
    """Apply pending rows in batches (one index commit each); return how many.

    Raises ``SearchUnavailable`` if the lock is not had within
    ``lock_timeout`` seconds. Stops starting new batches after ``budget``
    seconds (``None``: when the outbox is empty).
    """
    backend = backend or get_backend()
    deadline = None if budget is None else time.monotonic() + budget
    applied = 0
    with backend.exclusive(lock_timeout):
        while deadline is None or time.monotonic() < deadline:
            done = _drain_batch(backend, batch_size)
            if not done:
                break
            applied += done
    return applied


def _drain_batch(backend: SearchBackend, batch_size: int) -> int:
    rows = list(IndexOutbox.objects.values_list("id", "paragraph_id")[:batch_size])
    if not rows:
        return 0
    backend.upsert(sorted({paragraph_id for _, paragraph_id in rows}))
    # By id, not by range: a row committed late with a lower id stays queued.
    IndexOutbox.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
    return len(rows)


def try_drain() -> None:
    """Drain now if no other process is (never raises: the rows stay queued)."""
    try:
        drain(lock_timeout=0)
    except SearchUnavailable:
        pass  # another process is draining; the next search catches up
    except Exception:  # the change is committed; indexing it can wait
        log.exception("draining the search outbox failed; rows stay queued")


def catch_up(backend: SearchBackend) -> str:
    """Before a search: apply pending changes so a user sees their own edits.

    Returns a notice for the user when some changes could not be applied in
    time (the search then shows the index as it is).
    """
    newest = IndexOutbox.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return ""
    try:
        drain(
            backend=backend, lock_timeout=SEARCH_LOCK_WAIT, budget=SEARCH_DRAIN_BUDGET
        )
    except SearchUnavailable:
        log.warning("search outbox busy; searching without the latest changes")
    # Only rows that were pending when this search began count: others are
    # newer changes made by someone else meanwhile.
    if IndexOutbox.objects.filter(id__lte=newest).exists():
        return "Some recent changes are still being indexed and may not show yet."
    return ""
