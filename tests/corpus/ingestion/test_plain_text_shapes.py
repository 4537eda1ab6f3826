"""Shapes of plain-text documents (READMEs, mail threads, text dumps of
manuals) that the shared text stages must read: quotations set off with "#",
lettered lists, mail attributions, setext titles wrapped over two lines.

Every text here is made up, in the shape of a real file of the development set.
"""

from __future__ import annotations

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
