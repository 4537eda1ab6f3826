"""Agreement: the pure functions against a hand-worked example and the
``krippendorff`` package, and the per-theme report built from annotations.

The hand-worked example (1 = tagged the theme in the paragraph, - = that
coder did not code the document):

    paragraph  A  B  C
    u1         1  1  1
    u2         0  0  0
    u3         1  0  1
    u4         0  0  1
    u5         1  1  -
    u6         0  1  -

Krippendorff's alpha, by hand. Coincidences, each pair within a unit weighted
1/(m_u - 1): u1 gives o11 += 3; u2 o00 += 3; u3 o11 += 1, o10 += 1, o01 += 1;
u4 o00 += 1, o01 += 1, o10 += 1; u5 o11 += 2; u6 o01 += 1, o10 += 1. So
o11 = 6, o00 = 4, o10 = o01 = 3; n1 = 9, n0 = 7, n = 16;
alpha = 1 - (n - 1)(o10 + o01) / (2 n1 n0) = 1 - 15 * 6 / 126 = 2/7.

Cohen's kappa per pair, over the paragraphs both coded:
A·B (u1-u6): p_o = 4/6, p_e = (3*3 + 3*3)/36 = 1/2, kappa = 1/3.
A·C (u1-u4): p_o = 3/4, p_e = (2*3 + 2*1)/16 = 1/2, kappa = 1/2.
B·C (u1-u4): p_o = 2/4, p_e = (1*3 + 3*1)/16 = 3/8, kappa = 1/5.
Disagreements: u3, u4, u6.
"""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from annotations.agreement import (
    cohen_kappa,
    disagreements,
    krippendorff_alpha_nominal,
    pairwise_kappa,
)
from annotations.selectors import agreement_report
from corpus.models import Paragraph
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    first_project,
)

HAND = {
    "u1": {"A": 1, "B": 1, "C": 1},
    "u2": {"A": 0, "B": 0, "C": 0},
    "u3": {"A": 1, "B": 0, "C": 1},
    "u4": {"A": 0, "B": 0, "C": 1},
    "u5": {"A": 1, "B": 1},
    "u6": {"A": 0, "B": 1},
}


def test_hand_worked_alpha():
    assert krippendorff_alpha_nominal(v.values() for v in HAND.values()) == (
        pytest.approx(2 / 7)
    )


def test_hand_worked_kappas_and_disagreements():
    assert pairwise_kappa(HAND) == {
        ("A", "B"): pytest.approx(1 / 3),
        ("A", "C"): pytest.approx(1 / 2),
        ("B", "C"): pytest.approx(1 / 5),
    }
    assert disagreements(HAND) == ["u3", "u4", "u6"]


def as_matrix(units: list[list[int | None]]) -> np.ndarray:
    """Units × coders (ours) -> coders × units with NaN (the package's form)."""
    rows = [[np.nan if v is None else v for v in unit] for unit in units]
    return np.array(rows, dtype=float).T


def test_hand_worked_alpha_matches_the_package():
    units = [[v.get(c) for c in "ABC"] for v in HAND.values()]
    expected = krippendorff.alpha(
        reliability_data=as_matrix(units), level_of_measurement="nominal"
    )
    assert expected == pytest.approx(2 / 7)


@pytest.mark.parametrize("seed", range(12))
def test_alpha_matches_the_package_on_random_data(seed):
    rng = random.Random(seed)
    coders, n_units = rng.randint(2, 5), rng.randint(5, 40)
    categories = rng.randint(2, 4)
    units = [
        [
            None if rng.random() < 0.2 else rng.randrange(categories)
            for _ in range(coders)
        ]
        for _ in range(n_units)
    ]
    ours = krippendorff_alpha_nominal(units)
    if ours is None:  # no variation: the package refuses such data
        return
    theirs = krippendorff.alpha(
        reliability_data=as_matrix(units), level_of_measurement="nominal"
    )
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_perfect_agreement_and_undefined_cases():
    assert krippendorff_alpha_nominal([[1, 1], [0, 0]]) == pytest.approx(1.0)
    assert krippendorff_alpha_nominal([[1, 1], [1, 1]]) is None  # no variation
    assert krippendorff_alpha_nominal([[1], [0]]) is None  # nothing pairable
    assert cohen_kappa([], []) is None
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 0])


# --- the report, from annotations --------------------------------------------


@pytest.fixture
def coded(db, people, themes):
    """The hand-worked example as annotations of the theme "distrust".

    Document one has u1-u4 (A, B and C code it); document two has u5-u6 (A
    and B). A coder who leaves a paragraph untagged tags nothing there, except
    where they must tag something to count as a coder of the document: B's
    only mark in document one is u1, C's are u1, u3, u4.
    """
    one = DocumentFactory(source_name="a_one.txt", slug="one")
    two = DocumentFactory(source_name="b_two.txt", slug="two")
    ParagraphFactory(document=one, position=0, kind=Paragraph.Kind.META, text="Title")
    units = [ParagraphFactory(document=one, position=i + 1) for i in range(4)]
    units += [ParagraphFactory(document=two, position=i) for i in range(2)]
    coders = {"A": people.annotator, "B": people.other, "C": people.curator}
    for unit, values in zip(units, HAND.values(), strict=True):
        for coder, value in values.items():
            if value:
                AnnotationFactory(
                    paragraph=unit, author=coders[coder], themes=[themes["distrust"]]
                )
    return units


def test_report_matches_the_hand_worked_example(coded, themes):
    report = {row.theme.slug: row for row in agreement_report(first_project())}
    row = report["distrust"]
    assert row.units == 6  # the meta record is not a unit
    assert row.alpha == pytest.approx(2 / 7)
    assert row.coders == ["ana", "ben", "cleo"]
    kappas = {(a, b): k for a, b, k in row.kappas}
    assert kappas == {
        ("ana", "ben"): pytest.approx(1 / 3),
        ("ana", "cleo"): pytest.approx(1 / 2),
        ("ben", "cleo"): pytest.approx(1 / 5),
    }
    split = [(d.paragraph, d.tagged_by, d.not_tagged_by) for d in row.disagreements]
    assert split == [
        (coded[2], ["ana", "cleo"], ["ben"]),
        (coded[3], ["cleo"], ["ana", "ben"]),
        (coded[5], ["ben"], ["ana"]),
    ]
    # Nobody used sovereignty: no variation, alpha undefined, nothing to settle.
    assert report["sovereignty"].alpha is None
    assert report["sovereignty"].disagreements == []


def test_report_ignores_documents_with_one_coder(db, people, themes):
    AnnotationFactory(author=people.annotator, themes=[themes["distrust"]])
    (row,) = agreement_report(first_project(), [themes["distrust"]])
    assert (row.units, row.alpha, row.kappas) == (0, None, [])
