"""Real PDFs, read natively, checked the way a researcher would read them.

The files in ``tests/data/pdf`` are pages of real documents (see its README):
a one-column statistics paper with footnotes (sandwich), a two-column one
(Rcpp), a French DocBook manual with roman page labels (maint-guide-fr), and
the broken ones a user will upload sooner or later.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from corpus.ingestion import pdf
from corpus.ingestion.extract import ExtractionError, read_layout
from corpus.ingestion.pipeline import DocumentDraft, ParagraphDraft, process
from corpus.management.commands.ingest import SUFFIXES
from corpus.models import Paragraph

DATA = Path(__file__).resolve().parents[2] / "data" / "pdf"


@pytest.fixture(scope="module")
def docs() -> dict[str, DocumentDraft]:
    names = ["sandwich", "rcpp-introduction", "maint-guide-fr", "empty-password"]
    return {name: process(read_layout(DATA / f"{name}.pdf")) for name in names}


def record_with(draft: DocumentDraft, phrase: str) -> ParagraphDraft:
    found = [p for p in draft.paragraphs if phrase in p.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} records"
    return found[0]


def index_of(draft: DocumentDraft, phrase: str) -> int:
    return draft.paragraphs.index(record_with(draft, phrase))


@pytest.mark.parametrize("name", ["sandwich", "rcpp-introduction", "maint-guide-fr"])
def test_records_are_clean_text(docs: dict[str, DocumentDraft], name: str) -> None:
    for record in docs[name].paragraphs:
        assert record.text == record.text.strip()
        if "\n" in record.text:  # a listing keeps its lines and indentation
            assert all(ln == ln.rstrip() for ln in record.text.split("\n"))
        else:
            assert "  " not in record.text
        assert not re.fullmatch(r"[\d\s–/|-]{1,9}", record.text), "a page number"
        assert "\ufb01" not in record.text, "a ligature left as a glyph"


WHOLE = [
    # a page turn between "using the usual estimating" and "functions, but"
    (
        "sandwich",
        "estimated consistently using the usual estimating functions, but for "
        "valid inference in such models",
    ),
    # a line-end hyphen inside a word: "het-" / "eroskedasticity"
    ("sandwich", "contains autocorrelation and/or heteroskedasticity of unknown"),
    # a page turn inside a word: "this pa-" / (footer, page 2) "per. However"
    ("rcpp-introduction", "beyond the scope of this paper. However, many external"),
    # the left column's last line "that rep-" goes on at the top of the right one
    ("rcpp-introduction", "accepts string input that represents the C++ code."),
    # a real compound split at its hyphen keeps it: "statically-" / "typed"
    ("rcpp-introduction", "as C++ is a statically-typed language"),
    # French, a list item's second line hangs under its first: "(après en" /
    # "avoir vérifié le contenu) ;"
    (
        "maint-guide-fr",
        "paquets Debian (après en avoir vérifié le contenu) ;",
    ),
    # French, a line-end hyphen in a word: "(dia-" / "positives introductives"
    ("maint-guide-fr", "(diapositives introductives en anglais)"),
]


@pytest.mark.parametrize(("name", "phrase"), WHOLE)
def test_sentence_cut_by_layout_is_whole(
    docs: dict[str, DocumentDraft], name: str, phrase: str
) -> None:
    assert record_with(docs[name], phrase).kind in {"paragraph", "list_item"}


FURNITURE = [
    ("sandwich", "Econometric Computing with HC and HAC Covariance"),  # even header
    ("sandwich", "Achim Zeileis"),  # odd header beside its page number
    ("rcpp-introduction", "Rcpp Vignette"),  # footer "… | January 11, 2022 | 1–8"
    ("rcpp-introduction", "https://cran.r-project.org/package=Rcpp"),
    ("rcpp-introduction", "Eddelbuettel and Balamuta"),  # even footer
    ("maint-guide-fr", "Guide du nouveau responsable Debian"),  # header "… ii", "… 1"
]


@pytest.mark.parametrize(("name", "phrase"), FURNITURE)
def test_running_headers_and_footers_are_gone(
    docs: dict[str, DocumentDraft], name: str, phrase: str
) -> None:
    body = [p.text for p in docs[name].paragraphs if p.kind != "meta"]
    assert not [t for t in body if phrase in t and len(t) < 2 * len(phrase) + 20]


def test_title_and_headings(docs: dict[str, DocumentDraft]) -> None:
    sandwich = docs["sandwich"]
    assert sandwich.title == (
        "Econometric Computing with HC and HAC Covariance Matrix Estimators"
    )
    assert record_with(sandwich, "1. Introduction").kind == "heading"
    dealing = record_with(sandwich, "3.2. Dealing with autocorrelation")
    assert dealing.kind == "heading"
    assert record_with(sandwich, "If the error terms").section == dealing.text
    rcpp = docs["rcpp-introduction"]
    assert rcpp.title == "Extending R with C++: A Brief Introduction to Rcpp"
    assert record_with(rcpp, "First Steps with Rcpp").kind == "heading"
    # a bold abstract is one paragraph, not ten headings
    abstract = record_with(rcpp, "R has always provided an application programming")
    assert abstract.kind == "paragraph"
    assert abstract.text.endswith("between R and C++ code.")
    french = docs["maint-guide-fr"]
    assert french.lang == "fr"
    assert record_with(french, "1.1 Dynamique sociale de Debian").kind == "heading"


def test_footnotes_are_notes_and_markers_leave_the_body(
    docs: dict[str, DocumentDraft],
) -> None:
    sandwich = docs["sandwich"]
    notes = [p for p in sandwich.paragraphs if p.kind == "footnote"]
    assert [n.label for n in notes] == ["1", "2", "3", "4", "5"]
    assert notes[0].text.startswith("Due to the use of estimating functions")
    assert notes[0].page == 5
    # superscript "2" after "model": gone from the body, its space kept
    record_with(sandwich, "the fitted linear model lmobj—from which")
    # superscript "1" after "functions" before the full stop
    record_with(sandwich, "the covariance matrix of the estimating functions. This")
    french = [p for p in docs["maint-guide-fr"].paragraphs if p.kind == "footnote"]
    assert [n.label for n in french] == ["1", "2", "3"]
    assert french[0].text.startswith("Ce document suppose que vous utilisez")


KEPT = [
    # digits at body size are text, not markers
    ("sandwich", '"HC1", "HC2", "HC3" (the default) or "HC4"'),
    ("sandwich", "lead to a VAR(1) model, but also prewhite = 2 is possible."),
    ("rcpp-introduction", "in sections 2.10 and 2.16."),
    ("rcpp-introduction", "(R Core Team, 2021a)"),
    # dblatex prints this note mark at body size: no evidence, so it stays
    ("maint-guide-fr", "since contents are getting outdated. 1"),
]


@pytest.mark.parametrize(("name", "phrase"), KEPT)
def test_text_that_was_right_is_unchanged(
    docs: dict[str, DocumentDraft], name: str, phrase: str
) -> None:
    record_with(docs[name], phrase)


def test_two_columns_read_left_then_right(docs: dict[str, DocumentDraft]) -> None:
    rcpp = docs["rcpp-introduction"]
    left = index_of(rcpp, "The R language and environment (R Core Team, 2021a)")
    left_end = index_of(rcpp, "leading to two final chapters on interfaces.")
    right = index_of(rcpp, "Chambers (2016, p. 4) builds and expands on this")
    assert left < left_end < right
    assert record_with(rcpp, "Chambers (2016, p. 4)").text.startswith("Chambers")


def test_page_numbers_are_the_printed_ones(docs: dict[str, DocumentDraft]) -> None:
    sandwich = docs["sandwich"]  # pages 1, 2, 5 and 6 of the paper; no labels
    assert record_with(sandwich, "This paper combines two topics").page == 1
    assert record_with(sandwich, "Below, we focus on the general linear").page == 2
    assert record_with(sandwich, "vcovHC(lmobj, omega = NULL").page == 5
    assert record_with(sandwich, "All the estimators mentioned above").page == 6
    french = docs["maint-guide-fr"]  # labels i, ii, 1, 2, 3
    assert record_with(french, "Copyright © 2010 Craig Small").page is None
    assert record_with(french, "Voici quelques observations").page == 1
    assert record_with(french, "Le paquet le plus important").page == 3


def test_paragraph_breaks_come_from_the_geometry(
    docs: dict[str, DocumentDraft],
) -> None:
    french = docs["maint-guide-fr"]
    # a short last line ending a sentence, a gap, then a line at the margin
    first = record_with(french, "Le paquet le plus important à installer")
    assert first.text.endswith("un environnement de compilation de base.")
    assert record_with(french, "Pour certaines catégories").text.startswith("Pour")
    # first-line indents in the two-column paper
    rcpp = docs["rcpp-introduction"]
    since = record_with(rcpp, "Since the beginning, and as we argue below")
    assert since.text.startswith("Since the beginning")


def test_list_items_are_records_of_their_own(docs: dict[str, DocumentDraft]) -> None:
    french = docs["maint-guide-fr"]
    item = record_with(french, "Nous sommes tous bénévoles.")
    assert item.text == "Nous sommes tous bénévoles."
    assert record_with(french, "La coopération amicale").text == (
        "La coopération amicale est la force motrice."
    )


def test_caption_is_kept_out_of_the_prose(docs: dict[str, DocumentDraft]) -> None:
    caption = record_with(docs["rcpp-introduction"], "Fig. 1. Graphical annotation")
    assert caption.text == "Fig. 1. Graphical annotation of the is_odd_cpp function."


def test_glyphs_without_characters_are_decoded_only_on_evidence() -> None:
    layout = read_layout(DATA / "timedep.pdf")
    draft = process(layout)
    # T1 ligature codes confirmed by the words they make: "Coe(cid:30)cients"
    assert draft.title == (
        "Using Time Dependent Covariates and Time Dependent Coefficients in the "
        "Cox Model"
    )
    record_with(draft, "This vignette covers 3 different but interrelated concepts:")
    # the bullets' code means nothing in T1: left out, and the curator told
    item = record_with(draft, "An introduction to time dependent covariates")
    assert item.text.endswith("some of the most common mistakes.")
    assert not [p for p in draft.paragraphs if "(cid:" in p.text]
    assert layout.warnings == [
        "5 character(s) without a text mapping were left out"
    ]  # bullets


def test_empty_user_password_opens(docs: dict[str, DocumentDraft]) -> None:
    assert docs["empty-password"].title.startswith("Econometric Computing")


def refused(path: Path) -> str:
    with pytest.raises(ExtractionError) as caught:
        read_layout(path)
    return str(caught.value)


def test_password_protected_pdf_is_refused_with_what_to_do() -> None:
    message = refused(DATA / "encrypted.pdf")
    assert message.startswith("encrypted.pdf: ") and "password" in message
    assert "save a copy without one" in message


def test_scanned_pdf_asks_for_ocr() -> None:
    message = refused(DATA / "scanned.pdf")
    assert "no text layer (scanned?)" in message and "ocrmypdf" in message


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    data = (DATA / "sandwich.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    assert "truncated" in refused(tmp_path / "cut.pdf")


def test_damaged_pdf_is_refused(tmp_path: Path) -> None:
    data = (DATA / "sandwich.pdf").read_bytes()
    damaged = data[:20] + bytes(len(data) - 2048) + data[-2028:]
    (tmp_path / "damaged.pdf").write_bytes(damaged)
    assert "damaged" in refused(tmp_path / "damaged.pdf")


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_text("just some text\n")
    assert refused(tmp_path / "notes.pdf") == (
        "notes.pdf: not a PDF file (it has no PDF header)"
    )


def test_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    assert "over the 2-page limit" in refused(DATA / "sandwich.pdf")


def test_the_ingest_command_takes_pdfs() -> None:
    assert ".pdf" in SUFFIXES


@pytest.mark.django_db
def test_ingest_command_reads_a_pdf_end_to_end(tmp_path: Path) -> None:
    source = tmp_path / "sandwich.pdf"
    source.write_bytes((DATA / "sandwich.pdf").read_bytes())
    out = StringIO()
    call_command("ingest", str(source), stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("sandwich.pdf: created — ")
    notes = Paragraph.objects.filter(kind="footnote").order_by("position")
    assert [(n.label, n.page) for n in notes] == [
        ("1", 5),
        ("2", 6),
        ("3", 6),
        ("4", 6),
        ("5", 6),
    ]


def test_accents_printed_over_their_letter_are_composed() -> None:
    # OT1 fonts print "ü" as "u" with a "¨" glyph over it; pdfminer reads "f¨ur".
    path = DATA / "lmtest-page1.pdf"
    text = " ".join(p.text for p in process(read_layout(path)).paragraphs)
    assert "Institut für Statistik" in text
    assert "Universität Erlangen-Nürnberg" in text
    assert not re.search("[\u00a8\u02c6\u02dc]", text)  # no accent left on its own
