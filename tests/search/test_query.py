"""The query language: what parses to what, what is refused and why."""

from __future__ import annotations

import doctest

import pytest

from search import analysis, query
from search.query import (
    And,
    Filter,
    MatchAll,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Word,
    correct,
    parse,
)


def test_module_doctests() -> None:
    for module in (query, analysis):
        assert doctest.testmod(module).failed == 0, module.__name__


def strip_spans(node):
    """The tree without spans, so table rows stay readable."""
    if isinstance(node, And | Or):
        return type(node)(tuple(strip_spans(c) for c in node.children))
    if isinstance(node, Not):
        return Not(strip_spans(node.child))
    if isinstance(node, Word | Phrase):
        return type(node)(node.text)
    return node


W, P = Word, Phrase


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        # a single word
        ("cooperation", W("cooperation")),
        # words are ANDed
        ("security cooperation", And((W("security"), W("cooperation")))),
        # an explicit AND changes nothing
        ("security AND cooperation", And((W("security"), W("cooperation")))),
        # OR binds looser than the implicit AND
        ("a1 b1 OR c1", Or((And((W("a1"), W("b1"))), W("c1")))),
        # lower-case "or" is a word (and a stop word, so dropped from the AND)
        ("canada or mexico", And((W("canada"), W("mexico")))),
        # parentheses group
        ("(canada OR mexico) trust", And((Or((W("canada"), W("mexico"))), W("trust")))),
        # nested parentheses
        ("((canada))", W("canada")),
        # an exact phrase
        ('"security perimeter"', P("security perimeter")),
        # minus and NOT exclude
        ("trust -mexico", And((W("trust"), Not(W("mexico"))))),
        ("trust NOT mexico", And((W("trust"), Not(W("mexico"))))),
        # a negated phrase and a negated group
        ('trust -"free trade"', And((W("trust"), Not(P("free trade"))))),
        (
            "trust -(canada OR mexico)",
            And((W("trust"), Not(Or((W("canada"), W("mexico")))))),
        ),
        # a hyphen inside a word is part of the word
        ("U.S.-Mexico", W("U.S.-Mexico")),
        # filters, case-insensitive names and kind/lang values
        ("theme:sovereignty", Filter("theme", "sovereignty")),
        ("Kind:Footnote trust", And((Filter("kind", "footnote"), W("trust")))),
        ("lang:FR", Filter("lang", "fr")),
        ('document:"000 obstacles.txt"', Filter("document", "000 obstacles.txt")),
        # a negated filter next to a word
        ("trust -kind:reference", And((W("trust"), Not(Filter("kind", "reference"))))),
        # a prefix, folded
        ("Coopé*", Prefix("coope")),
        # a colon followed by a space is punctuation, not a filter
        ("Mexico: trust", And((W("Mexico"), W("trust")))),
        # stop words are dropped when other words remain ...
        ("the security of mexico", And((W("security"), W("mexico")))),
        # ... but kept when they are all there is, and inside phrases
        ("the", W("the")),
        ('"state of the union"', P("state of the union")),
        # punctuation alone is not a word
        ("trust &", W("trust")),
        # nothing at all matches everything (narrowed by filters elsewhere)
        ("", MatchAll()),
        ("   ", MatchAll()),
    ],
)
def test_parse(text: str, tree) -> None:
    assert strip_spans(parse(text)) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"security perimeter', "quotation mark is not closed"),  # unterminated quote
        ("(canada OR mexico", "parenthesis is not closed"),  # unclosed group
        ("canada)", "Unmatched “)”"),  # stray closing parenthesis
        ("()", "Empty parentheses"),  # nothing inside
        ("canada OR", "needs words on both sides"),  # dangling OR
        ("OR canada", "needs words on both sides"),  # leading OR
        ("canada AND", "needs words on both sides"),  # dangling AND
        ("canada NOT", "must be followed by something"),  # dangling NOT
        ("-mexico", "Nothing to search for"),  # only exclusions
        ("NOT (a1 OR b1)", "Nothing to search for"),
        ("co*", "at least 3 letters"),  # prefix too short (slow and useless)
        ("*", "at least 3 letters"),
        ("co*p", "may only end a word"),  # wildcard inside a word
        ("colour:red", "Unknown filter “colour:”"),  # unknown field
        ("kind:chapter", "kind: must be one of"),  # unknown kind
        ("lang:english", "lang: takes a language code"),
        ('theme:""', "needs a value"),
        # crafted queries that used to exhaust the recursion limit or stall
        ("(" * 30 + "canada" + ")" * 30, "nests too deeply"),
        ("canada " + "NOT " * 40 + "mexico", "nests too deeply"),
        ("security" + " -x" * 163, "164 terms; at most 32"),
    ],
)
def test_malformed_queries_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(
        QuerySyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        parse(text)


def test_the_limits_leave_room_for_real_queries() -> None:
    nested = "(" * 8 + "canada" + ")" * 8
    assert strip_spans(parse(nested)) == Word("canada")
    assert len(parse(" ".join(f"w{i}x" for i in range(32))).children) == 32


def test_spans_point_into_the_query() -> None:
    text = 'trust "free trade" -border'
    node = parse(text)
    word, phrase = node.children[0], node.children[1]
    assert text[slice(*word.span)] == "trust"
    assert text[slice(*phrase.span)] == "free trade"


def test_correct_rewrites_the_query_as_typed() -> None:
    text = 'secuirty "free trde" -bordr OR kind:footnote'
    fixes = {"secuirty": "security", "trde": "trade", "bordr": "border"}
    node, corrected = correct(text, parse(text), fixes.get)
    assert corrected == 'security "free trade" -border OR kind:footnote'
    assert strip_spans(node) == strip_spans(parse(corrected))


def test_correct_without_changes_returns_none() -> None:
    node = parse("trust")
    assert correct("trust", node, lambda word: None) == (node, None)
