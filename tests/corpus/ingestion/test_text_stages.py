"""The shared text stages on shapes the seeds do not have: paged text, typeset
paragraphs, page-foot notes, text dumps, and text that was right staying right.

Rows are short made-up lines of the shapes seen in real documents (the real
excerpts are the fragments in ``tests/data/ingestion``).
"""

from __future__ import annotations

import pytest

from corpus.ingestion.classify import is_contents_line, is_navigation
from corpus.ingestion.clean import (
    fix_t1_controls,
    remove_symbol_markers,
    split_glued_words,
    tidy_spaces,
)
from corpus.ingestion.extract import decode
from corpus.ingestion.furniture import find_furniture, page_counter
from corpus.ingestion.lexicon import Lexicon
from corpus.ingestion.notes import foot_note_label, has_marker, remove_numeric_markers
from corpus.ingestion.pipeline import process
from corpus.ingestion.segment import is_title_line, opens_paragraph

WIDTH = 60
FULL = "x" * 54 + " ends."  # a full line that ends a sentence


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("12 / 22", 12),  # a counter with the page count
        ("- 3 -", 3),  # dashes around the number
        ("Page 4 of 9", 4),
        ("3", 3),  # a lone number (kept only when it runs with the pages)
        ("0.8", None),  # an axis tick
        ("1995 Mexican", None),  # a year opening a line
        ("4 The National Security Act", None),  # a footnote
    ],
)
def test_page_counter(line: str, number: int | None) -> None:
    assert page_counter(line) == number


def test_running_headers_alternate_and_carry_the_page() -> None:
    pages = [
        ["A Study of Things", "Body one."],
        ["2   A Study of Things", "Body two.", "2 / 4"],
        ["Smith and Jones   3", "Body three.", "3 / 4"],
        ["4   A Study of Things", "Body four.", "4 / 4"],
        ["Smith and Jones   5", "Body five."],
    ]
    found = find_furniture(pages)
    kept = [
        line
        for p, page in enumerate(pages)
        for i, line in enumerate(page)
        if (p, i) not in found.dropped
    ]
    # the first page's title is not running furniture: it appears there only
    assert kept == [
        "A Study of Things",
        *(f"Body {n}." for n in "one two three four five".split()),
    ]
    assert found.numbers == {1: 2, 2: 3, 3: 4, 4: 5}


def test_a_number_that_does_not_run_with_the_pages_stays() -> None:
    pages = [["Text.", "7"], ["More text.", "2"], ["The end.", "5"]]  # no one run
    assert find_furniture(pages).dropped == set()


@pytest.mark.parametrize(
    ("previous", "line", "following", "opens"),
    [
        ("the end of it.", "Then a new one", "", True),  # short last line
        (FULL, "Then it goes on", "", False),  # a full line: same paragraph
        (FULL, "   Indented start", FULL, True),  # a first-line indent
        ("see p.", "Then", "", False),  # an abbreviation, not a sentence end
        ("of the", "Market", "", False),  # no sentence end
        ("a list:", "First item", "", False),  # a colon announces what follows
        ("getting outdated. 1", "Une des choses", "", True),  # a spaced marker
        ("the short end.", "lower case goes on", "", False),
    ],
)
def test_opens_paragraph(previous: str, line: str, following: str, opens: bool) -> None:
    assert opens_paragraph(previous, line, following, WIDTH) is opens


@pytest.mark.parametrize(
    ("before", "previous", "line", "title"),
    [
        (None, "Partir du bon pied", "La réécriture de ce tutoriel des " * 2, True),
        ("a sentence.", "Short Title", "The text.", True),
        (None, "Professor, Department of", "Instituto Tecnológico", False),  # address
        ("the middle of", "a sentence", "Then", False),  # wrapped prose
        ("a sentence.", "A line that ends.", "The text", False),  # a sentence
        ("a sentence.", "Short Title", "and more", False),  # goes on in lower case
    ],
)
def test_is_title_line(
    before: str | None, previous: str, line: str, title: bool
) -> None:
    assert is_title_line(before, previous, line, 80) is title


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("2. Vous pouvez apprendre", 2),  # plain pdftotext: "N. text"
        ("   3Hay varios paquetes", 3),  # -layout: a superscript glued on
        ("4 The National Security Act", 4),
        ("1995 Mexican", None),
        ("3.5 PBC data", None),  # a section number
    ],
)
def test_foot_note_label(line: str, label: int | None) -> None:
    assert foot_note_label(line) == label


@pytest.mark.parametrize(
    ("body", "label", "marked"),
    [
        ("getting outdated. 1 Une", 1, True),  # set apart after a sentence
        ("with Canada7.", 7, True),  # glued to a word
        ("debhelper(1)) 3 ; Le", 3, True),  # after a closing bracket
        ("release 4.2 and Table 3", 3, False),  # a decimal and a name
        ("model X2 is", 2, False),  # one letter and a digit: a name
    ],
)
def test_has_marker(body: str, label: int, marked: bool) -> None:
    assert has_marker(body, label) is marked


def test_notes_at_a_page_foot_leave_the_sentence_they_cut() -> None:
    line = "A paragraph of the body that the page break cuts in the middle of its"
    page_one = "\n".join(
        [line] * 6
        + ["way through the region.1 And it goes", "1. See Pastor (2001), p. 3."]
    )
    text = page_one + "\f" + "on over the page.\n"
    records = process(text).paragraphs
    assert [(r.kind, r.label, r.page) for r in records] == [
        ("paragraph", "", 1),
        ("footnote", "1", 1),
    ]
    assert records[0].text.endswith("the region. And it goes on over the page.")


def test_a_numbered_list_at_a_page_foot_is_no_note() -> None:
    # no marker "1" or "2" in the body above: the numbers are a list's
    text = "Do the following steps in order:\n1. Install it.\n2. Run it.\fThe end.\n"
    kinds = [r.kind for r in process(text).paragraphs]
    assert "footnote" not in kinds


@pytest.mark.parametrize(
    ("texts", "notes", "expected"),
    [
        # digits that belong to a name stay, even in a document with notes
        (
            ["Use Python3 here.", "Python3 is fine.1 Next"],
            [1],
            ["Use Python3 here.", "Python3 is fine. Next"],
        ),
        (["the release 4.2 today"], [2], ["the release 4.2 today"]),
        (["a model X2 fits"], [2], ["a model X2 fits"]),
        (["COVID-19 and H2O"], [19, 2], ["COVID-19 and H2O"]),
        (["see Fig 3 for it"], [3], ["see Fig 3 for it"]),
        # without notes, a number glued to a word is never a marker
        (["the Python3 interpreter"], [], ["the Python3 interpreter"]),
        # a year before a note number: "of 2005.47" is note 47 when it is due
        (["Law of 2005.47 Their"], [47], ["Law of 2005. Their"]),
    ],
)
def test_marker_removal_keeps_right_text(
    texts: list[str], notes: list[int], expected: list[str]
) -> None:
    assert remove_numeric_markers(texts, notes) == expected


@pytest.mark.parametrize(
    ("left", "right", "glued"),
    [
        ("secur", "ity", True),  # neither half is a word
        ("t", "he", True),  # a lone letter into a very common word
        ("R", "and", False),  # "in R and Stata": a language's name
        ("a", "p", False),  # "a p-value"
        ("g", "is", False),  # "where g is": a variable
        ("that", "¹", False),  # a misread symbol
        ("in", "to", False),  # two words
    ],
)
def test_should_glue(left: str, right: str, glued: bool) -> None:
    assert Lexicon("").should_glue(left, right) is glued


def test_spanish_words_stand_alone_in_a_spanish_document() -> None:
    lexicon = Lexicon("Debes leer la guía para los paquetes que el equipo usa. " * 20)
    assert lexicon.should_glue("leer", "la") is False  # not "leerla"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("committed  . A basic  premise ”", "committed. A basic premise”"),  # repair
        ("« Source » : voir ceci ; et cela !", "« Source » : voir ceci ; et cela !"),
        ("Vraiment ? Oui.", "Vraiment ? Oui."),  # French space before "?"
        ("for i = 1, . . . , n be", "for i = 1, . . . , n be"),  # LaTeX \ldots
    ],
)
def test_tidy_spaces(text: str, expected: str) -> None:
    assert tidy_spaces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("authorities.<sup>1</sup> In the", "authorities. In the"),
        (
            "le paquet .tar.gz ^([4]) et la Charte.^([5])",
            "le paquet .tar.gz et la Charte.",
        ),
        ("S(¹) = B(¹) and ¹̂ is normal", "S(¹) = B(¹) and ¹̂ is normal"),  # a formula
    ],
)
def test_remove_symbol_markers(text: str, expected: str) -> None:
    assert remove_symbol_markers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("His latest books areAtlas de la", "His latest books are Atlas de la"),
        ("from deltaMethod() in car", "from deltaMethod() in car"),  # a function
        ("lfe and clubSandwich (Pustejovsky)", "lfe and clubSandwich (Pustejovsky)"),
    ],
)
def test_split_glued_words(text: str, expected: str) -> None:
    assert split_glued_words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Coe\x1ecients di\x1berent", "Coefficients different"),  # T1 ligatures
        ("the e\x1bect on 65\x1585% of \x10wins\x11", "the effect on 65–85% of “wins”"),
        ("x\x1cq zz\x1eq", "x\x1cq zz\x1eq"),  # no word comes out: left alone
    ],
)
def test_fix_t1_controls(text: str, expected: str) -> None:
    assert fix_t1_controls(text) == expected


@pytest.mark.parametrize(
    ("line", "navigation"),
    [
        ("Next | Previous | Contents", True),
        ("[ Previous ] [ Contents ] [ Next ]", True),
        ("[Précédent]                       [Suivant]", True),
        ("Next, the previous contents were read.", False),
        ("Index", False),  # one word alone may be a heading
    ],
)
def test_is_navigation(line: str, navigation: bool) -> None:
    assert is_navigation(line) is navigation


@pytest.mark.parametrize(
    ("line", "contents"),
    [
        ("5.1 README.Debian . . . . . . . . . 30", True),
        ("Commande debuild.......... 41", True),
        ("Introduction . . . . . . xi", True),  # roman page numbers
        ("It ends...", False),
        ("We waited . . . and then left.", False),
    ],
)
def test_is_contents_line(line: str, contents: bool) -> None:
    assert is_contents_line(line) is contents


def test_setext_underlines_make_headings() -> None:
    text = (
        "Testing\n=======\n\nSome text here.\n\n"
        "Short tests, run on every commit.\n---------------------------------\n"
        "more text.\n"
    )
    records = process(text).paragraphs
    # the underline is the evidence: the second title ends with a full stop
    # and lower case follows, which no shape rule would take for a heading
    short = "Short tests, run on every commit."
    assert [(r.kind, r.text, r.section) for r in records] == [
        ("heading", "Testing", "Testing"),
        ("paragraph", "Some text here.", "Testing"),
        ("heading", short, short),
        ("paragraph", "more text.", short),
    ]


def test_contents_list_repeated_as_headings_is_dropped() -> None:
    text = (
        "Table des matières\n\n2.1. Processus de construction\n\n"
        "2.2. Choix du programme\n\n"
        "Commencez par créer votre propre paquet.\n\n2.1. Processus de construction\n\n"
        "Si vous faites un paquet Debian à partir d’un programme amont.\n\n"
        "2.2. Choix du programme\n\nVous avez probablement choisi le paquet.\n"
    )
    records = process(text).paragraphs
    assert [r.text for r in records if r.kind == "heading"] == [
        "2.1. Processus de construction",
        "2.2. Choix du programme",
    ]
    assert "Table des matières" not in [r.text for r in records]


def test_pages_are_counted_from_form_feeds_without_printed_numbers() -> None:
    text = "First page text.\fSecond page text.\fThird page text.\n"
    assert [r.page for r in process(text).paragraphs] == [1, 2, 3]


def test_utf16_crlf_text_gives_the_same_records() -> None:
    text = "Un titre\n\nLe premier paragraphe : voilà.\fSecond page, « suite ».\n"
    encoded = text.replace("\n", "\r\n").encode("utf-16")
    again = process(decode(encoded, "x.txt")).paragraphs
    assert again == process(text).paragraphs
    assert [r.page for r in again] == [1, 1, 2]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("3 The mandible data", True),  # JSS/LaTeX section: no dot after "3"
        ("4.2 Boundaries and plotting", True),  # a subsection, same print
        ("2 U.S. macroeconomic data", True),  # abbreviation dots inside the title
        ("3 of the 5 states agreed", False),  # right text: a sentence opening on 3
        ("12 Ibid.", False),  # right text: a note ends its sentence
        ("0.8 Empirical coverage", False),  # right text: a plot's axis tick
        ("1. Install the package", False),  # a list item keeps its own rule
    ],
)
def test_section_title_without_a_dot(line: str, title: bool) -> None:
    from corpus.ingestion.segment import is_section_title

    assert is_section_title(line, 98) is title


def test_numbered_section_title_is_a_heading_not_a_note() -> None:
    # hard-wrapped pages, as pdftotext writes a LaTeX paper (numbers run 1, 2
    # as notes' would)
    body = "\n".join(["a line of typeset text that runs full width to the margin"] * 6)
    first = f"{body} end.\n\n1 Introduction\nThe text begins here and goes on.\n"
    records = process(first + "\f2 The model\nConsider the model.\n" + body + ".\n")
    heads = [p.text for p in records.paragraphs if p.kind == "heading"]
    assert heads == ["1 Introduction", "2 The model"]
    assert not [p for p in records.paragraphs if p.kind == "footnote"]


def test_note_at_a_page_foot_stays_a_note() -> None:
    # right text: "1 See the manual." ends its sentence, so it is a note
    body = "A sentence with a marker.1 " + "y " * 40 + "end."
    records = process(f"{body}\n          \n1 See the manual.\n\fMore text here.\n")
    assert [p.kind for p in records.paragraphs if p.text == "See the manual."] == [
        "footnote"
    ]


def test_contents_list_without_page_numbers_is_dropped() -> None:
    text = (
        "Tabla de contenidos\n\n1. Aviso\n2. ¿Qué es Debian?\n    2.1. Directrices\n"
        "    2.2. Prerrequisitos\n3. Acerca de\n\n1. Aviso\n\n"
        "Esta guía se ofrece sin ninguna garantía. Las marcas son de sus dueños.\n"
    )
    texts = [p.text for p in process(text).paragraphs]
    assert "2.1. Directrices" not in texts and "Tabla de contenidos" not in texts
    # right text: the heading the text opens with, and its paragraph, stay
    assert texts[-2:][0] == "1. Aviso" and texts[-1].startswith("Esta guía")


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("The aveF and expF test have certain properties (Andrews and", False),
        ("Wn (t) =", False),  # a formula's first half
        ("Results and Discussion", True),  # right text: "and" inside a title
    ],
)
def test_a_title_does_not_stop_on_an_open_word(text: str, heading: bool) -> None:
    from corpus.ingestion.classify import is_heading_shaped
    from corpus.ingestion.segment import Block, LineStats

    layout = LineStats(hard_wrapped=True, line_width=98)
    assert is_heading_shaped(Block(lines=[text]), layout) is heading


def test_paged_paper_with_numbered_sections_heads_only_with_numbers() -> None:
    para = "\n".join(["a line of typeset text that runs full width to the margin"] * 4)
    pages = [
        f"1 Introduction\nThe start.\n{para}.\n\nMoment process\n\nThe next one.\n",
        f"2 The model\nConsider it.\n{para}.\n",
        f"3 The data\nThe data.\n{para}.\n\nReferences\n\nA. Author (2001). A book.\n",
    ]
    records = process("\f".join(pages)).paragraphs
    heads = [p.text for p in records if p.kind == "heading"]
    # a plot's label or a formula's piece is no section; "References" stays one
    assert heads == ["1 Introduction", "2 The model", "3 The data", "References"]
