"""OpenDocument text (.odt) as typed blocks: ``content.xml`` read with its structure.

``text:h`` carries its outline level, ``text:list`` its items, ``table:table``
its rows, and ``text:note`` its own citation as printed ("1", "i", "*"): the
note's body becomes a footnote block with that label and leaves the sentence.
A paragraph style is resolved through its parents (automatic styles in
``content.xml``, named ones in ``styles.xml``) to find a Title or Subtitle.
Tracked deletions, comments and the generated table of contents are not text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from corpus.ingestion.docx import SKIP, Style, named_kind
from corpus.ingestion.layout import (
    FOOTNOTE,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    TABLE,
    Layout,
    TypedBlock,
)
from corpus.ingestion.package import open_package, parse_xml, read_part
from corpus.ingestion.source import ExtractionError

KIND = "OpenDocument (.odt)"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
# Generated or editorial content, not the author's running text.
_SKIPPED = frozenset(
    f"{TEXT}{tag}"
    for tag in (
        "tracked-changes table-of-content alphabetical-index illustration-index "
        "table-index bibliography user-index object-index sequence-decls "
        "variable-decls user-field-decls soft-page-break"
    ).split()
) | {f"{OFFICE}annotation", f"{OFFICE}forms"}


def read_odt(data: bytes, name: str) -> Layout:
    """An OpenDocument text's typed blocks, or ``ExtractionError``."""
    with open_package(data, name, KIND) as archive:
        content = read_part(archive, "content.xml", name)
        styles = read_part(archive, "styles.xml", name)
    if content is None:
        raise ExtractionError(f"{name}: not an OpenDocument text (no content.xml)")
    root = parse_xml(content, name, "content.xml")
    named = parse_xml(styles, name, "styles.xml") if styles else None
    reader = _Reader(parents=_style_parents(root, named))
    text = root.find(f"{OFFICE}body/{OFFICE}text")
    blocks = list(reader.body(text if text is not None else root))
    if not blocks:
        raise ExtractionError(f"{name}: the document has no text")
    return Layout(
        blocks=blocks, source_format="odt", repairs=False, markers_resolved=True
    )


def _style_parents(*roots: Element | None) -> dict[str, tuple[str, str]]:
    """Each paragraph style's display name and parent, by style name."""
    styles: dict[str, tuple[str, str]] = {}
    for root in roots:
        for node in root.iter(f"{STYLE}style") if root is not None else ():
            name = node.get(f"{STYLE}name", "")
            display = node.get(f"{STYLE}display-name") or name.replace("_20_", " ")
            styles[name] = (display, node.get(f"{STYLE}parent-style-name", ""))
    return styles


@dataclass
class _Reader:
    parents: dict[str, tuple[str, str]]
    notes: list[TypedBlock] = field(default_factory=list)
    pending: list[TypedBlock] = field(default_factory=list)  # frames' text

    def style_kind(self, style: str) -> str:
        seen: set[str] = set()
        while style and style not in seen:
            seen.add(style)
            display, parent = self.parents.get(style, (style, ""))
            kind, _ = named_kind(Style(name=display))
            if kind:
                return kind
            style = parent
        return ""

    def body(self, container: Element) -> Iterator[TypedBlock]:
        """The blocks of a body; the notes a block cites follow it."""
        for child in container:
            yield from self.element(child)
            notes, self.notes = self.notes, []
            yield from notes

    def element(self, child: Element) -> Iterator[TypedBlock]:
        tag = child.tag
        if tag == f"{TEXT}h":
            level = child.get(f"{TEXT}outline-level", "1")
            yield from self.block(child, HEADING, int(level) if level.isdigit() else 1)
        elif tag == f"{TEXT}p":
            kind = self.style_kind(child.get(f"{TEXT}style-name", ""))
            if kind != SKIP:  # a heading style on text:p is Word-like; trust text:h
                yield from self.block(child, kind if kind != HEADING else PARAGRAPH)
        elif tag == f"{TEXT}list":
            yield from self.items(child)
        elif tag == f"{TABLE_NS}table":
            yield from self.table(child)
        elif tag in (f"{TEXT}section", f"{TABLE_NS}table-header-rows"):
            yield from self.body(child)

    def block(self, node: Element, kind: str, level: int = 0) -> Iterator[TypedBlock]:
        lines = _lines(self.inline(node))
        boxes, self.pending = self.pending, []
        if lines:
            yield TypedBlock(kind=kind or PARAGRAPH, lines=lines, level=level)
        yield from boxes

    def items(self, node: Element) -> Iterator[TypedBlock]:
        for item in node:
            if item.tag not in (f"{TEXT}list-item", f"{TEXT}list-header"):
                continue
            lines: list[str] = []
            nested: list[Element] = []
            for child in item:
                if child.tag in (f"{TEXT}p", f"{TEXT}h"):
                    lines.extend(_lines(self.inline(child)))
                elif child.tag == f"{TEXT}list":
                    nested.append(child)
            if lines:
                yield TypedBlock(kind=LIST_ITEM, lines=tuple(lines))
            for child in nested:
                yield from self.items(child)

    def table(self, node: Element) -> Iterator[TypedBlock]:
        rows = []
        for row in node.iter(f"{TABLE_NS}table-row"):
            cells = [
                " ".join(
                    line
                    for p in cell.iter(f"{TEXT}p")
                    for line in _lines(self.inline(p))
                )
                for cell in row.findall(f"{TABLE_NS}table-cell")
            ]
            if any(cells):
                rows.append(" | ".join(cells))
        if rows:
            yield TypedBlock(kind=TABLE, lines=tuple(rows))

    def inline(self, node: Element) -> str:
        """The displayed text of a paragraph, ``\\n`` at a line break."""
        parts = [_collapse(node.text)]
        for child in node:
            parts.append(self.piece(child))
            parts.append(_collapse(child.tail))
        return "".join(parts)

    def piece(self, node: Element) -> str:
        tag = node.tag
        if tag in _SKIPPED or tag.startswith(f"{TEXT}bookmark"):
            return ""
        if tag == f"{TEXT}s":
            count = node.get(f"{TEXT}c", "1")
            return " " * (int(count) if count.isdigit() else 1)
        if tag == f"{TEXT}tab":
            return " "
        if tag == f"{TEXT}line-break":
            return "\n"
        if tag == f"{TEXT}note":
            self.note(node)
            return ""
        if tag == f"{DRAW}frame":
            for box in node.iter(f"{DRAW}text-box"):
                self.pending.extend(self.body(box))
            return ""
        return self.inline(node)  # spans, links, fields' displayed values

    def note(self, node: Element) -> None:
        citation = node.find(f"{TEXT}note-citation")
        label = ""
        if citation is not None:
            label = citation.get(f"{TEXT}label") or "".join(citation.itertext())
        body = node.find(f"{TEXT}note-body")
        lines = [
            line
            for p in (body.iter(f"{TEXT}p") if body is not None else ())
            for line in _lines(self.inline(p))
        ]
        if lines:
            self.notes.append(TypedBlock(FOOTNOTE, tuple(lines), label=label.strip()))


def _collapse(text: str | None) -> str:
    r"""White space in ODF text is collapsed, as in HTML (``text:s`` is a space).

    >>> _collapse("a\n   b")
    'a b'
    """
    return re.sub(r"[ \t\r\n]+", " ", text or "")


def _lines(text: str) -> tuple[str, ...]:
    r"""Non-empty lines; ODF already collapsed its spaces (``text:s`` adds them).

    >>> _lines("a\n \nb")
    ('a', 'b')
    """
    return tuple(line.strip(" ") for line in text.split("\n") if line.strip())
