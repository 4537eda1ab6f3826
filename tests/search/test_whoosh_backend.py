"""The Whoosh backend: what is specific to Whoosh (builds, the pointer switch,
recovery from a missing or corrupt index, the refresh bug); the contract runs
in test_contract.py."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from search import whoosh_backend
from search.whoosh_backend import POINTER, WhooshBackend
from tests.search.contract import CORPUS, MemorySource, record


@pytest.fixture
def backend(tmp_path: Path) -> WhooshBackend:
    backend = WhooshBackend(tmp_path / "index", MemorySource(CORPUS))
    backend.rebuild()
    return backend


def test_rebuild_switches_the_pointer_and_keeps_one_older_build(backend) -> None:
    root = backend.root
    first = (root / POINTER).read_text()
    backend.rebuild()
    backend.rebuild()
    builds = sorted(p.name for p in root.glob("build-*"))
    assert (root / POINTER).read_text() not in (first, "")
    assert len(builds) == 2  # the live one and the previous one
    assert (root / POINTER).read_text() in builds


def test_searchers_see_new_commits_without_duplicates(backend) -> None:
    """whoosh-reloaded 2.7.5's Searcher.refresh() keeps merged-away segments;
    the backend reopens instead, so repeated updates never double-count."""
    source = backend.source
    for version in range(25):  # enough commits for Whoosh to merge segments
        source.put(record(1, f"Security cooperation, revision r{version}."))
        backend.upsert([1])
        page = backend.search("security cooperation", page_size=100)
        assert [h.id for h in page.hits].count(1) == 1
        assert backend.search(f"r{version}").total == 1
    assert backend.count() == len(CORPUS)


def test_missing_index_is_rebuilt_from_the_source_with_a_notice(tmp_path) -> None:
    backend = WhooshBackend(tmp_path / "index", MemorySource(CORPUS))
    page = backend.search("perimeter")  # never built
    assert [h.id for h in page.hits] == [5]
    assert "rebuilt" in page.notice


# Whoosh leaves the damaged table-of-contents file open when it fails to read
# it (its bug, not reachable from here); the leak is collected below.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_corrupt_index_is_rebuilt(backend) -> None:
    build = backend.root / (backend.root / POINTER).read_text()
    for path in build.iterdir():
        path.write_bytes(b"garbage")
    backend.close()  # a fresh process would open the damaged files
    page = backend.search("perimeter")
    assert [h.id for h in page.hits] == [5]
    assert "rebuilt" in page.notice
    assert backend.search("perimeter").notice == ""
    gc.collect()


def test_pointer_to_a_vanished_build_is_rebuilt(backend) -> None:
    (backend.root / POINTER).write_text("build-gone")
    backend.close()
    assert backend.search("perimeter").total == 1


def test_writes_to_a_missing_index_rebuild_it_first(tmp_path) -> None:
    source = MemorySource(CORPUS)
    backend = WhooshBackend(tmp_path / "index", source)
    source.put(record(9, "Drones at the border."))
    backend.upsert([9])
    assert backend.count() == len(CORPUS) + 1


def test_multiprocess_bulk_indexing_builds_the_same_index(
    tmp_path, monkeypatch
) -> None:
    # Below SMALL_BUILD records a rebuild stays in one process: lower the bar
    # so this test takes the multiprocess path, and check that it did (one
    # segment per process, no final merge).
    monkeypatch.setattr(whoosh_backend, "SMALL_BUILD", 200)
    many = [
        record(i, f"Paragraph {i} on security cooperation.") for i in range(1, 1201)
    ]
    backend = WhooshBackend(tmp_path / "index", MemorySource(many), procs=2)
    assert backend.rebuild() == 1200
    build = backend.root / (backend.root / POINTER).read_text()
    assert len(list(build.glob("*.seg"))) >= 2, sorted(p.name for p in build.iterdir())
    assert backend.count() == 1200
    assert backend.search("cooperation").total == 1200
    assert backend.drift().clean


def test_exclusive_is_reentrant_and_excludes_other_holders(backend) -> None:
    from search.backend import SearchUnavailable

    other = WhooshBackend(backend.root, backend.source)  # as another process would
    with backend.exclusive(), backend.exclusive():
        with pytest.raises(SearchUnavailable):
            with other.exclusive(timeout=0.05):
                pass
    with other.exclusive(timeout=0.05):
        pass


def test_a_search_past_its_time_budget_stops_with_partial_results(tmp_path) -> None:
    many = [record(i, f"Paragraph {i} on security cooperation.") for i in range(1, 301)]
    unlimited = WhooshBackend(tmp_path / "index", MemorySource(many))
    unlimited.rebuild()
    complete = unlimited.search("cooperation")
    assert (complete.total, complete.notice) == (300, "")

    # A budget already spent when collecting starts: the search stops after
    # its first match instead of scoring all 300, and says so.
    spent = WhooshBackend(unlimited.root, unlimited.source, time_budget=0.0)
    partial = spent.search("cooperation")
    assert 1 <= partial.total < 300
    assert len(partial.hits) == partial.total
    assert "time budget" in partial.notice and "partial" in partial.notice
    assert sum(f.count for f in partial.facets["lang"]) == partial.total


def test_the_settings_reach_the_configured_backend(settings, tmp_path) -> None:
    from search.backend import get_backend, reset_backends

    settings.GLOSS_INDEX_DIR = tmp_path / "configured"
    settings.GLOSS_SEARCH_MEMORY_MB = 96
    settings.GLOSS_SEARCH_TIME_BUDGET = 1.5
    reset_backends()
    try:
        backend = get_backend()
        assert (backend.limitmb, backend.time_budget) == (96, 1.5)
    finally:
        reset_backends()
