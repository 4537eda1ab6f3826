"""Typed blocks: the kinds a format asserts survive the shared stages."""

from __future__ import annotations

from corpus.ingestion.layout import Layout, TypedBlock
from corpus.ingestion.pipeline import process


def typed(kind: str, *lines: str, **fields: object) -> TypedBlock:
    return TypedBlock(kind=kind, lines=lines, **fields)  # type: ignore[arg-type]


def test_asserted_kinds_are_kept_and_shape_rules_do_not_guess() -> None:
    layout = Layout(
        blocks=[
            typed("heading", "A Study of Things", level=1),
            typed("heading", "Method", level=2),  # heading after heading: not a byline
            typed("paragraph", "Results"),  # heading-shaped, but the format says body
            typed("paragraph", "We used R for the model X2, release 4.2 *not* 4."),
            typed("footnote", "See the appendix.", label="1"),
        ],
        repairs=False,
        markers_resolved=True,
    )
    records = process(layout).paragraphs
    assert [(r.kind, r.text) for r in records] == [
        ("meta", "A Study of Things"),  # the first heading is the title matter
        ("heading", "Method"),
        ("paragraph", "Results"),
        ("paragraph", "We used R for the model X2, release 4.2 *not* 4."),
        ("footnote", "See the appendix."),
    ]
    assert records[3].section == "Method"
    assert records[4].label == "1"


def test_only_a_page_turn_joins_asserted_paragraphs() -> None:
    layout = Layout(
        blocks=[
            typed("heading", "Introduction", level=1),
            typed("paragraph", "the bedrock of that", page=1, page_index=0),
            typed("paragraph", "partnership is old.", page=2, page_index=1),
            typed("paragraph", "and this one starts", page=2, page_index=1),
            typed("paragraph", "lowercase on the same page.", page=2, page_index=1),
        ]
    )
    texts = [r.text for r in process(layout).paragraphs if r.kind == "paragraph"]
    assert texts == [
        "the bedrock of that partnership is old.",
        "and this one starts",
        "lowercase on the same page.",
    ]


def test_tables_and_preformatted_blocks_keep_their_lines() -> None:
    layout = Layout(
        blocks=[
            typed("table", "Package | Role", "dh-make | creates the skeleton"),
            typed("heading", "Usage", level=1),
            TypedBlock(
                kind="paragraph",
                lines=("$ make", "    cc -o a a.c", "", "done"),
                preformatted=True,
            ),
            typed("paragraph", "A line", "broken by the author."),
        ],
        repairs=False,
        markers_resolved=True,
    )
    records = process(layout).paragraphs
    assert [(r.kind, r.text) for r in records] == [
        # a table is content, never title matter
        ("paragraph", "Package | Role\ndh-make | creates the skeleton"),
        ("heading", "Usage"),
        ("paragraph", "$ make\n    cc -o a a.c\n\ndone"),
        ("paragraph", "A line broken by the author."),
    ]


def test_the_extractors_warnings_reach_the_draft() -> None:
    layout = Layout.from_text("One paragraph of text.")
    layout.warnings.append("3 character(s) without a text mapping were left out")
    assert process(layout).warnings == [
        "3 character(s) without a text mapping were left out"
    ]
