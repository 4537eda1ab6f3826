"""Deciding a query's theme conditions for a blind round's coder
(``search.blind``); the searches themselves: tests/annotations/test_rounds.py."""

from __future__ import annotations

import doctest

import pytest

from search import blind, query
from search.query import MatchAll, Not, parse
from tests.search.test_query import strip_spans


def test_module_doctests() -> None:
    result = doctest.testmod(blind)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("text", "present", "expected"),
    [
        # the one condition holds, or not
        ("theme:a", {"a"}, True),
        ("theme:a", set(), False),
        # negated: an absent theme satisfies it, a present one fails it
        ("trust -theme:a", set(), "trust"),
        ("trust -theme:a", {"a"}, False),
        # AND keeps the words when the theme holds, fails when not
        ("trust theme:a", {"a"}, "trust"),
        ("trust theme:a", set(), False),
        # OR: a theme that holds settles it; one that fails leaves the rest
        ("trust OR theme:a", {"a"}, True),
        ("trust OR theme:a", set(), "trust"),
        # other filters are left alone
        ("kind:footnote theme:a", {"a"}, "kind:footnote"),
        # nested: NOT (a OR b) with b present fails
        ("trust -(theme:a OR theme:b)", {"b"}, False),
    ],
)
def test_theme_conditions_are_decided_and_folded(text, present, expected):
    decided = blind.decide_themes(parse(text), present)
    if isinstance(expected, bool):
        assert decided is expected
    else:
        assert strip_spans(decided) == strip_spans(parse(expected))


def test_nothing_but_themes_decided_true_searches_everything():
    assert blind.decide_themes(parse("theme:a OR trust"), {"a"}) is True
    assert blind.decide_themes(Not(MatchAll()), set()) == Not(MatchAll())
    assert blind.themes_in(query.parse("x")) == set()
