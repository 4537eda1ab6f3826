"""Word (.docx) documents as typed blocks, read with the standard library.

The document says what each paragraph is, so the blocks carry it: a heading
style (resolved through ``word/styles.xml``: localized names, ``outlineLvl``,
``basedOn`` chains) is a heading, a Title or Subtitle style is title matter,
numbering makes a list item, a table is one table block (a row per line, cells
separated by `` | ``), and the footnotes and endnotes are footnote blocks
labelled as Word numbers them. A note's reference mark is an element, not
text, so it never reaches the body text; equations become linear text
(``omml``). What Word does not display is not read: deleted revisions, field
instructions, hidden runs, a table of contents, headers and footers.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from corpus.ingestion.layout import (
    CAPTION,
    FOOTNOTE,
    HEADING,
    LIST_ITEM,
    META,
    PARAGRAPH,
    TABLE,
    Layout,
    TypedBlock,
)
from corpus.ingestion.omml import math_text
from corpus.ingestion.package import open_package, parse_xml, read_part
from corpus.ingestion.source import ExtractionError

KIND = "Word (.docx)"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SKIP = "skip"  # a paragraph kind: not the author's text (a contents entry)

# Style names as Word and LibreOffice write them, in the languages we meet.
_HEADING_NAME = re.compile(
    r"^(?:heading|überschrift|titre|t[íi]tulo|titolo|kop|rubrik|nagłówek"
    r"|overskrift|otsikko|cabeçalho|encabezado|заголовок)\s*(\d)$",
    re.IGNORECASE,
)
_TITLE_NAME = re.compile(
    r"^(?:title|titel|titre|t[íi]tulo|titolo|tytuł|subtitle|untertitel"
    r"|sous-titre|subt[íi]tulo|sottotitolo|ondertitel|undertitel|podtytuł)$",
    re.IGNORECASE,
)
_CONTENTS_NAME = re.compile(
    r"^(?:toc|table of contents|toc heading|contents heading|inhaltsverzeichnis"
    r"|verzeichnis|tdm|table des matières|índice|index)\s*\d*$",
    re.IGNORECASE,
)
_CAPTION_NAME = re.compile(
    r"^(?:caption|image caption|table caption|beschriftung|légende|epígrafe"
    r"|didascalia)$",
    re.IGNORECASE,
)
_NOTE_TYPES = {
    "footnote": ("footnotes", "decimal"),
    "endnote": ("endnotes", "lowerRoman"),
}
_CHICAGO = "*†‡§"


def read_docx(data: bytes, name: str) -> Layout:
    """A Word document's typed blocks, or ``ExtractionError`` saying why not."""
    with open_package(data, name, KIND) as archive:
        parts = _parts(archive, name)
    reader = _Reader(
        styles=StyleSheet.parse(parts.get("styles")),
        notes={kind: _notes(parts.get(f"{kind}s"), kind) for kind in _NOTE_TYPES},
        formats=_note_formats(parts.get("settings"), parts["document"]),
    )
    body = parts["document"].find(f"{W}body")
    blocks = list(reader.body(body if body is not None else parts["document"]))
    if not blocks:
        raise ExtractionError(f"{name}: the document has no text")
    return Layout(
        blocks=blocks, source_format="docx", repairs=False, markers_resolved=True
    )


def _parts(archive: zipfile.ZipFile, name: str) -> dict[str, Element]:
    """The parsed parts the reader needs, keyed "document", "styles", …"""
    main = _main_part(archive, name)
    data = read_part(archive, main, name)
    if data is None:
        raise ExtractionError(
            f"{name}: not a Word document (the package has no {main})"
        )
    parts = {"document": parse_xml(data, name, main)}
    folder = posixpath.dirname(main)
    for key, target in _related(archive, main, name).items():
        part = posixpath.normpath(posixpath.join(folder, target))
        content = read_part(archive, part, name)
        if content is not None:
            parts[key] = parse_xml(content, name, part)
    return parts


def _main_part(archive: zipfile.ZipFile, name: str) -> str:
    """The main document part named by the package relationships."""
    rels = read_part(archive, "_rels/.rels", name)
    if rels is not None:
        for rel in parse_xml(rels, name, "_rels/.rels").iter(f"{_REL}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "").lstrip("/")
    return "word/document.xml"


def _related(archive: zipfile.ZipFile, main: str, name: str) -> dict[str, str]:
    """Targets of the styles, notes and settings relationships of the main part."""
    folder, base = posixpath.split(main)
    rels_path = posixpath.join(folder, "_rels", f"{base}.rels")
    wanted = {"styles", "footnotes", "endnotes", "settings"}
    found = {key: f"{key}.xml" for key in wanted}  # Word's usual names
    rels = read_part(archive, rels_path, name)
    if rels is not None:
        for rel in parse_xml(rels, name, rels_path).iter(f"{_REL}Relationship"):
            key = rel.get("Type", "").rsplit("/", 1)[-1]
            if key in wanted and rel.get("TargetMode") != "External":
                found[key] = rel.get("Target", "")
    return found


# ----------------------------------------------------------------------------
# Styles


@dataclass(frozen=True)
class Style:
    name: str
    based_on: str = ""
    outline: int | None = None  # ``outlineLvl``: 0 is the top level, 9 body text
    numbered: bool = False


@dataclass
class StyleSheet:
    """Paragraph styles by id, and the kind each one gives a paragraph."""

    styles: dict[str, Style] = field(default_factory=dict)
    default: str = ""

    @classmethod
    def parse(cls, root: Element | None) -> StyleSheet:
        sheet = cls()
        for node in root.iter(f"{W}style") if root is not None else ():
            if node.get(f"{W}type") not in (None, "paragraph"):
                continue
            style_id = node.get(f"{W}styleId", "")
            sheet.styles[style_id] = _style(node, style_id)
            if node.get(f"{W}default") in ("1", "true"):
                sheet.default = style_id
        return sheet

    def chain(self, style_id: str) -> Iterator[Style]:
        """The style and the styles it is based on, nearest first."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id, Style(name=style_id))
            yield style
            style_id = style.based_on

    def kind(self, style_id: str) -> tuple[str, int]:
        """The block kind and heading level a paragraph style gives.

        >>> sheet = StyleSheet({"berschrift1": Style("Überschrift 1"),
        ...     "Mine": Style("Mine", based_on="berschrift1"), "T": Style("Title")})
        >>> sheet.kind("Mine"), sheet.kind("T"), sheet.kind("Normal")
        (('heading', 1), ('meta', 0), ('', 0))
        """
        numbered = False
        for style in self.chain(style_id or self.default):
            kind = named_kind(style)
            if kind[0]:
                return kind
            numbered = numbered or style.numbered
        return (LIST_ITEM, 0) if numbered else ("", 0)


def _style(node: Element, style_id: str) -> Style:
    def val(path: str) -> str | None:
        found = node.find(path)
        return None if found is None else found.get(f"{W}val")

    outline = val(f"{W}pPr/{W}outlineLvl")
    num = val(f"{W}pPr/{W}numPr/{W}numId")
    return Style(
        name=val(f"{W}name") or style_id,
        based_on=val(f"{W}basedOn") or "",
        outline=int(outline) if outline and outline.isdigit() else None,
        numbered=num not in (None, "0"),
    )


def _direct_format(props: Element | None) -> tuple[int | None, bool]:
    """A paragraph's own outline level and numbering (over its style's)."""
    if props is None:
        return None, False
    outline = props.find(f"{W}outlineLvl")
    level = outline.get(f"{W}val", "") if outline is not None else ""
    num = props.find(f"{W}numPr/{W}numId")
    numbered = num is not None and num.get(f"{W}val") not in (None, "0")
    return (int(level) if level.isdigit() else None), numbered


def named_kind(style: Style) -> tuple[str, int]:
    """What a style's name (or outline level) says, ``("", 0)`` if nothing.

    >>> named_kind(Style("Titre 1")), named_kind(Style("Titre"))
    (('heading', 1), ('meta', 0))
    """
    name = style.name.strip()
    heading = _HEADING_NAME.match(name) or re.match(r"^[Hh]eading(\d)$", name)
    if heading:
        return HEADING, int(heading.group(1))
    if _TITLE_NAME.match(name):
        return META, 0
    if _CONTENTS_NAME.match(name):
        return SKIP, 0
    if _CAPTION_NAME.match(name):
        return CAPTION, 0
    if style.outline is not None and style.outline < 9:
        return HEADING, style.outline + 1
    return "", 0


# ----------------------------------------------------------------------------
# Notes


def _notes(root: Element | None, kind: str) -> dict[str, Element]:
    """The notes of one part by id, without Word's separator notes."""
    if root is None:
        return {}
    return {
        note.get(f"{W}id", ""): note
        for note in root.iter(f"{W}{kind}")
        if note.get(f"{W}type") in (None, "normal")
    }


def _note_formats(settings: Element | None, document: Element) -> dict[str, str]:
    """The number format of footnotes and endnotes; a section's setting wins."""
    formats = {kind: default for kind, (_, default) in _NOTE_TYPES.items()}
    for root in (settings, document):
        for kind in _NOTE_TYPES:
            for node in root.iter(f"{W}{kind}Pr") if root is not None else ():
                fmt = node.find(f"{W}numFmt")
                if fmt is not None and fmt.get(f"{W}val"):
                    formats[kind] = fmt.get(f"{W}val", "")
    return formats


def note_label(number: int, fmt: str) -> str:
    """A note's number as Word displays it in the given ``w:numFmt``.

    >>> [note_label(n, "lowerRoman") for n in (1, 4, 9, 14)]
    ['i', 'iv', 'ix', 'xiv']
    >>> note_label(2, "upperLetter"), note_label(6, "chicago")
    ('B', '††')
    """
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(number)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "chicago":
        return _CHICAGO[(number - 1) % 4] * ((number - 1) // 4 + 1)
    return str(number)


def _roman(number: int) -> str:
    result = ""
    for value, digits in zip(
        (1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1),
        "M CM D CD C XC L XL X IX V IV I".split(),
        strict=True,
    ):
        count, number = divmod(number, value)
        result += digits * count
    return result


# ----------------------------------------------------------------------------
# The document body


@dataclass
class _Field:
    """A complex field (``w:fldChar``): its instruction and whether the text
    now read is the instruction (skipped) or the displayed result (kept)."""

    instruction: str = ""
    in_code: bool = True


@dataclass
class _Reader:
    """Walks the body in reading order, numbering notes as it meets them."""

    styles: StyleSheet
    notes: dict[str, dict[str, Element]]
    formats: dict[str, str]
    cited: list[tuple[str, str, str]] = field(default_factory=list)  # kind, id, label
    fields: list[_Field] = field(default_factory=list)
    pending: list[TypedBlock] = field(default_factory=list)  # text boxes
    custom_mark: bool = False  # the run's next text is a note's own mark
    emitted: int = 0  # how many cited notes have been written
    in_note: bool = False

    def body(self, container: Element) -> Iterator[TypedBlock]:
        """The blocks of a body (or cell, text box, content control); the notes
        a block cites follow it, so that they share its section."""
        for child in container:
            yield from self.element(child)
            yield from self.cited_notes()

    def element(self, child: Element) -> Iterator[TypedBlock]:
        if child.tag == f"{W}p":
            yield from self.paragraph(child)
        elif child.tag == f"{W}tbl":
            yield from self.table(child)
        elif child.tag == f"{W}sdt" and not _is_contents(child):
            content = child.find(f"{W}sdtContent")
            yield from self.body(content if content is not None else child)
        elif child.tag in (f"{W}customXml", f"{W}ins", f"{W}moveTo"):
            yield from self.body(child)

    def paragraph(self, p: Element) -> Iterator[TypedBlock]:
        kind, level = self.paragraph_kind(p)
        lines = _lines(self.inline(p))
        boxes, self.pending = self.pending, []
        if lines and kind != SKIP and not self.in_contents_field():
            yield TypedBlock(kind=kind or PARAGRAPH, lines=lines, level=level)
        yield from boxes

    def paragraph_kind(self, p: Element) -> tuple[str, int]:
        props = p.find(f"{W}pPr")
        style = props.find(f"{W}pStyle") if props is not None else None
        kind, level = self.styles.kind(
            style.get(f"{W}val", "") if style is not None else ""
        )
        outline, numbered = _direct_format(props)
        if outline is not None and outline < 9 and kind in ("", LIST_ITEM):
            return HEADING, outline + 1
        if numbered and kind == "":
            return LIST_ITEM, 0
        return kind, level

    def table(self, tbl: Element) -> Iterator[TypedBlock]:
        rows = []
        for tr in tbl.findall(f"{W}tr"):  # a nested table is read in its cell
            cells = [self.cell(tc) for tc in tr.findall(f"{W}tc")]
            if any(cells):
                rows.append(" | ".join(cells))
        boxes, self.pending = self.pending, []
        if rows:
            yield TypedBlock(kind=TABLE, lines=tuple(rows))
        yield from boxes

    def cell(self, tc: Element) -> str:
        texts: list[str] = []
        for p in tc.iter(f"{W}p"):
            texts.extend(_lines(self.inline(p)))
        return " ".join(texts)

    def in_contents_field(self) -> bool:
        return any(
            not f.in_code and f.instruction.split()[:1] in (["TOC"], ["INDEX"])
            for f in self.fields
        )

    def inline(self, element: Element) -> str:
        """The displayed text inside a paragraph; ``\\n`` where a line breaks."""
        return "".join(self.piece(child) for child in element)

    def piece(self, node: Element) -> str:
        tag = node.tag
        if tag == f"{W}r":
            return self.run(node)
        if tag in (f"{M}oMath", f"{M}oMathPara"):
            return math_text(node) if not self.hidden() else ""
        if tag == f"{W}fldSimple":
            return self.inline(node)
        if tag in _CONTAINERS:
            content = node.find(f"{W}sdtContent") if tag == f"{W}sdt" else node
            return self.inline(content if content is not None else node)
        return ""  # properties, bookmarks, deletions, comments' anchors

    def hidden(self) -> bool:
        return any(f.in_code for f in self.fields)

    def run(self, r: Element) -> str:
        vanish = r.find(f"{W}rPr/{W}vanish")
        if vanish is not None and vanish.get(f"{W}val") not in ("0", "false"):
            return ""
        self.custom_mark = False
        return "".join(self.run_child(child) for child in r)

    def run_child(self, node: Element) -> str:
        tag = node.tag[len(W) :] if node.tag.startswith(W) else ""
        if tag == "fldChar":
            self.field_char(node.get(f"{W}fldCharType", ""))
        elif tag == "instrText" and self.fields:
            self.fields[-1].instruction += node.text or ""
        elif tag in ("footnoteReference", "endnoteReference"):
            self.cite(node, tag[: -len("Reference")])
        elif node.tag == f"{MC}AlternateContent" or tag in ("drawing", "pict"):
            self.text_boxes(node)
        elif not self.hidden():
            return self.character(tag, node)
        return ""

    def character(self, tag: str, node: Element) -> str:
        if tag == "t":
            if self.custom_mark:  # a custom note mark ("*") is the note's label
                self.custom_mark = False
                kind, ident, _ = self.cited[-1]
                self.cited[-1] = (kind, ident, (node.text or "").strip())
                return ""
            return node.text or ""
        if tag in ("tab", "ptab"):
            return " "
        if tag in ("br", "cr"):
            return "\n"
        if tag == "noBreakHyphen":
            return "-"
        if tag == "sym":
            return symbol(node.get(f"{W}font", ""), node.get(f"{W}char", ""))
        return ""

    def field_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            self.fields[-1].in_code = False
        elif kind == "end" and self.fields:
            self.fields.pop()

    def cite(self, node: Element, kind: str) -> None:
        """A note reference: the note takes the next number of its kind."""
        ident = node.get(f"{W}id", "")
        if ident not in self.notes[kind] or self.in_note:
            return
        number = 1 + sum(1 for k, _, _ in self.cited if k == kind)
        self.cited.append((kind, ident, note_label(number, self.formats[kind])))
        self.custom_mark = node.get(f"{W}customMarkFollows") in ("1", "true")

    def text_boxes(self, node: Element) -> None:
        """A text box's paragraphs become blocks after the paragraph anchoring it;
        of an ``mc:AlternateContent`` only the first choice is read (the fallback
        repeats the same text for older readers)."""
        if node.tag == f"{MC}AlternateContent":
            choice = node.find(f"{MC}Choice")
            node = choice if choice is not None else node
        saved = self.fields, self.pending
        self.fields, self.pending = [], []
        found = [b for box in node.iter(f"{W}txbxContent") for b in self.body(box)]
        self.fields, self.pending = saved[0], saved[1] + found

    def cited_notes(self) -> Iterator[TypedBlock]:
        """The notes cited since the last call, in the order of their marks."""
        fresh, self.emitted = self.cited[self.emitted :], len(self.cited)
        saved = self.fields
        self.fields, self.in_note = [], True  # a note's own references are not read
        blocks = [self.note_block(kind, ident, label) for kind, ident, label in fresh]
        self.fields, self.in_note = saved, False
        yield from (block for block in blocks if block.lines)

    def note_block(self, kind: str, ident: str, label: str) -> TypedBlock:
        lines = [
            line
            for p in self.notes[kind][ident].iter(f"{W}p")
            for line in _lines(self.inline(p))
        ]
        return TypedBlock(FOOTNOTE, tuple(lines), label=label)


_CONTAINERS = frozenset(
    f"{W}{tag}" for tag in "hyperlink smartTag customXml ins moveTo sdt dir bdo".split()
)


def _lines(text: str) -> tuple[str, ...]:
    r"""The non-empty lines of a paragraph's text; runs of spaces as one (a
    no-break space is the author's and stays).

    >>> _lines(" Title\n\nsecond  line\u00a0 ")
    ('Title', 'second line\xa0')
    """
    lines = (re.sub(" +", " ", line).strip(" ") for line in text.split("\n"))
    return tuple(line for line in lines if line.strip())


def _is_contents(sdt: Element) -> bool:
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and "contents" in gallery.get(f"{W}val", "").lower()


# Word's Symbol font puts Greek and math signs at ASCII positions.
_SYMBOL_FONT = dict(
    zip(
        "abgdezhqiklmnxprstufcywjvABGDEZHQIKLMNXPRSTUFCYWJV"
        "\xb1\xb4\xb8\xa3\xb3\xb9\xbb\xa5\xd6\xb0\xae\xde\xb6\xd7",
        "αβγδεζηθικλμνξπρστυφχψωϕϖΑΒΓΔΕΖΗΘΙΚΛΜΝΞΠΡΣΤΥΦΧΨΩϑς±×÷≤≥≠≈∞√°→⇒∂·",
        strict=True,
    )
)


def symbol(font: str, code: str) -> str:
    """A ``w:sym`` character; Word stores the Symbol font's in U+F0xx.

    >>> symbol("Symbol", "F061"), symbol("Symbol", "F0B3"), symbol("Arial", "2014")
    ('α', '≥', '—')
    """
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= value <= 0xF0FF:
        value -= 0xF000
        if font.lower() == "symbol":
            return _SYMBOL_FONT.get(chr(value), chr(value) if value >= 32 else "")
        return chr(value) if 32 <= value < 127 and font.lower() != "wingdings" else ""
    return chr(value) if value >= 32 else ""
