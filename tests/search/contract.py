"""The backend contract: behaviour every ``SearchBackend`` must have.

A backend's test module subclasses ``BackendContract`` and provides the
``make_backend`` fixture (a function of a ``RecordSource``); every test here
then runs against it. Records come from an in-memory source, so the contract
needs no database and themes can be given directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import pytest

from search.backend import IndexRecord, SearchBackend
from search.query import QuerySyntaxError

MakeBackend = Callable[["MemorySource"], SearchBackend]
# Project ids: the contract's corpus is in A; the two-project tests add B.
A, B = 1, 2


def record(id: int, text: str, **fields: object) -> IndexRecord:
    """An IndexRecord with defaults for what a test does not care about."""
    defaults: dict[str, object] = {
        "project": A,
        "document": "doc-a",
        "document_order": "a.txt",
        "title": "A paper on North America",
        "authors": ("Ana Ortiz",),
        "section": "",
        "kind": "paragraph",
        "lang": "en",
        "page": None,
        "position": id,
        "themes": (),
    }
    return IndexRecord(id=id, text=text, **{**defaults, **fields})  # type: ignore[arg-type]


class MemorySource:
    """A RecordSource over a dict that tests change directly."""

    def __init__(self, records: Iterable[IndexRecord] = ()) -> None:
        self.by_id = {r.id: r for r in records}

    def put(self, *records: IndexRecord) -> None:
        self.by_id.update({r.id: r for r in records})

    def remove(self, *ids: int) -> None:
        for i in ids:
            self.by_id.pop(i, None)

    def records(self, ids: Iterable[int]) -> list[IndexRecord]:
        return [self.by_id[i] for i in ids if i in self.by_id]

    def all_records(self) -> Iterator[IndexRecord]:
        return iter(list(self.by_id.values()))


CORPUS = [
    record(1, "Security cooperation between Canada and Mexico grew after 2001."),
    record(2, "Cooperating on borders is hard when distrust runs deep."),
    record(3, "Roberto Domínguez wrote on regional integration.", kind="meta"),
    record(
        4,
        "La souveraineté du Canada face aux États-Unis.",
        lang="fr",
        document="doc-b",
        document_order="b.txt",
        themes=("sovereignty",),
    ),
    record(
        5,
        "The security perimeter was never built.",
        themes=("sovereignty", "distrust"),
        section="The perimeter",
    ),
    record(
        6,
        "Bilateralism shaped the relationship of Canada and the United States.",
        themes=("bilateralism",),
        document="doc-b",
        document_order="b.txt",
    ),
    record(7, "See Smith on security cooperation, 2001.", kind="footnote"),
    record(
        8, "Smith, J. 2001. Security cooperation in North America.", kind="reference"
    ),
]


def ids(page) -> list[int]:  # noqa: ANN001 - SearchPage
    return [hit.id for hit in page.hits]


class BackendContract:
    """Subclass and provide ``make_backend``; see the module docstring."""

    @pytest.fixture
    def source(self) -> MemorySource:
        return MemorySource(CORPUS)

    @pytest.fixture
    def backend(self, make_backend: MakeBackend, source: MemorySource) -> SearchBackend:
        backend = make_backend(source)
        backend.rebuild()
        return backend

    def find(
        self, backend: SearchBackend, query: str, project: int = A, **kw: object
    ) -> set[int]:
        page = backend.search(query, page_size=100, project=project, **kw)  # type: ignore[arg-type]
        return set(ids(page))

    # -- writes ----------------------------------------------------------

    def test_rebuild_indexes_every_record(self, backend: SearchBackend) -> None:
        assert backend.count() == len(CORPUS)
        assert backend.status().documents == len(CORPUS)

    def test_upsert_replaces_and_never_duplicates(self, backend, source) -> None:
        for version in range(3):  # several commits, so segments get merged
            source.put(record(2, f"Cooperating version {version} on borders."))
            backend.upsert([2])
            assert self.find(backend, f"version {version}") == {2}
        assert self.find(backend, "cooperating borders") == {2}
        assert backend.count() == len(CORPUS)

    def test_upsert_of_a_record_gone_from_the_source_removes_it(self, backend, source):
        source.remove(5)
        backend.upsert([5])
        assert self.find(backend, "perimeter") == set()
        assert backend.count() == len(CORPUS) - 1

    def test_delete(self, backend) -> None:
        backend.delete([1, 7])
        assert self.find(backend, "cooperation") == {2, 8}

    def test_apply_adds_and_deletes_in_one_call(self, backend) -> None:
        backend.apply([record(9, "Fresh words about drones.")], [8])
        assert self.find(backend, "drones") == {9}
        assert 8 not in self.find(backend, "smith")

    def test_fingerprints_and_drift_repair(self, backend, source) -> None:
        assert backend.fingerprints() == {r.id: r.fingerprint() for r in CORPUS}
        assert backend.drift().clean
        source.put(
            record(9, "Missing from the index."), replace(CORPUS[0], text="Changed.")
        )
        source.remove(2)
        drift = backend.drift()
        assert (drift.missing, drift.extra, drift.stale) == ([9], [2], [1])
        backend.repair(drift)
        assert backend.drift().clean
        assert self.find(backend, "changed") == {1}

    # -- analysis --------------------------------------------------------

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("cooperating", {1, 2, 7, 8}),  # Porter2 conflates cooperating/cooperation
            ("cooperation", {1, 2, 7, 8}),
            ("Dominguez", {3}),  # accents folded
            ("DOMÍNGUEZ", {3}),  # and case
            ("souverainete", {4}),  # French, typed without accents
            ("souveraineté", {4}),
            ("etats", {4}),
        ],
    )
    def test_stemming_and_accents(
        self, backend, query: str, expected: set[int]
    ) -> None:
        assert self.find(backend, query) == expected

    # -- query language --------------------------------------------------

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("security cooperation", {1, 7, 8}),  # words ANDed
            ("security AND cooperation", {1, 7, 8}),  # explicit AND is the same
            ('"security cooperation"', {1, 7, 8}),  # phrase, in order
            ('"cooperation security"', set()),  # ... and only in order
            ("perimeter OR bilateralism", {5, 6}),
            ("security -cooperation", {5}),  # minus excludes
            ("security NOT cooperation", {5}),  # NOT too
            ("(perimeter OR bilateralism) canada", {6}),
            ("secur*", {1, 5, 7, 8}),  # prefix
            ("kind:footnote security", {7}),
            ("lang:fr canada", {4}),
            ("document:doc-b", {4, 6}),  # a filter alone lists records
            ("theme:sovereignty", {4, 5}),  # multi-valued field
            ("theme:distrust perimeter", {5}),
            ("cooperation -kind:reference -kind:footnote", {1, 2}),
        ],
    )
    def test_query_language(self, backend, query: str, expected: set[int]) -> None:
        assert self.find(backend, query) == expected

    def test_filters_or_within_a_facet_and_across_facets(self, backend) -> None:
        assert self.find(
            backend, "cooperation", filters={"kind": ["footnote", "reference"]}
        ) == {7, 8}
        found = self.find(
            backend, "canada", filters={"theme": ["bilateralism"], "lang": ["en"]}
        )
        assert found == {6}

    def test_malformed_query_raises(self, backend) -> None:
        with pytest.raises(QuerySyntaxError):
            backend.search('"unclosed', project=A)

    def test_typo_is_corrected_and_reported(self, backend) -> None:
        page = backend.search("perimeterr", project=A)
        assert page.corrected_query == "perimeter"
        assert ids(page) == [5]

    def test_correction_keeps_the_rest_of_the_query(self, backend) -> None:
        page = backend.search("securty -cooperation", project=A)
        assert page.corrected_query == "security -cooperation"
        assert ids(page) == [5]

    def test_nothing_close_returns_nothing_rather_than_a_guess(self, backend) -> None:
        page = backend.search("zyxwvut", project=A)
        assert (page.total, page.corrected_query) == (0, None)

    def test_known_words_are_not_corrected(self, backend) -> None:
        assert (
            backend.search("cooperating", project=A).corrected_query is None
        )  # known as a stem

    # -- results ---------------------------------------------------------

    def test_body_text_outranks_footnotes_and_references(self, backend) -> None:
        assert ids(backend.search("security cooperation", project=A))[0] == 1

    def test_facets_count_every_value_of_multi_valued_fields(self, backend) -> None:
        page = backend.search(  # records 1, 4, 5, 6
            "perimeter OR canada OR souveraineté", project=A
        )
        facets = {
            name: {f.value: f.count for f in rows} for name, rows in page.facets.items()
        }
        assert facets["theme"] == {"sovereignty": 2, "distrust": 1, "bilateralism": 1}
        assert facets["lang"] == {"en": 3, "fr": 1}
        assert facets["document"] == {"doc-a": 2, "doc-b": 2}
        assert facets["kind"] == {"paragraph": 4}

    def test_the_same_text_ranks_by_record_kind(self, backend, source) -> None:
        same = "Maritime surveillance agreements were signed."
        source.put(
            record(11, same, kind="reference"),
            record(12, same, kind="footnote"),
            record(13, same, kind="paragraph"),
        )
        backend.upsert([11, 12, 13])
        assert ids(backend.search("maritime surveillance", project=A)) == [13, 12, 11]

    def test_words_in_markup_like_text_are_stemmed_too(self, backend, source):
        source.put(record(9, 'Trust <script>alerts("x")</script> &amp; <b>ports</b>'))
        backend.upsert([9])
        for query in ("alert", "port"):  # found by stem: "alerts", "ports"
            page = backend.search(query, project=A)
            assert (ids(page), page.corrected_query) == ([9], None), query

    def test_hits_carry_themes(self, backend) -> None:
        assert backend.search("perimeter", project=A).hits[0].themes == (
            "distrust",
            "sovereignty",
        )

    def test_pagination(self, backend) -> None:
        first = backend.search("cooperation", page=1, page_size=3, project=A)
        second = backend.search("cooperation", page=2, page_size=3, project=A)
        assert (first.total, len(first.hits), len(second.hits)) == (4, 3, 1)
        assert not set(ids(first)) & set(ids(second))
        assert backend.search("cooperation", page=3, page_size=3, project=A).hits == []

    def test_sort_by_document_order(self, backend, source) -> None:
        source.put(replace(CORPUS[5], position=0), replace(CORPUS[3], position=1))
        backend.upsert([4, 6])
        page = backend.search("canada", sort="document", project=A)
        assert ids(page) == [1, 6, 4]  # a.txt first, then b.txt by position

    def test_highlights_mark_matches_in_escaped_text(self, backend, source) -> None:
        source.put(
            record(9, 'Trust <script>alert("x")</script> & cooperation <b>now</b>.')
        )
        backend.upsert([9])
        for query in (
            "cooperation",
            "script",
            '"alert x"',
            "trus*",
            "kind:paragraph trust",
        ):
            hits = {
                hit.id: hit
                for hit in backend.search(query, page_size=100, project=A).hits
            }
            assert 9 in hits, query  # the record is found by every one of them
            html = hits[9].highlight
            assert "<mark" in html, query  # something is highlighted
            assert "<script>" not in html and "<b>" not in html, query
            assert "&lt;" in html and "&amp;" in html, query  # escaped, not dropped
            assert re.sub(r"</?mark[^>]*>", "", html).count("<") == 0, query

    def test_a_phrase_highlights_only_its_own_occurrence(self, backend, source) -> None:
        source.put(
            record(9, "Security at the border. Border security cooperation grew.")
        )
        backend.upsert([9])
        hits = {
            h.id: h for h in backend.search('"security cooperation"', project=A).hits
        }
        marked = re.findall(r"<mark[^>]*>(.*?)</mark>", hits[9].highlight)
        # Not the first "Security", which is outside the phrase.
        assert marked == ["security", "cooperation"], hits[9].highlight

    def test_highlight_marks_stemmed_and_exact_forms(self, backend) -> None:
        html = backend.search("cooperating", project=A).hits[0].highlight
        assert re.search(r"<mark[^>]*>[Cc]ooperati(on|ng)</mark>", html)
        excluded = backend.search("security -cooperation", project=A).hits[0].highlight
        assert "<mark" in excluded and "cooperation</mark>" not in excluded


# Project B: the same words as A (and a document with A's slug), plus words,
# a document, a theme and a language that only B has.
PROJECT_B = [
    record(
        21,
        "Security cooperation between Canada and Mexico grew after 2001.",
        project=B,
    ),
    record(
        22,
        "Drones patrolled the perimetre of the secret airfield.",
        project=B,
        document="doc-z",
        document_order="z.txt",
        kind="footnote",
        themes=("surveillance",),
    ),
    record(23, "Zeppelin hangars.", project=B, lang="de", document="doc-z"),
]
# What a search in A must never show of B, wherever it would appear.
B_ONLY = {"doc-z", "surveillance", "de", "drones", "zeppelin", "perimetre"}


def everything(page) -> str:  # noqa: ANN001 - SearchPage
    """Every value a page shows, as one string to look for B's in."""
    return repr(page).lower()


class ProjectContract:
    """Two projects in one index: a search in one never tells of the other.

    Compared with a word that exists nowhere, another project's word must
    give the same page: no hits, no count, no facet value, no correction."""

    @pytest.fixture
    def source(self) -> MemorySource:
        return MemorySource([*CORPUS, *PROJECT_B])

    @pytest.fixture
    def backend(self, make_backend: MakeBackend, source: MemorySource) -> SearchBackend:
        backend = make_backend(source)
        backend.rebuild()
        return backend

    def find(self, backend: SearchBackend, query: str, project: int) -> set[int]:
        return set(ids(backend.search(query, page_size=100, project=project)))

    def test_a_search_sees_only_its_own_projects_records(self, backend) -> None:
        assert backend.count() == len(CORPUS) + len(PROJECT_B)
        assert self.find(backend, "security cooperation", A) == {1, 7, 8}
        assert self.find(backend, "security cooperation", B) == {21}
        assert backend.search("cooperation", project=A, page_size=2).total == 4
        assert self.find(backend, "secur*", B) == {21}
        assert self.find(backend, "document:doc-a", A) == {1, 2, 3, 5, 7, 8}
        assert self.find(backend, "document:doc-a", B) == {21}

    @pytest.mark.parametrize(
        "query",
        [
            "drones",  # a word only B has
            "zeppelin",  # ... in a record of a language only B has
            "dron*",  # a prefix only B's words have
            '"secret airfield"',  # a phrase
            "theme:surveillance",  # a theme only B's records have
            "document:doc-z",  # a document of B
            "lang:de",  # a language only B's records have
            "kind:footnote drones",
        ],
    )
    def test_another_projects_content_is_as_unknown_as_nothing(
        self, backend, query: str
    ) -> None:
        found = backend.search(query, project=A)
        nowhere = backend.search("qqqxqqq", project=A)
        assert found == nowhere  # hits, total, facets, correction, notice
        assert (found.total, found.hits, found.corrected_query) == (0, [], None)
        assert backend.search(query, project=B).total >= 1  # B does find it

    def test_facets_count_the_searched_project_only(self, backend) -> None:
        page = backend.search("canada OR perimeter OR drones OR zeppelin", project=A)
        facets = {
            n: {f.value: f.count for f in rows} for n, rows in page.facets.items()
        }
        # Record 21 in B has A's document slug and words: not counted.
        assert facets["document"] == {"doc-a": 2, "doc-b": 2}
        assert facets["theme"] == {"sovereignty": 2, "distrust": 1, "bilateralism": 1}
        assert facets["lang"] == {"en": 3, "fr": 1}
        assert facets["kind"] == {"paragraph": 4}
        assert not any(word in everything(page) for word in B_ONLY)

    def test_a_correction_only_another_project_has_is_not_offered(self, backend):
        assert backend.search("dronnes", project=B).corrected_query == "drones"
        page = backend.search("dronnes", project=A)
        assert (page.corrected_query, page.total) == (None, 0)
        assert page == backend.search("qqqxqqq", project=A)

    def test_a_word_only_another_project_has_is_corrected_as_unknown(self, backend):
        # "perimetre" is B's: in A it is a misspelling of A's "perimeter".
        assert backend.search("perimetre", project=B).corrected_query is None
        page = backend.search("perimetre", project=A)
        assert (page.corrected_query, ids(page)) == ("perimeter", [5])

    def test_the_choice_between_corrections_counts_the_projects_records(
        self, backend, source
    ) -> None:
        # "treatz" is one edit from both "treaty" and "treats". A has treaty
        # twice and treats once; B has treats five times.
        source.put(
            record(31, "The treaty was signed."),
            record(32, "A second treaty followed."),
            record(33, "He treats it lightly."),
            *(record(40 + i, f"Treats {i}.", project=B) for i in range(5)),
        )
        backend.upsert([31, 32, 33, *range(40, 45)])
        assert backend.search("treatz", project=A).corrected_query == "treaty"
        assert backend.search("treatz", project=B).corrected_query == "treats"

    def test_a_deleted_word_is_no_longer_offered_in_its_project(self, backend):
        backend.delete([22])
        assert backend.search("dronnes", project=B).corrected_query is None
        assert backend.search("zeppelin", project=B).total == 1  # the rest stays

    def test_the_project_is_part_of_the_fingerprint_and_the_drift(
        self, backend, source
    ) -> None:
        moved = replace(PROJECT_B[2], project=A)  # never done, but detected
        assert moved.fingerprint() != PROJECT_B[2].fingerprint()
        source.put(moved)
        assert backend.drift().stale == [23]
        backend.repair(backend.drift())
        assert backend.drift().clean
        assert (
            self.find(backend, "zeppelin", A),
            self.find(backend, "zeppelin", B),
        ) == (
            {23},
            set(),
        )

    def test_a_search_without_a_project_is_refused(self, backend) -> None:
        with pytest.raises(TypeError):
            backend.search("security")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="project id"):
            backend.search("security", project=None)  # type: ignore[arg-type]
