"""Shapes of plain-text documents (READMEs, mail threads, text dumps of
manuals) that the shared text stages must read: quotations set off with "#",
lettered lists, mail attributions, setext titles wrapped over two lines,
bulleted items, URLs broken at a line end, contents lists and the titles above.

Every text here is made up, in the shape of a real file of the development set.
"""

from __future__ import annotations

from corpus.ingestion.layout import HEADING, PARAGRAPH, Layout, TypedBlock
from corpus.ingestion.pipeline import process


def _records(text: str) -> list[tuple[str, str]]:
    return [(r.kind, r.text) for r in process(text).paragraphs]


def test_a_quotation_set_off_with_hashes_is_one_literal_block_not_headings() -> None:
    text = (
        "Answers\n=======\n\n"
        "The standard puts it that way\n\n"
        "# A rule applies at every level of\n"
        "# a pointer, subject to these rules:\n"
        "#  - the types are similar.\n\n"
        "It is the last rule that your code breaks.\n"
    )
    records = process(text).paragraphs
    quoted = [r for r in records if r.text.startswith("#")]
    # one record, kept as printed (the "#" and the line breaks are the source's)
    assert [(r.kind, r.text) for r in quoted] == [
        (
            "paragraph",
            "# A rule applies at every level of\n"
            "# a pointer, subject to these rules:\n"
            "# - the types are similar.",  # runs of spaces are one, as everywhere
        )
    ]
    # and the paragraph after it is still in the section above it
    assert records[-1].section == "Answers"


def test_a_root_prompt_next_to_a_user_prompt_is_no_heading() -> None:
    text = (
        "Conventions\n-----------\n\n"
        "Commands are shown this way:\n\n"
        "# command-as-root\n$ command-as-user\n\n"
        "These prompts tell the accounts apart.\n"
    )
    records = process(text).paragraphs
    assert [r.text for r in records if r.kind == "heading"] == ["Conventions"]
    assert records[-1].section == "Conventions"
    assert ("paragraph", "# command-as-root") in _records(text)


def test_a_lone_hash_line_is_still_a_markdown_heading() -> None:
    text = (
        "The tool reads files.\n\n# Overview\n\nIt prints a summary of what it read.\n"
    )
    assert _records(text)[1] == ("heading", "Overview")


def test_lettered_items_after_a_colon_are_records_of_their_own() -> None:
    text = (
        "Your choices are to:\n"
        "  a) Leave the callbacks alone, or keep them short.\n"
        "  b) Build the library again with the right flags (you need\n"
        "     to turn them on by hand)\n"
        "  c) switch the mechanism off (a poor choice)\n"
    )
    assert [t for _, t in _records(text)] == [
        "Your choices are to:",
        "a) Leave the callbacks alone, or keep them short.",
        "b) Build the library again with the right flags (you need to turn them"
        " on by hand)",
        "c) switch the mechanism off (a poor choice)",
    ]


def test_a_letter_with_a_parenthesis_inside_a_sentence_stays_in_it() -> None:
    text = (
        "The three cases are covered in turn, and the one marked\n"
        "a) below is the common one.\n"
    )
    assert len(_records(text)) == 1


def test_a_mail_attribution_opens_the_quoted_answer() -> None:
    text = (
        "The code builds with release 2.7 and gives the right answer,\n"
        "but it fails to link with the compiler of release 2.95.2.\n"
        "Ann Lee <ann@example.org> responded:\n\n"
        "All of them are right.\n"
    )
    assert [t for _, t in _records(text)] == [
        "The code builds with release 2.7 and gives the right answer, but it"
        " fails to link with the compiler of release 2.95.2.",
        "Ann Lee <ann@example.org> responded:",
        "All of them are right.",
    ]


def test_a_setext_heading_wrapped_over_two_lines_is_one_heading() -> None:
    text = (
        "ld: linking a program with a static library in the wrong order\n"
        "    gives undefined symbols\n"
        "--------------------------------------------------------------\n\n"
        "It is the order that matters.\n"
    )
    records = process(text).paragraphs
    title = (
        "ld: linking a program with a static library in the wrong order"
        " gives undefined symbols"
    )
    assert [(r.kind, r.text) for r in records][0] == ("heading", title)
    assert records[1].section == title


def test_the_one_top_level_heading_that_opens_a_text_is_its_title() -> None:
    text = (
        "Reporting Problems with the Widget Compiler\n"
        "===========================================\n\n"
        "Before you write\n----------------\n\nRead this first.\n\n"
        "Where to write\n--------------\n\nTo the list.\n"
    )
    assert process(text).title == "Reporting Problems with the Widget Compiler"


def test_bulleted_items_ending_in_a_semicolon_stay_apart() -> None:
    text = (
        "The project makes an operating system.\n\n"
        "Its releases are known for:\n\n"
        "  * a commitment to free software ;\n\n"
        "  * Focus on smooth upgrades to the latest packages\n"
        "    in the testing archive\n\n"
        "  * support for many architectures.\n"
    )
    assert [t for _, t in _records(text)][1:] == [
        "Its releases are known for:",
        "a commitment to free software ;",
        "Focus on smooth upgrades to the latest packages in the testing archive",
        "support for many architectures.",
    ]


def test_a_url_broken_after_its_scheme_is_joined_without_a_space() -> None:
    text = (
        "The guides of the documentation project are all on the web at http://\n"
        "tldp.org/ for anyone who wants to read them.\n"
    )
    assert _records(text) == [
        (
            "paragraph",
            "The guides of the documentation project are all on the web at"
            " http://tldp.org/ for anyone who wants to read them.",
        )
    ]


_PREFACE = (
    "Préface\n\n"
    "Table des matières\n\n"
    "1. Avertissement\n"
    "2. Ce qu’est le projet\n"
    "3. À propos de ce document\n"
    "    3.1. Règles\n"
    "    3.2. Exigences\n"
    "4. Quelques citations pour finir\n\n"
    "Ce guide donne un large aperçu de l’administration d’un système.\n\n"
    "1. Avertissement\n\n"
    "Toute garantie est rejetée.\n"
)


def test_a_contents_list_goes_up_to_its_last_entry_the_text_follows() -> None:
    texts = [t for _, t in _records(_PREFACE)]
    # the last entry is in the list's group (no blank line above it), though
    # a paragraph follows it; the contents title goes with the list
    assert "4. Quelques citations pour finir" not in texts
    assert "Table des matières" not in texts
    assert texts.count("1. Avertissement") == 1


def test_the_title_above_a_contents_list_is_kept_and_names_the_text() -> None:
    document = process(_PREFACE)
    assert document.paragraphs[0].text == "Préface"
    assert document.title == "Préface"


def test_a_book_part_heading_that_opens_a_document_names_it() -> None:
    layout = Layout(
        blocks=[
            TypedBlock(kind=HEADING, lines=("Preface",), level=2),
            TypedBlock(kind=PARAGRAPH, lines=("This book is about systems.",)),
            TypedBlock(kind=HEADING, lines=("1. What it is",), level=2),
            TypedBlock(kind=PARAGRAPH, lines=("It is a free system.",)),
        ],
        source_format="html",
    )
    document = process(layout)
    # "Preface" opens the text (it stays a heading) and names the chapter file
    assert document.paragraphs[0].kind == "heading"
    assert document.title == "Preface"


def test_a_tables_caption_in_another_language_is_no_section_heading() -> None:
    blocks = [
        "El programa se inicia en el modo normal.",
        "1.4.8. Usando el editor",
        "El editor se inicia en el modo normal, como los demás.",
        "Tabla 1.16. Lista de órdenes básicas del editor",
        "| modo   | acción          |\n| normal | abrir un archivo |",
        "Por favor use el tutorial para aprender el editor.",
    ]
    text = "\n\n".join(blocks) + "\n"
    records = process(text).paragraphs
    assert [r.text for r in records if r.kind == "heading"] == [
        "1.4.8. Usando el editor"
    ]
    assert records[-1].section == "1.4.8. Usando el editor"


# pandoc -t plain of a DocBook page: the page title, its contents (the section
# titles, unnumbered), then each title over its text; one text opens with a
# command name in lower case.
_PANDOC_PAGE = """Llaves GPG: Entender y gestionar la confianza de los paquetes.

Entender la confianza

Confiar en llaves adicionales

La habilidad de apt de acceder a múltiples fuentes de paquetes conduce a
una potencial vulnerabilidad de seguridad.

Entender la confianza

apt permite al administrador de un archivo dotar de una firma al índice
del archivo.

Confiar en llaves adicionales

Puede encontrar útil que apt confié en archivos externos.
"""


def test_unnumbered_contents_go_and_the_titles_they_announce_stay_headings() -> None:
    # the page title opens the records (a heading, or title matter: meta)
    assert _records(_PANDOC_PAGE)[1:] == [
        (
            "paragraph",
            "La habilidad de apt de acceder a múltiples fuentes de paquetes conduce"
            " a una potencial vulnerabilidad de seguridad.",
        ),
        ("heading", "Entender la confianza"),
        (
            "paragraph",
            "apt permite al administrador de un archivo dotar de una firma"
            " al índice del archivo.",
        ),
        ("heading", "Confiar en llaves adicionales"),
        ("paragraph", "Puede encontrar útil que apt confié en archivos externos."),
    ]
    assert process(_PANDOC_PAGE).title.startswith("Llaves GPG")


def test_a_running_header_pair_repeated_together_is_no_contents() -> None:
    text = (
        "Guide Title\n\nChapter One\n\nThe first page of text ends here.\n\n"
        "Guide Title\n\nChapter One\n\nThe second page of text ends here.\n"
    )
    texts = [t for _, t in _records(text)]
    assert "Guide Title" not in texts and "Chapter One" not in texts


_ADMONITION = """Afortunadamente, apt tiene defensas incorporadas.

+:---------------------------------:+:----------------------------------+
| [[Aviso]]                         | Aviso                             |
+-----------------------------------+-----------------------------------+
|                                   | Los mecanismos de seguridad de    |
|                                   | apt proporcionan una garantía     |
|                                   | casi perfecta. Aun así, no        |
|                                   | son perfectos.                    |
|                                   |                                   |
|                                   | Asegurando que solo pueda         |
|                                   | instalar desde una fuente firmada |
|                                   | le dará un alto grado de          |
|                                   | protección.                       |
+-----------------------------------+-----------------------------------+

  -----------------------------------------
  [[untrusted packages/versions warning]]
  -----------------------------------------

Confiar en llaves adicionales.

  ---------- ------
  paquete    tamaño
  apt        1 MB
  ---------- ------
"""


def test_a_pandoc_grid_table_around_prose_is_read_cell_by_cell() -> None:
    texts = [t for _, t in _records(_ADMONITION)]
    assert (
        "Los mecanismos de seguridad de apt proporcionan una garantía casi perfecta."
        " Aun así, no son perfectos." in texts
    )
    assert (
        "Asegurando que solo pueda instalar desde una fuente firmada le dará un"
        " alto grado de protección." in texts
    )
    assert not [t for t in texts if "[[" in t or "+---" in t or "| " in t]


def test_a_pandoc_data_table_is_left_as_it_is() -> None:
    # short cells are data: read row by row as printed, not column by column
    joined = "\n".join(t for _, t in _records(_ADMONITION))
    assert "paquete tamaño apt 1 MB" in joined
