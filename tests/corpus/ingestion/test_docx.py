"""DOCX documents read with their structure, checked as a researcher reads them.

Two files made with pandoc from real texts (``tests/data/docx/README.md``), and
documents built here from hand-written WordprocessingML for what pandoc does
not write: localized style names, revisions, fields, text boxes, endnotes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from corpus.ingestion.extract import ExtractionError, read_layout
from corpus.ingestion.pipeline import DocumentDraft, ParagraphDraft, process

DATA = Path(__file__).resolve().parents[2] / "data" / "docx"
NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def draft(path: Path) -> DocumentDraft:
    return process(read_layout(path))


def record_with(draft: DocumentDraft, phrase: str) -> ParagraphDraft:
    found = [p for p in draft.paragraphs if phrase in p.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} records"
    return found[0]


def make_docx(path: Path, body: str, **parts: str) -> Path:
    """A minimal package: ``word/document.xml`` and any other ``word/`` part."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "word/document.xml",
            f"<w:document {NS}><w:body>{body}</w:body></w:document>",
        )
        for name, xml in parts.items():
            archive.writestr(f"word/{name}.xml", xml)
    return path


def p(text: str, style: str = "", extra: str = "") -> str:
    style = f'<w:pStyle w:val="{style}"/>' if style else ""
    props = f"<w:pPr>{style}{extra}</w:pPr>" if style or extra else ""
    return f"<w:p>{props}{text}</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


# ---------------------------------------------------------------------------
# Pandoc documents from real texts


@pytest.fixture(scope="module")
def guide() -> DocumentDraft:
    return draft(DATA / "maint-guide-fr.docx")


@pytest.fixture(scope="module")
def jinja() -> DocumentDraft:
    return draft(DATA / "jinja-templates-en.docx")


def test_title_matter_headings_and_sections(guide: DocumentDraft) -> None:
    kinds = [(r.kind, r.text) for r in guide.paragraphs[:5]]
    assert kinds == [
        ("meta", "Guide du nouveau responsable Debian"),  # Title style
        ("meta", "Chapitre 1. Partir du bon pied"),  # Subtitle style
        ("meta", "Josip Rodin"),  # pandoc's Author: the pipeline's byline
        ("heading", "Dynamique sociale de Debian"),
        (
            "paragraph",
            "Voici quelques observations sur la dynamique sociale de Debian, en "
            "espérant qu’elles puissent vous préparer à interagir avec Debian :",
        ),
    ]
    assert guide.title == "Guide du nouveau responsable Debian"
    assert guide.lang == "fr"
    build = record_with(guide, "build-essential")
    assert build.section == "Programmes nécessaires au développement"


def test_footnotes_are_records_and_their_marks_leave_the_body(
    guide: DocumentDraft,
) -> None:
    notes = [(r.label, r.text) for r in guide.paragraphs if r.kind == "footnote"]
    assert notes == [
        (
            "1",
            "Ce document suppose que vous utilisez un système Jessie ou plus récent.",
        ),
        (
            "2",
            "D’autres paquets plus spécialisés mais similaires existent aussi comme "
            "dh-make-perl, dh-make-php, etc.",
        ),
    ]
    # each note follows the paragraph citing it, in that paragraph's section
    sections = [r.section for r in guide.paragraphs if r.kind == "footnote"]
    assert sections == [
        "Dynamique sociale de Debian",
        "Programmes nécessaires au développement",
    ]
    body = record_with(guide, "facile à maintenir")
    assert body.text.endswith("techniquement correct et facile à maintenir.")
    assert record_with(guide, "paquets nécessaires").text.endswith("nécessaires.")


def test_french_spacing_and_list_items_unchanged(guide: DocumentDraft) -> None:
    # pandoc writes the NBSP before ":" "!" "?"; the pipeline makes it a space
    assert record_with(guide, "vrai rapport de bogue").text.startswith(
        "Quand vous recevrez un rapport de bogue (oui, un vrai rapport de bogue !), "
    )
    assert "Pourquoi ? Parce que" in record_with(guide, "Pourquoi").text
    items = [
        "Nous sommes tous bénévoles.",
        "La coopération amicale est la force motrice.",
    ]
    for item in items:
        assert record_with(guide, item).text == item  # one record per item


def test_table_is_one_block_out_of_the_paragraphs(guide: DocumentDraft) -> None:
    layout = read_layout(DATA / "maint-guide-fr.docx")
    tables = [b for b in layout.blocks if b.kind == "table"]
    assert [b.lines for b in tables] == [
        (
            "Paquet | Rôle",
            "dh-make | crée le squelette du paquet",
            "lintian | vérifie le paquet construit",
        )
    ]
    table = record_with(guide, "crée le squelette")
    assert "Rôle" in table.text and "vérifie le paquet" in table.text
    assert "dh-make" not in record_with(guide, "build-essential").text


def test_equations_are_readable_text(jinja: DocumentDraft) -> None:
    sentence = record_with(jinja, "loop counter")
    assert sentence.text == (
        "The loop counter grows as x^2 + y_i while the ratio (a + b)/2 stays below "
        "√(x) for every α ≤ β."
    )
    assert record_with(jinja, "∑").text == "∑_(i=1)^n x_i = 1"  # display math


def test_english_notes_headings_and_code(jinja: DocumentDraft) -> None:
    headings = [r.text for r in jinja.paragraphs if r.kind == "heading"]
    assert headings == ["Synopsis", "Math", "Filters", "Whitespace Control"]
    notes = {r.label: r.text for r in jinja.paragraphs if r.kind == "footnote"}
    assert notes["2"] == "The pipe is written |."
    assert "symbol and may" in record_with(jinja, "pipe symbol").text
    assert record_with(jinja, "striptags").text == "{{ name|striptags|title }}"


# ---------------------------------------------------------------------------
# Hand-written WordprocessingML

STYLES = f"""<w:styles {NS}>
<w:style w:type="paragraph" w:default="1" w:styleId="Standard"><w:name w:val="Standard"/></w:style>
<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="Überschrift 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Capitulo"><w:name w:val="Capítulo"/>
  <w:basedOn w:val="berschrift1"/></w:style>
<w:style w:type="paragraph" w:styleId="Seccion"><w:name w:val="Sección"/>
  <w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Titre"><w:name w:val="Titre"/></w:style>
<w:style w:type="paragraph" w:styleId="Vieta"><w:name w:val="Viñeta"/>
  <w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TDC1"><w:name w:val="toc 1"/></w:style>
<w:style w:type="character" w:styleId="berschrift1Zchn"><w:name w:val="Überschrift 1 Zchn"/></w:style>
</w:styles>"""

FOOTNOTES = f"""<w:footnotes {NS}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="7"><w:p><w:r><w:footnoteRef/></w:r>{r(" Véase la sección 5.")}</w:p></w:footnote>
<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r>{r(" Servidor de correo.")}</w:p>
  <w:p>{r("Segundo párrafo de la nota.")}</w:p></w:footnote>
<w:footnote w:id="9"><w:p>{r("Nota con marca propia.")}</w:p></w:footnote>
</w:footnotes>"""

ENDNOTES = f"""<w:endnotes {NS}>
<w:endnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>
<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r>{r(" Nota final.")}</w:p></w:endnote>
</w:endnotes>"""


def ref(kind: str, ident: str) -> str:
    return f'<w:r><w:{kind}Reference w:id="{ident}"/></w:r>'


UNUSUAL = "".join(
    [
        p(r("Referencia Debian"), "Titre"),
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        f"</w:docPartObj></w:sdtPr><w:sdtContent>{p(r('Índice'), 'TDC1')}"
        f"{p(r('6.1. Navegadores web 3'), 'TDC1')}</w:sdtContent></w:sdt>",
        p(r("Capítulo 6. Aplicaciones de red"), "Capitulo"),
        p(r("6.1. Navegadores web"), "Seccion"),
        p(
            r("Existen muchos")
            + "<w:del><w:r><w:delText>viejos </w:delText></w:r></w:del>"
            + f"<w:ins>{r(' paquetes de navegadores web')}</w:ins>"
            + ref("footnote", "7")
            + r(" para acceder al contenido remoto.")
        ),
        p(
            r("Consulte ")
            + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            + '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://www.debian.org" </w:instrText></w:r>'
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + r("el sitio de Debian")
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            + r(" y la ")
            + f'<w:hyperlink w:anchor="x">{r("sección de correo")}</w:hyperlink>'
            + ref("footnote", "3")
            + r(".")
            + "<w:r><w:rPr><w:vanish/></w:rPr><w:t>texto oculto</w:t></w:r>"
        ),
        p(
            r("Primera línea")
            + "<w:r><w:br/></w:r>"
            + r("segunda\u00a0línea")
            + '<w:r><w:tab/><w:t>tras un tabulador</w:t><w:sym w:font="Symbol" w:char="F0B3"/>'
            + "<w:t>2</w:t></w:r>"
            + '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="9"/><w:t>*</w:t></w:r>'
            + ref("endnote", "1")
        ),
        p(r("Un programa de correo"), "Vieta"),
        p(
            r("Otro elemento"),
            "",
            '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="5"/></w:numPr>',
        ),
        p(
            r("Ancla del cuadro.")
            + '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
            + p(r("Texto del cuadro."))
            + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
            + p(r("Texto del cuadro."))
            + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        ),
        "<w:tbl><w:tr><w:tc>"
        + p(r("paquete"))
        + "</w:tc><w:tc>"
        + p(r("tipo"))
        + "</w:tc></w:tr><w:tr><w:tc>"
        + p(r("mutt"))
        + "</w:tc><w:tc>"
        + p(r("texto"))
        + p(r("(consola)"))
        + "</w:tc></w:tr></w:tbl>",
    ]
)


@pytest.fixture
def unusual(tmp_path: Path) -> Path:
    return make_docx(
        tmp_path / "unusual.docx",
        UNUSUAL,
        styles=STYLES,
        footnotes=FOOTNOTES,
        endnotes=ENDNOTES,
    )


def test_localized_styles_and_chains(unusual: Path) -> None:
    blocks = read_layout(unusual).blocks
    assert [(b.kind, b.level, b.text) for b in blocks[:3]] == [
        ("meta", 0, "Referencia Debian"),  # "Titre" is French Word's Title
        ("heading", 1, "Capítulo 6. Aplicaciones de red"),  # based on Überschrift 1
        ("heading", 2, "6.1. Navegadores web"),  # outlineLvl 1, no heading name
    ]  # the table of contents is gone
    items = [b.text for b in blocks if b.kind == "list_item"]
    assert items == ["Un programa de correo", "Otro elemento"]


def test_revisions_fields_links_and_hidden_text(unusual: Path) -> None:
    records = draft(unusual)
    assert record_with(records, "Existen").text == (
        "Existen muchos paquetes de navegadores web para acceder al contenido remoto."
    )
    assert record_with(records, "Consulte").text == (
        "Consulte el sitio de Debian y la sección de correo."
    )


def test_breaks_tabs_symbols_and_text_boxes(unusual: Path) -> None:
    blocks = read_layout(unusual).blocks
    lines = next(b.lines for b in blocks if b.text.startswith("Primera"))
    assert lines == ("Primera línea", "segunda\u00a0línea tras un tabulador≥2")
    assert [b.text for b in blocks].count("Texto del cuadro.") == 1
    table = next(b for b in blocks if b.kind == "table")
    assert table.lines == ("paquete | tipo", "mutt | texto (consola)")


def test_notes_numbered_as_word_shows_them(unusual: Path) -> None:
    notes = [
        (b.label, b.lines) for b in read_layout(unusual).blocks if b.kind == "footnote"
    ]
    assert notes == [
        ("1", ("Véase la sección 5.",)),  # id 7, referenced first
        ("2", ("Servidor de correo.", "Segundo párrafo de la nota.")),
        ("*", ("Nota con marca propia.",)),  # customMarkFollows: the mark is "*"
        ("i", ("Nota final.",)),  # endnotes count apart, lower-case roman
    ]
    assert "*" not in record_with(draft(unusual), "Primera").text


def test_settings_choose_the_note_number_format(tmp_path: Path) -> None:
    settings = (
        f'<w:settings {NS}><w:endnotePr><w:numFmt w:val="decimal"/></w:endnotePr>'
        "</w:settings>"
    )
    path = make_docx(
        tmp_path / "n.docx",
        p(r("Texto.") + ref("endnote", "1")),
        endnotes=ENDNOTES,
        settings=settings,
    )
    assert [b.label for b in read_layout(path).blocks if b.kind == "footnote"] == ["1"]


def test_old_text_callers_still_get_text(unusual: Path) -> None:
    from corpus.ingestion.extract import read_text

    assert "Capítulo 6. Aplicaciones de red" in read_text(unusual)


# ---------------------------------------------------------------------------
# Refusals


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 not really a zip")
    return path


def not_word(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.txt", "x")
    return path


def bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a>" + b" " * (50 * 2**20) + b"</a>")
    return path


def raw_docx(xml: bytes):
    def build(path: Path) -> Path:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", xml)
        return path

    return build


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><w:document>&lol2;</w:document>'
)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (not_a_zip, "not a readable Word (.docx) file"),
        (not_word, "not a Word document (the package has no word/document.xml)"),
        (bomb, "possible zip bomb"),  # 50 MB of spaces in 50 kB
        (raw_docx(LAUGHS), "declares XML entities; refused"),  # billion laughs
        (raw_docx(b"<w:document"), "is not well-formed XML"),
        (lambda path: make_docx(path, p("")), "the document has no text"),
    ],
)
def test_unusable_documents_are_refused_with_a_reason(
    tmp_path: Path, build, message: str
) -> None:
    with pytest.raises(ExtractionError, match=re.escape(message)):
        read_layout(build(tmp_path / "bad.docx"))


def test_deeply_nested_runs_are_refused_not_a_traceback(tmp_path: Path) -> None:
    deep = "<w:hyperlink>" * 3000 + r("x") + "</w:hyperlink>" * 3000
    path = make_docx(tmp_path / "deep.docx", f"<w:p>{deep}</w:p>")
    with pytest.raises(ExtractionError, match="nested too deeply"):
        read_layout(path)
