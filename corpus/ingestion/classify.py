"""Give each block its kind: heading, paragraph, footnote, reference, meta or noise.

The rules read structure, not particular files: markdown and numbered
headings, short title-like lines, the front matter before the first real
paragraph (title, byline, affiliation), a signature of names, the entries under
a "References" heading, and web boilerplate or running headers to drop.
"""

from __future__ import annotations

import re
from collections import Counter

from corpus.ingestion.clean import strip_markdown
from corpus.ingestion.geometry import KEYWORDS
from corpus.ingestion.notes import (
    BRACKET_NOTE_START,
    bracket_notes,
    remove_bracket_markers,
)
from corpus.ingestion.segment import (
    BODY,
    CODE_PROMPT_RE,
    FOOTNOTE,
    FULL_LINE,
    LIST_ITEM_RE,
    MARKDOWN_HEADING_RE,
    NUMBERED_HEADING_RE,
    Block,
    LineStats,
    ends_sentence,
    is_section_title,
    is_short,
    split_symbol_label,
)

HEADING = "heading"
PARAGRAPH = "paragraph"
REFERENCE = "reference"
META = "meta"
NOISE = "noise"

BOILERPLATE = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^welcome to the\b.*\barchive$",
        r"\bis no longer in operation\b",
        r"\bthis (?:web ?site|site) (?:documents|is an archive)\b",
        r"\bcomments? powered by\b",
        r"^comments? policy$",
        r"\bdisqus\b",
        r"\bprivacy policy$",
        r"^click\b.{0,40}\bto report\b",
        r"\b(?:addthis|sharethis)\b|^share (?:this|on)\b",
        r"^(?:print|email|e-mail) this (?:page|article)$",
        r"^(?:back to top|skip to (?:main )?content|read more)$",
        r"\bcookies?\b.*\b(?:accept|consent)\b",
    )
]
# Once a comment system starts, nothing after it is the author's text.
FOOTER_START = re.compile(r"\bcomments? powered by\b|^leave a (?:comment|reply)$", re.I)
SECTION_NAMES = re.compile(
    r"^(?:abstract|introduction|summary|résumé|resumen|introducción|preface|foreword)$",
    re.IGNORECASE,
)
REFERENCE_HEADINGS = re.compile(
    r"^(?:references|bibliography|works cited|literature cited|sources"
    r"|bibliograf[ií]a|bibliographie|r[ée]f[ée]rences(?: bibliographiques)?)$",
    re.IGNORECASE,
)
NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ'’-]+|[A-Z]\.)$")
STOPWORDS = frozenset(
    "the a an and or of in on for to with by at from".split()
    + "de la le les et du des y el".split()
)
MAX_HEADING_CHARS = 120
MAX_TITLE_MATTER_CHARS = 250
MAX_HEADING_WORDS = 14
# Numbered headings are trusted longer: "1.1.3) The US National Security …".
MAX_NUMBERED_HEADING_CHARS = 200
MAX_NUMBERED_HEADING_WORDS = 30
# A float's caption or a table's notes, in the corpus' languages: never a
# section's title ("Tabla 1.16. Lista de comandos", "Figure 2").
CAPTION = re.compile(
    r"^(?:sources?|notes?|(?:table|figure|fig\.|tableau|tabla|cuadro|figura"
    r"|abbildung|tabelle)\s+\d+(?:\.\d+)*)\b",
    re.I,
)
BULLET_RE = re.compile(r"^[-*+•▪◦●]\s")
_ITEM_LABEL = re.compile(r"^(\d{1,2})([.)])\s")
_SENTENCE_BREAK = re.compile(r"[a-z][.!?] [A-Z]")
_TRAILING_MARKER = re.compile(r"(?<=[.:;!?”\"’])\s*\d{1,3}$")


def plain(block: Block) -> str:
    """The block's text without markup, for the tests below."""
    return strip_markdown(block.text).strip()


def is_boilerplate(text: str) -> bool:
    """
    >>> is_boilerplate("blog comments powered by Disqus Comments Policy")
    True
    >>> is_boilerplate("Security relations between Mexico and Canada remain weak.")
    False
    """
    return len(text) <= 300 and any(p.search(text) for p in BOILERPLATE)


def drop_boilerplate(blocks: list[Block]) -> None:
    in_footer = False
    for block in blocks:
        text = plain(block)
        in_footer = in_footer or bool(FOOTER_START.search(text))
        if in_footer or is_boilerplate(text):
            block.kind = NOISE


def drop_running_headers(blocks: list[Block]) -> None:
    """A short one-line block repeated verbatim is a running header or footer."""

    def key(block: Block) -> str | None:
        if block.asserted or block.kind != BODY or len(block.lines) != 1:
            return None
        if len(block.text) > 80:
            return None
        if NUMBERED_HEADING_RE.match(block.text) or LIST_ITEM_RE.match(block.text):
            return None  # a contents line repeats its heading; both are kept
        if ends_sentence(block.text):
            return None  # "Pour la commande debuild :" said twice is still text
        return block.text.strip().casefold()

    counts = Counter(k for k in map(key, blocks) if k)
    for block in blocks:
        k = key(block)
        if k and counts[k] >= 2 and not MARKDOWN_HEADING_RE.match(block.text):
            block.kind = NOISE


# A line of R or C-like code: an assignment arrow, a brace that opens or
# closes a body. Prose lines carry none of these.
_CODE_LINE = re.compile(r"\s<-\s|\{\s*$|^\s*\}\s*$")
MIN_CODE_SHARE = 0.5
MIN_CODE_LINES = 2


def is_code_block(lines: list[str]) -> bool:
    """Whether a block's lines are a listing: half of them or more, and two
    at least, with an assignment arrow or a brace that opens or closes a body
    on its own line end (a set's "{(x1, y1), …}" in a formula is none).

    >>> is_code_block(["estfun.lm <- function (obj, ...)", "{",
    ...                "wts <- weights(obj)", "residuals(obj) * wts", "}"])
    True
    >>> is_code_block(["the steps of the method are", "shown in Table 2 {see}."])
    False
    >>> is_code_block(["x <- 1"])  # one line: a session's line, not a block
    False
    >>> is_code_block(["i.e., we expect new observations. The sample",
    ...                "{(x1, y1), . . . , (xn, yn)} will be called historic"])
    False
    """
    if len(lines) < 2:
        return False
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    return code >= max(MIN_CODE_LINES, MIN_CODE_SHARE * len(lines))


def listing_start(lines: list[str]) -> int | None:
    """Where a listing begins inside a block, right under its lead-in line
    ("… for “lm” objects:" then "bread.lm <- function(obj, ...)" with no blank
    line, as plain pdftotext sets it), or None.

    >>> listing_start(["perform hardly any computations, e.g., for lm objects:",
    ...                "bread.lm <- function(obj, ...)", "{", "so <- x", "}"])
    1
    >>> listing_start(["The options are:", "a list of things", "and more"]) is None
    True
    """
    # code lines from each line to the block's end, counted once (linear)
    after = [0] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        after[i] = after[i + 1] + bool(_CODE_LINE.search(lines[i]))
    for k in range(1, len(lines) - 1):
        rest = len(lines) - k
        code = after[k] >= max(MIN_CODE_LINES, MIN_CODE_SHARE * rest)
        if code and lines[k - 1].rstrip().endswith(":"):
            return k
    return None


def mark_code_blocks(blocks: list[Block], layout: LineStats) -> list[Block]:
    """A converter's text sets a listing at the margin like prose: its lines
    say what it is, and a listing is kept as printed and joined to nothing.
    A listing under its lead-in with no blank line between is cut off it."""
    if not (layout.hard_wrapped or layout.paged):
        return blocks  # a format's typed blocks say what is code themselves
    result = []
    for block in blocks:
        if block.kind != BODY or block.asserted or "code" in block.meta:
            result.append(block)
            continue
        start = 0 if is_code_block(block.lines) else listing_start(block.lines)
        if start:
            result.append(_copy(block, block.lines[:start]))
            block = _copy(block, block.lines[start:], after_break=False)
        if start is not None:
            block.meta["code"] = "1"
        result.append(block)
    return result


def split_leading_short_lines(blocks: list[Block], layout: LineStats) -> list[Block]:
    """In hard-wrapped text a title line sits on top of its paragraph; cut it off."""
    if not layout.hard_wrapped:
        return blocks
    result = []
    first = _first_content(blocks)
    for block in blocks:
        if block is first and is_wrapped_title(block.lines, layout):
            result.append(block)
            continue
        while (
            block.kind == BODY
            and not block.asserted
            and "code" not in block.meta
            and len(block.lines) > 1
            and is_short(block.lines[0], layout, 0.6)
            and not ends_sentence(block.lines[0])
            and not block.lines[0][:1].islower()
            and not NUMBERED_HEADING_RE.match(block.lines[0])
        ):
            result.append(_copy(block, block.lines[:1]))
            block = _copy(block, block.lines[1:], after_break=False)
        result.append(block)
    return result


MAX_TITLE_LINES = 3


def is_wrapped_title(lines: list[str], layout: LineStats) -> bool:
    """The document's first block as a title set over a few short lines, no
    text under it ("Object-Oriented Computation of Sandwich" / "Estimators"):
    one title, not a title line over its paragraph. A last line of names is
    a byline, which ``split_title_byline`` sets apart.

    >>> stats = LineStats(hard_wrapped=True, line_width=90)
    >>> is_wrapped_title(["Object-Oriented Computation of Sandwich",
    ...                   "Estimators"], stats)
    True
    >>> is_wrapped_title(["Introduction", "This paper studies a thing."], stats)
    False
    >>> is_wrapped_title(["A Study of Things", "Ann Lee"], stats)
    False
    """
    if not 2 <= len(lines) <= MAX_TITLE_LINES:
        return False
    if any(not is_short(line, layout, 0.6) for line in lines):
        return False
    last = lines[-1]
    return not (ends_sentence(last) or is_byline(last) or last[:1].islower())


def _copy(block: Block, lines: list[str], **changes: object) -> Block:
    copy = Block(
        lines=lines,
        kind=block.kind,
        page_index=block.page_index,
        after_break=block.after_break,
        label=block.label,
        page=block.page,
        meta=dict(block.meta),
    )
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def label_symbol_footnotes(blocks: list[Block]) -> None:
    """Blocks that open with ``<sup>1</sup>``, ``^{iv}`` or ``ⁱⁱ`` are notes."""
    for block in blocks:
        if block.kind != BODY or block.asserted:
            continue
        split = split_symbol_label(block.lines[0])
        if split:
            block.kind, block.label = FOOTNOTE, split[0]
            block.lines = [split[1], *block.lines[1:]]


def label_bracket_footnotes(blocks: list[Block]) -> None:
    """Blocks that open with "[N] " and whose marker "[N]" the text carries
    once are notes (``notes.bracket_notes``); their markers leave the text."""
    candidates = [b.kind == BODY and not b.asserted for b in blocks]
    texts = [
        "\n".join(b.lines) if ok else ""
        for b, ok in zip(blocks, candidates, strict=True)
    ]
    closed_at = next(
        (i for i, b in enumerate(blocks) if REFERENCE_HEADINGS.match(plain(b))), None
    )
    found = bracket_notes(texts, closed_at)
    for index, label in found.items():
        block = blocks[index]
        block.kind, block.label = FOOTNOTE, str(label)
        first = BRACKET_NOTE_START.sub("", block.lines[0], count=1)
        block.lines = [first, *block.lines[1:]]
    for block, text, ok in zip(blocks, texts, candidates, strict=True):
        if ok and block.kind == BODY and found:
            cleaned = remove_bracket_markers(text, found.values())
            if cleaned != text:
                block.lines = cleaned.split("\n")


def heading_level(text: str) -> int:
    """
    >>> heading_level("### Intro"), heading_level("1.1.2) Text"), heading_level("A) x")
    (3, 4, 3)
    """
    if text.startswith("#"):
        return len(text) - len(text.lstrip("#"))
    numbered = re.match(r"^(\d{1,2}(?:\.\d{1,2})*)", text)
    if numbered:
        return 1 + numbered.group(1).count(".") + 1
    return 3 if re.match(r"^[A-H]\)", text) else 2


def is_heading_shaped(block: Block, layout: LineStats) -> bool:
    """Short, unpunctuated, capitalised: the shape of a title line."""
    text = _TRAILING_MARKER.sub(lambda m: m.group(0)[:1].strip(), plain(block))
    if MARKDOWN_HEADING_RE.match(block.text):
        return True
    max_lines = 2 if layout.hard_wrapped else 1
    if len(block.lines) > max_lines or BULLET_RE.match(block.text):
        return False
    if CODE_PROMPT_RE.match(text) or text.startswith("0"):
        return False  # a session's prompt; "0.8 Empirical coverage", a plot's axis
    if not _TWO_LETTERS.search(text):
        return False  # "X", "Pn": a formula's big operator, no word at all
    numbered = bool(NUMBERED_HEADING_RE.match(text))
    max_chars = MAX_NUMBERED_HEADING_CHARS if numbered else MAX_HEADING_CHARS
    max_words = MAX_NUMBERED_HEADING_WORDS if numbered else MAX_HEADING_WORDS
    if len(text) > max_chars or len(text.split()) > max_words or CAPTION.match(text):
        return False
    if _SENTENCE_BREAK.search(NUMBERED_HEADING_RE.sub("", text)):
        return False
    if not text[:1].isupper() and not text[:1].isdigit():
        return False
    if ends_sentence(text) and not (
        text.endswith(("?", "”", ")")) or _DOTTED_CHAPTER.match(text)
    ):
        return False
    if text.endswith(_FORMULA_END) or text.split()[-1].casefold() in _OPEN_WORDS:
        return False  # "Wn (t) =", "… properties (Andrews and": a line cut off
    return not text.endswith((",", ";", "-"))


_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
# "Capítulo 1. Empezando «de la forma correcta».": a chapter's label, a full
# stop, then its title, which may end with one of its own. Prose that names a
# chapter ("Chapter 3 describes …") has no stop after the number.
_DOTTED_CHAPTER = re.compile(
    r"^(?:chapter|chapitre|cap[ií]tulo|kapitel|part|partie|parte|teil|appendix"
    r"|annexe|ap[ée]ndice|anhang)\s+(?:\d{1,3}|[IVXLC]{1,6}|[A-Z])[.:]\s+\S",
    re.IGNORECASE,
)
# A title does not stop on a word that needs another after it, or on an operator.
_OPEN_WORDS = frozenset(
    "and or of the a an with y o de del la le les et du des el los las".split()
)
_FORMULA_END = ("=", "+", "−", "×", "<", ">", "≤", "≥", "(")


def is_name_line(text: str) -> bool:
    """
    >>> is_name_line("Catherine Durepos"), is_name_line("Final Thoughts.")
    (True, False)
    >>> is_name_line("Canada and North America")
    False
    """
    tokens = text.replace("*", "").split()
    if not 2 <= len(tokens) <= 4:
        return False
    return all(NAME_TOKEN.match(t) and t.lower() not in STOPWORDS for t in tokens)


# A paragraph's first-line indent in a converter's layout text, in columns.
MIN_PARAGRAPH_INDENT = 2


def _paragraph_indent(block: Block, layout: LineStats) -> bool:
    """Paged layout text sets a paragraph's first line a few columns in, and a
    section's title at the margin (or centred, far in): a short line set in
    like a paragraph is a paragraph's start ("   We are interested in X")."""
    indent = int(block.meta.get("indent", "0"))
    return (
        layout.paged
        and MIN_PARAGRAPH_INDENT <= indent < RESIDUE_INDENT
        and not NUMBERED_HEADING_RE.match(plain(block))
        and not is_section_title(plain(block))
    )


def underline_levels(characters: list[str]) -> dict[str, int]:
    """Heading levels of underline characters, from the underlines in order.

    Markdown has two: "=" is level 1, "-" level 2. reStructuredText (and
    Sphinx's text output) ranks any character by its first appearance, and
    a "*", "~" or "^" underline says the text is reST.

    >>> underline_levels(["-", "=", "-"])
    {'=': 1, '-': 2}
    >>> underline_levels(["*", "*", "=", "-", "="])
    {'*': 1, '=': 2, '-': 3}
    """
    if not set(characters) - {"=", "-"}:
        return {"=": 1, "-": 2}
    return {ch: rank for rank, ch in enumerate(dict.fromkeys(characters), 1)}


def mark_headings(blocks: list[Block], layout: LineStats) -> None:
    body = [b for b in blocks if b.kind in (BODY, HEADING)]
    levels = underline_levels([b.meta["setext"] for b in body if "setext" in b.meta])
    for i, block in enumerate(body):
        if block.kind != BODY or block.asserted:
            continue
        if "code" in block.meta:
            continue  # a literal block ("Hash: SHA1") is no title
        if "setext" in block.meta:  # underlined: the source says so
            block.kind, block.level = HEADING, levels[block.meta["setext"]]
            continue
        if not is_heading_shaped(block, layout) or _paragraph_indent(block, layout):
            continue
        following = body[i + 1] if i + 1 < len(body) else None
        if following is not None and CAPTION.match(plain(following)):
            continue  # the title of a table or figure, not of a section
        previous = body[i - 1] if i > 0 else None
        if _is_list_sibling(block, previous) or _is_list_sibling(block, following):
            continue
        if MARKDOWN_HEADING_RE.match(block.text):
            block.kind = HEADING
        elif following is None or not plain(following)[:1].islower():
            block.kind = HEADING
        if block.kind == HEADING:
            block.level = heading_level(block.text)


# A heading's own number or label: "3 ", "4.2 ", "1.1) ", "A.5 ", "II. ".
_SECTION_NUMBER = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\)?|[A-Z](?:\.\d{1,2})+\.?|[IVX]{1,5}\.)\s+\S"
)
# Unnumbered sections a numbered paper still has.
_UNNUMBERED_SECTIONS = re.compile(
    r"^(?:abstract|acknowledge?ments?|appendix|appendices|annexe?s?|ap[ée]ndices?"
    r"|remerciements|agradecimientos|notes|index|glossary)\b",
    re.IGNORECASE,
)
MIN_NUMBERED_SECTIONS = 3


def demote_unnumbered_headings(blocks: list[Block], layout: LineStats) -> None:
    """Where a typeset (paged) document numbers its sections ("3 The data", "4.2
    Boundaries"), a short unnumbered line after the first of them is no
    section: it is a formula's piece ("Wn (t) ="), a plot's label, a line
    the extraction set apart. Known unnumbered sections (references,
    acknowledgements, appendices) stay."""
    if not layout.paged:
        return
    headings = [b for b in blocks if b.kind == HEADING and not b.asserted]
    numbered = [b for b in headings if _SECTION_NUMBER.match(plain(b))]
    if len(numbered) < MIN_NUMBERED_SECTIONS:
        return
    for block in headings[headings.index(numbered[0]) :]:
        text = plain(block)
        if _between_paragraphs(block, blocks, layout):
            continue
        if (
            _SECTION_NUMBER.match(text)
            or _LABELLED.match(text)
            or REFERENCE_HEADINGS.match(text)
            or SECTION_NAMES.match(text)
            or _UNNUMBERED_SECTIONS.match(text)
            or MARKDOWN_HEADING_RE.match(block.text)
            or "setext" in block.meta
        ):
            continue
        block.kind, block.level = BODY, 0


# A run-in title's words: "Estimating functions", "Outer product estimators".
_TITLE_WORDS = re.compile(r"[A-ZÀ-Ý][^\W\d_]*(?: [^\W\d_][^\W\d_’'\-]*){0,5}")


def _between_paragraphs(block: Block, blocks: list[Block], layout: LineStats) -> bool:
    """An unnumbered title between two paragraphs ("Estimating functions"
    after "… is described in the following." and over a full line of text):
    a lower level's title, where a formula's piece or a plot's label has
    symbols, or no sentence's end before it and no prose after it."""
    if not _TITLE_WORDS.fullmatch(plain(block)):
        return False
    at = blocks.index(block)
    before = next((b for b in reversed(blocks[:at]) if b.kind != NOISE), None)
    after = next((b for b in blocks[at + 1 :] if b.kind != NOISE), None)
    if before is None or after is None or BODY not in (before.kind, after.kind):
        return False
    if before.kind != BODY or not (
        ends_sentence(before.lines[-1]) or "code" in before.meta  # after a listing
    ):
        return False
    return after.kind == BODY and not is_short(after.lines[0], layout, FULL_LINE)


def _is_list_sibling(block: Block, other: Block | None) -> bool:
    """ "8) Preserving NATO" among "7) …." and "9) …." is an item, not a title."""
    mine = _ITEM_LABEL.match(plain(block))
    theirs = _ITEM_LABEL.match(plain(other)) if other is not None else None
    if not mine or not theirs or mine.group(2) != theirs.group(2):
        return False
    assert other is not None
    close = abs(int(mine.group(1)) - int(theirs.group(1))) == 1
    return close and ends_sentence(plain(other))


def mark_subtitles(blocks: list[Block]) -> None:
    """An unnumbered title line right under a heading is a byline or subtitle."""
    previous: Block | None = None
    for block in blocks:
        if block.kind in (FOOTNOTE, NOISE):
            continue
        if block.asserted:
            previous = block
            continue
        if previous is not None and previous.kind == HEADING and _in_parentheses(block):
            previous.lines = previous.lines + block.lines
            block.kind = NOISE
            continue
        if (
            previous is not None
            and previous.kind == HEADING
            and block.kind == HEADING
            and not SECTION_NAMES.match(plain(block))  # "Abstract" is no subtitle
            and not MARKDOWN_HEADING_RE.match(block.text)
            and not NUMBERED_HEADING_RE.match(block.text)
            and not is_section_title(block.text)
            and not _underlined_label(block)
        ):
            block.kind = META
        previous = block


def _underlined_label(block: Block) -> bool:
    """A heading its author underlined and numbered ("3. Devoirs" over "****")
    is a chapter's or a section's, however close under the title it sits."""
    return "setext" in block.meta and bool(_LABELLED.match(plain(block)))


def _in_parentheses(block: Block) -> bool:
    text = plain(block)
    return len(text) <= 60 and text.startswith("(") and text.endswith(")")


_CONTENT_KINDS = frozenset({"list_item", "table", "caption"})


def mark_front_matter(blocks: list[Block]) -> None:
    """Everything before the first real paragraph or section is title matter."""
    for block in blocks:
        if block.kind in (NOISE, FOOTNOTE):
            continue
        text = plain(block)
        if block.kind == HEADING and SECTION_NAMES.match(text):
            return
        if block.asserted in _CONTENT_KINDS:
            return  # a list, table or caption is content, never title matter
        if block.kind == BODY and (
            text.endswith((".", "!", ".”"))
            or (len(text) >= 150 and ends_sentence(text))
            or len(text) >= MAX_TITLE_MATTER_CHARS
        ):
            return  # a sentence, or too long for a title: the text has begun
        if block.kind == HEADING and _over_named_section(block, blocks):
            block.kind = META  # an affiliation right above "Abstract"
            continue
        if block.kind == HEADING and (
            block is not _first_content(blocks)
            or _LABELLED.match(text)
            or "setext" in block.meta  # underlined as a heading by its author
            or _has_peer_heading(block, blocks)
        ):
            return  # a second heading, or a chapter's, opens the text
        block.kind = META


def _over_named_section(block: Block, blocks: list[Block]) -> bool:
    """A short line (an author, an affiliation) above an "Abstract" heading
    with only such lines between: the abstract opens the text, so it does not.
    """
    if block.asserted or "setext" in block.meta or _LABELLED.match(plain(block)):
        return False
    for following in blocks[blocks.index(block) + 1 :]:
        if following.kind in (NOISE, FOOTNOTE, META):
            continue
        if following.kind != HEADING:
            return False
        if SECTION_NAMES.match(plain(following)):
            return True
    return False


def split_title_byline(blocks: list[Block]) -> list[Block]:
    """The document's first block, a title with its author's name on the last
    line and no blank line between ("… when the Model is Unknown" / "Ann
    Lee"): the name is a record of its own, title matter apart from the title.
    """
    first = _first_content(blocks)
    if first is None or first.kind != BODY or first.asserted or len(first.lines) < 2:
        return blocks
    cut = len(first.lines)
    while (
        cut > 1
        and is_byline(first.lines[cut - 1])
        and not _runs_on(first.lines[cut - 2])
    ):
        cut -= 1
    title, names = first.lines[:cut], first.lines[cut:]
    if not names or is_name_line(title[0]) or ends_sentence(title[-1]):
        return blocks  # no byline; names only; a sentence, then a signature
    at = blocks.index(first)
    return [*blocks[:at], _copy(first, title), _copy(first, names), *blocks[at + 1 :]]


# A title's line that ends on one of these goes on to the next line.
_RUNS_ON_WORDS = _OPEN_WORDS | frozenset("for to in on by from when at as".split())


def _runs_on(line: str) -> bool:
    """
    >>> _runs_on("coin: A Computational Framework for"), _runs_on("Model is Unknown")
    (True, False)
    """
    words = line.split()
    return bool(words) and words[-1].casefold() in _RUNS_ON_WORDS


_NAME_PARTICLES = frozenset("van de der den von da di du le la del dos".split())
_NAME_MARKS = re.compile(r"[\d*†‡§]+(?=\s|,|$)")


def is_byline(line: str) -> bool:
    """Authors' names, with their affiliation marks, separated by commas or
    "and" ("Ann Lee1 , Mark van de Wiel3", "and Carl Diaz2").

    >>> lines = ["Torsten Hothorn1 , Mark van de Wiel3", "and Achim Zeileis2",
    ...          "Ludwig A. Hothorn", "Inference and Testing", "the Model is Unknown"]
    >>> [is_byline(line) for line in lines]
    [True, True, True, False, False]
    """
    text = _NAME_MARKS.sub("", line).strip()
    parts = [p for p in re.split(r"\s*,\s*|\band\b", text) if p.strip()]
    return bool(parts) and all(_is_name(part.split()) for part in parts)


def _is_name(tokens: list[str]) -> bool:
    names = [t for t in tokens if t not in _NAME_PARTICLES]
    return 2 <= len(names) <= 4 and is_name_line(" ".join(names))


def mark_keywords(blocks: list[Block]) -> None:
    """ "Keywords: structural change, CUSUM": the paper's metadata."""
    for block in blocks:
        if block.kind == BODY and not block.asserted and KEYWORDS.match(plain(block)):
            block.kind = META


def _has_peer_heading(block: Block, blocks: list[Block]) -> bool:
    """Whether ``block`` heads a section among others: prose comes right under
    it and a later heading has the rank the format gave it (a PDF's font size,
    an HTML ``h3``) below the top one, where a title is one of a kind and has
    title matter (authors, a date) under it. (The top rank is left out: pandoc
    sets the title and every section in ``h1``.)"""
    if not block.asserted or block.level < 2:
        return False
    at = blocks.index(block)
    following = next((b for b in blocks[at + 1 :] if b.kind != NOISE), None)
    if following is None or not _is_prose(following):
        return False
    return any(
        b.kind == HEADING and b.asserted and b.level == block.level
        for b in blocks[at + 1 :]
    )


MIN_PROSE_WORDS = 8


def _is_prose(block: Block) -> bool:
    text = plain(block)
    return (
        block.kind == BODY
        and len(text.split()) >= MIN_PROSE_WORDS
        and text.endswith((".", ":", "!", "?"))
    )


def _first_content(blocks: list[Block]) -> Block | None:
    return next((b for b in blocks if b.kind not in (NOISE, FOOTNOTE)), None)


def mark_signatures(blocks: list[Block]) -> None:
    """Runs of two or more name lines (editors signing a preface) are meta."""
    run: list[Block] = []
    for block in [*blocks, None]:
        if (
            block is not None
            and block.kind in (BODY, HEADING, META)
            and all(is_name_line(line) for line in block.lines)
        ):
            run.append(block)
            continue
        if sum(len(b.lines) for b in run) >= 2:
            for member in run:
                member.kind = META
        run = []


def mark_author_notes(blocks: list[Block]) -> None:
    """A paragraph that opens with a bylined author's name and "is" is a bio."""
    names = {
        plain(b).rstrip("*").strip()
        for b in blocks
        if b.kind == META and is_name_line(plain(b))
    }
    for block in blocks:
        text = plain(block)
        if block.kind == BODY and any(
            text.startswith(f"{name} is ") or text.startswith(f"{name} was ")
            for name in names
        ):
            block.kind = META


# An entry's year: "Liang KY, Zeger SL (1986).", "Zeileis A (2004b)".
_CITED_YEAR = re.compile(r"\((?:1[89]|20)\d\d[a-z]?\)|\b(?:1[89]|20)\d\d[a-z]?\.")


def mark_references(blocks: list[Block]) -> None:
    """Entries under a References heading, down to the next heading."""
    inside = False
    for block in blocks:
        if inside and block.kind == HEADING and _CITED_YEAR.search(plain(block)):
            block.kind = REFERENCE  # a short entry looks like a title: its year says
        elif block.kind == HEADING:
            inside = bool(REFERENCE_HEADINGS.match(plain(block)))
        elif inside and block.kind == BODY:
            block.kind = REFERENCE


def demote_contents_entries(blocks: list[Block]) -> None:
    """A numbered heading announced earlier in a table of contents.

    The earlier line with the same number and opening words is the contents
    entry, not a heading; "1.1)" entries read as a sentence of the
    introduction stay as text, other entries (a list of titles) are dropped,
    with the "Contents" title above them.
    """
    headings = [b for b in blocks if b.kind == HEADING]
    for i, block in enumerate(headings):
        if block.asserted:
            continue
        key = _contents_key(block)
        if key and any(_contents_key(later) == key for later in headings[i + 1 :]):
            block.kind = BODY if key[0].endswith(")") else NOISE
    _drop_contents_titles(blocks)


def _drop_contents_titles(blocks: list[Block]) -> None:
    for block, following in zip(blocks, blocks[1:], strict=False):
        if following.kind == NOISE and CONTENTS_TITLE.match(plain(block)):
            block.kind = NOISE


CONTENTS_TITLE = re.compile(
    r"^(?:(?:table of )?contents|table des mati[èe]res|sommaire|[íi]ndice"
    r"|(?:tabla de )?contenidos?|inhalt(?:sverzeichnis)?)$",
    re.IGNORECASE,
)


def _contents_key(block: Block) -> tuple[str, ...] | None:
    match = re.match(r"^((?:\d{1,2}|[A-Z])(?:\.\d{1,2})*\.?\)?)\s+(.*)", plain(block))
    if not match:
        return None
    return (match.group(1), *match.group(2).lower().split()[:3])


# A contents line: a title, a dot leader (". . ." or "....") and a page number.
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$", re.I)
# A title's label on a line of its own: "1.1", "A.5", "Chapitre 1", "Part II".
_LABEL_ONLY = re.compile(
    r"^(?:(?:\d{1,2}|[A-Z])(?:\.\d{1,2})*\.?|(?:chapter|chapitre|cap[ií]tulo|kapitel"
    r"|part|partie|parte|teil|appendix|annexe|ap[ée]ndice|anhang|section|secci[óo]n)"
    r"\s+(?:\d{1,3}|[IVXLC]{1,6}|[A-Z]))$",
    re.IGNORECASE,
)
# A heading with a label of its own is a chapter's or section's, not a title.
_LABELLED = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\)?\s|(?:chapter|chapitre|cap[ií]tulo|kapitel"
    r"|part|partie|parte|teil|appendix|annexe|ap[ée]ndice|anhang)\s+\w+)",
    re.IGNORECASE,
)
_CHAPTER = re.compile(
    r"^(?:chapter|chapitre|cap[ií]tulo|kapitel|part|partie|parte|teil)\s+\w+",
    re.IGNORECASE,
)
# A book's unnumbered parts, which a chapter's file can be on its own.
_BOOK_PART = re.compile(
    r"^(?:pr[eé]face|prefacio|pr[oó]logo|prologue|foreword|avant-propos|vorwort"
    r"|epilogue|[ée]pilogue|ep[ií]logo|afterword|postface|nachwort)$",
    re.IGNORECASE,
)


def is_labelled(text: str) -> bool:
    """A heading with a number or a chapter's label of its own.

    >>> is_labelled("3. Devoirs du développeur"), is_labelled("Guide de référence")
    (True, False)
    """
    return bool(_LABELLED.match(text))


def is_chapter_heading(text: str) -> bool:
    """A chapter's or part's heading, which names the document it opens.

    >>> is_chapter_heading("Chapitre 7. Contrôle des erreurs du paquet")
    True
    >>> is_chapter_heading("Préface"), is_chapter_heading("Prólogo")
    (True, True)
    >>> is_chapter_heading("1.1. Dynamique sociale"), is_chapter_heading("Parties")
    (False, False)
    >>> is_chapter_heading("Preface to the second edition of the guide")
    False
    """
    return bool(_CHAPTER.match(text) or _BOOK_PART.match(text.strip()))


# Text-dump navigation: "Next | Previous | Contents", "[ Prev ] [ Up ] [ Next ]".
_NAV_WORDS = (
    r"next|previous|prev|up|home|contents|table of contents|index|top|back"
    r"|suivant|précédent|sommaire|table des matières|début|accueil"
    r"|siguiente|anterior|inicio|índice|contenido|arriba"
)
_NAV_ITEM = re.compile(rf"^\W*(?:{_NAV_WORDS})\W*$", re.IGNORECASE)


def is_navigation(text: str) -> bool:
    """A line of navigation links only (at least two of them).

    >>> is_navigation("Next | Previous | Contents")
    True
    >>> is_navigation("[ Previous ] [ Contents ] [ Next ]")
    True
    >>> is_navigation("Chapitre 8. Mise à jour   Sommaire   Annexe A. Empaquetage")
    True
    >>> is_navigation("Next, the previous contents were read."), is_navigation("Index")
    (False, False)
    """
    items = [i for i in re.split(r"\s*(?:\||\]\s*\[|\s{2,}|·|•)\s*", text) if i]
    links = sum(1 for item in items if _NAV_ITEM.match(item))
    # "Chapitre 8. …   Sommaire   Annexe A. …": the neighbours' titles around
    # a link set apart by wide gaps
    return len(items) >= 2 and (links == len(items) or (len(items) >= 3 and links >= 1))


def drop_navigation(blocks: list[Block]) -> None:
    """A block with a navigation line is a navigation bar (its other lines
    repeat the page's or the neighbours' titles)."""
    for block in blocks:
        if block.asserted or len(block.lines) > 6:
            continue
        if any(is_navigation(line) for line in block.lines):
            block.kind = NOISE


def is_contents_line(text: str) -> bool:
    """
    >>> is_contents_line("5.1 README.Debian . . . . . . . . . 30")
    True
    >>> is_contents_line("Commande debuild....... 41"), is_contents_line("It ends...")
    (True, False)
    """
    return bool(_DOT_LEADER.search(text))


def drop_contents(blocks: list[Block]) -> None:
    """A table of contents: dot-leader lines, and the short lines among them
    (chapter titles, lone numbers) that sit between two of them."""
    marks = [
        b.kind == BODY and not b.asserted and any(map(is_contents_line, b.lines))
        for b in blocks
    ]
    last = None
    for i, block in enumerate(blocks):
        if not marks[i]:
            continue
        block.kind = NOISE
        if last is not None and all(_toc_filler(b) for b in blocks[last + 1 : i]):
            for between in blocks[last + 1 : i]:
                between.kind = NOISE
        last = i


MIN_CONTENTS_ENTRIES = 3


def _is_contents_entry(line: str) -> bool:
    """A contents line without dot leaders: a title, numbered or not, or the
    wrapped rest of one ("1.1.5. Herramientas … del" / "sistema").

    >>> _is_contents_entry("1.1.13. Hora de jugar"), _is_contents_entry("Prefacio")
    (True, True)
    >>> _is_contents_entry("Este libro es libre y se puede redistribuir.")
    False
    """
    text = line.strip()
    if not text or text.endswith((".", "!", ":", ",", ";")):
        return False  # a title may ask a question ("2. ¿Qué es Debian?")
    return len(text.split()) <= MAX_HEADING_WORDS


def drop_contents_lists(blocks: list[Block]) -> None:
    """A table of contents as a text dump writes it: numbered titles one per
    line, no page numbers. A run of such lines under a "Contents" title (or,
    without one, a run of numbered lines), up to the first title that has its
    paragraph under it (the text's own first heading), is dropped."""
    i = 0
    while i < len(blocks):
        titled = CONTENTS_TITLE.match(plain(blocks[i])) is not None
        if not titled and not _SECTION_NUMBER.match(blocks[i].lines[0].strip()):
            i += 1  # an untitled contents list starts at its first entry
            continue
        start = i + 1 if titled else i
        end = _contents_run_end(blocks, start)
        numbered = sum(
            1
            for b in blocks[start:end]
            for line in b.lines
            if _SECTION_NUMBER.match(line.strip())
        )
        if numbered >= (MIN_CONTENTS_ENTRIES if titled else 2 * MIN_CONTENTS_ENTRIES):
            for block in blocks[i:end]:
                block.kind = NOISE
            i = end
        else:
            i += 1


def _entry_key(block: Block) -> str | None:
    """A one-line body block that could be a contents entry, as compared."""
    if block.kind != BODY or block.asserted or len(block.lines) != 1:
        return None
    text = plain(block)
    return text.casefold() if text and _is_contents_entry(text) else None


def drop_echoed_contents(blocks: list[Block]) -> None:
    """An unnumbered table of contents: a run of two or more title lines, each
    repeated once further on, in the same order, as a title standing apart
    (other blocks between them): the run announced the titles, which stay.
    A header repeated as a pair is no contents: its repeats stand together.
    The titles the run announced are headings, whatever follows them, and a
    title line right over the run is the page's own title, over them all."""
    keys = [_entry_key(b) for b in blocks]
    counts = Counter(k for k in keys if k)
    i = 0
    while i < len(blocks):
        end = i
        while end < len(blocks) and counts[keys[end] or ""] == 2:
            end += 1
        later = [keys.index(k, end) for k in keys[i:end] if k in keys[end:]]
        if (
            end - i >= 2
            and len(later) == end - i
            and later == sorted(later)
            and all(b - a > 1 for a, b in zip(later, later[1:], strict=False))
        ):
            for block in blocks[i:end]:
                block.kind = NOISE
            for index in later:
                blocks[index].kind, blocks[index].level = HEADING, 2
            above = blocks[i - 1] if i else None
            if above is not None and _entry_key(above) is None:
                _title_over_contents(above)
        i = max(end, i + 1)


def _title_over_contents(block: Block) -> None:
    """A one-line body block of a title's length, over a contents run."""
    if block.kind != BODY or block.asserted or len(block.lines) != 1:
        return
    if len(plain(block).split()) <= MAX_HEADING_WORDS:
        block.kind, block.level = HEADING, 1


def _contents_run_end(blocks: list[Block], start: int) -> int:
    end = start
    while end < len(blocks):
        block = blocks[end]
        if block.kind not in (BODY, NOISE) or block.asserted:
            break
        if "code" in block.meta and not _SECTION_NUMBER.match(block.lines[0].strip()):
            break  # indented: a literal block, unless its lines are numbered titles
        if not all(_is_contents_entry(line) for line in block.lines):
            break
        following = blocks[end + 1] if end + 1 < len(blocks) else None
        if (
            following is not None
            and "tight" not in block.meta
            and not all(_is_contents_entry(line) for line in following.lines)
        ):
            break  # a title over its paragraph: the text begins here
        end += 1
    return end


def _toc_filler(block: Block) -> bool:
    return (
        block.kind in (BODY, NOISE) and len(block.lines) <= 2 and len(block.text) <= 120
    )


def merge_heading_labels(blocks: list[Block]) -> list[Block]:
    """A title's label alone on its line ("1.1", "Chapitre 1") heads the title
    that follows: one heading "1.1 Dynamique sociale", not a stray number."""
    result: list[Block] = []
    for block in blocks:
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.kind == BODY
            and not previous.asserted
            and block.kind == BODY
            and not block.asserted
            and len(previous.lines) == 1
            and _LABEL_ONLY.match(previous.text.strip())
            and len(block.lines) == 1
            and block.text[:1].isupper()
        ):
            previous.lines = [f"{previous.text.strip()} {block.text.strip()}"]
            previous.meta["label_heading"] = "1"
            continue
        result.append(block)
    return result


_NUMERIC_TOKEN = re.compile(r"^[-−–+(]?[\d.,%]+[)%]?$")


def is_numbers_only(block: Block) -> bool:
    """A plot's axis ticks or a table's cells left alone: no word at all.

    >>> is_numbers_only(Block(lines=["0.00 0.02 −0.04"]))
    True
    >>> is_numbers_only(Block(lines=["(1)"])), is_numbers_only(Block(lines=["In 2003"]))
    (True, False)
    """
    tokens = block.text.split()
    return bool(tokens) and all(_NUMERIC_TOKEN.match(t) for t in tokens)


def drop_numbers_only(blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == BODY and not block.asserted and is_numbers_only(block):
            block.kind = NOISE


# A figure's caption: its residue (a plot's ticks and labels) sits next to it.
FIGURE_CAPTION = re.compile(r"^(?:figure|fig\.|figura|abbildung)\s+\d+", re.I)
# Columns past the text's margin where a paged text's plot labels sit; a
# paragraph's first-line indent is smaller.
RESIDUE_INDENT = 8


def is_figure_residue(block: Block, layout: LineStats) -> bool:
    """Short lines set far in from the margin that end no sentence: a plot's
    axis labels and ticks as a converter's layout mode writes them.

    >>> stats = LineStats(hard_wrapped=True, line_width=90, paged=True)
    >>> ticks = Block(lines=["0.00 0.02 0.04", "Time" + " " * 60 + "Time"])
    >>> ticks.meta["indent"] = "10"
    >>> is_figure_residue(ticks, stats)
    True
    >>> prose = Block(lines=["The residual plot suggests the variance is not", "x."])
    >>> prose.meta["indent"] = "10"
    >>> is_figure_residue(prose, stats)
    False
    """
    if block.kind != BODY or block.asserted:
        return False
    if int(block.meta.get("indent", "0")) < RESIDUE_INDENT:
        return False
    words = [" ".join(line.split()) for line in block.lines]  # gaps: columns
    return all(
        is_short(line, layout, 0.5) and not line.endswith(tuple(".!?:;"))
        for line in words
    )


# A plot's label: a few words on a line or three ("OLS-based CUSUM test").
MAX_LABEL_WORDS = 5
MAX_LABEL_LINES = 3


def is_plot_label(block: Block) -> bool:
    """A few short words that end no sentence and are no title or command:
    what plain ``pdftotext`` leaves of a plot, one label to a block.

    >>> [is_plot_label(Block(lines=[t])) for t in ("billion US$", "Time")]
    [True, True]
    >>> [is_plot_label(Block(lines=[t])) for t in ("> plot(fit)", "4.2 Boundaries")]
    [False, False]
    >>> is_plot_label(Block(lines=["It can be seen that the process exceeds it."]))
    False
    """
    if block.kind != BODY or block.asserted or len(block.lines) > MAX_LABEL_LINES:
        return False
    for line in (line.strip() for line in block.lines):
        if len(line.split()) > MAX_LABEL_WORDS or line.endswith(tuple(".!?:;,")):
            return False
        if CODE_PROMPT_RE.match(line) or NUMBERED_HEADING_RE.match(line):
            return False
        if is_section_title(line):
            return False
    return True


def drop_figure_residue(blocks: list[Block], layout: LineStats) -> None:
    """In paged text, the residue blocks next to a figure's caption (and
    between them only residue or what is already dropped) go: above the
    caption (where a figure's body is) its plot's labels, and on both sides
    the short lines set far from the margin."""
    if not layout.paged:
        return
    for i, block in enumerate(blocks):
        if block.kind != BODY or not FIGURE_CAPTION.match(plain(block)):
            continue
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(blocks) and (
                blocks[j].kind == NOISE
                or is_figure_residue(blocks[j], layout)
                or (step < 0 and is_plot_label(blocks[j]))
            ):
                blocks[j].kind = NOISE
                j += step


# A table's caption; plain pdftotext writes the table under it column by column.
TABLE_CAPTION = re.compile(r"^(?:table|tableau|tabla|cuadro|tabelle)\s+\d+", re.I)
MAX_CELL_WORDS = 3


def is_cell_column(block: Block) -> bool:
    """A block of one-to-three-word lines that end no sentence: a table's
    column as plain ``pdftotext`` writes it ("Cases", "raa", "raA", "R").

    >>> is_cell_column(Block(lines=["Cases", "raa", "raA", "R"]))
    True
    >>> is_cell_column(Block(lines=["candidate allele and a any of the others"]))
    False
    """
    if block.kind != BODY or block.asserted or "code" in block.meta:
        return False
    return all(
        len(line.split()) <= MAX_CELL_WORDS
        and not line.rstrip().endswith(tuple(".!?:;,"))
        and not NUMBERED_HEADING_RE.match(line.strip())
        for line in block.lines
    )


def gather_table_columns(blocks: list[Block], layout: LineStats) -> None:
    """In paged text, the columns under a table's caption make one record kept
    as printed, a table set apart (the sentence it interrupts joins across)."""
    if not layout.paged:
        return
    for i, caption in enumerate(blocks):
        if caption.kind != BODY or not TABLE_CAPTION.match(plain(caption)):
            continue
        columns = []
        for block in blocks[i + 1 :]:
            if block.kind == NOISE:
                continue
            if not is_cell_column(block):
                break
            columns.append(block)
        if len(columns) < 2:
            continue
        columns[0].lines = [line for c in columns for line in c.lines]
        columns[0].meta.update(code="1", table="1")
        for column in columns[1:]:
            column.kind = NOISE


def classify(blocks: list[Block], layout: LineStats) -> list[Block]:
    """Run the rules in order; each reads the kinds the previous ones set."""
    drop_boilerplate(blocks)
    drop_navigation(blocks)
    drop_contents(blocks)  # before headings: a contents line looks like one
    drop_contents_lists(blocks)
    drop_echoed_contents(blocks)  # before running headers: both see repeats
    blocks = merge_heading_labels(blocks)
    drop_numbers_only(blocks)  # after the labels: "1.1" alone heads a title
    drop_figure_residue(blocks, layout)  # after the ticks: they link the labels
    gather_table_columns(blocks, layout)
    drop_running_headers(blocks)  # before splitting: headers are whole blocks
    blocks = mark_code_blocks(blocks, layout)  # before splitting: "{" is no title
    blocks = split_leading_short_lines(blocks, layout)
    blocks = split_title_byline(blocks)
    label_symbol_footnotes(blocks)
    label_bracket_footnotes(blocks)
    mark_headings(blocks, layout)
    demote_unnumbered_headings(blocks, layout)
    demote_contents_entries(blocks)
    mark_subtitles(blocks)
    mark_front_matter(blocks)
    mark_keywords(blocks)
    mark_signatures(blocks)
    mark_author_notes(blocks)
    mark_references(blocks)
    for block in blocks:
        if block.kind == BODY:
            block.kind = PARAGRAPH
    return [b for b in blocks if b.kind != NOISE]
