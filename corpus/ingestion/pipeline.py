"""Turn one source file's layout (or raw text) into ordered paragraph drafts.

The pipeline is pure: no database, no Django. An extractor's ``Layout`` comes
in one of two shapes (see ``layout``). Typed blocks keep the kinds their format
asserts and go straight to step 3. Pages of lines are read as text, the stages
in order:

1. ``clean.clean_document``: line endings, mojibake, odd characters;
2. ``segment.segment``: lines into blocks, footnotes and page breaks found;
3. ``classify.classify``: each block's kind, boilerplate and headers dropped;
4. ``join_continuations``: paragraphs cut by a page break mended;
5. per record: lines joined, markup and markers out, split words glued;
6. numeric footnote markers out (they need the whole document's sequence);
7. sections and languages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from corpus.ingestion import classify as kinds
from corpus.ingestion import geometry
from corpus.ingestion import layout as formats
from corpus.ingestion.classify import CAPTION
from corpus.ingestion.clean import (
    clean_document,
    clean_record,
    join_lines,
    normalize_characters,
    normalize_newlines,
    strip_markdown,
)
from corpus.ingestion.language import assign_languages
from corpus.ingestion.layout import Layout, TypedBlock
from corpus.ingestion.lexicon import Lexicon
from corpus.ingestion.notes import remove_numeric_markers
from corpus.ingestion.segment import (
    BODY,
    CODE_PROMPT_RE,
    DASH_ITEM_RE,
    FOOTNOTE,
    LIST_ITEM_RE,
    Block,
    LineStats,
    ends_sentence,
    segment,
)


class Kind:
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    FOOTNOTE = "footnote"
    REFERENCE = "reference"
    META = "meta"


@dataclass(frozen=True)
class ParagraphDraft:
    """One record as ingestion made it: text is NFC with ``\\n`` line endings."""

    kind: str
    text: str
    section: str = ""
    page: int | None = None
    lang: str = ""
    label: str = ""  # a footnote's number or mark as printed ("12", "iv")


@dataclass(frozen=True)
class DocumentDraft:
    paragraphs: list[ParagraphDraft] = field(default_factory=list)
    lang: str = ""
    title: str = ""
    warnings: list[str] = field(default_factory=list)  # the extractor's, for people


# Words after which a sentence cannot end: a paragraph ending on one goes on.
_FUNCTION_WORDS = frozenset(
    "and or the a an of to for with between by from in on at as that than".split()
)
_INITIALISM_END = re.compile(r"(\w+)\s+(?:[A-Z]\.){2,}$")
_ABBREVIATION_END = re.compile(
    r"\b(?:e\.g|i\.e|etc|cf|vs|pp|p|no|vol|ed|eds|Mr|Ms|Dr|St|et al)\.$"
)


# A numbered float's caption: "Figure 1: …", "Table 2.", "Tableau 3 –".
FLOAT_CAPTION = re.compile(
    r"^(?:table|figure|fig\.|tableau|cuadro|tabla|figura|abbildung|tabelle)"
    r"\s+\d+(?:\.\d+)*\s*[.:–—-]",
    re.IGNORECASE,
)


# An item's bullet, as a text dump or markdown writes it.
_BULLET = re.compile(r"^[-*+•▪◦●]\s+\S")


def _tail(block: Block) -> str:
    return strip_markdown(block.lines[-1]).rstrip(" *")


def continues(previous: Block, block: Block) -> bool:
    """Whether ``block`` is the rest of the paragraph ``previous``.

    >>> a, b = Block(lines=["the bedrock of that"]), Block(lines=["partnership is"])
    >>> continues(a, b)
    True
    >>> continues(Block(lines=["(CBC, 200"]), Block(lines=["With no end"]))
    False
    >>> continues(Block(lines=["Figure 1: A plot"]), Block(lines=["Not surprisingly"]))
    False
    >>> continues(Block(lines=["* the stable archive ;"]), Block(lines=["* testing"]))
    False
    """
    tail, head = _tail(previous), strip_markdown(block.lines[0]).lstrip("*")
    if not tail or not head or CAPTION.match(head):
        return False
    if "code" in previous.meta or "code" in block.meta:
        return False  # a literal block is a record of its own
    if FLOAT_CAPTION.match(previous.lines[0]) or CODE_PROMPT_RE.match(head):
        return False  # a caption or a session is never a sentence's first half
    if CODE_PROMPT_RE.match(previous.lines[0]):
        return False  # nor is a session's output the start of a sentence
    if DASH_ITEM_RE.match(head) and DASH_ITEM_RE.match(previous.lines[0]):
        return False  # "— gnupg — … ;" then "— gpc — …": two items of a list
    if _BULLET.match(block.lines[0]) and _BULLET.match(previous.lines[0]):
        return False  # "* one ;" then "* two": each item has its own bullet
    if tail.endswith((",", ";")) or (tail.endswith("-") and not tail.endswith("--")):
        return True  # an enumeration ("1) …, 2) …") goes on after a break too
    if LIST_ITEM_RE.match(block.lines[0]):
        return False
    if LIST_ITEM_RE.match(previous.lines[0]) and not head[0].islower():
        return False  # "- two" then "The end.": a list ends, a paragraph starts
    if head[0].islower():
        return not ends_sentence(tail) or bool(_ABBREVIATION_END.search(tail))
    if head[0] == "[" and tail.endswith("et al."):
        return True  # "Bonadonna et al." / "[3] which looked": a citation
    if tail[-1].isalpha() or tail[-1] == ",":
        return True
    initialism = _INITIALISM_END.search(tail)
    return initialism is not None and initialism.group(1).lower() in _FUNCTION_WORDS


def join_continuations(blocks: list[Block]) -> list[Block]:
    """Merge paragraphs that a page break, a footnote zone or a header cut.

    A note carried over to the next page (a footnote block with no number)
    joins the note before it; so does a paragraph-looking block that comes
    right after a note in the source and plainly goes on with its last line.
    """
    result: list[Block] = []
    received: Block | None = None  # the record that took the previous block
    for block in blocks:
        received = _merge_target(result, received, block)
        if received is None:
            result.append(block)
            received = block
        else:
            received.lines = received.lines + block.lines
    return result


def _merge_target(
    result: list[Block], received: Block | None, block: Block
) -> Block | None:
    """The record ``block`` continues, or ``None`` when it starts a new one."""
    if block.kind == FOOTNOTE and not block.label:
        return _last_note(result)
    if block.kind != kinds.PARAGRAPH:
        return None
    if block.asserted:
        return _across_page(result, block)
    if (
        received is not None
        and received.kind == FOOTNOTE
        and not ends_sentence(_tail(received))
        and continues(received, block)
    ):
        return received
    target = _open_paragraph(result)
    return target if target is not None and continues(target, block) else None


def _across_page(result: list[Block], block: Block) -> Block | None:
    """An asserted block continues only a paragraph that a page turn cut: the
    format put a block boundary there, so nothing else is evidence of a join."""
    target = _open_paragraph(result)
    if target is None or target.page_index == block.page_index:
        return None
    return target if continues(target, block) else None


def _last_note(result: list[Block]) -> Block | None:
    return next((b for b in reversed(result) if b.kind == FOOTNOTE), None)


def _open_paragraph(result: list[Block]) -> Block | None:
    """The last paragraph, if only footnotes (or a float's caption or a table,
    set between a sentence's two halves) stand between it and the end."""
    for block in reversed(result):
        if block.kind == FOOTNOTE or (
            block.kind == kinds.PARAGRAPH
            and not block.asserted
            and (FLOAT_CAPTION.match(block.lines[0]) or "table" in block.meta)
        ):
            continue
        return block if block.kind == kinds.PARAGRAPH else None
    return None


def _record_texts(
    blocks: list[Block],
    lexicon: Lexicon,
    *,
    repairs: bool,
    markers: bool,
    wrapped: bool = True,
) -> list[str]:
    """Each block's record text; ``markers``: take plain-digit note markers out
    by the notes' sequence (only where no extractor resolved them).

    ``wrapped``: the lines are a typeset page's (text, PDF), so a line end may
    split a word and is decided with the lexicon even where the characters are
    the author's own; otherwise (DOCX, HTML) a line break is the author's and
    the lines are joined with a space."""
    texts = [
        _as_printed(b)
        if _keeps_lines(b)
        else clean_record(
            join_lines(b.lines, lexicon) if wrapped else _spaced(b.lines),
            lexicon,
            repairs=repairs,
        )
        for b in blocks
    ]
    if not markers:
        return texts
    body = [
        i for i, b in enumerate(blocks) if b.kind in (kinds.PARAGRAPH, kinds.HEADING)
    ]
    notes = [int(b.label) for b in blocks if b.kind == FOOTNOTE and b.label.isdigit()]
    cleaned = remove_numeric_markers([texts[i] for i in body], notes)
    for i, text in zip(body, cleaned, strict=True):
        texts[i] = text
    return texts


def _keeps_lines(block: Block) -> bool:
    # a table, a ``pre`` block, or a text's literal block (code, a prompt)
    return (
        block.asserted == formats.TABLE
        or "preformatted" in block.meta
        or "code" in block.meta
    )


def _as_printed(block: Block) -> str:
    """A table's rows or a ``pre`` block's lines, one per line, as printed.

    >>> _as_printed(Block(lines=["  def f():", "      return 1  "]))
    'def f():\\n    return 1'
    """
    lines = [line.rstrip() for line in block.lines]
    indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
    text = "\n".join(line[indent:] for line in lines).strip("\n")
    return unicodedata.normalize("NFC", text)


def _spaced(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip())


def _sections(blocks: list[Block], texts: list[str]) -> list[str]:
    section, result = "", []
    for block, text in zip(blocks, texts, strict=True):
        if block.kind == kinds.HEADING:
            section = text
        result.append(section)
    return result


def process(source: str | Layout) -> DocumentDraft:
    """Run every stage on one document: its raw text or an extractor's layout."""
    layout = source if isinstance(source, Layout) else Layout.from_text(source)
    if layout.has_geometry:  # a PDF's lines: geometry types the blocks
        layout = geometry.to_blocks(layout)
    return replace(_process(layout), warnings=list(layout.warnings))


def _process(layout: Layout) -> DocumentDraft:
    if layout.blocks:
        return _process_typed(layout)
    text = clean_document(layout.plain_text())
    lexicon = Lexicon(text)
    blocks, stats = segment(text)
    blocks = join_continuations(kinds.classify(blocks, stats))
    texts = _record_texts(blocks, lexicon, repairs=True, markers=True)
    return _draft(blocks, texts)


def _process_typed(layout: Layout) -> DocumentDraft:
    """Blocks whose kinds the format asserted: classify only what it did not say."""
    blocks = [_block(typed) for typed in layout.blocks]
    lexicon = Lexicon("\n".join(line for b in blocks for line in b.lines))
    blocks = kinds.classify(blocks, LineStats(hard_wrapped=False, line_width=0))
    blocks = join_continuations(blocks)
    texts = _record_texts(
        blocks,
        lexicon,
        repairs=layout.repairs,
        markers=layout.repairs and not layout.markers_resolved,
        wrapped=layout.wrapped_lines,
    )
    return _draft(blocks, texts)


_ASSERTED_KINDS = {
    formats.HEADING: kinds.HEADING,
    formats.FOOTNOTE: FOOTNOTE,
    formats.META: kinds.META,
}


def _block(typed: TypedBlock) -> Block:
    """A typed block as the text stages' ``Block``: its kind fixed where asserted
    (lists, tables and captions are body text that nothing joins onto)."""
    lines = [normalize_characters(normalize_newlines(line)) for line in typed.lines]
    if not typed.preformatted:
        lines = [line for line in lines if line.strip()]
    block = Block(
        lines=lines or [""],
        kind=_ASSERTED_KINDS.get(typed.kind, BODY),
        page_index=typed.page_index,
        label=typed.label,
        page=typed.page,
        level=typed.level,
        asserted=typed.kind,
    )
    if typed.preformatted:
        block.meta["preformatted"] = "1"
    return block


def _draft(blocks: list[Block], texts: list[str]) -> DocumentDraft:
    """Drop empty records; assign sections and languages."""
    keep = [i for i, t in enumerate(texts) if t]
    blocks, texts = [blocks[i] for i in keep], [texts[i] for i in keep]
    languages = assign_languages(
        texts,
        looks_ahead=[b.kind == kinds.HEADING for b in blocks],
        borrows=[b.kind == kinds.META for b in blocks],
    )
    paragraphs = [
        ParagraphDraft(
            kind=block.kind,
            text=unicodedata.normalize("NFC", text),
            section=section,
            page=block.page,
            lang=lang,
            label=block.label if block.kind == FOOTNOTE else "",
        )
        for block, text, section, lang in zip(
            blocks, texts, _sections(blocks, texts), languages, strict=True
        )
    ]
    return DocumentDraft(
        paragraphs=paragraphs,
        lang=_dominant_language(paragraphs),
        title=_title(paragraphs, _opens_with_top_heading(blocks)),
    )


def _title(paragraphs: list[ParagraphDraft], top_heading: bool = False) -> str:
    """The first record, when the document opens with title matter or with a
    chapter's heading (a chapter of a book, a page of a manual: the heading
    stays a heading, its section's name, and also names the document), or
    with its one top-level heading (``top_heading``)."""
    first = paragraphs[0] if paragraphs else None
    if first is None:
        return ""
    if first.kind == Kind.META:
        return first.text
    chapter = top_heading or kinds.is_chapter_heading(first.text)
    return first.text if first.kind == Kind.HEADING and chapter else ""


def _opens_with_top_heading(blocks: list[Block]) -> bool:
    """Whether the first block is a level-1 heading its source marked as such
    ("=====" under it, "# " before it) and no other heading is level 1: the
    title over the whole text, not the first of its parts.

    >>> title = Block(lines=["Reporting Bugs"], kind=Kind.HEADING, level=1)
    >>> part = Block(lines=["Before you start"], kind=Kind.HEADING, level=2)
    >>> _opens_with_top_heading([title, part])
    True
    >>> _opens_with_top_heading([title, part, title])
    False

    A manual's title and its chapters can share one underline: the first is
    still the title when it alone has no number ("Guide …" over "3. Devoirs").

    >>> chapter = Block(lines=["3. Devoirs"], kind=Kind.HEADING, level=1)
    >>> _opens_with_top_heading([title, chapter, part, chapter])
    True
    >>> _opens_with_top_heading([chapter, part, chapter])
    False
    """
    if not blocks or blocks[0].kind != Kind.HEADING or blocks[0].level != 1:
        return False
    peers = [b for b in blocks[1:] if b.kind == Kind.HEADING and b.level == 1]
    if not peers:
        return True
    labelled = kinds.is_labelled
    return not labelled(kinds.plain(blocks[0])) and all(
        labelled(kinds.plain(b)) for b in peers
    )


def _dominant_language(paragraphs: list[ParagraphDraft]) -> str:
    weights: dict[str, int] = {}
    for paragraph in paragraphs:
        weights[paragraph.lang] = weights.get(paragraph.lang, 0) + len(paragraph.text)
    return max(weights, key=weights.__getitem__) if weights else ""
