"""Cut cleaned text into blocks: paragraphs, footnotes and page furniture.

A block is a run of source lines that belongs together. Segmentation reads the
layout signals that PDF and web extractions leave behind:

* blank lines end blocks;
* a page break shows as a lone page number, a line of spaces above a footnote
  zone, a markdown rule (``---``), a run of blank lines, or, in hard-wrapped
  text, a one-space indent on the first line of the next page;
* footnotes at a page's foot start with their number, and the numbers run in
  sequence through the document, which tells "12 Ibid." from "1995 Mexican";
* list items and numbered headings start their own block even when no blank
  line precedes them.

Blocks after a page break are flagged, so the joining step can mend a
paragraph that the break cut in two. Page numbers are remembered and spread to
every page by counting breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from statistics import median, quantiles

from corpus.ingestion.furniture import strip_furniture
from corpus.ingestion.notes import find_foot_notes

BODY = "body"
FOOTNOTE = "footnote"

PAGE_NUMBER_RE = re.compile(r"^\d{1,4}$")
# A line opening with a section number of two levels or more: "9.1. Envoi".
SECTION_LINE_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+[A-ZÀ-Ý]")
# A list item set with a dash, as French typography does ("— Nous sommes").
DASH_ITEM_RE = re.compile(r"^[—–] \S")
# An interactive session's prompt ("R> fit <- lm(y ~ x)", "> summary(fit)",
# "$ debuild -sa").
CODE_PROMPT_RE = re.compile(r"^(?:R?>|\$) \S")
# reStructuredText (and Sphinx's text writer) also underlines with "*", "~", "^";
# only an underline as long as the line above counts (``underlined_lines``).
SETEXT_RE = re.compile(r"^(?:={3,}|-{3,}|\*{3,}|~{3,}|\^{3,})$")
RULE_RE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,}|(?:\* ){2,}\*|[━─═]{3,})$")
LIST_ITEM_RE = re.compile(r"^(?:[-*+•▪◦●]|\d{1,2}[.)])\s+\S")
NUMBERED_HEADING_RE = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\)|\d{1,2}(?:\.\d{1,2})+\.?|[IVX]{1,5}\.|[A-H]\))\s+\S"
)
MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}\s+\S")
# A line set off with "#": a markdown heading when it stands alone; see
# ``is_hash_literal`` for when it is a quotation or a root prompt instead.
HASH_LINE_RE = re.compile(r"^#+(?:\s|$)")
# An item of a list lettered "a)", "b)", "(c)".
LETTER_ITEM_RE = re.compile(r"^\(?([a-z])\)\s+\S")
# A quoted mail's attribution: "Jane Doe <jane@example.org> responded:",
# "On Monday, Jane wrote:". It opens what follows, never ends a paragraph.
ATTRIBUTION_RE = re.compile(
    r"^\S.{0,100}(?:<[^<>\s@]+@[^<>\s]+>|\b(?:wrote|writes|replied|responded))"
    r"[^.!?]{0,40}:$"
)
# A section's number and title as LaTeX prints them, no dot after the number:
# "3 The mandible data", "4.2 Boundaries and plotting". The title's first word
# is capitalised ("3 of the 5 states" is a sentence) and not a number.
_SECTION_TITLE_RE = re.compile(r"^[1-9]\d?(?:\.\d{1,2})*\s+[A-ZÀ-Ý]")
# A line of many spaces is what pdftotext leaves for the rule above footnotes.
NOTE_SEPARATOR_MIN_SPACES = 10
NOTE_START_RE = re.compile(r"^(\d{1,3})\s+(?=\S)")
TERMINAL = '.!?:;”"’)»…'
_TERMINAL = tuple(TERMINAL)
# A note marker may trail the sentence's last character: "in 2003.3", "world.”ⁱⁱ".
_TRAILING_MARKER = re.compile(r"(?<=[.!?:;”\"’)»])\d{1,3}$")


@dataclass
class Block:
    """Consecutive source lines that form one record (or one piece of one)."""

    lines: list[str]
    kind: str = BODY
    page_index: int = 0
    after_break: bool = False
    label: str = ""
    page: int | None = None
    level: int = 0
    section: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    # The kind the source format asserted (a DOCX style, an HTML element, a
    # PDF extractor's grouping; see ``layout.TypedBlock``), "" when the text
    # stages had to guess. Shape rules never override an asserted kind.
    asserted: str = ""

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)


@dataclass
class LineStats:
    """Document-wide facts that segmentation needs."""

    hard_wrapped: bool
    line_width: int
    paged: bool = False  # form feeds turn the pages: a typeset document's text


def measure_lines(lines: list[str]) -> LineStats:
    """Hard-wrapped text (PDF extraction) has many lines of similar width.

    >>> measure_lines(["x" * 70] * 20).hard_wrapped
    True
    >>> measure_lines(["x" * 900] * 20).hard_wrapped
    False
    """
    lengths = [len(line.strip()) for line in lines if line.strip()]
    if len(lengths) < 10:
        return LineStats(hard_wrapped=False, line_width=max(lengths, default=0))
    p90 = int(quantiles(lengths, n=10)[-1])
    mid = sum(1 for n in lengths if 30 <= n <= 140)
    if p90 > 140:
        p90 = _width_without_joined_lines(lengths) or p90
    return LineStats(
        hard_wrapped=p90 <= 140 and mid >= 0.6 * len(lengths), line_width=p90
    )


# Plain pdftotext joins a line that ends on a hyphen to the next one
# ("para-" + "metric models …"): a few lines up to ~2.5 times the width.
MAX_JOINED_SHARE = 0.15


def _width_without_joined_lines(lengths: list[int]) -> int | None:
    """The width of hard-wrapped lines among which a few are two lines
    joined, or None when the long lines are too many or the widest ones are
    not that much wider (a text of long lines, or of lines of varied width).

    >>> _width_without_joined_lines([80] * 17 + [170, 175, 160])
    80
    >>> _width_without_joined_lines([80] * 10 + [900] * 10) is None
    True
    >>> _width_without_joined_lines([130] * 17 + [142, 150, 250]) is None
    True
    """
    cut = 1.5 * median(lengths)
    kept = [n for n in lengths if n <= cut]
    if len(lengths) - len(kept) > MAX_JOINED_SHARE * len(lengths) or len(kept) < 10:
        return None
    width = int(quantiles(kept, n=10)[-1])
    p90 = quantiles(lengths, n=10)[-1]
    if p90 < 1.5 * width or max(lengths) > 3 * width:
        return None  # the widest lines are the text's own width
    return width


def is_short(line: str, layout: LineStats, ratio: float = 0.7) -> bool:
    """A line well short of the text width ends a paragraph (or is a title)."""
    return len(line.strip()) < ratio * layout.line_width


def ends_sentence(text: str) -> bool:
    """
    >>> ends_sentence("the end."), ends_sentence("speaking as"), ends_sentence("(2007)")
    (True, False, True)
    >>> ends_sentence("by the fall of 2003.3"), ends_sentence("in the year 2003")
    (True, False)
    """
    text = text.rstrip()
    # The marker is at most three digits after a mark: only the last four
    # characters can hold it (a search of the whole text tries every place).
    text = text[:-4] + _TRAILING_MARKER.sub("", text[-4:])
    return text.endswith(_TERMINAL)


# A line this share of the text width is full: its paragraph was wrapped.
FULL_LINE = 0.8
# A sentence-final line this much shorter than the width, with the next word
# able to fit on it, ended its paragraph (justified lines vary ~10% in chars).
SHORT_LAST_LINE = 0.85
TITLE_LINE = 0.6
# Unpaged text indented this much past its margin is a literal (code) block.
CODE_INDENT = 4
MAX_TITLE_WORDS = 12
_OPENING = re.compile(r"^[\"“‘«¿¡(\[]?[A-ZÀ-Ý0-9]")


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" "))


_WORD = re.compile(r"[^\W\d_]{2}")


def has_word(text: str) -> bool:
    """Whether ``text`` holds a word (two letters running), as a note's first
    line does and a formula's pieces ("n", "i=1", "¹̂") do not.

    >>> has_word("See Smith (2003)."), has_word("Ibid."), has_word("n"), has_word("i=1")
    (True, True, False, False)
    """
    return _WORD.search(text) is not None


def wrapped_onto_hyphen(previous: str, line: str, width: int) -> bool:
    """Whether a line opening with "- " only goes on with a wrapped sentence.

    A dump wraps text wherever a space falls, so a spaced hyphen ("capítulo
    13 - 'Contribuir …'") can land at a line start and look like a list item.
    The evidence that it did: the line before is full (the text was wrapped
    there) and ends neither a sentence nor a lead-in ("…:"). A list under a
    short line or a colon stays a list.

    >>> wrapped_onto_hyphen("la lista no contiene paquetes marcados como "
    ...     "esencial o requerido", "- al dar por supuesto", 64)
    True
    >>> wrapped_onto_hyphen("The following options are accepted by the "
    ...     "command line tool:", "- verbose", 64)
    False
    >>> wrapped_onto_hyphen("This is the last sentence of a full paragraph.",
    ...     "- an item", 50)
    False
    >>> wrapped_onto_hyphen("Features", "- fast", 64)
    False
    >>> wrapped_onto_hyphen("- Fuzzer tests: `tests/fuzzer.c`, `tests/zstreamtest.c`,"
    ...     " and `tests/decodecorpus.c`", "- `tests/zstreamtest.c` under Tsan", 64)
    False
    >>> wrapped_onto_hyphen("a long enough line of text wrapped at a space "
    ...     "before a", "* star", 64)
    False
    """
    if not line.startswith("- "):
        return False  # "*", "+", "•" and numbers are not wrapped text
    last = previous.strip()
    if last.startswith("- "):
        return False  # an item under an item set with the same dash: a list
    if len(last) < FULL_LINE * width:
        return False
    return not (ends_sentence(last) or last.endswith(":"))


def opens_paragraph(previous: str, line: str, following: str, width: int) -> bool:
    """Whether ``line`` starts a paragraph though no blank line precedes it.

    Typeset text marks a paragraph by its short last line or by the next one's
    first-line indent; both need the sentence to have ended.

    >>> opens_paragraph("the end of it.", "Then a new one", "", 60)
    True
    >>> full = "x" * 56 + " ends."
    >>> opens_paragraph(full, "Then it goes on", "", 60)
    False
    >>> opens_paragraph(full, "   Indented start", full, 60)
    True
    >>> opens_paragraph("see p.", "Then", "", 60), opens_paragraph("of a", "It", "", 60)
    (False, False)
    >>> opens_paragraph("getting outdated. 1", "Une des choses", "", 60)
    True
    """
    text, head = _SPACED_MARKER.sub("", previous.strip()), line.strip()
    if not ends_sentence(text) or not _OPENING.match(head) or text.endswith(":"):
        return False
    word = head.split()[0]
    if len(text) + 1 + len(word) < SHORT_LAST_LINE * width:
        return not _ABBREVIATION.search(text)
    indent = _indent(line) - _indent(previous)
    back = not following.strip() or _indent(following) <= _indent(previous)
    return 2 <= indent <= 12 and back


# A note marker set apart at a sentence's end ("outdated. 1"), as plain
# pdftotext writes a superscript.
_SPACED_MARKER = re.compile(r"(?<=[^\W\d_][.!?])\s\d{1,3}$")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|etc|cf|vs|pp|p|no|vol|ed|eds|Mr|Ms|Dr|St|et al|Fig|Eq)\.$"
)


def is_section_title(line: str, width: int = 0) -> bool:
    """A numbered section title without a dot: short, no sentence end.

    >>> is_section_title("3 The mandible data"), is_section_title("4.2 Boundaries")
    (True, True)
    >>> is_section_title("3 of the 5 states"), is_section_title("12 Ibid.")
    (False, False)
    >>> is_section_title("0.8 Empirical coverage"), is_section_title("1. Install it")
    (False, False)
    """
    text = line.strip()
    if not _SECTION_TITLE_RE.match(text) or len(text.split()) > MAX_TITLE_WORDS:
        return False
    if width and len(text) >= FULL_LINE * width:
        return False  # a full line: a note's or a paragraph's first line
    return not text.endswith(tuple(".!?:;,-"))


def is_title_line(before: str | None, previous: str, line: str, width: int) -> bool:
    """Whether ``previous`` is a title line sitting on top of ``line``.

    >>> is_title_line(None, "1.1 Social dynamics", "Here are some.", 80)
    True
    >>> is_title_line("a sentence.", "Short Title", "The text.", 80)
    True
    >>> is_title_line("the middle of", "a sentence", "Then", 80)
    False
    >>> is_title_line(None, "Professor, Department of", "Instituto de México", 80)
    False
    """
    text, head = previous.strip(), line.strip()
    if before is not None and not ends_sentence(before.strip()):
        return False
    if not text[:1].isupper() and not text[:1].isdigit():
        return False
    if ends_sentence(text) or text.endswith((",", ";", "-")):
        return False
    short = len(text) < TITLE_LINE * width and len(text.split()) <= MAX_TITLE_WORDS
    # A paragraph follows (a long line, or a sentence), not more short lines
    # (an address block, a byline).
    prose = len(head) >= TITLE_LINE * width or ends_sentence(head)
    return short and prose and bool(_OPENING.match(head))


# A setext heading wrapped over lines is this short (a paragraph is longer).
MAX_SETEXT_LINES = 3


def underlined_lines(lines: list[str], underline: str) -> int:
    """How many of the last ``lines`` a setext underline marks as a heading:
    the last one when it is as long, else a whole short block as long as its
    longest line (a title wrapped in two); 0 when it fits none.

    >>> underlined_lines(["Some text.", "A Title"], "=======")
    1
    >>> underlined_lines(["g++: a long title on", "   two lines"], "-" * 20)
    2
    >>> underlined_lines(["A Title"], "-" * 30)
    0
    """

    def fits(title: str) -> bool:
        return 0.5 * len(title) <= len(underline) <= len(title) + 4

    if fits(lines[-1]):
        return 1
    if len(lines) <= MAX_SETEXT_LINES and fits(max(lines, key=len)):
        return len(lines)
    return 0


def is_hash_literal(previous: str, line: str, following: str) -> bool:
    """Whether ``line``, set off with "#", is literal text, not a markdown
    heading: another "#" line or a shell prompt touches it (a quotation marked
    with "#", a root session's "# apt update"). Markdown headings stand alone.

    >>> quote = ["# A conversion can add", "# multi-level pointers", ""]
    >>> is_hash_literal("", *quote[:2]), is_hash_literal(*quote[:2], "")
    (True, True)
    >>> is_hash_literal("", "# root-command", "$ user-command")
    True
    >>> [is_hash_literal("", x, y) for x, y in [("# Intro", "Text."), ("#if X", "# a")]]
    [False, False]
    """
    if not HASH_LINE_RE.match(line.strip()):
        return False
    touching = (x.strip() for x in (previous, following))
    return any(HASH_LINE_RE.match(x) or CODE_PROMPT_RE.match(x) for x in touching)


def opens_letter_item(first: str, last: str, line: str) -> bool:
    """Whether ``line`` starts an item of a lettered list, after a block whose
    first line is ``first`` and last line ``last``: "a)" after a colon, or the
    letter after the one that opened the block.

    >>> opens_letter_item("Options:", "Your options are to:", "a) Do it.")
    True
    >>> opens_letter_item("a) Don't use them.", "through them.", "b) Get the source")
    True
    >>> opens_letter_item("Cases", "in", "a) x"), opens_letter_item("a) 1", "", "c) 3")
    (False, False)
    """
    item = LETTER_ITEM_RE.match(line.strip())
    if item is None:
        return False
    letter = item.group(1)
    if letter == "a":
        return last.rstrip().endswith(":")
    opened = LETTER_ITEM_RE.match(first.strip())
    return opened is not None and ord(letter) == ord(opened.group(1)) + 1


def opens_attribution(last: str, line: str) -> bool:
    """A quoted mail's attribution line after a finished sentence.

    >>> opens_attribution("with GNU C++ 2.95.2.", "Ann Lee <ann@lee.org> responded:")
    True
    >>> [opens_attribution(*pair) for pair in [("After lunch,", "Ann wrote:"),
    ...     ("It ended.", "The list <a@b.org> is where we wrote: see")]]
    [False, False]
    """
    return ends_sentence(last) and bool(ATTRIBUTION_RE.match(line.strip()))


class _Segmenter:
    """One pass over the lines; state lives here so each step stays small."""

    def __init__(self, lines: list[str], numbers: dict[int, int] | None = None) -> None:
        self.lines = lines
        self.layout = measure_lines(lines)
        # The text's own left margin (lynx indents all its text by three).
        indents = Counter(_indent(line) for line in lines if line.strip())
        self.base_indent = indents.most_common(1)[0][0] if indents else 0
        # Form feeds say where pages turn: then they alone count pages.
        self.paged = numbers is not None
        self.numbers = numbers or {}
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.next_note = 1
        self.page_index = 0
        self.anchors: list[tuple[int, int]] = []
        self.boundary_open = True  # nothing on the first page yet
        self.pending_break = False
        self.blank_run = 0
        self.in_note_zone = False
        self.raw_lines: list[str] = []  # the current block's last lines as read
        self.foot_notes: dict[int, int] = {}  # line index -> note label

    # -- block bookkeeping -------------------------------------------------
    def close(self) -> None:
        if self.current is not None and self.current.lines:
            self.blocks.append(self.current)
        self.current = None

    def start(self, line: str, kind: str = BODY, label: str = "") -> None:
        self.close()
        self.current = Block(
            lines=[line],
            kind=kind,
            page_index=self.page_index,
            after_break=self.pending_break and kind == BODY,
            label=label,
        )
        if kind == BODY:
            self.pending_break = False
            self.boundary_open = False

    def page_break(self, number: int | None = None) -> None:
        if not self.boundary_open and not self.paged:
            self.page_index += 1
            self.boundary_open = True
        if number is not None and not self.paged:
            self.anchors.append((self.page_index, number))
        self.pending_break = True

    def form_feed(self) -> None:
        """A page turns (the furniture of both pages is already gone)."""
        self.close()
        self.in_note_zone = False
        self.blank_run = 0
        self.page_index += 1
        self.pending_break = True

    # -- line kinds ----------------------------------------------------------
    def is_page_number(self, i: int) -> bool:
        if not PAGE_NUMBER_RE.match(self.lines[i].strip()):
            return False
        before = self.lines[i - 1].strip() if i > 0 else ""
        after = self.lines[i + 1].strip() if i + 1 < len(self.lines) else ""
        return not before and not after

    def note_number(self, i: int, stripped: str) -> int | None:
        """The footnote number this line starts with, if it is the next one."""
        match = NOTE_START_RE.match(stripped)
        if not match or not self.layout.hard_wrapped:
            return None
        if not has_word(stripped[match.end() :]):
            return None  # "1 n" over "M̂ = …": a display formula's sum, no note
        if not self.in_note_zone and self.heads_paragraph(i, stripped):
            return None  # "2 The model" over its text: a section, not note 2
        number = int(match.group(1))
        zone_opens = self.in_note_zone and self.current is None
        if zone_opens and self.next_note <= number <= self.next_note + 50:
            return number  # first note under the rule: trust it, it may skip some
        if number not in (self.next_note, self.next_note + 1):
            return None
        previous = self.lines[i - 1] if i > 0 else ""
        in_zone = self.in_note_zone or (
            self.current is not None and self.current.kind == FOOTNOTE
        )
        return number if in_zone or not previous.strip() else None

    def heads_paragraph(self, i: int, stripped: str) -> bool:
        """A numbered section title with its text starting on the next line."""
        if not is_section_title(stripped, self.layout.line_width):
            return False
        following = next((x for x in self.lines[i + 1 : i + 4] if x.strip()), "")
        return bool(_OPENING.match(following.strip())) and following != PAGE_TURN

    def is_page_start(self, i: int, raw: str) -> bool:
        indent = len(raw) - len(raw.lstrip(" "))
        return self.layout.hard_wrapped and i > 0 and indent == 1

    # -- the pass ------------------------------------------------------------
    def run(self) -> list[Block]:
        for i, raw in enumerate(self.lines):
            self.feed(i, raw)
        self.close()
        self.assign_pages()
        return self.blocks

    def feed(self, i: int, raw: str) -> None:
        if raw == PAGE_TURN:
            self.form_feed()
            return
        stripped = raw.strip()
        if not stripped:
            self.on_blank(raw)
            return
        run, self.blank_run = self.blank_run, 0
        if self.is_underline(stripped):
            self.on_underline(stripped)
        elif self.is_page_number(i):
            self.close()
            self.in_note_zone = False
            self.page_break(int(stripped))
        elif RULE_RE.match(stripped):
            self.close()
            self.page_break()
        else:
            if run >= 3 and not self.layout.hard_wrapped:
                self.page_break()
            self.on_text(i, raw, stripped)

    def is_underline(self, stripped: str) -> bool:
        """A setext underline ("=====", "-----") right under a text line."""
        current = self.current
        if current is None or current.kind != BODY or not SETEXT_RE.match(stripped):
            return False
        return underlined_lines(current.lines, stripped) > 0

    def on_underline(self, stripped: str) -> None:
        """The lines above are a heading (level 1 for "=", 2 for "-")."""
        assert self.current is not None
        count = underlined_lines(self.current.lines, stripped)
        title = self.current.lines[-count:]
        del self.current.lines[-count:]
        self.close()
        self.start(title[0])
        assert self.current is not None
        self.current.lines.extend(title[1:])
        self.current.meta["setext"] = stripped[0]
        self.close()

    def on_blank(self, raw: str) -> None:
        self.close()
        self.blank_run += 1
        if len(raw) >= NOTE_SEPARATOR_MIN_SPACES and self.layout.hard_wrapped:
            self.pending_break = True
            self.in_note_zone = True

    def on_text(self, i: int, raw: str, stripped: str) -> None:
        page_start = self.is_page_start(i, raw)
        if page_start:
            self.on_page_start(stripped)
        number = self.note_number(i, stripped)
        if i in self.foot_notes:  # a note zone found on its page (order matters)
            self.next_note = self.foot_notes[i] + 1
            self.in_note_zone = True
            body = _FOOT_LABEL.sub("", stripped, count=1)
            self.start(body, FOOTNOTE, label=str(self.foot_notes[i]))
        elif number is not None:
            self.next_note = number + 1
            body = NOTE_START_RE.sub("", stripped, count=1)
            self.start(body, FOOTNOTE, label=str(number))
        elif self.in_note_zone and self.current is None:
            # A note carried over from the previous page: no number of its own.
            self.start(stripped, FOOTNOTE)
        elif self.hash_literal(i):
            self.on_hash_literal(stripped)
        elif self.current is None:
            self.start(stripped)
            self.mark_literal(raw)
        elif self.starts_new_block(stripped) or self.starts_paragraph(i, raw):
            self.start(stripped)
            self.mark_literal(raw)
            self.mark_tight()
        else:
            self.current.lines.append(stripped)
        self.raw_lines = (
            [raw]
            if self.current and len(self.current.lines) == 1
            else [
                *self.raw_lines[-1:],
                raw,
            ]
        )
        self.note_indent(raw)

    def note_indent(self, raw: str) -> None:
        """Keep the block's least indentation: in a converter's layout text a
        figure's labels sit far from the text's margin."""
        current = self.current
        if current is not None:
            least = min(int(current.meta.get("indent", _indent(raw))), _indent(raw))
            current.meta["indent"] = str(least)

    def mark_tight(self) -> None:
        """The block follows the one before with no blank line between: one
        group, such as a contents list whose last entry a paragraph follows."""
        if self.current is not None:
            self.current.meta["tight"] = "1"

    def hash_literal(self, i: int) -> bool:
        previous = self.lines[i - 1] if i > 0 else ""
        following = self.lines[i + 1] if i + 1 < len(self.lines) else ""
        return is_hash_literal(previous, self.lines[i], following)

    def on_hash_literal(self, stripped: str) -> None:
        """A "#" quotation's lines make one literal block, kept as printed."""
        current = self.current
        if current is not None and "hash" in current.meta:
            current.lines.append(stripped)
            return
        self.start(stripped)
        assert self.current is not None
        self.current.meta.update(code="1", hash="1")

    def mark_literal(self, raw: str) -> None:
        """A text dump's literal (code) block: indented past the margin."""
        if self.current is not None and not self.paged:
            if _indent(raw) - self.base_indent >= CODE_INDENT:
                self.current.meta["code"] = "1"

    def starts_paragraph(self, i: int, raw: str) -> bool:
        """A paragraph (or a title) that only the line shapes set apart."""
        current = self.current
        if current is None or current.kind != BODY or not self.raw_lines:
            return False
        if "code" in current.meta:
            return False  # a literal block's lines are not prose
        width = self.layout.line_width
        following = self.lines[i + 1] if i + 1 < len(self.lines) else ""
        before = self.raw_lines[-2] if len(self.raw_lines) > 1 else None
        return is_title_line(before, self.raw_lines[-1], raw, width) or (
            max(map(len, current.lines)) >= FULL_LINE * width
            and opens_paragraph(self.raw_lines[-1], raw, following, width)
        )

    def on_page_start(self, stripped: str) -> None:
        current = self.current
        self.in_note_zone = False
        if current is not None and current.kind == FOOTNOTE:
            self.close()
        elif current is not None:
            last = current.lines[-1]
            if (ends_sentence(last) and is_short(last, self.layout)) or (
                NUMBERED_HEADING_RE.match(stripped) and ends_sentence(last)
            ):
                self.close()
        self.page_break()
        if self.current is not None:
            # The page turned inside a running paragraph: it simply goes on.
            self.pending_break = False

    def starts_new_block(self, stripped: str) -> bool:
        if MARKDOWN_HEADING_RE.match(stripped):
            return True
        if LIST_ITEM_RE.match(stripped):
            current = self.current
            return current is None or not wrapped_onto_hyphen(
                current.lines[-1], stripped, self.layout.line_width
            )
        current = self.current
        assert current is not None
        if (
            current.kind == BODY
            and len(current.lines) == 1
            and is_section_title(current.lines[0], self.layout.line_width)
            and _OPENING.match(stripped)
        ):
            return True  # "2 The model" then "Consider the …": title, then text
        if CODE_PROMPT_RE.match(stripped) and not CODE_PROMPT_RE.match(
            current.lines[0]
        ):
            return True  # prose, then a session's first prompt: code apart
        if current.kind == BODY and (
            opens_letter_item(current.lines[0], current.lines[-1], stripped)
            or opens_attribution(current.lines[-1], stripped)
        ):
            return True  # "a) …" under "options are:"; "Ann <a@b.org> wrote:"
        if SECTION_LINE_RE.match(stripped) and current.kind == BODY:
            last = current.lines[-1]
            # "9.1. Envoi …" under a short line: a list of titles (contents)
            if not last.endswith((",", "-")) and is_short(last, self.layout, FULL_LINE):
                return True
        if DASH_ITEM_RE.match(stripped) and current.kind == BODY:
            last = current.lines[-1]
            return ends_sentence(last) or last.endswith(":")  # "— item" lists
        return current.kind == FOOTNOTE and bool(_SYMBOL_NOTE_RE.match(stripped))

    def assign_pages(self) -> None:
        if self.paged:
            self.anchors = sorted(self.numbers.items())
            if not self.anchors:  # no printed numbers: count the form feeds
                self.anchors = [(0, 1)]
        if not self.anchors:
            return
        index, number = self.anchors[0]
        offset = number - index
        for block in self.blocks:
            page = block.page_index + offset
            # Front matter before page 1 is numbered apart (i, ii, …): unknown.
            block.page = page if page >= 1 else None


# Footnote labels written as symbols: <sup>1</sup>, ^{iv}, ^v, ¹, ⁱⁱ.
# Text dumps of web pages: pandoc writes "^([12])", others "^[12]".
_SYMBOL_NOTE_RE = re.compile(
    r"^(?:<sup>\s*([^<]{1,8})\s*</sup>|\^\{([^}]{1,8})\}|\^\(?\[(\d{1,3})\]\)?"
    r"|\^([0-9ivxlc]{1,8})\b|([⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵛˣ]{1,8}))\s*"
)


def split_symbol_label(text: str) -> tuple[str, str] | None:
    """Split a leading footnote label written with symbols from its text.

    >>> split_symbol_label("<sup>1</sup> In Mexico, both")
    ('1', 'In Mexico, both')
    >>> split_symbol_label("ⁱⁱⁱ *Ibid*.")
    ('iii', '*Ibid*.')
    >>> split_symbol_label("^([4]) Les paquets source")
    ('4', 'Les paquets source')
    >>> split_symbol_label("Plain text") is None
    True
    """
    match = _SYMBOL_NOTE_RE.match(text)
    if not match or match.end() == len(text):
        return None
    label = next(group for group in match.groups() if group)
    return from_superscript(label), text[match.end() :]


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵛˣ", "0123456789ivx")


def from_superscript(label: str) -> str:
    """
    >>> from_superscript("ⁱᵛ")
    'iv'
    """
    return label.translate(_SUPERSCRIPTS)


PAGE_TURN = "\f"
_FOOT_LABEL = re.compile(r"^\d{1,3}[.)]?\s*")


@dataclass
class PagedLines:
    """The lines to segment; for paged text, what the page pre-pass found."""

    lines: list[str]
    numbers: dict[int, int] | None = None  # page index -> printed number
    notes: dict[int, int] = field(default_factory=dict)  # line -> note label


def paged_lines(text: str) -> PagedLines:
    r"""The text's lines, pages turned by a lone ``\f`` line and stripped of
    their furniture; ``None`` for the page numbers when the text has no pages.

    >>> paged_lines("a\nb").numbers is None
    True
    >>> found = paged_lines("Body one.\n1\fBody two.\n2")
    >>> found.lines, found.numbers
    (['Body one.', '\x0c', 'Body two.'], {0: 1, 1: 2})
    """
    if PAGE_TURN not in text:
        return PagedLines(text.split("\n"))
    pages, numbers = strip_furniture(text)
    foot_notes = find_foot_notes(pages, is_title=is_section_title)
    result = PagedLines([], numbers)
    for p, page in enumerate(pages):
        if p:
            result.lines.append(PAGE_TURN)
        for i, line in enumerate(page):
            if (p, i) in foot_notes:
                result.notes[len(result.lines)] = foot_notes[p, i]
            result.lines.append(line)
    return result


def segment(text: str) -> tuple[list[Block], LineStats]:
    """Cut cleaned text into blocks, in source order, with page numbers."""
    paged = paged_lines(text)
    segmenter = _Segmenter(paged.lines, paged.numbers)
    segmenter.foot_notes = paged.notes
    layout = replace(segmenter.layout, paged=paged.numbers is not None)
    return segmenter.run(), layout
