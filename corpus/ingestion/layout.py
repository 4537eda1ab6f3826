"""The intermediate form between extractors and the shared structure stages.

Every extractor (one module per format) turns a file into a ``Layout``, and the
pipeline reads nothing else. A format gives what it knows:

* **pages of lines** (plain text, converter output, PDF): the pipeline decides
  paragraphs, joins, furniture and notes from the evidence the lines carry.
  Plain text has only the characters (a form feed ``\\f`` ends a page); a PDF
  adds each line's geometry and font size.
* **typed blocks** (DOCX styles, HTML elements, or a PDF extractor that already
  grouped its lines): the format says what is a heading, a list item, a table,
  a footnote; the pipeline keeps those kinds and still decides what the format
  cannot say (front matter, references, joins across a page break, hyphens).

A layout has either pages or blocks, never both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Block kinds an extractor may assert. ``""`` leaves the kind to the pipeline.
HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE = "table"  # a table's text (cells tab-separated, rows on their own lines)
CAPTION = "caption"  # a figure's or table's caption, kept out of the prose
FOOTNOTE = "footnote"  # footnotes and endnotes, with their label
META = "meta"  # title, subtitle, authors: the format says so (a Title style)
BLOCK_KINDS = frozenset(
    {"", HEADING, PARAGRAPH, LIST_ITEM, TABLE, CAPTION, FOOTNOTE, META}
)


@dataclass(frozen=True)
class Line:
    """One printed line. Geometry in points from the page's top-left corner;
    ``None`` where the format has none (plain text)."""

    text: str
    x0: float | None = None
    x1: float | None = None
    top: float | None = None
    bottom: float | None = None
    size: float | None = None  # the dominant font size of the line
    bold: bool = False
    mono: bool = False  # set in a monospace (typewriter) font: code, commands


@dataclass
class Page:
    """A page of lines in reading order; ``label`` is the page number as printed
    (a PDF's page label), ``""`` when unknown."""

    lines: list[Line] = field(default_factory=list)
    label: str = ""
    width: float | None = None
    height: float | None = None
    # Boxes (x0, top, x1, bottom) of the page's drawn figures and images: text
    # inside one is a plot's ticks and labels, not the prose.
    figures: list[tuple[float, float, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class TypedBlock:
    """A block whose kind the format asserts (or ``""``: the pipeline decides).

    ``lines`` are the block's lines as printed, so the shared stages can decide
    line-end hyphens; a format without line breaks gives one line. ``page``
    is the printed page number when known; ``page_index`` counts pages from 0
    (blocks of paged formats on a new page may continue the previous block).
    """

    kind: str
    lines: tuple[str, ...]
    level: int = 0  # heading level, 1 = the document's top level
    label: str = ""  # a footnote's mark as printed ("12", "iv", "*")
    page: int | None = None
    page_index: int = 0
    # Lines whose breaks and indentation are the content (``pre``, code): kept
    # as printed, one ``\n`` per line. Table rows always are.
    preformatted: bool = False

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines if line.strip())


@dataclass
class Layout:
    """What an extractor made of one file: pages of lines, or typed blocks."""

    pages: list[Page] = field(default_factory=list)
    blocks: list[TypedBlock] = field(default_factory=list)
    source_format: str = "text"  # "text", "pdf", "docx", "html", …
    warnings: list[str] = field(default_factory=list)  # shown to the curator
    # False when the characters are the author's own (DOCX, HTML): no markup
    # to strip, no split words to glue, so the text stages repair nothing.
    repairs: bool = True
    # True when the extractor took note markers out on its own evidence (a
    # DOCX footnote reference, a PDF superscript): the digit-sequence guess of
    # ``notes.remove_numeric_markers`` must not run on top of it.
    markers_resolved: bool = False
    # True when the blocks' lines are a typeset page's printed lines (a PDF's):
    # a line end may then split a word ("pre-/pared"). DOCX and HTML lines end
    # where the author broke them.
    wrapped_lines: bool = False

    @classmethod
    def from_text(cls, text: str, source_format: str = "text") -> Layout:
        """Plain text as pages of lines; a form feed ends a page.

        >>> layout = Layout.from_text("a\\nb\\fc")
        >>> [[line.text for line in page.lines] for page in layout.pages]
        [['a', 'b'], ['c']]
        """
        pages = [
            Page(lines=[Line(line) for line in chunk.split("\n")])
            for chunk in text.split("\f")
        ]
        return cls(pages=pages, source_format=source_format)

    @property
    def has_geometry(self) -> bool:
        return any(line.top is not None for page in self.pages for line in page.lines)

    def plain_text(self) -> str:
        """The text as lines, pages separated by form feeds (blocks by blank
        lines): what the text stages read when geometry adds nothing.

        >>> Layout.from_text("a\\nb\\fc").plain_text()
        'a\\nb\\x0cc'
        """
        if self.blocks:
            return "\n\n".join("\n".join(block.lines) for block in self.blocks)
        return "\f".join(
            "\n".join(line.text for line in page.lines) for page in self.pages
        )
