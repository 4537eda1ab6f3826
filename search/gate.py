"""Long searches take turns, server-wide, so a few people sending the costliest
queries the limits allow cannot occupy every web worker.

A query of ``HEAVY_TERMS`` terms or more (words, phrases, prefixes, filters:
what its cost grows with; an ordinary query has one to four) needs one of
``GLOSS_SEARCH_HEAVY_SLOTS`` slots while it runs: an ``flock`` on a file in
the index directory, shared by every worker process and released by the
kernel if one dies. With no slot free it is refused at once (a 429 with a
message), never queued: a queued request would hold its worker all the same.
Measured with ``bench/load_bench.py``: three clients sending such queries
without pause made the ordinary requests' p95 three times slower.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings

from search import query as q

HEAVY_TERMS = 8


def is_heavy(text: str) -> bool:
    """Whether a query must take a turn.

    >>> is_heavy("border security -canada"), is_heavy("a b c d e f g h")
    (False, True)
    """
    return q.term_count(text) >= HEAVY_TERMS


@contextmanager
def heavy_turn(text: str) -> Iterator[bool]:
    """For a heavy query: hold a slot while the block runs, yielding True, or
    yield False at once when every slot is taken. Other queries: True."""
    if not is_heavy(text):
        yield True
        return
    held = _take_slot()
    try:
        yield held is not None
    finally:
        if held is not None:
            held.close()  # closing the file releases its flock


def _take_slot() -> IO[str] | None:
    folder = settings.GLOSS_INDEX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(max(1, settings.GLOSS_SEARCH_HEAVY_SLOTS)):
        handle = (folder / f"heavy-search-{number}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            handle.close()
    return None
