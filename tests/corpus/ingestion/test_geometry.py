"""The geometry stage on small hand-made pages: each test sets up the one piece
of evidence a rule acts on, and the counter-case where it must not act."""

from __future__ import annotations

from corpus.ingestion.geometry import to_blocks
from corpus.ingestion.layout import Layout, Line, Page, TypedBlock
from corpus.ingestion.pipeline import process

WIDTH, HEIGHT = 612.0, 792.0


def line(
    text: str, x0: float, top: float, size: float = 10.0, **fields: object
) -> Line:
    """A run whose width follows its text (half an em a character)."""
    x1 = fields.pop("x1", x0 + len(text) * size * 0.5)
    return Line(text, x0, x1, top, top + size, size, **fields)  # type: ignore[arg-type]


def page(*lines: Line, label: str = "") -> Page:
    return Page(lines=list(lines), label=label, width=WIDTH, height=HEIGHT)


def prose(top: float, *texts: str, x0: float = 72.0) -> list[Line]:
    """Lines of one paragraph, 12 pt apart."""
    return [line(t, x0, top + 12 * i) for i, t in enumerate(texts)]


def blocks(*pages: Page) -> list[TypedBlock]:
    return to_blocks(Layout(pages=list(pages), source_format="pdf")).blocks


def test_running_header_and_page_numbers_go_and_number_the_pages() -> None:
    pages = [
        page(
            line(f"{n}   A Study of Things", 72, 30),
            *prose(150, "The text of the page goes on here.", "And on."),
            line(f"Page {n} of 20", 280, 760),
        )
        for n in (3, 4, 5)
    ]
    result = blocks(*pages)
    expected = "The text of the page goes on here. And on."
    assert [b.text for b in result] == [expected] * 3
    assert [b.page for b in result] == [3, 4, 5]


def test_a_header_seen_once_is_text_unless_a_page_number_sits_beside_it() -> None:
    one = page(line("A Study of Things", 72, 30), *prose(100, "Body."))
    assert [b.text for b in blocks(one)][0] == "A Study of Things"
    numbered = page(
        line("A Study of Things", 72, 30), line("7", 530, 30), *prose(100, "Body.")
    )
    assert [(b.text, b.page) for b in blocks(numbered)] == [("Body.", 7)]


def test_a_title_set_large_stays_though_running_headers_repeat_it() -> None:
    # a JSS paper: the title at 17 pt on page 1, then "2   Title" at 10 pt on
    # top of the even pages
    first = page(
        line("Residual-Based Shadings", 150, 40, size=17.0),
        *prose(150, "The text of the first page goes on here.", "And on."),
    )
    later = [
        page(
            line(f"{n}   Residual-Based Shadings", 72, 30),
            *prose(150, f"The text of page {n} goes on here.", "And on."),
        )
        for n in (2, 4)
    ]
    texts = [b.text for b in blocks(first, *later)]
    assert texts.count("Residual-Based Shadings") == 1
    assert not [t for t in texts if t.startswith(("2 ", "4 "))]


def test_two_columns_are_read_left_then_right_under_a_full_width_title() -> None:
    lines = [line("A Title Across Both Columns Of The Page", 100, 40, size=20)]
    for i in range(8):
        top = 100 + 12 * i
        lines.append(line(f"left column line {i} with words", 50, top, x1=290))
        lines.append(line(f"right column line {i} with words", 320, top, x1=560))
    result = blocks(page(*sorted(lines, key=lambda ln: (ln.top, ln.x0))))
    assert result[0].kind == "heading"
    body = result[1].lines
    assert body[:8] == tuple(f"left column line {i} with words" for i in range(8))
    assert body[8:] == tuple(f"right column line {i} with words" for i in range(8))


def test_a_superscript_naming_a_note_is_its_marker() -> None:
    body = [
        line("We used the model X2, release 4.2", 72, 100, x1=300),
        line("3", 300, 97, size=7),  # smaller and raised: a marker
        line(" of Table 3 and R", 304, 100, x1=400),
        line("2", 400, 97, size=7),  # superscript, but no note 2: kept
        line(".", 404, 100, x1=407),
    ]
    note = [line("3", 72, 700, size=6), line("See the appendix.", 76, 702, size=8)]
    layout = to_blocks(Layout(pages=[page(*body, *note)], source_format="pdf"))
    assert layout.markers_resolved
    assert [(b.kind, b.label, b.text) for b in layout.blocks] == [
        ("paragraph", "", "We used the model X2, release 4.2 of Table 3 and R2."),
        ("footnote", "3", "See the appendix."),
    ]


def test_digits_at_body_size_are_never_markers() -> None:
    layout = to_blocks(
        Layout(
            pages=[page(*prose(100, "As in note 3 of Table 3."))],
            source_format="pdf",
        )
    )
    assert not layout.markers_resolved
    assert layout.blocks[0].text == "As in note 3 of Table 3."


def test_a_note_carried_to_the_next_page_joins_its_note() -> None:
    first = page(
        *prose(100, "The body of the first page, longer than its notes,", "ends."),
        line("1. A long note that does not end on this", 72, 700, size=8),
    )
    second = page(
        *prose(100, "The second page begins with a sentence that is long."),
        line("page but goes on at the foot of the next.", 72, 700, size=8),
    )
    result = blocks(first, second)
    assert [(b.kind, b.label) for b in result] == [
        ("paragraph", ""),
        ("footnote", "1"),
        ("paragraph", ""),
        ("footnote", ""),
    ]
    records = process(Layout(blocks=result)).paragraphs
    notes = [p for p in records if p.kind == "footnote"]
    assert [n.text for n in notes] == [
        "A long note that does not end on this page but goes on at the foot of "
        "the next."
    ]


def test_small_print_at_the_foot_without_a_mark_is_not_a_note() -> None:
    body = prose(100, "The body text of the page, set larger than the imprint.")
    result = blocks(page(*body, line("Printed in 2024.", 72, 700, 8)))
    assert [b.kind for b in result] == ["paragraph", "paragraph"]


def test_headings_by_size_and_weight_with_levels_by_size() -> None:
    result = blocks(
        page(
            line("Part One", 72, 60, size=18),
            line("1.1 A Section", 72, 100, size=14),
            *prose(130, "Some text of the section that runs on."),
            line("A bold title", 72, 170, bold=True),
            *prose(190, "More text."),
        )
    )
    assert [(b.kind, b.level, b.text) for b in result] == [
        ("heading", 1, "Part One"),
        ("heading", 2, "1.1 A Section"),
        ("paragraph", 0, "Some text of the section that runs on."),
        ("heading", 3, "A bold title"),
        ("paragraph", 0, "More text."),
    ]


def test_a_title_a_little_larger_than_the_text_is_a_heading_a_formula_is_not() -> None:
    # a JSS paper's run-in title: 12 pt italic over 10.9 pt text
    result = blocks(
        page(
            *[
                line(t, 72, 100 + 13 * i, size=10.9)
                for i, t in enumerate(
                    [
                        "The functions compute outer product estimators for models.",
                        "Their design is described in the following.",
                    ]
                )
            ],
            line("Estimating functions", 72, 150, size=12.0),
            line(
                "Whereas residuals are typically available as a measure.",
                72,
                172,
                size=10.9,
            ),
            line("M = Σ f(y, x) (10)", 200, 200, size=12.0),
            line(
                "This corresponds to the usual estimator of the meat.",
                72,
                228,
                size=10.9,
            ),
        )
    )
    kinds = {b.text: b.kind for b in result}
    assert kinds["Estimating functions"] == "heading"
    assert all(kind != "heading" for text, kind in kinds.items() if "Σ" in text)


def test_paragraph_breaks_and_line_ends_as_printed() -> None:
    full = 72 + 80 * 5.0  # the right edge of a full line (80 characters)
    result = blocks(
        page(
            line("The first paragraph was pre-", 72, 100, x1=full),
            line("pared with care and ends here.", 72, 112, x1=300),
            line("A second one starts at the margin", 72, 124, x1=full),
            line("after a short line; it goes on", 72, 136, x1=full),
            line("to the end.", 72, 148, x1=150),
            line("After a gap, a third.", 72, 180, x1=200),
            line("An indented fourth.", 90, 192, x1=200),
        )
    )
    assert [b.lines for b in result] == [
        ("The first paragraph was pre-", "pared with care and ends here."),
        (
            "A second one starts at the margin",
            "after a short line; it goes on",
            "to the end.",
        ),
        ("After a gap, a third.",),
        ("An indented fourth.",),
    ]


def test_tables_captions_and_figure_residue() -> None:
    result = blocks(
        page(
            *prose(100, "The results are in the table below."),
            line("Table 2. Counts by year", 72, 130),
            line("Year", 72, 150),
            line("Count", 200, 150),
            line("Share", 300, 150),
            line("2001", 72, 162),
            line("12", 200, 162),
            line("0.5", 300, 162),
            line("0", 72, 300),
            line("20", 150, 300),
            line("40", 230, 300),
            *prose(330, "The text goes on after the figure."),
        )
    )
    assert [(b.kind, b.lines) for b in result] == [
        ("paragraph", ("The results are in the table below.",)),
        ("caption", ("Table 2. Counts by year",)),
        ("table", ("Year\tCount\tShare",)),
        ("paragraph", ("The text goes on after the figure.",)),
    ]


def test_a_layout_without_geometry_is_left_alone() -> None:
    layout = Layout.from_text("a\nb")
    assert to_blocks(layout) is layout
