"""Take plain-digit footnote markers out of body text.

In PDF text a note marker is just digits glued to the text: "region1.",
"preserved.2", "310,00010" (310,000 and note 10), or even set apart,
"capabilities.” 3". Digits alone cannot tell a marker from a number, but the
markers of a document run in sequence (1, 2, 3, …; a new chapter may start
again at 1), and the notes themselves, when present, say which numbers exist.
So markers are taken in document order: a candidate is a marker when it is the
number the sequence expects next.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from corpus.ingestion.clean import tidy_spaces

# Each pattern opens with what it consumes first (a digit, a space), its
# lookbehind just after, taking that character in: it matches exactly where
# "(?<=…)(\d{1,3})" would, but the regex engine skips to the next digit or
# space instead of trying the lookbehind at every character (several times
# faster on long texts; tests/corpus/ingestion/test_speedups.py compares).
# Strong candidates: glued to a word ("region1.") or after closing punctuation.
_GLUED_TO_WORD = re.compile(r"(\d(?<=[^\W\d_]{2}\d)\d{0,2})(?=[\s.,;:)”\"’]|$)")
# Not after ":", where digits are a page ("2005:136").
_AFTER_PUNCT = re.compile(r"(\d(?<=[.,;!?”\"’)]\d)\d{0,2})(?=\s|$)")
_GLUED_TO_NUMBER = re.compile(r"(\d(?<=\d,\d{3}\d)\d{0,2})(?=\s|$)")
# Weak candidates: set apart by a space; only taken when exactly expected.
_SPACED = re.compile(
    r" (?:(?:(?<=[^\W\d_][.,;:”\"’)…] )|(?<=[^\W\d_][.!?…][”\"’)] ))(\d{1,3})"
    r"(?=\s*$|\s+[A-Z“\"(])"
    r"|(?<=[A-Z][a-z]{2} )(\d{1,3})(?= [a-z])"
    r"|(?<=\d\)\) )(\d{1,3})(?=[.,;:](?:\s|$)))"  # "véase debhelper(1)) 3."
)
# Numbering may restart at a new chapter; a document may start mid-chapter.
_MAX_FIRST_MARKER = 30
_MAX_GAP = 3


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    value: int
    strong: bool
    after_digit: bool
    glued: bool = False  # right after a word's letters ("region1")


# "Table 3", "Section 2", "Python 3": a spaced number names the thing before.
_NAMING_WORDS = frozenset(
    """table figure fig section chapter equation eq model version release step
    part article appendix page volume vol annex item case example exercise
    theorem lemma level phase stage type group class python windows tableau
    cuadro tabla figura capítulo chapitre sección section artículo annexe""".split()
)
_YEAR_BEFORE = re.compile(r"(?:19|20)\d\d[.,]$")
# From a word's start only: a search from inside a word fails where the one
# from its start did, after reading the word again (same matches, linear).
_NAME_WITH_DIGITS = re.compile(r"(?<![^\W\d_])[^\W\d_]+\d+")


def names_something(text: str, candidate: Candidate, names: Counter[str]) -> bool:
    """Whether the digits belong to what precedes them, so removing them would
    damage correct text: "Python3" written so twice, "release 4.2", "Table 3".

    >>> names = Counter({"python3": 2})
    >>> [names_something(t, find_candidates(t)[0], names)
    ...  for t in ("in Python3 and", "release 4.2 now", "see Fig 3 for")]
    [True, True, True]
    >>> names_something("the region1. Up", find_candidates("the region1. Up")[0], names)
    False
    """
    before = text[: candidate.start]
    if candidate.glued:
        token = re.search(r"[^\W\d_]+$", before)
        word = (token.group() if token else "") + text[candidate.start : candidate.end]
        return names[word.casefold()] >= 2
    if candidate.after_digit and not re.search(r"\d,\d{3}$", before):
        return not _YEAR_BEFORE.search(before)  # "2005.47" may be note 47
    previous = before.split()[-1:] or [""]
    return not candidate.strong and previous[0].casefold() in _NAMING_WORDS


def find_candidates(text: str) -> list[Candidate]:
    """Every place in ``text`` that may be a note marker, in order.

    >>> [c.value for c in find_candidates("the region1. Up 310,00010 jobs")]
    [1, 10]
    """
    found: dict[int, Candidate] = {}
    for pattern, strong in (
        (_GLUED_TO_WORD, True),
        (_AFTER_PUNCT, True),
        (_GLUED_TO_NUMBER, True),
        (_SPACED, False),
    ):
        for match in pattern.finditer(text):
            group = match.lastindex or 1
            start = match.start(group) if strong else match.start()
            after_digit = text[max(0, match.start(group) - 2)].isdigit()
            found.setdefault(
                start,
                Candidate(
                    start,
                    match.end(group),
                    int(match.group(group)),
                    strong,
                    after_digit,
                    glued=pattern is _GLUED_TO_WORD,
                ),
            )
    return [found[key] for key in sorted(found)]


class MarkerSequence:
    """Decides, candidate by candidate, which numbers are the expected markers."""

    def __init__(self, note_numbers: Iterable[int]) -> None:
        self.known = set(note_numbers)
        self.expected: int | None = min(self.known) if self.known else None

    def accept(self, candidate: Candidate) -> bool:
        value, expected = candidate.value, self.expected
        if expected is not None and value == expected:
            ok = candidate.strong or value in self.known
        elif self.known and expected is not None:
            # A marker lost in extraction must not stop the whole sequence.
            beyond = value > max(self.known)  # its note is past this text's end
            ok = (
                value in self.known or beyond
            ) and expected < value <= expected + _MAX_GAP
            ok = (
                ok
                and (not candidate.after_digit)
                and (candidate.strong or value <= expected + 1)
            )
        elif not candidate.strong or candidate.after_digit or candidate.glued:
            ok = False  # no notes to follow: only "sentence.15 Next" is a marker
        else:
            ok = self._plausible_without_notes(value)
        if ok:
            self.expected = value + 1
        return ok

    def _plausible_without_notes(self, value: int) -> bool:
        if self.expected is None:
            return value <= _MAX_FIRST_MARKER
        return value in (self.expected + 1, 1, 2)


def remove_numeric_markers(texts: list[str], note_numbers: Iterable[int]) -> list[str]:
    """Remove the markers from each text, keeping the sequence across texts.

    >>> remove_numeric_markers(
    ...     ["region1. A nation of 2 states.", "preserved.2 so.” 3 The Act 4 would"],
    ...     [1, 2, 3, 4],
    ... )
    ['region. A nation of 2 states.', 'preserved. so.” The Act would']
    """
    sequence = MarkerSequence(note_numbers)
    names = Counter(
        m.casefold() for text in texts for m in _NAME_WITH_DIGITS.findall(text)
    )
    result = []
    for text in texts:
        cuts = [
            c
            for c in find_candidates(text)
            if not names_something(text, c, names) and sequence.accept(c)
        ]
        for cut in reversed(cuts):
            text = text[: cut.start] + text[cut.end :]
        result.append(tidy_spaces(text))
    return result


# -- notes at a page's foot -----------------------------------------------------

# A note's first line: its number, then ". ", ") ", a space, or (glued, as
# pdftotext -layout writes a superscript label) a capitalised word: "3Hay".
_FOOT_NOTE_START = re.compile(
    r"^\s*(\d{1,3})(?:[.)]?\s+(?=\S)|(?=[A-ZÀ-Ý][a-zà-ÿ]))(?!\d)"
)
# A note's text may run over a few lines; a longer run is body text.
MAX_NOTE_LINES = 8


_NOTE_WORD = re.compile(r"[^\W\d_]{2}")


def foot_note_label(line: str) -> int | None:
    """
    >>> foot_note_label("2. Vous pouvez"), foot_note_label("   3Hay varios")
    (2, 3)
    >>> foot_note_label("                 1 n") is None  # a formula's row
    True
    >>> foot_note_label("1995 Mexican") is None, foot_note_label("3.5 PBC") is None
    (True, True)
    """
    match = _FOOT_NOTE_START.match(line)
    if match is None or not _NOTE_WORD.search(line, match.end()):
        return None  # "1 n" over "M = …": a display formula's fraction, no note
    return int(match.group(1))


def _zone_starts(lines: list[str]) -> list[tuple[int, int]]:
    """The note starts of the page's last lines, bottom up: consecutive labels
    (n, n+1, …) with short runs of continuation lines between them."""
    starts: list[tuple[int, int]] = []
    run = 0
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].strip():
            continue
        label = foot_note_label(lines[i])
        if label is not None and (not starts or label == starts[-1][1] - 1):
            starts.append((i, label))
            run = 0
        else:
            run += 1
            if run >= MAX_NOTE_LINES or (label is not None and starts):
                break
    return starts[::-1]


def has_marker(body: str, label: int) -> bool:
    """Whether ``label`` appears in marker position in the body text.

    >>> has_marker("getting outdated. 1 Une", 1), has_marker("to Canada7.", 7)
    (True, True)
    >>> has_marker("release 4.2 and Table 3", 3), has_marker("model X2 is", 2)
    (False, False)
    >>> has_marker("ser un maestro 2. Sin", 2)  # a superscript set apart
    True
    >>> has_marker("(RFA). 3 Plus", 3), has_marker("debhelper(1)) 3 ; Le", 3)
    (True, True)
    """
    pattern = (
        rf"(?:(?<=[^\W\d_]{{2}})|(?<=[^\W\d_][.,;:!?”\"’)])\s?|(?<=[)\]][.,;:)])\s?)"
        rf"{label}(?=[\s.,;:)”’\"]|$)"
        rf"|(?:(?<=[^\W\d_]{{2}})|(?<=[)\]]{{2}})) {label}(?=[.,;:]| [^\w\s])"
    )
    return re.search(pattern, body) is not None


def heads_section(lines: list[str], i: int, is_title: Callable[[str], bool]) -> bool:
    """Whether line ``i`` is a numbered section title over its first paragraph
    ("3 Global Inference" after a sentence's end, a capital on the next line),
    not note 3: a page's last lines may begin a section.

    >>> title = lambda line: not line.rstrip().endswith(".")
    >>> page = ["ends here.", "3 Global Inference", "Based on the results"]
    >>> heads_section(page, 1, title), heads_section(["it goes", *page[1:]], 1, title)
    (True, False)
    """
    if not is_title(lines[i]):
        return False
    before = next((x.strip() for x in reversed(lines[:i]) if x.strip()), "")
    after = next((x.strip() for x in lines[i + 1 :] if x.strip()), "")
    if not after or foot_note_label(after) is not None:
        return False  # a one-line note over the next note
    return before.endswith((".", "!", "?", ":")) and after[:1].isupper()


def find_foot_notes(
    pages: list[list[str]], is_title: Callable[[str], bool] | None = None
) -> dict[tuple[int, int], int]:
    """Note starts at the pages' feet, keyed by (page, line): a run of
    consecutive labels that goes on with the document's note sequence, each
    with its marker in the body text above it on the same page. With
    ``is_title``, a start that heads a section (see ``heads_section``) and the
    starts above it are not notes."""
    found: dict[tuple[int, int], int] = {}
    expected = 1
    for p, lines in enumerate(pages):
        starts = _zone_starts(lines)
        if is_title is not None:
            titled = [
                k
                for k, (i, _) in enumerate(starts)
                if heads_section(lines, i, is_title)
            ]
            starts = starts[titled[-1] + 1 :] if titled else starts
        first = starts[0][1] if starts else 0
        # A text may begin mid-chapter: its first notes need not be 1.
        opening = expected == 1 and first <= _MAX_FIRST_MARKER
        if not starts or not (first in (expected, 1) or opening):
            continue
        # Blank lines out: plain pdftotext sets a superscript on a line of its own.
        body = " ".join(x.strip() for x in lines[: starts[0][0]] if x.strip())
        marked = [has_marker(body, label) for _, label in starts]
        # Going on with the notes before is evidence enough for one marker
        # lost in extraction; a (re)start at 1 must show every marker.
        going_on = expected > 1 and starts[0][1] == expected
        if all(marked) or (going_on and sum(marked) >= len(marked) - 1):
            found.update({(p, i): label for i, label in starts})
            expected = starts[-1][1] + 1
    return found


# --- notes labelled "[N]" in a text dump --------------------------------------

# A note block as Sphinx's text writer and some dumps set it: "[1] Ainsi, …".
BRACKET_NOTE_START = re.compile(r"^\[(\d{1,3})\]\s+(?=\S)")
_PROSE = re.compile(r"[^\W\d_]{3,}")


def _bracket_marker(label: int) -> re.Pattern[str]:
    """Where "[label]" marks a note in body text: after a space that follows
    a character ("« [VAC] » [1] et"), glued to closing punctuation ("chroot”).[5]"),
    or opening a wrapped line. Never glued to a letter or digit: "x[1]",
    "df[1:2]" index code."""
    n = str(label)
    return re.compile(
        rf"(?<=\S) \[{n}\](?=[\s.,;:!?)]|$)"
        rf"|(?<=[.,;:!?”\"’)])\[{n}\](?=[\s.,;:!?)]|$)"
        rf"|^\[{n}\] (?=\S)",
        re.MULTILINE,
    )


def bracket_notes(texts: list[str], closed_at: int | None = None) -> dict[int, int]:
    """The blocks (index → label) that are notes labelled "[N]": a block that
    opens with "[N] " and reads as prose, whose marker "[N]" occurs exactly
    once in the other blocks, before it. A marker cited twice, or none, is
    no note's ("[1]" citing a numbered reference list); ``closed_at``: the
    index of a references heading, past which "[N] …" blocks are references.

    >>> bracket_notes(["Il faut « [VAC] » [1] et donner la date.",
    ...                "[1] Ainsi, le message peut être filtré."])
    {1: 1}
    >>> bracket_notes(["as [1] shows and [1] again", "[1] Smith, J. A study."])
    {}
    >>> bracket_notes(["> x[1]", "[1] 0.25 0.75"])  # R's printed vector, no note
    {}
    >>> bracket_notes(["shown [2].", "References", "[2] Doe, A title."], 1)
    {}
    """
    found: dict[int, int] = {}
    for index, text in enumerate(texts):
        start = BRACKET_NOTE_START.match(text)
        if start is None or (closed_at is not None and index > closed_at):
            continue
        if not _PROSE.search(text[start.end() :]):
            continue
        label = int(start.group(1))
        marker = _bracket_marker(label)
        places = [
            i
            for i, other in enumerate(texts)
            if i != index and not BRACKET_NOTE_START.match(other)
            for _ in marker.finditer(other)
        ]
        if len(places) == 1 and places[0] < index:
            found[index] = label
    return found


def remove_bracket_markers(text: str, labels: Iterable[int]) -> str:
    """``text`` without the markers of the notes ``labels``.

    >>> remove_bracket_markers("par « [VAC] » [1] et donnez", [1])
    'par « [VAC] » et donnez'
    >>> remove_bracket_markers("chroot (Section 7.10).[5]\\n[2] la suite", [2, 5])
    'chroot (Section 7.10).\\nla suite'
    >>> remove_bracket_markers("df[1] and [3] stay", [1])
    'df[1] and [3] stay'
    """
    for label in labels:
        text = _bracket_marker(label).sub("", text)
    return text
