"""HTML pages read for their main content, checked as a researcher reads them.

The pages in ``tests/data/html`` are real manuals from Debian packages (see its
README): DocBook chapters with a navigation header and footer, a table of
contents and footnotes (French, Spanish; one re-encoded as ISO-8859-1), Sphinx
pages with sidebars and docutils footnotes, and pandoc's HTML. Small pages
written here cover what those do not: link-only menus, banners, comments.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.ingestion.extract import ExtractionError, read_layout
from corpus.ingestion.layout import Layout
from corpus.ingestion.pipeline import DocumentDraft, ParagraphDraft, process

DATA = Path(__file__).resolve().parents[2] / "data" / "html"


def draft(name: str) -> DocumentDraft:
    return process(read_layout(DATA / name))


def record_with(draft: DocumentDraft, phrase: str) -> ParagraphDraft:
    found = [p for p in draft.paragraphs if phrase in p.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} records"
    return found[0]


def absent(draft: DocumentDraft, *phrases: str) -> None:
    for phrase in phrases:
        assert not [p.text for p in draft.paragraphs if phrase in p.text], phrase


def page(tmp_path: Path, body: str, head: str = "") -> Layout:
    path = tmp_path / "page.html"
    path.write_text(
        f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    )
    return read_layout(path)


def kinds(layout: Layout) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in layout.blocks]


# ---------------------------------------------------------------------------
# DocBook (maint-guide, French)


@pytest.fixture(scope="module")
def start() -> DocumentDraft:
    return draft("maint-guide-start.fr.html")


def test_docbook_navigation_and_contents_are_dropped(start: DocumentDraft) -> None:
    absent(
        start,
        "Table des matières",  # the chapter's table of contents
        "Précédent",  # navheader image links
        "Sommaire",
        "Chapitre 2. Premiers pas",  # the navfooter's "next" title
    )
    headings = [r.text for r in start.paragraphs if r.kind == "heading"]
    assert headings == [
        "Chapitre 1. Partir du bon pied",  # a chapter's heading is no title matter
        "1.1. Dynamique sociale de Debian",
        "1.2. Programmes nécessaires au développement",
        "1.3. Documentation nécessaire au développement",
        "1.4. Où demander de l'aide",
    ]  # each once: the contents entries are gone
    assert start.title == "Chapitre 1. Partir du bon pied"


def test_docbook_footnotes_labelled_and_markers_gone(start: DocumentDraft) -> None:
    notes = [(r.label, r.text[:40]) for r in start.paragraphs if r.kind == "footnote"]
    assert notes == [
        ("1", "Ce document suppose que vous utilisez un"),
        ("2", "Vous pouvez apprendre les bases du systè"),
        ("3", "D'autres paquets plus spécialisés mais s"),
    ]
    marked = record_with(start, "will be dropped in the following releases")
    assert marked.text.endswith("since contents are getting outdated.")
    assert not any("[1]" in r.text for r in start.paragraphs)


def test_french_text_and_nested_lists_unchanged(start: DocumentDraft) -> None:
    # NBSP before ":" and inside « » becomes a plain space (documented policy)
    assert record_with(start, "Une chose est sûre").text.startswith(
        "Une chose est sûre, cependant : créer et maintenir correctement"
    )
    assert record_with(start, "Section 1.4").text == (
        "Si vous avez besoin d'aide sur l'empaquetage, veuillez consulter "
        "Section 1.4, « Où demander de l'aide »."
    )
    # an item and the list nested in it are separate records
    assert record_with(start, "Nous sommes tous").text == "Nous sommes tous bénévoles."
    assert record_with(start, "forcer les autres").text == (
        "Vous ne pouvez pas forcer les autres à faire quoi que ce soit."
    )
    assert (
        record_with(start, "1.4. Où demander").section == "1.4. Où demander de l'aide"
    )


def test_declared_latin1_page_is_decoded() -> None:
    upload = draft("maint-guide-upload.fr.latin1.html")
    assert record_with(upload, "testé en détail").text == (
        "Maintenant que votre nouveau paquet a été testé en détail, vous voulez le "
        "publier sur une archive publique afin de le partager."
    )
    # windows-1252's curly apostrophe (0x92), as browsers read "ISO-8859-1"
    assert "d’origine" in record_with(upload, "relatifs à Ubuntu").text
    labels = [r.label for r in upload.paragraphs if r.kind == "footnote"]
    assert labels == ["82", "83", "84", "85", "86"]
    # a note that is only a link is still the note (no link-density drop)
    assert record_with(upload, "Envois de paquets").kind == "footnote"


# ---------------------------------------------------------------------------
# DocBook (debian-reference, Spanish): tables and captions


def test_tables_are_blocks_with_cells_and_captions() -> None:
    layout = read_layout(DATA / "debian-reference-ch08.es.html")
    captions = [b.text for b in layout.blocks if b.kind == "caption"]
    assert captions[0] == "Tabla 8.1. Lista de IBus y sus paquetes"
    table = next(b for b in layout.blocks if b.kind == "table")
    assert table.lines[:2] == (
        "paquete | popularidad | tamaño | soporte de la configuración regional",
        "ibus | V:161, I:204 | 1637 | infraestructura de método de entrada "
        "utilizando dbus",
    )
    records = process(layout)
    table_record = record_with(records, "ibus | V:161")  # its own record
    assert table_record.text.startswith("paquete | popularidad | tamaño")
    # an admonition's layout table is read as text, not as a data table
    assert not any(b.text.startswith("Sugerencia |") for b in layout.blocks)


def test_pre_is_one_verbatim_block() -> None:
    layout = read_layout(DATA / "debian-reference-ch08.es.html")
    diagram = next(b for b in layout.blocks if b.text.startswith("Keyboard"))
    assert (
        diagram.lines[0] == "Keyboard                                       Application"
    )
    assert diagram.lines[3].startswith("   +-> Linux kernel ->  Input method (ibus)")


# ---------------------------------------------------------------------------
# Sphinx (alabaster and basic themes)


def test_sphinx_sidebar_related_bar_and_footer_are_dropped() -> None:
    quickstart = draft("sphinx-quickstart.html")
    absent(quickstart, "Navigation", "On this page", "Quick search", "Copyright", "¶")
    assert quickstart.title == "Getting Started"
    notes = [r for r in quickstart.paragraphs if r.kind == "footnote"]
    assert [n.label for n in notes] == ["1"]
    assert notes[0].text.startswith("This is the usual layout. However, conf.py")
    assert record_with(quickstart, "builds your documentation").text.endswith(
        "Sphinx reads your sources and builds your documentation."
    )


def test_sphinx_code_blocks_and_headings() -> None:
    layout = read_layout(DATA / "jinja-tricks.html")
    assert [b.text for b in layout.blocks if b.kind == "heading"] == [
        "Tips and Tricks",
        "Null-Default Fallback",
        "Alternating Rows",
        "Highlighting Active Menu Items",
        "Accessing the parent Loop",
    ]
    code = next(b for b in layout.blocks if b.text.startswith("{% if not standalone"))
    assert code.lines[-2:] == ("  <p>This is the page body.</p>", "{% endblock %}")
    assert "Contents" not in [b.text for b in layout.blocks]


# ---------------------------------------------------------------------------
# Pandoc's HTML: a title block and endnotes


def test_pandoc_title_block_and_endnotes() -> None:
    guide = draft("maint-guide-fr.pandoc.html")
    assert [r.kind for r in guide.paragraphs[:4]] == ["meta", "meta", "meta", "heading"]
    notes = {r.label: r.text for r in guide.paragraphs if r.kind == "footnote"}
    assert notes == {
        "1": "Ce document suppose que vous utilisez un système Jessie ou plus récent.",
        "2": "D’autres paquets plus spécialisés mais similaires existent aussi "
        "comme dh-make-perl, dh-make-php, etc.",
    }  # the "↩︎" back-links are gone
    assert record_with(guide, "facile à maintenir").text.endswith("facile à maintenir.")


# ---------------------------------------------------------------------------
# Small pages: what the manuals above do not have


def test_menus_banners_comments_and_share_buttons_are_dropped(tmp_path: Path) -> None:
    layout = page(
        tmp_path,
        '<div class="cookie-banner">We use cookies. <a href="/ok">Accept</a></div>'
        '<div><a href="/">Home</a> | <a href="/up">Up</a> | <a href="/n">Next</a></div>'
        "<article><header><h1>Border Security</h1><p>By A. Author</p></header>"
        "<p>Cooperation &amp; trust grew after 2001.<br>A second line.</p>"
        '<ul class="share"><li><a href="/t">Tweet</a></li></ul>'
        "<footer>Tags: security</footer></article>"
        '<section id="comments"><p>Great post!</p></section>'
        '<div class="sidebar"><p>About me</p></div>',
    )
    assert kinds(layout) == [
        ("heading", "Border Security"),
        ("paragraph", "By A. Author"),
        ("paragraph", "Cooperation & trust grew after 2001. A second line."),
    ]
    assert layout.blocks[2].lines == (
        "Cooperation & trust grew after 2001.",
        "A second line.",
    )


def test_whitespace_items_definitions_and_unresolved_markers(tmp_path: Path) -> None:
    layout = page(
        tmp_path,
        "<p>  One\n   <em>two</em>  three&nbsp;: four<sup>2</sup> </p>"
        "<ul><li><p>An item</p><p>in two paragraphs.</p><ul><li>Nested</li></ul></li>"
        "<li>Plain item</ul>"
        "<dl><dt>--force</dt><dd><p>Do it anyway.</p></dd></dl>",
    )
    assert kinds(layout) == [
        ("paragraph", "One two three\u00a0: four2"),  # no target: "2" is the author's
        ("list_item", "An item in two paragraphs."),
        ("list_item", "Nested"),
        ("list_item", "Plain item"),
        ("list_item", "--force"),
        ("paragraph", "Do it anyway."),
    ]


def test_deep_nesting_is_read_flat_with_a_warning(tmp_path: Path) -> None:
    layout = page(tmp_path, "<div>" * 5000 + "<p>Deep text.</p>" + "</div>" * 5000)
    assert kinds(layout) == [("paragraph", "Deep text.")]
    assert layout.warnings and "nested too deep" in layout.warnings[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # only navigation and scripts
        (
            b"<html><body><nav><a href='/'>Home</a></nav>"
            b"<script>x()</script></body></html>",
            "the file has no text",
        ),
        # a page that declares a charset its bytes are not in
        (b'<meta charset="utf-8"><p>caf\xe9</p>', "not UTF-8 text"),
        (b'<meta charset="shift_jis"><p>\x82\xa0\xff\xff</p>', "declares shift_jis"),
    ],
)
def test_unusable_pages_are_refused_with_a_reason(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(data)
    with pytest.raises(ExtractionError, match=re.escape(message)):
        read_layout(path)


def test_html_without_suffix_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "page.php"
    path.write_bytes(b"<!DOCTYPE html><nav>Menu</nav><h2>Obstacles</h2><p>Text.</p>")
    assert kinds(read_layout(path)) == [
        ("heading", "Obstacles"),
        ("paragraph", "Text."),
    ]


def test_a_page_without_article_loses_menus_by_their_links(tmp_path: Path) -> None:
    layout = page(
        tmp_path,
        '<div class="breadcrumb"><a href="/">Home</a> » <a href="/d">Docs</a></div>'
        '<table><tr><td><a href="p.html">Prev</a></td><td><a href="u.html">Up</a>'
        '</td><td><a href="n.html">Next</a></td></tr></table>'
        "<h2>Mexico and Canada</h2><p>Security relations remain weak.</p>"
        '<p>See <a href="/a">the 2005 SPP report</a> and '
        '<a href="/b">its review</a>.</p>'
        '<ul><li><a href="/x">Related post one</a></li><li><a href="/y">Another</a>'
        "</li></ul>"
        '<div id="disqus_thread"><p>12 comments</p></div>',
    )
    assert kinds(layout) == [
        ("heading", "Mexico and Canada"),
        ("paragraph", "Security relations remain weak."),
        ("paragraph", "See the 2005 SPP report and its review."),  # two links: kept
    ]


def test_notes_in_an_article_footer_are_kept(tmp_path: Path) -> None:
    layout = page(
        tmp_path,
        '<article><p>A claim.<sup><a href="#fn1" id="r1">1</a></sup></p>'
        '<footer><ol class="footnotes"><li id="fn1">The source. <a href="#r1">↩</a>'
        "</li></ol><p>Tags: x</p></footer></article>",
    )
    assert [(b.kind, b.text, b.label) for b in layout.blocks] == [
        ("paragraph", "A claim.", ""),
        ("footnote", "The source.", "1"),
    ]


# DocBook XSL writes a qandaset as a table whose rows say what they hold, and an
# epigraph as a "Block quote" table: both lay text out, neither holds data.
_QANDASET = """<h1>Chapitre 3. Foire aux questions</h1>
<table border="0" class="blockquote" summary="Block quote"><tr><td> </td>
<td><p>« Quel... est ton nom ? »</p><p>« Arthur, roi des Anglais. »</p></td></tr>
</table>
<div class="qandaset"><table border="0"><tbody>
<tr class="question"><td><p><strong>3.1.</strong></p></td>
<td><p>Comment trouver un paquet par son nom exact ?</p></td></tr>
<tr class="answer"><td></td><td><p>Le motif « ^nom$ » correspond au paquet nommé
nom.</p><p>Par exemple, tapez ^apt$ pour apt.</p></td></tr>
<tr class="question"><td><p><strong>3.2.</strong></p></td>
<td><p>Comment trouver les paquets cassés ?</p></td></tr>
<tr class="answer"><td></td><td><p>Utilisez Rechercher les cassés (b).</p></td></tr>
</tbody></table></div>"""


def test_a_docbook_faq_keeps_questions_as_headings_and_answers_apart(
    tmp_path: Path,
) -> None:
    result = process(page(tmp_path, _QANDASET))
    question = record_with(result, "Comment trouver les paquets cassés ?")
    assert (question.kind, question.text) == (
        "heading",
        "3.2. Comment trouver les paquets cassés ?",
    )
    answer = record_with(result, "Rechercher les cassés (b).")
    assert answer.section == question.text
    first = record_with(result, "correspond au paquet nommé nom.")
    assert "Par exemple" not in first.text  # an answer's two paragraphs
    assert "|" not in first.text


def test_an_epigraph_table_keeps_its_lines_apart(tmp_path: Path) -> None:
    result = process(page(tmp_path, _QANDASET))
    assert record_with(result, "« Quel... est ton nom ? »").text == (
        "« Quel... est ton nom ? »"
    )


def test_a_data_table_with_one_paragraph_per_cell_stays_a_table(
    tmp_path: Path,
) -> None:
    body = (
        "<h1>Packages</h1><p>The sizes of the two packages are these.</p>"
        "<table><tr><th><p>name</p></th><th><p>size</p></th></tr>"
        "<tr><td><p>gloss</p></td><td><p>12 kB</p></td></tr>"
        "<tr><td><p>whoosh</p></td><td><p>40 kB</p></td></tr></table>"
    )
    result = process(page(tmp_path, body))
    assert record_with(result, "gloss").text.count("|") >= 2
