"""Shapes of converter output (``pdftotext`` layout and plain mode, a PDF's
typed blocks) that the shared stages must read: a figure's residue around its
caption, a note whose marker sits on a line of its own, headings by rank.

Every text here is made up, in the shape of a real file of the development set.
"""

from __future__ import annotations

from corpus.ingestion.furniture import find_furniture
from corpus.ingestion.layout import HEADING, PARAGRAPH, Layout, TypedBlock
from corpus.ingestion.notes import find_foot_notes
from corpus.ingestion.pipeline import process
from corpus.ingestion.segment import is_section_title

_PROSE = (
    "The series was transformed suitably and then a small model was fitted and\n"
    "analysed. The transformed series is shown with the residuals of the model\n"
    "in Figure 1.\n"
)


def _layout_page(figure: str) -> str:
    return (
        "A Study of Series\n\n"
        "1 Data\n\n" + _PROSE + "\n\n\n" + figure + "\n\n"
        "    Not surprisingly, a model with lags is needed as the series itself has\n"
        "correlation, which the test shows at once for every one of the lags.\n"
        "\f"
        "    The second page goes on with more text about the tests and their uses\n"
        "in practice, for every reader who wants to try them on real data sets.\n"
    )


_FIGURE = "\n".join(
    [
        " " * 60 + "0.00 0.02 0.04",
        " " * 10 + "series (log differences)",
        "",
        " " * 42 + "Model residuals",
        "",
        " " * 40 + "1960    1970     1980" + " " * 30 + "1960    1970",
        "",
        " " * 30 + "Time" + " " * 50 + "Time",
        "",
        "",
        " " * 30 + "Figure 1: The series and the residuals of the model",
    ]
)


def test_a_figures_labels_and_ticks_around_its_caption_are_dropped() -> None:
    texts = [r.text for r in process(_layout_page(_FIGURE)).paragraphs]
    assert not [t for t in texts if "residuals" in t.lower() and "Figure" not in t]
    assert "Figure 1: The series and the residuals of the model" in texts
    # the paragraph after the figure starts with its own first word
    assert any(t.startswith("Not surprisingly, a model with lags") for t in texts)
    assert not [t for t in texts if "Time" in t.split()]


def test_indented_text_away_from_any_figure_caption_stays() -> None:
    centred = "\n".join([" " * 30 + "Model residuals", "", " " * 30 + "Time and place"])
    texts = [r.text for r in process(_layout_page(centred)).paragraphs]
    assert "Model residuals" in " ".join(texts)
    assert "Time and place" in " ".join(texts)


def test_prose_next_to_a_figure_caption_stays() -> None:
    texts = [r.text for r in process(_layout_page(_FIGURE)).paragraphs]
    assert any(
        t.endswith("shown with the residuals of the model in Figure 1.") for t in texts
    )


def test_a_heading_at_the_margin_right_after_a_figure_stays() -> None:
    page = _layout_page(_FIGURE + "\n\n\n2 The model\n\n")
    records = process(page).paragraphs
    assert ("heading", "2 The model") in [(r.kind, r.text) for r in records]


def test_a_note_whose_marker_plain_mode_set_on_a_line_of_its_own_is_found() -> None:
    page = [
        "and the two tests lead to the same output in every case we tried.",
        "",
        "1",
        "",
        "The p values are computed from the tables of an earlier paper.",
        "",
        "1 The authors thank a colleague, who wrote the first code for the",
        "tables, for putting it at our disposal.",
    ]
    assert find_foot_notes([page]) == {(0, 6): 1}


_PLAIN_FIGURE_PAGE = (
    "The boundaries can be computed very easily with one function, which returns\n"
    "a series with the same time properties as the process it is given:\n\n"
    "> plot(fit)\n\n"
    "0.5\n−0.5\n\n"
    "Empirical fluctuation process\n\n"
    "Sum-based test\n\n"
    "1990\n\n1995\n\n"
    "Time\n\n"
    "Figure 3:\n\n"
    "Sum-based process\n\n"
    "It can be seen that the process goes past its boundary; hence there is a\n"
    "change in the structure of the model at some point in the nineties.\n"
    "\f"
    "The second page goes on with more text about the tests and their uses in\n"
    "practice, for every reader who wants to try them on real data sets today.\n"
)


def test_a_plots_labels_above_its_caption_are_dropped_in_plain_text() -> None:
    texts = [r.text for r in process(_PLAIN_FIGURE_PAGE).paragraphs]
    assert not [t for t in texts if "Empirical fluctuation process" in t]
    assert not [t for t in texts if "Sum-based test" in t or "Time" in t.split()]
    assert "> plot(fit)" in texts  # the command above the plot stays
    assert any(t.startswith("It can be seen that the process") for t in texts)


def test_a_first_heading_ranked_like_later_ones_is_a_section_not_the_title() -> None:
    def block(kind: str, text: str, level: int = 0) -> TypedBlock:
        return TypedBlock(kind=kind, lines=(text,), level=level)

    layout = Layout(
        blocks=[
            block(HEADING, "Konventionen", 4),
            block(
                PARAGRAPH,
                "Dieses Dokument bietet Informationen im folgenden vereinfachten"
                " Stil mit Beispielen:",
            ),
            block(PARAGRAPH, "Diese Werte wurden zwecks Lesbarkeit gewählt."),
            block(HEADING, "Die Paketgröße", 4),
            block(PARAGRAPH, "Die Größe wird in Kilobyte angegeben."),
        ],
        source_format="pdf",
    )
    records = process(layout).paragraphs
    assert [r.kind for r in records[:3]] == ["heading", "paragraph", "paragraph"]
    assert records[1].section == "Konventionen"


def test_a_first_heading_with_title_matter_under_it_is_the_title() -> None:
    layout = Layout(
        blocks=[
            TypedBlock(kind=HEADING, lines=("Guide du responsable",), level=2),
            TypedBlock(kind=HEADING, lines=("Josip Rodin, Osamu Aoki",), level=3),
            TypedBlock(kind=PARAGRAPH, lines=("Copyright © 2005 Osamu Aoki",)),
            TypedBlock(kind=HEADING, lines=("Partir du bon pied",), level=2),
            TypedBlock(kind=PARAGRAPH, lines=("Ce document décrit la méthode.",)),
        ],
        source_format="pdf",
    )
    records = process(layout).paragraphs
    assert records[0].kind == "meta"


_TITLE_PAGE = "\n".join(
    [
        "A Robust Test for the Study of Things when",
        "the Model is Unknown",
        "Ann B. Lee",
        "",
        "Carl Diaz",
        "",
        "University of Somewhere",
        "",
        "Institute of Elsewhere",
        "",
        "Abstract",
        "The test for things is often used for the analysis of the data we have at",
        "hand. Depending on the model, the use of some scores maximises the power.",
        "",
        "Keywords: robust test, things, conditional inference.",
        "",
        "1. Objectives",
        "In studies of things the association between a thing and another can be",
        "evaluated by the test, whether or not the model holds for the data at all.",
        "\f",
        "2",
        "",
        "A Robust Test",
        "",
        "The second page goes on with more text about the tests and their uses in",
        "practice, for every reader who wants to try them on real data sets today.",
    ]
)


def test_a_title_pages_byline_affiliations_and_keywords_are_title_matter() -> None:
    document = process(_TITLE_PAGE)
    kinds = {r.text: r.kind for r in document.paragraphs}
    assert (
        document.title
        == "A Robust Test for the Study of Things when the Model is Unknown"
    )
    assert kinds["Ann B. Lee"] == "meta"  # no blank line above it: split off
    assert kinds["University of Somewhere"] == "meta"  # an affiliation, no heading
    assert kinds["Institute of Elsewhere"] == "meta"
    assert kinds["Abstract"] == "heading"
    assert kinds["Keywords: robust test, things, conditional inference."] == "meta"


def test_an_abstract_heading_right_under_an_affiliation_stays_a_heading() -> None:
    page = _TITLE_PAGE.replace("Institute of Elsewhere\n\n", "")
    kinds = {r.text: r.kind for r in process(page).paragraphs}
    assert (kinds["University of Somewhere"], kinds["Abstract"]) == ("meta", "heading")


def test_a_header_beside_the_page_number_that_repeats_the_title_goes() -> None:
    pages = [
        ["A Robust Test for Things", "Ann Lee", "", "Carl Diaz", "", "Body one."],
        ["2", "", "A Robust Test", "", "Body two goes on.", "A Robust Test"],
        ["3", "", "Ann Lee, Carl Diaz", "", "Things we found", "Body three."],
    ]
    found = find_furniture(pages)
    # each header is on one page only: the title's words are the evidence
    assert sorted(found.dropped) == [(1, 0), (1, 2), (2, 0), (2, 2)]
    assert found.numbers == {1: 2, 2: 3}


def test_a_tables_columns_under_its_caption_are_one_record_apart() -> None:
    text = "\n".join(
        [
            "This paper is about a test for the kinds of things we count in groups.",
            "",
            "The test is based on a set of scores given to the kinds. For kinds a, b",
            "or c, with a the kind of interest and the others any of the rest, the",
            "\f",
            "Table 1: Kinds counted in each group.",
            "",
            "a",
            "b",
            "Total",
            "",
            "Cases",
            "ra",
            "rb",
            "R",
            "",
            "scores can be chosen to give the test the most power against each of the",
            "three kinds of alternatives that matter here, in every one of the cases.",
        ]
    )
    records = [(r.kind, r.text) for r in process(text).paragraphs]
    assert records[2:] == [
        ("paragraph", "Table 1: Kinds counted in each group."),
        ("paragraph", "a\nb\nTotal\nCases\nra\nrb\nR"),  # the columns, as printed
    ]
    assert records[1][1].endswith(
        "with a the kind of interest and the others any"
        " of the rest, the scores can be chosen to give the"
        " test the most power against each of the three kinds"
        " of alternatives that matter here, in every one of"
        " the cases."
    )


_LAYOUT_TITLE_PAGE = "\n".join(
    [
        "                 things: A Computational Framework for",
        "                         Counting Things",
        "                 Ann Lee1 , Mark van de Wiel2",
        "                                and Carl Diaz1",
        "",
        "",
        "1 Introduction",
        "The things package gives one approach to counting procedures known as",
        "tallies, and its design is the general framework that an earlier paper gave.",
        "   We want to test the null hypothesis of independence of Y and X",
        "",
        "                                     H0 : D(Y|X) = D(Y)",
        "",
        "                                          X",
        "                          E(h|S) = w−1       wi h(Yi )",
        "",
        "against arbitrary alternatives, which the framework allows for every test.",
        "   Having the expectation at hand we are able to standardize a statistic.",
        "\f",
        "The second page goes on with more text about the tests and their uses in the",
        "practice of counting, for every reader who wants to try them on real data.",
    ]
)


def test_a_layout_title_page_keeps_the_title_whole_and_the_authors_apart() -> None:
    document = process(_LAYOUT_TITLE_PAGE)
    assert document.title == "things: A Computational Framework for Counting Things"
    assert document.paragraphs[1].text == "Ann Lee1, Mark van de Wiel2 and Carl Diaz1"


def test_a_line_set_in_like_a_paragraph_and_a_formulas_sigma_are_no_headings() -> None:
    records = process(_LAYOUT_TITLE_PAGE).paragraphs
    assert [r.text for r in records if r.kind == "heading"] == ["1 Introduction"]
    having = next(r for r in records if r.text.startswith("Having the expectation"))
    assert having.section == "1 Introduction"


def test_a_section_title_at_a_page_foot_is_no_note() -> None:
    # plain pdftotext: a section starts in a page's last lines; "Section 3."
    # above reads like a set-apart marker 3, but the line heads its paragraph
    page = [
        "The results form the basis for the procedures described in Section 3.",
        "",
        "3 Global and Simultaneous Inference",
        "Based on the results from Section 2, we now focus on the derivation",
        "of suitable inference procedures.",
    ]
    assert find_foot_notes([page]) == {(0, 2): 3}  # what the labels alone say
    assert find_foot_notes([page], is_title=is_section_title) == {}


def test_a_note_under_a_sentence_end_is_still_a_note() -> None:
    page = [
        "The boundaries are computed by one function, as Smith.3 Later we see",
        "that they hold in every case.",
        "",
        "3 The authors thank a colleague for the first code of these tables.",
    ]
    assert find_foot_notes([page], is_title=is_section_title) == {(0, 3): 3}


def _plain_page_with_joined_lines() -> str:
    # plain pdftotext joins a line ending on a hyphen to the next one (and
    # runs a line of math on): a few lines twice the width must not make the
    # text look unwrapped (multcomp's generalsiminf.pdf, page 3)
    full = (
        "for some positive, nondecreasing sequence an . Furthermore, we assume"
        " that a multivariate"
    )
    long = (
        "Let M((Z1 , . . . , Zn ), θ, η) denote a semi-parametric statistical"
        " model. The set of n observations is described by (Z1 , . . . , Zn )."
        " The model contains fixed but unknown elemental"
    )
    lines = [
        "In this section we introduce the underlying model assumptions and derive"
        " some asymptotic",
        "results necessary in the subsequent sections. The results from this"
        " section form the basis",
        "for the simultaneous inference procedures described in Section 3.",
        long,
        "parameters θ ∈ Rp and other (random or nuisance) parameters η. We are"
        " primarily interested in the linear functions ϑ := Kθ of the parameter"
        " vector θ as specified through",
        "corresponding test statistics for hypotheses about ϑ and their limiting.",
    ] + [full] * 12
    return "\n".join(lines) + "\n"


def test_a_few_joined_lines_do_not_hide_a_short_last_line() -> None:
    texts = [p.text for p in process(_plain_page_with_joined_lines()).paragraphs]
    first = next(t for t in texts if "in Section 3." in t)
    assert first.endswith("in Section 3.")
    assert any(t.startswith("Let M((Z1") for t in texts)
