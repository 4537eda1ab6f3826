"""The analysis numbers on the known coding of conftest.py: exact matrix,
co-occurrence and codeline cells, KWIC lines and their order, the roll-up of
a parent theme, and the passage filters (AND / OR, coder, document)."""

from __future__ import annotations

import pytest

from analysis import selectors
from analysis.selectors import PassageFilters
from annotations.models import Theme
from tests.factories import first_project

pytestmark = pytest.mark.django_db


def numbers(coded, rows) -> list[int]:
    """The conftest numbers of these annotations, in the order given."""
    by_pk = {a.pk: n for n, a in coded["annotations"].items()}
    return [by_pk[row.pk] for row in rows]


def slugs_cells(built, cells) -> dict:
    themes = {pk: theme.slug for pk, theme in built.themes.items()}
    return {(themes[a], b): n for (a, b), n in cells.items()}


def test_code_by_document_matrix_rolls_up_the_parent(coded):
    built = selectors.code_matrix(first_project(), "document", shares=True)
    docs = {d.pk: d.slug for d in built.columns}
    cells = {(t, docs[d]): n for (t, d), n in slugs_cells(built, built.cells).items()}
    assert cells == {
        ("distrust", "alpha"): 3,  # 1, 3 and (via Mistrust) 4
        ("distrust", "beta"): 1,  # 5 via Mistrust; the orphan 7 never counts
        ("mistrust", "alpha"): 1,
        ("mistrust", "beta"): 1,
        ("sovereignty", "alpha"): 1,
        ("sovereignty", "beta"): 1,
        ("bilateralism", "alpha"): 1,
        ("bilateralism", "beta"): 1,
    }
    shares = {
        (t, docs[d]): round(v, 3)
        for (t, d), v in slugs_cells(built, built.shares).items()
    }
    assert shares[("distrust", "alpha")] == 0.75  # records 0, 1, 3 of 4
    assert shares[("distrust", "beta")] == round(1 / 3, 3)
    order = [(built.themes[row.node].slug, row.depth) for row in built.rows]
    assert order == [
        ("bilateralism", 0),
        ("distrust", 0),
        ("mistrust", 1),
        ("sovereignty", 0),
    ]


def test_code_by_coder_matrix(coded):
    built = selectors.code_matrix(first_project(), "coder")
    names = {u.pk: u.username for u in built.columns}
    cells = {(t, names[u]): n for (t, u), n in slugs_cells(built, built.cells).items()}
    assert cells == {
        ("distrust", "ana"): 3,  # 1, 3 and (via Mistrust) 5
        ("distrust", "ben"): 1,  # 4 via Mistrust
        ("mistrust", "ben"): 1,
        ("mistrust", "ana"): 1,  # 5
        ("sovereignty", "ana"): 1,
        ("sovereignty", "ben"): 1,
        ("bilateralism", "ana"): 1,
        ("bilateralism", "ben"): 1,
    }


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (
            "paragraph",
            {
                ("distrust", "distrust"): 4,  # A0 A1 A3 B0
                ("distrust", "mistrust"): 2,  # A3 B0
                ("distrust", "sovereignty"): 2,  # A0 (overlapping spans) and B0
                ("distrust", "bilateralism"): 1,  # A1
                ("mistrust", "mistrust"): 2,
                ("mistrust", "sovereignty"): 1,  # B0
                ("sovereignty", "sovereignty"): 2,
                ("bilateralism", "bilateralism"): 2,
            },
        ),
        (
            "passage",
            {
                ("distrust", "distrust"): 4,  # 1 3 4 5
                ("distrust", "mistrust"): 2,  # 4 5
                ("distrust", "sovereignty"): 1,  # 5 carries both
                ("distrust", "bilateralism"): 1,  # 3
                ("mistrust", "mistrust"): 2,
                ("mistrust", "sovereignty"): 1,
                ("sovereignty", "sovereignty"): 2,  # 2 5
                ("bilateralism", "bilateralism"): 2,  # 3 6
            },
        ),
    ],
)
def test_co_occurrence_cells(coded, measure, expected):
    built = selectors.co_occurrence(first_project(), measure)
    themes = {pk: theme.slug for pk, theme in built.themes.items()}
    cells = {(themes[a], themes[b]): n for (a, b), n in built.cells.items()}
    symmetric = expected | {(b, a): n for (a, b), n in expected.items()}
    assert cells == symmetric


def test_codelines_mark_each_themes_records(coded):
    lines, themes = selectors.codelines(first_project())
    found = {
        line.document.slug: (
            line.length,
            {themes[pk].slug: marks for pk, marks in line.marks.items()},
        )
        for line in lines
    }
    assert found == {
        "alpha": (
            4,
            {
                "distrust": [0, 1, 3],
                "mistrust": [3],
                "sovereignty": [0],
                "bilateralism": [1],
            },
        ),
        "beta": (
            3,
            {"distrust": [0], "mistrust": [0], "sovereignty": [0], "bilateralism": [2]},
        ),
    }


def theme(slug):
    return Theme.objects.get(slug=slug)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [1, 2, 3, 4, 5, 6]),  # every anchored passage, reading order
        ({"themes": ["distrust"]}, [1, 3, 4, 5]),  # the parent includes Mistrust
        ({"themes": ["mistrust"]}, [4, 5]),
        ({"themes": ["distrust", "bilateralism"]}, [1, 3, 4, 5, 6]),  # OR
        ({"themes": ["distrust", "bilateralism"], "mode": "and"}, [3]),
        ({"themes": ["sovereignty", "mistrust"], "mode": "and"}, [5]),
        # AND in the paragraph: A0 has Distrust (1) and Sovereignty (2); B0 both on 5.
        (
            {
                "themes": ["distrust", "sovereignty"],
                "mode": "and",
                "within": "paragraph",
            },
            [1, 2, 5],
        ),
        ({"coders": ["ben"]}, [2, 4, 6]),
        ({"documents": ["beta"]}, [5, 6]),
        ({"themes": ["bilateralism"], "coders": ["ana"]}, [3]),
        ({"query": "bilateral"}, [3]),
    ],
)
def test_passage_filters(coded, django_user_model, filters, expected):
    from corpus.models import Document

    made = PassageFilters(
        themes=[theme(s) for s in filters.get("themes", [])],
        mode=filters.get("mode", "or"),
        within=filters.get("within", "passage"),
        coders=list(
            django_user_model.objects.filter(username__in=filters.get("coders", []))
        ),
        documents=list(Document.objects.filter(slug__in=filters.get("documents", []))),
        query=filters.get("query", ""),
    )
    assert numbers(coded, selectors.coded_passages(first_project(), made)) == expected


def place(found, line):
    spot = found.places[line.key]
    return (spot.document_slug, spot.position)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "position",
            [
                ("alpha", 0),
                ("alpha", 1),
                ("alpha", 2),
                ("alpha", 3),
                ("beta", 0),
                ("beta", 2),
            ],
        ),
        # Right context: ", then" < "at" < "between" < "in" < "was" < "would".
        (
            "right",
            [
                ("beta", 2),
                ("alpha", 2),
                ("alpha", 0),
                ("beta", 0),
                ("alpha", 1),
                ("alpha", 3),
            ],
        ),
        # Left context read leftwards: "" < and < bilateral < mentions < that < zealous.
        (
            "left",
            [
                ("alpha", 0),
                ("beta", 0),
                ("alpha", 1),
                ("alpha", 2),
                ("alpha", 3),
                ("beta", 2),
            ],
        ),
    ],
)
def test_kwic_over_the_corpus_in_each_order(coded, sort, expected):
    found = selectors.concordance(
        first_project(), "trust", "corpus", PassageFilters(), sort
    )
    assert [place(found, line) for line in found.lines] == expected
    assert {line.keyword for line in found.lines} == {"Trust", "trust"}  # not distrust
    first = next(line for line in found.lines if place(found, line) == ("alpha", 3))
    assert (first.left, first.right) == ("Mexico feared that ", " would fade.")


def test_kwic_over_coded_passages_and_by_theme(coded):
    passages = selectors.concordance(
        first_project(), "trust", "passages", PassageFilters()
    )
    # Passage 1's quote is “Trust betw”; passage 2's has no whole word “trust”.
    keys = [line.key for line in passages.lines]
    by_pk = {a.pk: n for n, a in coded["annotations"].items()}
    assert [by_pk[k] for k in keys] == [1, 3, 4, 5, 6]
    assert passages.lines[0].right == " betw"
    only = PassageFilters(themes=[theme("bilateralism")])
    assert [
        by_pk[line.key]
        for line in selectors.concordance(
            first_project(), "trust", "passages", only
        ).lines
    ] == [3, 6]
    corpus = selectors.concordance(first_project(), "trust", "corpus", only)
    assert [place(corpus, line) for line in corpus.lines] == [("alpha", 1), ("beta", 2)]
