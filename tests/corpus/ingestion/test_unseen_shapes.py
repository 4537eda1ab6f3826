# ruff: noqa: E501  (made-up pages of converter text keep their printed line widths)
"""Shapes of documents Gloss was not tuned on (issue 8's third round): UTF-16
without a BOM, notes labelled "[N]", reStructuredText underlines, a wrapped
"- ", a chapter's dotted label, listings and run-in titles in layout text, a
display formula's "1 n" above a page's end, a title wrapped over two lines.

Every text here is made up, in the shape of a file of the development set; each
test also states what must stay as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.ingestion.extract import ExtractionError, read_layout
from corpus.ingestion.pipeline import process


def _records(text: str) -> list[tuple[str, str]]:
    return [(p.kind, " ".join(p.text.split())) for p in process(text).paragraphs]


def test_utf16_without_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "préface.txt"
    text = "Préface\r\n\r\nCe guide « Debian » : lisez-le !\r\n"
    path.write_bytes(text.encode("utf-16-le"))
    assert read_layout(path).plain_text().split() == text.split()


def test_a_binary_file_with_nuls_everywhere_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    # as UTF-16 these pairs would be letters ("䄀A"): only the NULs at both
    # places of the pairs say it is not text
    path.write_bytes(b"\x00\x41\x41\x00" * 100)
    with pytest.raises(ExtractionError, match="binary"):
        read_layout(path)


_BRACKET_NOTES = (
    "Écrivez à la liste en commençant le sujet par « [VAC] » [1] et donnez\n"
    "la période de vos vacances, puis revenez à temps.\n"
    "\n"
    "Le tableau x[1] reste tel quel dans le code.\n"
    "\n"
    "[1] Ainsi, le message peut être facilement filtré par les personnes\n"
    "    qui ne veulent pas le lire.\n"
)


def test_a_note_labelled_in_brackets_is_a_note_and_its_marker_goes() -> None:
    records = _records(_BRACKET_NOTES)
    assert (
        "footnote",
        "Ainsi, le message peut être facilement filtré par les "
        "personnes qui ne veulent pas le lire.",
    ) in records
    body = [t for kind, t in records if kind == "paragraph"]
    assert body[0].startswith(
        "Écrivez à la liste en commençant le sujet par « [VAC] » et"
    )
    assert "Le tableau x[1] reste tel quel dans le code." in body


def test_a_numbered_reference_cited_twice_is_no_note() -> None:
    text = "As shown in [1], and again in [1], it holds.\n\n[1] Smith, J. A study.\n"
    records = _records(text)
    assert ("paragraph", "As shown in [1], and again in [1], it holds.") in records
    assert all(kind != "footnote" for kind, _ in records)


_REST = (
    "Guide de référence\n"
    "******************\n"
    "\n"
    "3. Devoirs du développeur\n"
    "*************************\n"
    "\n"
    "3.1. Devoirs du responsable\n"
    "===========================\n"
    "\n"
    "En tant que responsable, vous êtes censé fournir des paquets.\n"
    "\n"
    "3.1.1. Œuvrer pour la publication\n"
    "---------------------------------\n"
    "\n"
    "Fournir des paquets ne suffit pas.\n"
)


def test_rest_underlines_rank_headings_and_the_unnumbered_first_is_the_title() -> None:
    draft = process(_REST)
    assert draft.title == "Guide de référence"
    kinds = {p.text: p.kind for p in draft.paragraphs}
    assert kinds["3. Devoirs du développeur"] == "heading"
    assert kinds["3.1.1. Œuvrer pour la publication"] == "heading"
    assert not [p for p in draft.paragraphs if "***" in p.text or "===" in p.text]


def test_a_spaced_hyphen_wrapped_to_a_line_start_is_no_list_item() -> None:
    text = (
        "    Observa que la lista no contiene paquetes marcados como esencial o requerido\n"
        "    - al dar por supuesto que ya los tienes instalados.\n"
        "\n"
        "    Los paquetes son:\n"
        "    - uno\n"
        "    - dos\n"
    )
    records = [t for _, t in _records(text)]
    assert (
        "Observa que la lista no contiene paquetes marcados como esencial o "
        "requerido - al dar por supuesto que ya los tienes instalados."
    ) in records
    assert "uno" in records and "dos" in records  # a list under a colon stays one


def test_a_chapter_label_with_a_full_stop_heads_its_text() -> None:
    text = (
        "Capítulo 1. Empezando «de la forma correcta».\n"
        "\n"
        "    Este documento tratará de describir cómo se construye un paquete.\n"
        "\n"
        "    Capítulo 2. Primeros pasos. Esta frase nombra un capítulo.\n"
    )
    draft = process(text)
    kinds = {" ".join(p.text.split()): p.kind for p in draft.paragraphs}
    assert kinds["Capítulo 1. Empezando «de la forma correcta»."] == "heading"
    assert (
        draft.paragraphs[1].section == "Capítulo 1. Empezando «de la forma correcta»."
    )


def _layout(*pages: str) -> str:
    return "\f".join(pages)


_PAGE_1 = (
    "        A Computation of Sandwich\n"
    "                  Estimators\n"
    "\n"
    "                          Ann Lee\n"
    "\n"
    "1. Introduction\n"
    "The sandwich package provides a set of tools for computing covariance matrices in\n"
    "general parametric models, and this section lists what is needed for that use.\n"
    "As a simple example, the most important steps of the method are\n"
    "\n"
    "estfun.lm <- function (obj, ...)\n"
    "{\n"
    "  wts <- weights(obj)\n"
    "  residuals(obj) * wts * model.matrix(obj)\n"
    "}\n"
    "\n"
    "\n"
    "Outer product estimators\n"
    "A simple and natural estimator for the meat matrix is the outer product of the\n"
    "empirical estimating functions, which the function meat() computes for models.\n"
    "                                         1 n\n"
    "                           M     =          f(yi, xi)f(yi, xi)                 (10)\n"
    "                                         n i=1\n"
    "\n"
    "This corresponds to the usual estimator and is also called the outer product of\n"
    "the gradients, which the HC1 estimator from MacKinnon and White (1985) adjusts.\n"
)
_PAGE_2 = (
    "2                     A Computation of Sandwich Estimators\n"
    "\n"
    "\n"
    "2. Model frame\n"
    "To fix notations, let us assume we have data in a regression setup with a vector\n"
    "of parameters that follow some distribution controlled by a k-dimensional one.\n"
    "Inference about the parameters is typically performed relying on a central limit\n"
    "theorem of the following type, whose sum runs over all of the observations:\n"
    "\n"
    "                                         1 n\n"
    "                           S     =          f(yi, xi)                          (3)\n"
    "                                         n i=1\n"
    "where f is the estimating function of the model and n the number of observations\n"
    "in the sample, which the function estfun() extracts from a fitted model object.\n"
    "\n"
    "3. Existing infrastructure\n"
    "Some computational infrastructure is required translating the conceptual tools to\n"
    "computational tools; R comes with many model-fitting functions that do this job.\n"
    + "The estimate is then scaled by the product n * k of the two sizes, so that it can\n"
    "be compared across models with different numbers of observations and of terms.\n"
    * 6
)


def test_layout_text_listing_title_and_formula_rows() -> None:
    draft = process(_layout(_PAGE_1, _PAGE_2))
    assert draft.title == "A Computation of Sandwich Estimators"
    by_text = {" ".join(p.text.split()): p for p in draft.paragraphs}
    listing = next(t for t in by_text if t.startswith("estfun.lm"))
    assert "residuals(obj) * wts * model.matrix(obj)" in listing  # the product stays
    assert "function (obj, ...)" in listing
    assert not listing.endswith("Outer product estimators")
    assert by_text["Outer product estimators"].kind == "heading"
    assert all(p.kind != "footnote" for p in draft.paragraphs)  # "1 n" is a formula's
    assert any("the HC1 estimator from MacKinnon" in t for t in by_text)
    assert any("scaled by the product n * k of the two sizes" in t for t in by_text)


def test_a_caret_raising_a_power_stays_a_caret_after_a_word_is_a_marker() -> None:
    text = (
        "The fit of the auxiliary model, with terms I(dy1^2) + I(dy2^2), has an R^2\n"
        "of 0.9 and a slope of f(x)^{2}, as Canada^v has argued in its report.\n"
    )
    (record,) = [t for _, t in _records(text)]
    assert "I(dy1^2) + I(dy2^2), has an R^2 of 0.9 and a slope of f(x)^{2}" in record
    assert "as Canada has argued" in record


def test_a_listing_right_under_its_lead_in_is_cut_off_it() -> None:
    # plain pdftotext: no blank line between the sentence and the code
    prose = (
        "The package provides bread methods for several kinds of fitted models;\n" * 8
    )
    text = (
        prose
        + "All of them simply re-use the information provided in the fitted models\n"
        "and perform hardly any computations, e.g., for lm objects:\n"
        "bread.lm <- function(obj, ...)\n"
        "{\n"
        "so <- summary(obj)\n"
        "so$cov.unscaled * as.vector(sum(so$df[1:2]))\n"
        "}\n"
        "\n" + prose + "and that is all.\n"
    )
    records = [t for _, t in _records(text)]
    assert records[0].endswith("for lm objects:")
    assert records[1].startswith("bread.lm <- function(obj, ...)")
    assert "so$cov.unscaled * as.vector(sum(so$df[1:2]))" in records[1]
