"""The stages one by one, on small inputs: joins, notes, pages, kinds."""

from __future__ import annotations

import pytest

from corpus.ingestion.classify import is_boilerplate
from corpus.ingestion.notes import remove_numeric_markers
from corpus.ingestion.pipeline import continues, process
from corpus.ingestion.segment import Block, segment


@pytest.mark.parametrize(
    ("before", "after", "joined"),
    [
        ("the bedrock of that", "partnership is", True),  # ends mid-clause
        ("speaking as", "National Security advisor", True),  # capital after a break
        ("Aguilar and U.S.", "Homeland Security Czar", True),  # "and U.S." goes on
        ("the U.S.-", "Mexican border", True),  # compound cut at its hyphen
        ("goods,", "investments and services", True),  # comma
        ("1) the secure flow of people,", "2) the secure flow of goods", True),
        (
            "the business community.",
            "Things have also improved",
            False,
        ),  # new paragraph
        (
            "(CBC, 200",
            "With no foreseeable end",
            False,
        ),  # truncated, then new paragraph
        ("d’affaires.", "se sont aussi améliorées", False),  # a lost line, not a cut
        ("a list:", "• Create smart borders.", False),
        ("Selected Elements", "Source: Canadian Embassy", False),  # a caption
        ("Figure 1: The jocci series", "Not surprisingly, an", False),  # after one
        ("— gnupg — un outil (gpg(1)) ;", "— gpc — le compilateur", False),  # items
        ("R> summary(fit)", "the coefficients are", False),  # a session's output
        ("presented in Bonadonna et al.", "[7] which looked", True),  # a citation
    ],
)
def test_continues(before: str, after: str, joined: bool) -> None:
    assert continues(Block(lines=[before]), Block(lines=[after])) is joined


def test_markers_follow_the_note_sequence() -> None:
    texts = [
        "the region1. Of 2 votes",  # 1 is a marker, 2 is a number
        "capabilities.” 3 The 1947 Act 4 would",  # set apart, but next in line
        "nearly 310,0005 jobs",  # glued to a number
        "in 2003.3",  # 3 came already: a decimal-looking number stays
    ]
    assert remove_numeric_markers(texts, [1, 2, 3, 4, 5]) == [
        "the region. Of 2 votes",
        "capabilities.” The 1947 Act would",
        "nearly 310,000 jobs",
        "in 2003.3",
    ]


def test_markers_without_notes_need_a_plausible_sequence() -> None:
    texts = [
        "a NATO member.15 In 2002",
        "at the time.2 But",
        "fall of 2003.3",
        "$17.5 million",
    ]
    assert remove_numeric_markers(texts, []) == [
        "a NATO member. In 2002",
        "at the time. But",
        "fall of 2003.",
        "$17.5 million",
    ]


def test_page_numbers_anchor_every_page() -> None:
    text = (
        "First page text that runs on.\n\n 3 \n\n"
        "Second page starts here and it goes on.\n"
        " Third page, marked by a one-space indent, goes on too.\n"
        + "filler line\n"
        * 12
    )
    blocks, _ = segment(text.replace("filler line\n", "x" * 60 + "\n"))
    pages = {b.lines[0][:12]: b.page for b in blocks}
    assert pages["First page t"] == 2
    assert pages["Second page "] == 3


def test_footnote_numbers_in_sequence_become_notes() -> None:
    body = "A paragraph of the body that the page break cuts in the middle of its\n"
    text = (
        body * 8 + "sentence about the region1 and\n" + " " * 48 + "\n"
        "1 See Pastor, Robert. North America’s Second Decade.\n"
        "2 Ibid., p. 3.\n"
        " the rest of the sentence on the next page.\n"
    )
    records = process(text).paragraphs
    assert [(r.kind, r.label) for r in records] == [
        ("paragraph", ""),
        ("footnote", "1"),
        ("footnote", "2"),
    ]
    assert records[0].text.endswith(
        "about the region and the rest of the sentence on the next page."
    )


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("blog comments powered by Disqus", True),
        ('Click "Flag" to report abuse to the moderator.', True),
        ("addthis AddThis Privacy Policy", True),
        ("Welcome to the FOCAL archive", True),
        ("The archive of the Foreign Ministry was opened in 1990.", False),
        ("Comments on the draft treaty were invited from all parties.", False),
    ],
)
def test_boilerplate(text: str, dropped: bool) -> None:
    assert is_boilerplate(text) is dropped
