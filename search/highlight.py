"""Highlights made by Gloss itself: escaped text with ``<mark>`` around matches.

Engine-neutral (used by the PostgreSQL backend; ``ts_headline`` returns the
raw text, so its output is unsafe HTML, and its parser takes ``<b>`` or
``<script>`` for markup and never marks the words inside). Which words to
mark comes from the parsed query's positive leaves, analysed exactly as the
index analyses text (``search.analysis``): by stem in the record's language,
by exact folded form (phrase words), or by prefix. Excluded words are never
marked.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from search import analysis
from search import query as q

WHOLE_TEXT_CHARS = 400  # shorter records are shown whole, longer as excerpts
EXCERPT_CHARS = 300
EXCERPT_BEFORE = 90  # characters of context before the first match of an excerpt
MAX_EXCERPTS = 2
OPEN, CLOSE = '<mark class="match">', "</mark>"


@dataclass(frozen=True)
class Marker:
    """Which words of a record's text match the query: by stem, by exact
    folded form (a one-word phrase), by prefix, or as part of an occurrence of
    a phrase (its words adjacent and in order, as the phrase query matched
    them; the same words elsewhere are not marked)."""

    stems: Mapping[str, frozenset[str]]
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...] = ()
    # (word, analysis language) -> whether it matches: a page shares words.
    _known: dict[tuple[str, str], bool] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_node(cls, node: q.Node) -> Marker:
        """
        >>> m = Marker.from_node(q.parse('cooperating "free trade" secur* -canada'))
        >>> m.matches("Cooperation", "en"), m.matches("Security", "en")
        (True, True)
        >>> m.matches("Canada", "en"), m.matches("trade", "en")
        (False, False)
        >>> m.flags("trade and free trade".split(), "en")
        [False, False, True, True]
        """
        words: list[str] = []
        exact: set[str] = set()
        prefixes: list[str] = []
        phrases: list[tuple[str, ...]] = []
        for leaf in q.positive_leaves(node):
            if isinstance(leaf, q.Word):
                words.extend(analysis.words(leaf.text))
            elif isinstance(leaf, q.Phrase):
                folded = tuple(analysis.fold(w) for w in leaf.words)
                if len(folded) == 1:
                    exact.update(folded)
                elif folded:
                    phrases.append(folded)
            else:
                prefixes.append(leaf.text)
        stems = {
            lang: frozenset(analysis.normalise(w, lang) for w in words)
            for lang in analysis.LANGUAGES
        }
        return cls(stems, frozenset(exact), tuple(prefixes), tuple(phrases))

    def matches(self, word: str, lang: str) -> bool:
        """Whether ``word`` (as it appears in a text of analysis language
        ``lang``: en, fr or xx) is one the query looks for, on its own (phrase
        words only count in their phrase: see ``flags``)."""
        known = self._known.get((word, lang))
        if known is None:
            known = self._known[word, lang] = self._matches(word, lang)
        return known

    def _matches(self, word: str, lang: str) -> bool:
        raw = analysis.fold(word)
        return (
            analysis.normalise(word, lang) in self.stems[lang]
            or raw in self.exact
            or raw.startswith(self.prefixes)
        )

    def flags(self, words: Sequence[str], lang: str) -> list[bool]:
        """For each of a text's words in order, whether to mark it."""
        in_phrase: set[int] = set()
        if self.phrases:
            folded = [analysis.fold(word) for word in words]
            for phrase in self.phrases:
                in_phrase.update(phrase_positions(folded, phrase))
        # ``matches`` inlined: a dictionary lookup a word, not a method call
        # (a page of long records has a few thousand words).
        known, compute = self._known, self._matches
        flags = []
        for at, word in enumerate(words):
            found = known.get((word, lang))
            if found is None:
                found = known[word, lang] = compute(word, lang)
            flags.append(found or at in in_phrase)
        return flags


def phrase_positions(words: Sequence[str], phrase: Sequence[str]) -> Iterator[int]:
    """Indexes of ``words`` that belong to an occurrence of ``phrase``.

    >>> words = "the border and security at the border security cooperation".split()
    >>> list(phrase_positions(words, ["security", "cooperation"]))
    [7, 8]
    >>> list(phrase_positions(words, ["the", "border"]))
    [0, 1, 5, 6]
    >>> list(phrase_positions(words, ["cooperation", "security"]))
    []
    """
    size, target = len(phrase), list(phrase)
    for start in range(len(words) - size + 1):
        if list(words[start : start + size]) == target:
            yield from range(start, start + size)


def match_spans(text: str, marker: Marker, lang: str) -> list[tuple[int, int]]:
    """Character spans of the matching words of ``text``.

    >>> marker = Marker.from_node(q.parse("cooperate"))
    >>> match_spans("Trust and cooperation.", marker, "en")
    [(10, 21)]
    """
    field_lang = analysis.field_language(lang)
    tokens = list(analysis.TOKEN_RE.finditer(text))
    flags = marker.flags([token.group(0) for token in tokens], field_lang)
    return [
        token.span() for token, matched in zip(tokens, flags, strict=True) if matched
    ]


def highlight_html(text: str, marker: Marker, lang: str) -> str:
    """Safe HTML for a record: the whole text when it is short, else up to two
    excerpts around the first matches (the opening lines when nothing matches).

    >>> marker = Marker.from_node(q.parse("trust"))
    >>> highlight_html("<b>Trust</b> & trusting", marker, "en").replace(OPEN, "[")
    '&lt;b&gt;[Trust</mark>&lt;/b&gt; &amp; [trusting</mark>'
    """
    spans = match_spans(text, marker, lang)
    if len(text) <= WHOLE_TEXT_CHARS:
        return marked(text, 0, len(text), spans)
    windows = excerpts(text, spans) or [(0, _word_end(text, WHOLE_TEXT_CHARS))]
    parts = [marked(text, start, end, spans) for start, end in windows]
    before = "… " if windows[0][0] > 0 else ""
    after = " …" if windows[-1][1] < len(text) else ""
    return before + " … ".join(parts) + after


def excerpts(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Up to ``MAX_EXCERPTS`` non-overlapping windows, each starting a little
    before a match that the previous window did not show, cut at spaces.

    >>> excerpts("a " * 300 + "needle" + " b" * 300, [(600, 606)])
    [(510, 808)]
    """
    windows: list[tuple[int, int]] = []
    for start, _end in spans:
        if windows and start < windows[-1][1]:
            continue  # already shown
        begin = _word_start(text, max(0, start - EXCERPT_BEFORE))
        windows.append((begin, _word_end(text, begin + EXCERPT_CHARS)))
        if len(windows) == MAX_EXCERPTS:
            break
    return windows


def _word_start(text: str, at: int) -> int:
    """``at`` moved forward to the start of a word (so no word is cut)."""
    if at == 0 or text[at - 1].isspace():
        return at
    space = text.find(" ", at)
    return at if space == -1 else space + 1


def _word_end(text: str, at: int) -> int:
    if at >= len(text):
        return len(text)
    space = text.rfind(" ", 0, at)
    return at if space <= 0 else space


def marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[start:end]`` escaped, with the spans inside it marked."""
    return "".join(_pieces(text, start, end, spans))


def _pieces(
    text: str, start: int, end: int, spans: list[tuple[int, int]]
) -> Iterator[str]:
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        yield html.escape(text[at:s], quote=False)
        yield OPEN + html.escape(text[s:e], quote=False) + CLOSE
        at = e
    yield html.escape(text[at:end], quote=False)
