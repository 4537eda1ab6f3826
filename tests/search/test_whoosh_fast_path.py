"""The Whoosh fast path (``_FastPath``) against Whoosh's own collectors.

Every search first tries the fast path: sets of posting lists for the total and
the facets, Whoosh's matcher for the scores of the page only. Whatever it
returns must be exactly what scoring and categorising every match through
Whoosh's collectors returns (the reference, ``_Search._collect``): the same
hits in the same order with the same scores and highlights, the same total and
the same facet counts, for many queries of every shape on a varied index
(several segments, deleted records, two projects, ties in scores).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from search import whoosh_backend
from search.whoosh_backend import WhooshBackend
from tests.search.contract import A, B, MemorySource, record

WORDS = (
    "security cooperation border borders canada mexico united states trust"
    " distrust sovereignty bilateral agreement trade free north america police"
    " agencies intelligence migration drugs perimeter nafta treaty souveraineté"
    " coopération frontière sécurité the and of in on with"
).split()
THEMES = ("sovereignty", "distrust", "bilateralism")
QUERIES = (
    "security",  # one word, stemmed and exact forms
    "borders",
    "Canada",  # also in titles: the context bonus
    "sovereignty",  # also in sections
    "security cooperation",  # AND
    "security cooperation border",
    "the",  # a stop word alone
    "security OR trust",
    "nafta OR treaty OR police",
    "security -mexico",
    "security -mexico -canada",
    "(security OR trust) -border",
    "security (trust OR distrust)",
    '"north america"',  # phrases
    '"border border"',  # a repeated word
    '"united states trust"',
    '"north america" security',
    'security -"free trade"',
    "secur*",  # prefixes
    "coop*",
    "border* -canada",
    "sécurité",  # French, folded
    "securty",  # typos: corrected, then searched
    "cooperaton OR trust",
    "theme:sovereignty security",  # filters
    "theme:distrust",
    "kind:footnote",
    "lang:fr",
    "document:doc-1 trust",
    "kind:paragraph -theme:distrust border",
    "U.S.-Mexico",  # one word typed, a phrase indexed
    "nosuchword",
    "zanzibar",  # words of one record: Whoosh inlines their one posting
    '"zanzibar quokka"',
    "zanzib* OR nafta",
    "quokka -zanzibar",
    "zanzibar obsolete",  # a word whose postings in a segment are all deleted
    "obsolete OR quokka",
    "",  # every record
)


def make_records(seed: int) -> list:
    rng = random.Random(seed)
    weights = [1.0 / (rank + 2) for rank in range(len(WORDS))]
    records = []
    for i in range(1, 421):
        length = rng.choice((3, 6, 12, 30, 70))
        words = rng.choices(WORDS, weights, k=length)
        if rng.random() < 0.1:
            words[0:0] = ["border", "border"]
        if rng.random() < 0.1:
            words += ["U.S.-Mexico", "north", "america"]
        if rng.random() < 0.1:
            words[length // 2 : length // 2] = ["united", "states", "trust"]
        doc = i % 5
        records.append(
            record(
                i,
                " ".join(words),
                project=A if i % 7 else B,
                document=f"doc-{doc}",
                document_order=f"{doc}.txt",
                title=rng.choice(("On Canada", "Trust and borders", "Notes")),
                section=rng.choice(("", "Sovereignty", "Security at the border")),
                kind=rng.choice(("paragraph", "paragraph", "footnote", "heading")),
                lang=rng.choice(("en", "en", "en", "fr", "")),
                position=i,
                themes=tuple(rng.sample(THEMES, rng.randint(0, 2))),
            )
        )
    records[41] = dataclasses.replace(records[41], text="zanzibar quokka security")
    for i in range(300, 360):  # updated away by the fixture
        records[i] = dataclasses.replace(records[i], text=f"obsolete {records[i].text}")
    return records


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> WhooshBackend:
    """Several segments with deleted records: a rebuild, then updates."""
    records = make_records(7)
    source = MemorySource(records)
    backend = WhooshBackend(Path(tmp_path_factory.mktemp("fast")) / "index", source)
    backend.rebuild()
    rng = random.Random(8)
    for _batch in range(3):  # one commit (segment) each
        changed = rng.sample(records, 25)
        source.put(*(dataclasses.replace(r, text=f"{r.text} trust") for r in changed))
        backend.upsert([r.id for r in changed])
    obsolete = [r for r in records if r.text.startswith("obsolete ")]
    source.put(*(dataclasses.replace(r, text=r.text[9:]) for r in obsolete))
    backend.upsert([r.id for r in obsolete])
    backend.delete([3, 4, 5])
    return backend


def reference(backend: WhooshBackend, monkeypatch, **search) -> object:
    with monkeypatch.context() as patch:

        def unsupported(*args: object, **kwargs: object) -> None:
            raise whoosh_backend._Unsupported("the reference")

        patch.setattr(whoosh_backend._FastPath, "run", unsupported)
        return backend.search(**search)


@pytest.fixture
def fast_runs(monkeypatch) -> list[str]:
    """The queries the fast path answered (it must not fall back silently)."""
    answered: list[str] = []
    original = whoosh_backend._FastPath.run

    def run(self, compiled, limit, sort):  # noqa: ANN001, ANN202
        result = original(self, compiled, limit, sort)
        answered.append(str(compiled))
        return result

    monkeypatch.setattr(whoosh_backend._FastPath, "run", run)
    return answered


def test_the_index_has_several_segments_and_deleted_records(backend) -> None:
    searcher = backend._searcher()
    assert len(searcher.leaf_searchers()) > 1
    assert searcher.reader().has_deletions()


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_gives_whooshs_results(backend, monkeypatch, fast_runs, query):
    compared = 0
    for project in (A, B):
        for sort in ("relevance", "document"):
            for page, page_size in ((1, 20), (2, 20), (1, 3), (1, 500)):
                search = {
                    "query": query,
                    "project": project,
                    "sort": sort,
                    "page": page,
                    "page_size": page_size,
                }
                fast = backend.search(**search)
                assert fast == reference(backend, monkeypatch, **search), search
                compared += fast.total
    assert len(fast_runs) == 2 * 2 * 4  # every search took the fast path
    if query not in ("nosuchword", "quokka -zanzibar", "zanzibar obsolete"):
        assert compared > 0  # the query finds something to compare


def test_fast_path_gives_whooshs_results_with_filters(backend, monkeypatch) -> None:
    for filters in (
        {"theme": ["sovereignty", "distrust"]},
        {"kind": ["footnote"], "lang": ["fr", "en"]},
        {"document": ["doc-2"]},
    ):
        for query in ("security", "trust OR border", '"north america"', ""):
            search = {"query": query, "project": A, "filters": filters, "page_size": 50}
            assert backend.search(**search) == reference(backend, monkeypatch, **search)


def test_a_facet_filter_keeps_the_ranking_of_the_records_it_keeps(
    backend, monkeypatch
) -> None:
    """Whoosh's AndMaybe under an intersection skipped the context bonus of
    some records, so filtering by a facet reordered them (in both paths).
    Whoosh scores each filter 1.0 (a ListMatcher weight of 0.0 reads as 1.0):
    the kept records' scores all move by the same amount."""
    filters = {"kind": ["footnote"], "lang": ["fr", "en"]}
    for search in (backend.search, lambda **kw: reference(backend, monkeypatch, **kw)):
        everything = search(query="security", project=A, page_size=500)
        scores = {hit.id: hit.score for hit in everything.hits}
        filtered = search(query="security", project=A, page_size=500, filters=filters)
        assert 10 < filtered.total < everything.total
        moved = {round(hit.score - scores[hit.id], 9) for hit in filtered.hits}
        assert moved == {2.0}


def test_one_edit_spelling_candidates_are_whooshs(backend) -> None:
    """``_terms_within`` answers one-edit lookups from a vocabulary kept per
    segment; every segment must give exactly the words Whoosh's DFA gives."""
    rng = random.Random(9)
    probes = {"s", "se", "zzzz", "quokka", "zanzibar", "souverainete"}
    for word in [w for w in WORDS if w.isalpha()] + ["zanzibar"]:
        for _ in range(4):  # a letter dropped, doubled or changed
            i = rng.randrange(len(word))
            probes |= {word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:]}
            probes.add(word[:i] + rng.choice("aeiouxyz") + word[i + 1 :])
        probes.add(word)
    searcher = backend._searcher()
    for leaf, _offset in searcher.reader().leaf_readers():
        for probe in sorted(probes):
            ours = sorted(whoosh_backend._terms_within(leaf, probe, 1))
            whooshs = sorted(leaf.terms_within("raw", probe, 1, prefix=1))
            assert ours == whooshs, probe


def test_segment_caches_survive_a_reopen_and_see_new_records_and_deletions(
    tmp_path, monkeypatch, fast_runs
) -> None:
    """After a small commit the searcher is reopened: the big segment's field
    lengths and facet names are taken from the caches (not read again), while
    the new segment's records are found, scored and counted as Whoosh's own
    collectors do, and records deleted from the old segment are gone."""
    records = make_records(11)
    source = MemorySource(records)
    backend = WhooshBackend(tmp_path / "index", source)
    backend.rebuild()
    search = {"query": "security OR trust", "project": A, "page_size": 500}
    before = backend.search(**search)
    old = {s.segment_id() for s in backend._searcher().reader().segments()}
    cached = {
        key: value
        for cache in (whoosh_backend._LENGTH_VALUES, whoosh_backend._LENGTH_BYTES)
        for key, value in cache._entries.items()
        if key[0] in old
    }
    assert cached  # the first search filled them
    gone = before.hits[0].id
    new = dataclasses.replace(
        records[0], id=9001, text="security " * 9 + "zanzibar", position=9001
    )
    source.put(new)
    backend.upsert([new.id])
    backend.delete([gone])
    after = backend.search(**search)
    assert after == reference(backend, monkeypatch, **search)
    found = {hit.id for hit in after.hits}
    assert new.id in found and gone not in found
    assert after.total == before.total  # one record in, one out
    entries = {
        **whoosh_backend._LENGTH_VALUES._entries,
        **whoosh_backend._LENGTH_BYTES._entries,
    }
    assert {key for key in entries if key[0] in old} == set(cached)  # not read again
    assert all(entries[key] is value for key, value in cached.items())
    searcher = backend._searcher()
    assert {s.segment_id() for s in searcher.reader().segments()} - old  # a new one
    for segment, _ in searcher.reader().leaf_readers():
        perdoc = segment._perdoc
        for docnum in range(segment.doc_count_all()):
            for name in ("raw", "text_en", "title"):
                original = whoosh_backend.whoosh_doc_field_length(perdoc, docnum, name)
                assert perdoc.doc_field_length(docnum, name) == original


@pytest.fixture(scope="module")
def stemmed_backend(tmp_path_factory: pytest.TempPathFactory) -> WhooshBackend:
    """Every record English or French: each record's ``raw`` words also have
    their stems indexed, so the fast path finds word matches from the stems
    alone (``_raw_covered``) and reads ``raw`` only to score them."""
    records = [
        dataclasses.replace(r, lang=("en", "fr")[r.id % 4 == 0])
        for r in make_records(12)
    ]
    backend = WhooshBackend(
        Path(tmp_path_factory.mktemp("stemmed")) / "index", MemorySource(records)
    )
    backend.rebuild()
    return backend


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_gives_whooshs_results_when_stems_cover_raw(
    stemmed_backend, monkeypatch, fast_runs, query
) -> None:
    reader = stemmed_backend._searcher().reader()
    assert all(whoosh_backend._raw_covered(leaf) for leaf, _ in reader.leaf_readers())
    for sort in ("relevance", "document"):
        for page, page_size in ((1, 20), (2, 7), (1, 500)):
            search = {"query": query, "project": A, "sort": sort, "page": page}
            search["page_size"] = page_size
            fast = stemmed_backend.search(**search)
            assert fast == reference(stemmed_backend, monkeypatch, **search), search
    assert len(fast_runs) == 2 * 3


def test_raw_is_not_skipped_where_a_record_has_no_stemmed_text(backend) -> None:
    """The main fixture has records of no stemmed language (``lang`` ""):
    their words are in ``raw`` only, so ``raw`` must be read to find them."""
    reader = backend._searcher().reader()
    assert not any(
        whoosh_backend._raw_covered(leaf) for leaf, _ in reader.leaf_readers()
    )
