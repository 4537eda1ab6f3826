"""The query language, parsed into a small engine-neutral tree.

Syntax (what people know from web search)::

    words                all required (AND is implied; AND may be written)
    "exact phrase"       words adjacent and in order
    a OR b               either (OR in capitals; lower-case "or" is a word)
    NOT a, -a            exclude (also -"phrase", -(a OR b), -kind:footnote)
    ( ... )              grouping
    theme:T document:D lang:L kind:K    filters (value may be "quoted")
    prefix*              words starting with prefix (at least 3 letters)

``parse`` raises ``QuerySyntaxError`` (a user-facing message) for anything
malformed; the API turns it into a 400, the page into a message and the
command into a ``CommandError``. Backends compile the tree; nothing here knows
about an engine. Every word and phrase keeps its span in the query string so a
correction can be shown in the words the user typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from search import analysis

MIN_PREFIX = 3
# Query name -> filter name used by backends and URLs.
FILTER_FIELDS = {
    "theme": "theme",
    "document": "document",
    "lang": "lang",
    "kind": "kind",
}
KINDS = ("heading", "paragraph", "footnote", "reference", "meta")

# Dropped from AND lists (never from phrases) when other words remain, so that
# "the security of Mexico" asks for security and Mexico. Kept short on purpose:
# "us", "will" or "may" can be content words here.
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or that the this"
    " to was were with au aux de des du en et la le les un une".split()
)


MAX_NESTING = 8
MAX_TERMS = 32
# Unknown words looked up for a correction per query; later ones stay as typed.
MAX_CORRECTIONS = 8
_TERM_KINDS = frozenset({"WORD", "PHRASE", "FIELD"})


class QuerySyntaxError(ValueError):
    """A malformed query; ``str(error)`` is a message for the person who typed it."""


@dataclass(frozen=True)
class Word:
    text: str
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Phrase:
    text: str  # the words between the quotes, as typed
    span: tuple[int, int] = (0, 0)  # of ``text``, quotes excluded

    @property
    def words(self) -> list[str]:
        return list(analysis.words(self.text))


@dataclass(frozen=True)
class Prefix:
    text: str  # without the trailing *


@dataclass(frozen=True)
class Filter:
    name: str  # one of FILTER_FIELDS' values
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class MatchAll:
    """Every record (an empty query narrowed only by filters)."""


Node = Word | Phrase | Prefix | Filter | Not | And | Or | MatchAll


@dataclass(frozen=True)
class ParsedQuery:
    """A query as typed and its tree (which callers may have rewritten, e.g.
    to turn ``document:`` file names into slugs)."""

    text: str
    node: Node

    @classmethod
    def of(cls, query: str | ParsedQuery) -> ParsedQuery:
        return query if isinstance(query, ParsedQuery) else cls(query, parse(query))


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, PHRASE, FIELD, LPAREN, RPAREN, OR, AND, NOT, MINUS
    text: str
    start: int
    end: int
    value: str = field(default="")  # FIELD: the value; PHRASE: inner text


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"(?P<inner>[^"]*)")
  | (?P<unterminated>")
  | (?P<field>(?P<fname>[A-Za-z]+):(?:"(?P<fquoted>[^"]*)"|(?P<fvalue>[^\s()"]+)))
  | (?P<minus>-(?=[^\s-]))
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens; raise on an unterminated quote.

    >>> [t.kind for t in tokenize('-a OR "b c" kind:footnote (x)')]
    ['MINUS', 'WORD', 'OR', 'PHRASE', 'FIELD', 'LPAREN', 'WORD', 'RPAREN']
    """
    return list(_tokens(text))


def _tokens(text: str) -> Iterator[Token]:
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "ws":
            continue
        if kind == "unterminated":
            raise QuerySyntaxError("A quotation mark is not closed.")
        yield _token(match, kind or "", start, end)


def _token(match: re.Match[str], kind: str, start: int, end: int) -> Token:
    raw = match.group(0)
    if kind == "phrase":
        return Token("PHRASE", raw, start, end, match.group("inner"))
    if kind == "field":
        value = match.group("fquoted")
        value = match.group("fvalue") if value is None else value
        return Token("FIELD", match.group("fname"), start, end, value)
    if kind == "word" and raw in ("OR", "AND", "NOT"):
        return Token(raw, raw, start, end)
    if kind == "word" and raw.endswith(":"):
        raw = raw.rstrip(":")  # "Mexico: a study" - a colon, not a filter
    return Token(kind.upper(), raw, start, end)


class _Parser:
    """Recursive descent over the tokens::

    query := or EOF ;  or := and (OR and)* ;  and := unary ([AND] unary)*
    unary := (NOT | -) unary | primary
    primary := ( or ) | PHRASE | FIELD | WORD
    """

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0  # open parentheses and NOTs: recursion is bounded by it

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        token = self.peek()
        if token is not None:  # only a stray ")" can be left over
            raise QuerySyntaxError(
                f"Unmatched “{token.text}” at character {token.start + 1}."
            )
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_expr("OR"))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, after: str = "") -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                self.take()
                after = "AND"
                continue
            children.append(self.unary())
            after = ""
        if not children or after:
            raise QuerySyntaxError(_missing_operand(after or "OR", token))
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        token = self.take()
        if token.kind in ("NOT", "MINUS"):
            if self.peek() is None or self.peek().kind in ("OR", "AND", "RPAREN"):  # type: ignore[union-attr]
                raise QuerySyntaxError(
                    f"“{token.text}” must be followed by something to exclude."
                )
            with self.nested():
                return Not(self.unary())
        return self.primary(token)

    def primary(self, token: Token) -> Node:
        if token.kind == "LPAREN":
            with self.nested():
                node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise QuerySyntaxError("A parenthesis is not closed.")
            self.take()
            return node
        if token.kind == "PHRASE":
            return Phrase(token.value, (token.start + 1, token.end - 1))
        if token.kind == "FIELD":
            return _filter(token.text, token.value)
        return _word(token)

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level deeper; a person never needs many, a crafted query would
        otherwise exhaust the interpreter's recursion limit (a server error)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QuerySyntaxError(
                f"The query nests too deeply (at most {MAX_NESTING} levels of "
                "parentheses and NOT)."
            )
        try:
            yield
        finally:
            self.depth -= 1


def _missing_operand(operator: str, token: Token | None) -> str:
    if operator == "OR" and token is not None and token.kind == "RPAREN":
        return "Empty parentheses or an OR with nothing after it."
    where = "at the end" if token is None else f"before “{token.text}”"
    return f"“{operator}” needs words on both sides (nothing {where})."


def _filter(name: str, value: str) -> Filter:
    key = name.lower()
    if key not in FILTER_FIELDS:
        known = ", ".join(f"{n}:" for n in FILTER_FIELDS)
        raise QuerySyntaxError(f"Unknown filter “{name}:”. Filters are {known}.")
    value = value.strip()
    if not value:
        raise QuerySyntaxError(f"“{name}:” needs a value.")
    return Filter(FILTER_FIELDS[key], validate_filter(FILTER_FIELDS[key], value))


def validate_filter(name: str, value: str) -> str:
    """Check and normalise one filter value (shared with the URL parameters).

    >>> validate_filter("kind", "Footnote"), validate_filter("lang", "FR")
    ('footnote', 'fr')
    """
    if name == "kind":
        if value.lower() not in KINDS:
            raise QuerySyntaxError(f"kind: must be one of {', '.join(KINDS)}.")
        return value.lower()
    if name == "lang":
        if not re.fullmatch(r"[A-Za-z]{2,3}", value):
            raise QuerySyntaxError("lang: takes a language code such as en or fr.")
        return value.lower()
    return value


def _word(token: Token) -> Node:
    text = token.text
    if "*" not in text:
        return Word(text, (token.start, token.end))
    stem = text[:-1]
    if "*" in stem or not text.endswith("*"):
        raise QuerySyntaxError(f"“{text}”: * may only end a word (e.g. cooperat*).")
    letters = analysis.fold("".join(analysis.words(stem)))
    if len(letters) < MIN_PREFIX:
        raise QuerySyntaxError(
            f"“{text}”: a prefix needs at least {MIN_PREFIX} letters before the *."
        )
    return Prefix(letters)


def parse(text: str) -> Node:
    """Parse a query string; an empty or blank query is ``MatchAll``.

    >>> parse('security -"free trade" lang:fr')  # doctest: +NORMALIZE_WHITESPACE
    And(children=(Word(text='security', span=(0, 8)),
                  Not(child=Phrase(text='free trade', span=(11, 21))),
                  Filter(name='lang', value='fr')))
    """
    tokens = tokenize(text)
    if not tokens:
        return MatchAll()
    terms = _term_count(tokens)
    if terms > MAX_TERMS:
        # Each term costs a posting-list walk (and a spelling lookup): a query
        # of hundreds of exclusions stalled a worker for seconds.
        raise QuerySyntaxError(
            f"The query has {terms} terms; at most {MAX_TERMS} are allowed."
        )
    node = simplify(_Parser(tokens).parse())
    if not has_positive(node):
        raise QuerySyntaxError("Nothing to search for: NOT and - only exclude.")
    return node


def term_count(text: str) -> int:
    """Words, phrases, prefixes and filters in a query: what its cost grows with.

    >>> term_count('a -b "c d" kind:footnote (e OR f*)')
    6
    """
    return _term_count(tokenize(text))


def _term_count(tokens: list[Token]) -> int:
    return sum(1 for token in tokens if token.kind in _TERM_KINDS)


def simplify(node: Node) -> Node:
    """Drop empty words and stop words (when other terms remain) from ANDs."""
    if isinstance(node, And):
        kids = [simplify(c) for c in node.children if not _empty(c)]
        content = [c for c in kids if not _stopword(c)]
        kids = content if any(has_positive(c) for c in content) else kids
        return kids[0] if len(kids) == 1 else And(tuple(kids))
    if isinstance(node, Or):
        return Or(tuple(simplify(c) for c in node.children))
    if isinstance(node, Not):
        return Not(simplify(node.child))
    return node


def _empty(node: Node) -> bool:
    """A word or phrase of punctuation only (e.g. "&") matches nothing useful."""
    if isinstance(node, Word | Phrase):
        return not any(True for _ in analysis.words(node.text))
    return False


def _stopword(node: Node) -> bool:
    return isinstance(node, Word) and analysis.fold(node.text) in STOPWORDS


def has_positive(node: Node) -> bool:
    """Whether the node asks for something, rather than only excluding."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(has_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(has_positive(c) for c in node.children)
    return True


def map_filters(node: Node, fn: Callable[[str, str], str]) -> Node:
    """Rewrite every filter value with ``fn(name, value)``."""
    if isinstance(node, And | Or):
        return type(node)(tuple(map_filters(c, fn) for c in node.children))
    if isinstance(node, Not):
        return Not(map_filters(node.child, fn))
    if isinstance(node, Filter):
        return Filter(node.name, fn(node.name, node.value))
    return node


def positive_leaves(node: Node) -> Iterator[Word | Phrase | Prefix]:
    """Words, phrases and prefixes that are looked for (not excluded): the
    terms to highlight."""
    if isinstance(node, And | Or):
        for child in node.children:
            yield from positive_leaves(child)
    elif isinstance(node, Word | Phrase | Prefix):
        yield node


def correct(
    text: str, node: Node, fix: Callable[[str], str | None]
) -> tuple[Node, str | None]:
    """Apply ``fix`` (word -> replacement or None) to every word and phrase word.

    Returns the corrected tree and the corrected query string, or the tree
    unchanged and ``None`` when nothing was replaced. Replacements are made in
    the query as typed, so the string reads like what the user wrote.
    """
    edits: list[tuple[int, int, str]] = []
    fixed = _correct(node, fix, edits)
    if not edits:
        return node, None
    corrected = text
    for start, end, word in sorted(edits, reverse=True):
        corrected = corrected[:start] + word + corrected[end:]
    return fixed, corrected


def _correct(node: Node, fix: Callable[[str], str | None], edits: list) -> Node:
    if isinstance(node, And | Or):
        return type(node)(tuple(_correct(c, fix, edits) for c in node.children))
    if isinstance(node, Not):
        return Not(_correct(node.child, fix, edits))
    if isinstance(node, Word):
        return _correct_word(node, fix, edits)
    if isinstance(node, Phrase):
        return _correct_phrase(node, fix, edits)
    return node


def _correct_word(node: Word, fix: Callable[[str], str | None], edits: list) -> Word:
    parts = list(analysis.words(node.text))
    if len(parts) != 1 or (replacement := fix(parts[0])) is None:
        return node
    edits.append((*node.span, replacement))
    return replace(node, text=replacement)


def _correct_phrase(
    node: Phrase, fix: Callable[[str], str | None], edits: list
) -> Phrase:
    text, offset = node.text, node.span[0]
    for match in reversed(list(analysis.TOKEN_RE.finditer(node.text))):
        replacement = fix(match.group(0))
        if replacement is not None:
            edits.append((offset + match.start(), offset + match.end(), replacement))
            text = text[: match.start()] + replacement + text[match.end() :]
    return replace(node, text=text)
