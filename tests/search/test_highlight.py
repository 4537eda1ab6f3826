"""Gloss's own highlighter (search/highlight.py): excerpts of long records,
escaping, and what is marked."""

from __future__ import annotations

import re
from html import unescape

import pytest

from search import query as q
from search.highlight import EXCERPT_CHARS, WHOLE_TEXT_CHARS, Marker, highlight_html

FILLER = "the border agency met again in spring " * 20  # 760 characters


def marker(query: str) -> Marker:
    return Marker.from_node(q.parse(query))


def plain(html: str) -> str:
    """The text shown, marks and escapes undone."""
    return unescape(re.sub(r"</?mark[^>]*>", "", html))


def test_a_long_record_becomes_an_excerpt_around_the_match() -> None:
    text = FILLER + "Sovereignty <matters> here. " + FILLER
    html = highlight_html(text, marker("sovereignty"), "en")
    assert html.startswith("… ") and html.endswith(" …")
    assert '<mark class="match">Sovereignty</mark> &lt;matters&gt;' in html
    assert len(plain(html)) <= EXCERPT_CHARS + 4  # the window and two ellipses


def test_distant_matches_give_two_excerpts() -> None:
    text = "Perimeter one. " + FILLER + "Perimeter two. " + FILLER
    html = highlight_html(text, marker("perimeter"), "en")
    assert html.count('<mark class="match">Perimeter</mark>') == 2
    assert not html.startswith("…")  # the first excerpt opens the text
    assert " … " in html and html.endswith(" …")


def test_a_long_record_without_a_match_shows_its_opening() -> None:
    html = highlight_html(FILLER, marker("sovereignty"), "en")
    assert "<mark" not in html
    assert FILLER.startswith(html.removesuffix(" …"))
    assert len(html) <= WHOLE_TEXT_CHARS + 2


@pytest.mark.parametrize(
    ("query", "lang", "marked"),
    [
        ("souverainete", "fr", ["souveraineté"]),  # French stem, accents folded
        ('"du Canada"', "fr", ["du", "Canada"]),  # phrase words, exact form
        ("souv*", "fr", ["souveraineté"]),  # prefix
        ("canada -souveraineté", "fr", ["Canada"]),  # excluded words stay plain
    ],
)
def test_what_is_marked(query: str, lang: str, marked: list[str]) -> None:
    html = highlight_html("La souveraineté du Canada.", marker(query), lang)
    assert re.findall(r'<mark class="match">([^<]*)</mark>', html) == marked
