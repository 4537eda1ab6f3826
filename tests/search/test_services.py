"""The search service over the database: hydration, filters by name, the
bundled corpus end to end."""

from __future__ import annotations

from typing import Any

import pytest

from corpus.models import Paragraph
from corpus.services import bundled_sources, document_ingest
from search.backend import get_backend
from search.query import MAX_CORRECTIONS, QuerySyntaxError
from search.services import SearchRequestError, SearchResult, search_paragraphs
from tests.factories import DocumentFactory, first_project
from tests.search.conftest import paragraph

pytestmark = pytest.mark.django_db


def search(**arguments: Any) -> SearchResult:
    """``search_paragraphs`` in the first project (where the factories put records)."""
    return search_paragraphs(project=first_project(), **arguments)


def test_hits_are_hydrated_with_their_paragraphs(small_corpus):
    result = search(query="cooperation")
    first = result.rows[0]
    assert first.paragraph == paragraph(
        small_corpus, 2
    )  # body before footnote/reference
    assert first.url == "/documents/000-obstacles/?hl=2#p-2"
    assert "<mark" in first.highlight
    assert result.total == 3


def test_document_filter_takes_a_file_name_or_a_slug(small_corpus):
    for name in ("000_obstacles.txt", "000-obstacles"):
        assert (
            search_paragraphs(
                project=first_project(), query="distrust", filters={"document": [name]}
            ).total
            == 1
        )
        assert (
            search_paragraphs(
                project=first_project(), query=f"document:{name} distrust"
            ).total
            == 1
        )
    assert (
        search_paragraphs(
            project=first_project(), query="distrust document:nothing"
        ).total
        == 0
    )


def test_empty_query_without_filters_searches_nothing(small_corpus):
    result = search(query="")
    assert not result.searched and result.rows == []
    listed = search_paragraphs(
        project=first_project(), query="", filters={"lang": ["fr"]}
    )
    assert listed.searched and [r.paragraph.position for r in listed.rows] == [5]


def test_document_facet_is_labelled_with_titles(small_corpus):
    facet = search(query="cooperation").facets["document"]
    assert [(f.value, f.label, f.count) for f in facet] == [
        ("000-obstacles", "Obstacles for Security Cooperation", 3)
    ]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"page": 0}, SearchRequestError, "start at 1"),
        ({"sort": "date"}, SearchRequestError, "sort must be one of"),
        ({"page": 1000, "page_size": 20}, SearchRequestError, "first 10,000 results"),
        ({"filters": {"colour": ["red"]}}, SearchRequestError, "Unknown filter"),
        ({"filters": {"kind": ["chapter"]}}, QuerySyntaxError, "kind: must be one of"),
    ],
)
def test_parameters_out_of_range(small_corpus, arguments, error, message):
    with pytest.raises(error, match=message):
        search(query="trust", **arguments)


def test_page_size_is_capped(db):
    document = DocumentFactory()
    Paragraph.objects.bulk_create(
        Paragraph(document=document, position=i, kind="paragraph", text=f"Trust {i}.")
        for i in range(130)  # more matches than the cap
    )
    get_backend().rebuild()
    page = search(query="trust", page_size=10_000)
    assert (page.page_size, len(page.rows), page.total) == (100, 100, 130)


def test_bundled_corpus_end_to_end():
    """Ingest the five bundled papers, then search as a researcher would."""
    for source in bundled_sources():
        document_ingest(path=source.path, metadata=source.metadata)

    cooperating = search_paragraphs(
        project=first_project(), query="cooperating", page_size=100
    )
    assert cooperating.corrected_query is None
    assert any(
        "cooperation" in row.paragraph.text.lower() for row in cooperating.rows[:10]
    )

    byline = search(query="Dominguez").rows[0].paragraph
    assert (byline.kind, byline.document.source_name) == (
        "meta",
        "000_46f3a97b82bd372a.txt",
    )
    assert "Domínguez" in byline.text

    french = search_paragraphs(
        project=first_project(), query="souveraineté", page_size=100
    ).rows
    assert french and all(row.paragraph.lang == "fr" for row in french)
    assert search_paragraphs(
        project=first_project(), query="souverainete"
    ).total == len(french)

    typo = search(query="perimiter")
    assert typo.corrected_query == "perimeter" and typo.total > 0


def test_at_most_max_corrections_words_are_looked_up_per_query(small_corpus):
    """Each lookup walks the vocabulary: a query of many misspelled words got
    them all corrected at a cost of seconds. Later unknown words stay as typed."""
    typed = " OR ".join(["distrusr"] * (MAX_CORRECTIONS + 2))
    result = search(query=typed)
    corrected = (result.corrected_query or "").split(" OR ")
    assert corrected.count("distrust") == MAX_CORRECTIONS
    assert corrected.count("distrusr") == 2
    assert result.total == 1  # the corrected words still find the record


def test_a_misspelt_word_in_an_empty_index_finds_nothing_without_error():
    """No record was ever indexed (a new installation): the spelling lookup
    has no segment to read, and the answer is simply nothing."""
    get_backend().rebuild()
    result = search(query="politcal")
    assert result.searched and result.total == 0 and result.rows == []
