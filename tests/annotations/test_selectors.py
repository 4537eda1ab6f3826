"""The one annotation filter builder (``selectors.annotations_filtered``) and
its two callers: the listing (``annotations_matching``, the API's and pages'
filters) and the exports (``exports.selection.matching``).

One small corpus, every annotation named by where it is, who made it and its
themes. Both callers answer each filter of the table below; the exports leave
out what they always leave out (orphaned annotations, hidden records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from annotations.exports.selection import ExportFilters, matching
from annotations.models import Annotation, Theme
from annotations.selectors import (
    AnnotationFilters,
    annotations_filtered,
    annotations_matching,
)
from corpus.models import Document, Paragraph
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)

# Never in an export: no paragraph (orphaned), or on a record hidden as furniture.
NOT_EXPORTED = {"orphan_ana_t1", "hidden_ben_t2"}


@dataclass
class Corpus:
    documents: dict[str, Document]
    paragraphs: dict[str, Paragraph]
    themes: dict[str, Theme]
    people: dict[str, Any]
    annotations: dict[str, Annotation]

    def name_of(self, annotation: Annotation) -> str:
        return next(k for k, v in self.annotations.items() if v.pk == annotation.pk)


def _at_noon(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def corpus(db: None) -> Corpus:
    # Made against reading order (c before a, a1 before a0, the later offset
    # first), so an ordering by id instead of by reading order shows.
    documents = {
        name: DocumentFactory(source_name=f"{name}.txt") for name in ("c", "b", "a")
    }
    paragraphs = {
        "a1": ParagraphFactory(document=documents["a"], position=1),
        "a0": ParagraphFactory(document=documents["a"], position=0),
        "b1_hidden": ParagraphFactory(document=documents["b"], position=1, hidden=True),
        "b0": ParagraphFactory(document=documents["b"], position=0),
    }
    themes = {name: ThemeFactory(name=name) for name in ("t1", "t2")}
    people = {name: UserFactory(username=name) for name in ("ana", "ben")}
    t1, t2 = themes["t1"], themes["t2"]
    ana, ben = people["ana"], people["ben"]
    rows = {
        # name: (paragraph, start, author, themes, created)
        "hidden_ben_t2": ("b1_hidden", 0, ben, [t2], "2026-01-10"),
        "b0_ben_t1": ("b0", 0, ben, [t1], "2026-02-10"),
        "a1_ana_t2": ("a1", 0, ana, [t2], "2026-03-10"),
        "a0_ben_t1t2": ("a0", 5, ben, [t1, t2], "2026-02-10"),
        "a0_ana_t1": ("a0", 0, ana, [t1], "2026-01-10"),
    }
    annotations = {}
    for name, (paragraph, start, author, tags, day) in rows.items():
        annotations[name] = AnnotationFactory(
            paragraph=paragraphs[paragraph], start=start, author=author, themes=tags
        )
        Annotation.objects.filter(pk=annotations[name].pk).update(created=_at_noon(day))
    # Alone in its document, so its place in reading order does not depend on
    # where the database sorts a NULL paragraph position.
    orphan = AnnotationFactory(paragraph=ParagraphFactory(document=documents["c"]))
    orphan.themes.set([t1])
    Annotation.objects.filter(pk=orphan.pk).update(
        paragraph=None, orphaned=True, author=ana, created=_at_noon("2026-01-10")
    )
    annotations["orphan_ana_t1"] = orphan
    return Corpus(documents, paragraphs, themes, people, annotations)


# Filters both callers take: (document, paragraph, theme, author) by name, and
# what the listing returns, in reading order.
SHARED_FILTERS = [
    pytest.param(
        {},
        [
            "a0_ana_t1",
            "a0_ben_t1t2",
            "a1_ana_t2",
            "b0_ben_t1",
            "hidden_ben_t2",
            "orphan_ana_t1",
        ],
        id="none: everything, documents by name, then position, then offset",
    ),
    pytest.param(
        {"document": "a"},
        ["a0_ana_t1", "a0_ben_t1t2", "a1_ana_t2"],
        id="one document",
    ),
    pytest.param({"paragraph": "a0"}, ["a0_ana_t1", "a0_ben_t1t2"], id="one paragraph"),
    pytest.param(
        {"theme": "t1"},
        ["a0_ana_t1", "a0_ben_t1t2", "b0_ben_t1", "orphan_ana_t1"],
        id="one theme, among others on the same annotation",
    ),
    pytest.param(
        {"theme": "t2"},
        ["a0_ben_t1t2", "a1_ana_t2", "hidden_ben_t2"],
        id="the other theme",
    ),
    pytest.param(
        {"author": "ben"},
        ["a0_ben_t1t2", "b0_ben_t1", "hidden_ben_t2"],
        id="one author",
    ),
    pytest.param(
        {"document": "a", "theme": "t1", "author": "ana"},
        ["a0_ana_t1"],
        id="filters combine with and",
    ),
    pytest.param(
        {"paragraph": "b0", "author": "ana"}, [], id="nothing matches every filter"
    ),
]


def _listing(corpus: Corpus, chosen: dict[str, str]) -> list[str]:
    filters = AnnotationFilters(
        project=first_project(),
        document=corpus.documents.get(chosen.get("document", "")),
        paragraph=corpus.paragraphs.get(chosen.get("paragraph", "")),
        theme=corpus.themes.get(chosen.get("theme", "")),
        author=corpus.people.get(chosen.get("author", "")),
    )
    return [corpus.name_of(a) for a in annotations_matching(filters)]


def _export(corpus: Corpus, **chosen: Any) -> list[str]:
    return [
        corpus.name_of(a)
        for a in matching(ExportFilters(project=first_project(), **chosen))
    ]


# The listing's filters in the exports' vocabulary.
EXPORT_NAMES = {
    "document": "documents",
    "paragraph": "paragraph_ids",
    "theme": "themes",
    "author": "users",
}


@pytest.mark.parametrize(("chosen", "expected"), SHARED_FILTERS)
def test_the_listing_filters_and_orders(
    corpus: Corpus, chosen: dict[str, str], expected: list[str]
) -> None:
    assert _listing(corpus, chosen) == expected


@pytest.mark.parametrize(("chosen", "expected"), SHARED_FILTERS)
def test_the_export_filters_the_same_way_less_what_it_never_exports(
    corpus: Corpus, chosen: dict[str, str], expected: list[str]
) -> None:
    as_export = {EXPORT_NAMES[key]: (name,) for key, name in chosen.items()}
    exported = _export(corpus, **_resolve(corpus, as_export))
    assert exported == [name for name in expected if name not in NOT_EXPORTED]


# Filters only the exports offer: (ExportFilters fields by name, expected).
EXPORT_FILTERS = [
    pytest.param(
        {"themes": ("t1", "t2")},
        ["a0_ana_t1", "a0_ben_t1t2", "a1_ana_t2", "b0_ben_t1"],
        id="any of several themes; an annotation with both counts once",
    ),
    pytest.param(
        {"users": ("ana", "ben")},
        ["a0_ana_t1", "a0_ben_t1t2", "a1_ana_t2", "b0_ben_t1"],
        id="any of several authors",
    ),
    pytest.param(
        {"documents": ("a", "b")},
        ["a0_ana_t1", "a0_ben_t1t2", "a1_ana_t2", "b0_ben_t1"],
        id="any of several documents",
    ),
    pytest.param(
        {"since": "2026-02-10"},
        ["a0_ben_t1t2", "a1_ana_t2", "b0_ben_t1"],
        id="since a day, that day included",
    ),
    pytest.param(
        {"until": "2026-02-10"},
        ["a0_ana_t1", "a0_ben_t1t2", "b0_ben_t1"],
        id="until a day, that day included",
    ),
    pytest.param(
        {"since": "2026-02-10", "until": "2026-02-10"},
        ["a0_ben_t1t2", "b0_ben_t1"],
        id="one day",
    ),
    pytest.param(
        {"paragraph_ids": ("a1", "b0")},
        ["a1_ana_t2", "b0_ben_t1"],
        id="the paragraphs a search found",
    ),
    pytest.param(
        {"paragraph_ids": ()}, [], id="a search that found nothing matches nothing"
    ),
]


def _resolve(corpus: Corpus, chosen: dict[str, Any]) -> dict[str, Any]:
    pools = {"themes": corpus.themes, "users": corpus.people}
    pools["documents"] = corpus.documents
    found: dict[str, Any] = {}
    for key, value in chosen.items():
        if key in pools:
            found[key] = tuple(pools[key][name] for name in value)
        elif key == "paragraph_ids":
            found[key] = frozenset(corpus.paragraphs[name].pk for name in value)
        else:
            found[key] = dt.date.fromisoformat(value)
    return found


@pytest.mark.parametrize(("chosen", "expected"), EXPORT_FILTERS)
def test_the_export_only_filters(
    corpus: Corpus, chosen: dict[str, Any], expected: list[str]
) -> None:
    assert _export(corpus, **_resolve(corpus, chosen)) == expected


def test_the_builder_narrows_the_rows_it_is_given(corpus: Corpus) -> None:
    """It filters and orders whatever base the caller chose, keeping its
    narrowing (here: one author) and adding none of its own."""
    base = Annotation.objects.filter(author=corpus.people["ana"])
    rows = annotations_filtered(base, themes=[corpus.themes["t1"]])
    assert [corpus.name_of(a) for a in rows] == ["a0_ana_t1", "orphan_ana_t1"]
