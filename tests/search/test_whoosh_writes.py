"""The Whoosh backend's writes under a stream of small changes: segments
merged by tiers (by indexing their records again, not by Whoosh's merge), an
idle drainer's tidying, and the per-segment caches that outlive reopens."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import outbox, whoosh_backend
from search.whoosh_backend import MERGE_FANOUT, WhooshBackend
from tests.search.contract import CORPUS, A, MemorySource, record

# The contract corpus and fillers: a built segment of more than MERGE_FANOUT
# records, in a tier of its own.
RECORDS = CORPUS + [record(1000 + n, f"Filler number {n}.") for n in range(20)]


@pytest.fixture
def backend(tmp_path: Path) -> WhooshBackend:
    backend = WhooshBackend(tmp_path / "index", MemorySource(RECORDS))
    backend.rebuild()
    return backend


def segment_sizes(backend: WhooshBackend) -> list[int]:
    return sorted(s.doc_count_all() for s in backend._open()._segments())


def tag(backend: WhooshBackend, version: int, pid: int = 1) -> None:
    """One small change, applied as the drainer does: one record, one commit."""
    backend.source.put(record(pid, f"Security cooperation, revision r{version}."))
    backend.upsert([pid])


def test_small_commits_are_not_merged_until_a_tier_is_full(backend) -> None:
    """Whoosh's default policy merged the small segments again at nearly
    every commit (re-reading all their terms); here a commit adds one
    segment until MERGE_FANOUT segments of its size are there."""
    built = segment_sizes(backend)
    assert built == [len(RECORDS)]
    for version in range(MERGE_FANOUT):
        tag(backend, version, pid=100 + version)  # new records: none replaced
    assert segment_sizes(backend) == sorted(built + [1] * MERGE_FANOUT)
    tag(backend, 99, pid=200)
    # The commit after the tenth: the ten and its own record are one segment.
    assert segment_sizes(backend) == sorted(built + [MERGE_FANOUT + 1])
    for version in [*range(MERGE_FANOUT), 99]:
        assert backend.search(f"r{version}", project=A).total == 1
    assert backend.count() == len(RECORDS) + MERGE_FANOUT + 1


def test_a_fold_indexes_the_sources_version_and_drops_emptied_segments(
    backend,
) -> None:
    for version in range(3 * MERGE_FANOUT):
        tag(backend, version, pid=1 + version % 3)  # records replaced again
    sizes = segment_sizes(backend)
    # Segments whose records were all replaced since were dropped.
    assert sum(1 for size in sizes if size < len(RECORDS)) < MERGE_FANOUT
    assert backend.count() == len(RECORDS)
    backend.source.remove(3)  # gone from the source since its last change
    backend.source.put(record(2, "Folded from the source."))
    assert backend.tidy()
    assert backend.search("folded", project=A).total == 1
    assert backend.search("roberto", project=A).total == 0
    assert backend.count() == len(RECORDS) - 1
    assert backend.drift().clean
    assert not backend.tidy()  # nothing left to fold


def test_tidy_folds_the_small_segments_into_one(backend) -> None:
    for version in range(5):
        tag(backend, version, pid=100 + version)
    assert len(segment_sizes(backend)) == 6
    assert backend.tidy()
    # Every segment below IDLE_MERGE_BELOW records, the built one too here.
    assert segment_sizes(backend) == [len(RECORDS) + 5]
    assert backend.search("revision", project=A).total == 5


def test_an_idle_drainer_tidies_the_index_once(settings, monkeypatch) -> None:
    tidied: list[bool] = []

    class Backend:
        def tidy(self) -> bool:
            tidied.append(True)
            if len(tidied) > 3:  # tidying at every idle look: stop the loop
                raise SystemExit("tidied again and again")
            return True

    batches = iter([3, 0])
    monkeypatch.setattr(outbox, "_follow_once", lambda first=(): next(batches, 0))
    monkeypatch.setattr(outbox, "get_backend", lambda: Backend())
    monkeypatch.setattr(outbox, "TIDY_AFTER", 0.05)
    monkeypatch.setattr(outbox, "FOLLOW_POLL", 0.01)
    assert outbox.follow(max_idle=0.3) == 3
    assert tidied == [True]  # once after the batch, not at every idle look


def test_the_caches_evict_the_least_recently_used_entry() -> None:
    """A big segment's facet names stay cached while a drainer's commits
    add (and merges retire) small segments' entries: evicted in insertion
    order, it went after a few dozen commits and took seconds to rebuild."""
    cache: dict[str, int] = {}
    monkey_size = 4
    for key in "abcd":
        cache[key] = ord(key)
    for key in "efgh":  # "a" is used between insertions, as a big segment is
        assert whoosh_backend._recently_used(cache, "a") == ord("a")
        cache[key] = ord(key)
        while len(cache) > monkey_size:
            cache.pop(next(iter(cache)))
    assert "a" in cache
    assert whoosh_backend._recently_used(cache, "zz") is None
