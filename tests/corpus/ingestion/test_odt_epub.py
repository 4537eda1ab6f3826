"""OpenDocument text and EPUB: the same structure as DOCX and HTML.

The files in ``tests/data/odt`` and ``tests/data/epub`` are pandoc's output for
the texts of the DOCX tests; small packages built here cover tracked changes,
spaces as ``text:s``, and an EPUB whose notes live in another document.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from corpus.ingestion.extract import ExtractionError, read_layout
from corpus.ingestion.pipeline import DocumentDraft, ParagraphDraft, process

DATA = Path(__file__).resolve().parents[2] / "data"
ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def record_with(draft: DocumentDraft, phrase: str) -> ParagraphDraft:
    found = [p for p in draft.paragraphs if phrase in p.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} records"
    return found[0]


def test_odt_headings_lists_table_and_notes() -> None:
    layout = read_layout(DATA / "odt" / "maint-guide-fr.odt")
    kinds = [(b.kind, b.level) for b in layout.blocks[:5]]
    assert kinds == [
        ("meta", 0),
        ("meta", 0),
        ("paragraph", 0),
        ("heading", 1),
        ("paragraph", 0),
    ]
    items = [b.text for b in layout.blocks if b.kind == "list_item"]
    assert items[0] == "Nous sommes tous bénévoles."
    table = next(b for b in layout.blocks if b.kind == "table")
    assert table.lines[0] == "Paquet | Rôle"
    guide = process(layout)
    notes = [(r.label, r.text[:30]) for r in guide.paragraphs if r.kind == "footnote"]
    assert notes == [
        ("1", "Ce document suppose que vous u"),
        ("2", "D’autres paquets plus spéciali"),
    ]
    assert record_with(guide, "facile à maintenir").text.endswith("facile à maintenir.")
    assert record_with(guide, "Pourquoi").text.count("Pourquoi ? Parce que") == 1


def odt(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            f"<office:document-content {ODF}><office:body><office:text>{body}"
            "</office:text></office:body></office:document-content>",
        )
    return path


def test_odt_tracked_changes_spaces_and_own_note_marks(tmp_path: Path) -> None:
    path = odt(
        tmp_path / "a.odt",
        "<text:tracked-changes><text:changed-region><text:deletion><text:p>viejo"
        "</text:p></text:deletion></text:changed-region></text:tracked-changes>"
        "<text:p>Dos<text:s text:c='2'/>espacios,\n   un<text:tab/>tabulador"
        "<text:line-break/>y una nota<text:note text:note-class='endnote'>"
        "<text:note-citation text:label='*'>*</text:note-citation><text:note-body>"
        "<text:p>Nota final.</text:p></text:note-body></text:note>.</text:p>"
        "<text:table-of-content><text:index-body><text:p>Índice 3</text:p>"
        "</text:index-body></text:table-of-content>",
    )
    blocks = read_layout(path).blocks
    assert [(b.kind, b.lines, b.label) for b in blocks] == [
        ("paragraph", ("Dos  espacios, un tabulador", "y una nota."), ""),
        ("footnote", ("Nota final.",), "*"),
    ]


def test_epub_spine_order_math_and_notes() -> None:
    book = process(read_layout(DATA / "epub" / "jinja-templates-en.epub"))
    assert book.title == "Template Designer Documentation"
    assert record_with(book, "loop counter").text == (
        "The loop counter grows as x^2 + y_i while the ratio (a + b)/2 stays below "
        "√(x) for every α ≤ β."
    )  # MathML, without its TeX annotation
    assert record_with(book, "∑").text == "∑_(i=1)^n x_i = 1"
    notes = {r.label: r.text for r in book.paragraphs if r.kind == "footnote"}
    assert notes["2"] == "The pipe is written |."
    assert not any("Contents" == r.text for r in book.paragraphs)  # nav.xhtml


def epub(path: Path, documents: dict[str, str]) -> Path:
    manifest = "".join(
        f'<item id="d{i}" href="{name}" media-type="application/xhtml+xml"/>'
        for i, name in enumerate(documents)
    )
    spine = "".join(f'<itemref idref="d{i}"/>' for i in range(len(documents)))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/book.opf"/></rootfiles></container>',
        )
        archive.writestr(
            "OEBPS/book.opf",
            f'<package xmlns="http://www.idpf.org/2007/opf"><manifest>{manifest}'
            f"</manifest><spine>{spine}</spine></package>",
        )
        for name, body in documents.items():
            archive.writestr(f"OEBPS/{name}", f"<html><body>{body}</body></html>")
    return path


def test_epub_notes_in_another_document(tmp_path: Path) -> None:
    path = epub(
        tmp_path / "b.epub",
        {
            "text/ch1.xhtml": '<h1>Uno</h1><p>Texto<a epub:type="noteref" '
            'href="../notes/n.xhtml#n1">1</a>.</p>',
            "notes/n.xhtml": '<aside epub:type="footnote" id="n1">'
            "<p>La nota.</p></aside>",
        },
    )
    blocks = read_layout(path).blocks
    assert [(b.kind, b.text, b.label) for b in blocks] == [
        ("heading", "Uno", ""),
        ("paragraph", "Texto.", ""),
        ("footnote", "La nota.", "1"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a.odt", "not an OpenDocument text (no content.xml)"),
        ("a.epub", "not an EPUB (no META-INF/container.xml)"),
    ],
)
def test_other_zips_are_refused(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.txt", "x")
    with pytest.raises(ExtractionError, match=re.escape(message)):
        read_layout(path)
