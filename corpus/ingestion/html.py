"""HTML pages as typed blocks: the main content only, with its real structure.

A page is parsed into a small tree (``html.parser``, the standard library),
then read the way a person reads it. What is not the author's text is dropped
on evidence: the element (``nav``, ``aside``, a site ``header``, ``footer``),
its role, its class or id (``navheader``, ``toc``, ``sphinxsidebar``,
``breadcrumb``, ``comments``, ``cookie``…), or its links (a block that is
mostly links is navigation). Headings, paragraphs, list items, ``pre`` blocks
(verbatim), definition lists and tables become blocks of their kind. A note
marker (``<sup><a href="#fn1">1</a></sup>``) is taken out of the text only when
its link lands on a note in the page; the notes become footnote blocks with
the marker's label.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from corpus.ingestion.layout import (
    CAPTION,
    FOOTNOTE,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    TABLE,
    Layout,
    TypedBlock,
)
from corpus.ingestion.omml import group, spaced, tight
from corpus.ingestion.source import ExtractionError, decode

MAX_DEPTH = 120  # deeper elements are flattened into their ancestor
VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog div "
    "dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup "
    "hr html li main menu nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul legend".split()
)
HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_TITLED = HEADINGS | {"section", "article", "a", "dt", "li", "span"}
DROPPED = frozenset(
    "script style noscript template svg head nav form button select textarea "
    "iframe object canvas aside dialog".split()
)
# Roles and class/id words of what is not the author's text.
NOISE_ROLES = frozenset(
    "navigation banner contentinfo complementary search menu menubar toolbar "
    "dialog alertdialog doc-toc doc-backlink".split()
)
NOISE_WORDS = frozenset(
    "nav navbar navheader navfooter navigation menu breadcrumb breadcrumbs toc "
    "toctree sidebar sphinxsidebar sphinxsidebarwrapper related footer masthead "
    "comments comment disqus share sharing social cookie cookies gdpr consent "
    "skip pagination pager headerlink backref searchbox advert ads".split()
)
# Block that closes an open ``p`` when it starts (HTML's implied end tags).
_CLOSES_P = BLOCKS - {"td", "th", "tr", "tbody", "thead", "tfoot", "caption"}
_IMPLIED = {
    "li": ({"li"}, {"ul", "ol", "menu"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "option": ({"option"}, {"select"}),
}
_SPACES = re.compile(r"[ \t\n\r\f]+")  # what a browser collapses (not NBSP)
_BRACKETS = " \t\n[]()\u00a0"


@dataclass(eq=False)
class Node:
    """An element: its tag, attributes and children (text or elements)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def elements(self) -> Iterator[Node]:
        """This element and every element under it, in document order."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def words(self) -> set[str]:
        """Its class split into words (``nav-links`` → nav, links), and its id
        when it is not a section's (a section's id is made from its title)."""
        text = self.attrs.get("class", "")
        if self.tag not in _TITLED:
            text += " " + self.attrs.get("id", "")
        return set(re.split(r"[\s_-]+", text.lower())) - {""}

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


# ----------------------------------------------------------------------------
# Decoding and parsing

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.-]+)""",
    re.IGNORECASE,
)
# Browsers read these labels as windows-1252 (WHATWG Encoding standard).
_AS_WINDOWS_1252 = {"ascii", "latin-1", "iso8859-1", "cp1252"}


def decode_html(data: bytes, name: str) -> str:
    """The page's text: a BOM, else the charset the page declares, else UTF-8.

    >>> decode_html(b'<meta charset="iso-8859-1"><p>caf\\xe9 \\x93x\\x94', "a.html")
    '<meta charset="iso-8859-1"><p>café “x”'
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data, name)
    codec = declared_codec(data[:4096])
    if codec is None or codec == "utf-8":
        return decode(data, name)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: the page declares {codec} but byte 0x{data[exc.start]:02x} "
            f"at position {exc.start} is not {codec}"
        ) from exc


def declared_codec(head: bytes) -> str | None:
    """The Python codec of the charset a page declares; ``None`` if none is
    declared or Python does not know it.

    >>> declared_codec(b'<meta http-equiv="Content-Type" content="text/html; '
    ...     b'charset=ISO-8859-1">'), declared_codec(b"<p>")
    ('cp1252', None)
    """
    match = _META_CHARSET.search(head)
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").strip().lower()
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if codec in _AS_WINDOWS_1252 else codec


class _TreeBuilder(HTMLParser):
    """Builds the tree, closing what HTML closes implicitly (``p``, ``li``…)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]
        self.flattened = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag in VOID:
            return
        if len(self.stack) >= MAX_DEPTH:
            self.flattened += 1  # its content goes to the deepest open element
            return
        self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # XHTML's <a id="x"/>: open and closed
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
            if self.stack[depth].tag in ("table", "body") and tag not in ("body",):
                return  # a stray end tag does not close across a table

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close_implied(self, tag: str) -> None:
        if tag in _CLOSES_P:
            self._close_open({"p"}, BLOCKS - {"p"} - {"span"})
        if tag in _IMPLIED:
            self._close_open(*_IMPLIED[tag])

    def _close_open(
        self, closes: set[str], boundary: set[str] | frozenset[str]
    ) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[depth].tag
            if tag in closes:
                del self.stack[depth:]
                return
            if tag in boundary:
                return


def parse_html(text: str) -> tuple[Node, int]:
    """The document tree and how many elements too deep were flattened."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root, builder.flattened


# ----------------------------------------------------------------------------
# Notes: markers and the notes they point to

_CONTAINER_WORDS = frozenset(
    "footnotes endnotes notes footnote-list fn-list rearnotes".split()
)
_CONTAINER_ROLES = frozenset("doc-endnotes doc-footnotes".split())
_ITEM_WORDS = frozenset("footnote endnote fn rearnote".split())
_ITEM_ROLES = frozenset("doc-footnote doc-endnote".split())
_ITEM_TAGS = frozenset("li div aside p tr dd section table".split())


def _tokens(node: Node, *names: str) -> set[str]:
    return {t for n in names for t in node.attrs.get(n, "").lower().split()}


def is_notes_container(node: Node) -> bool:
    """``section.footnotes``, ``div.footnotes``, ``role="doc-endnotes"``…"""
    if _tokens(node, "class", "id") & _CONTAINER_WORDS:
        return True
    return bool(
        _tokens(node, "role", "epub:type")
        & (_CONTAINER_ROLES | {"footnotes", "endnotes", "rearnotes"})
    )


def is_note_item(node: Node) -> bool:
    """A note itself: DocBook's ``div.footnote``, docutils' ``aside.footnote``."""
    if node.tag not in _ITEM_TAGS:
        return False
    if _tokens(node, "class") & _ITEM_WORDS:
        return True
    return bool(
        _tokens(node, "role", "epub:type") & (_ITEM_ROLES | _ITEM_WORDS | {"note"})
    )


def note_of(target: Node) -> Node | None:
    """The note that holds a link's target, ``None`` if it is not in a note."""
    path: list[Node] = []
    node: Node | None = target
    while node is not None:
        if is_note_item(node):
            return node
        if is_notes_container(node):
            items = [n for n in path if n.tag in _ITEM_TAGS]
            return items[-1] if items else None
        path.append(node)
        node = node.parent
    return None


@dataclass
class Notes:
    """The page's notes, their labels, and the marker elements to skip."""

    labels: dict[Node, str] = field(default_factory=dict)  # note → its label
    skipped: set[Node] = field(default_factory=set)  # markers and back-links
    emitted: set[Node] = field(default_factory=set)  # notes already written

    @classmethod
    def find(cls, root: Node) -> Notes:
        ids = _ids(root)
        notes = cls()
        for link in root.elements():
            target = ids.get(_fragment(link)) if link.tag == "a" else None
            note = note_of(target) if target is not None else None
            if note is None or _inside(link, note) or _in_notes(link):
                continue
            notes.labels.setdefault(note, _marker_label(link))
            notes.skipped.add(_marker_wrapper(link))
            notes.skipped.update(_back_links(note, link, ids))
        notes._unreferenced(root)
        return notes

    def _unreferenced(self, root: Node) -> None:
        """Notes in a notes section that nothing links to keep their own label."""
        for container in (n for n in root.elements() if is_notes_container(n)):
            items = [n for n in container.elements() if is_note_item(n)] or [
                n for n in container.elements() if n.tag == "li"
            ]
            for position, item in enumerate(items, start=1):
                self.labels.setdefault(item, _own_label(item, position))
        for note in self.labels:  # docutils' "[1]" label: the note's, not text
            self.skipped.update(n for n in note.elements() if _is_label(n))


def _ids(root: Node) -> dict[str, Node]:
    ids: dict[str, Node] = {}
    for node in root.elements():
        for key in ("id", "name") if node.tag == "a" else ("id",):
            if node.attrs.get(key):
                ids.setdefault(node.attrs[key], node)
    return ids


def _fragment(link: Node) -> str:
    """The target id of a link into this page (``#fn1``), ``""`` otherwise."""
    href = link.attrs.get("href", "")
    return href[1:] if href.startswith("#") else ""


def _inside(node: Node, ancestor: Node) -> bool:
    current: Node | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def _in_notes(node: Node) -> bool:
    current: Node | None = node
    while current is not None:
        if is_notes_container(current) or is_note_item(current):
            return True
        current = current.parent
    return False


def _marker_label(link: Node) -> str:
    """``[1]``, ``(1)`` or ``1`` as printed, without its brackets."""
    return " ".join(link.text().split()).strip(_BRACKETS)


def _marker_wrapper(link: Node) -> Node:
    """The ``sup`` around a marker when it holds nothing else but brackets."""
    parent = link.parent
    if parent is not None and parent.tag == "sup":
        rest = "".join(
            c if isinstance(c, str) else c.text()
            for c in parent.children
            if c is not link
        )
        if not rest.strip(_BRACKETS):
            return parent
    return link


def _back_links(note: Node, marker: Node, ids: dict[str, Node]) -> list[Node]:
    """The links in a note that lead back to its marker (``↩``, ``[1]``)."""
    anchors = {marker, *(n for n in (marker.parent,) if n is not None)}
    return [
        _marker_wrapper(link)
        for link in note.elements()
        if link.tag == "a" and ids.get(_fragment(link)) in anchors
    ]


def _is_label(node: Node) -> bool:
    return bool(_tokens(node, "class") & {"label", "fn-label", "footnote-label"})


def _own_label(item: Node, position: int) -> str:
    """A note's label without a marker: its label element, else its number."""
    for node in item.elements():
        if _is_label(node):
            return node.text().strip(_BRACKETS)
    if item.tag == "li" and item.parent is not None:
        start = item.parent.attrs.get("start", "1")
        return str(position + int(start) - 1 if start.isdigit() else position)
    return ""


# ----------------------------------------------------------------------------
# MathML, written as one types it (the same conventions as ``omml``)

_SCRIPTS = {
    "msup": (None, 1),
    "msub": (1, None),
    "msubsup": (1, 2),
    "munder": (1, None),
    "mover": (None, 1),
    "munderover": (1, 2),
}


_LARGE_OPERATORS = frozenset("∑∏∐∫∬∭∮⋃⋂⋁⋀")  # what follows is their operand


def math_text(node: Node) -> str:
    """A ``math`` element as linear text; its TeX annotation is not shown.

    >>> root, _ = parse_html("<math><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo>"
    ...     "<mfrac><mi>a</mi><mn>2</mn></mfrac></math>")
    >>> math_text(root.children[0])
    'x^2 + a/2'
    """
    return " ".join(_math(node).split())


def _math(node: Node) -> str:
    parts = [c for c in node.children if isinstance(c, Node)]
    tag = node.tag
    if tag in ("annotation", "annotation-xml"):
        return ""
    if tag == "semantics":
        return _math(parts[0]) if parts else ""
    if tag == "mo":
        return spaced(node.text().strip())
    if tag in ("mi", "mn", "mtext", "ms"):
        return node.text().strip()
    if tag in _SCRIPTS and parts:
        return _script(parts, *_SCRIPTS[tag])
    if tag == "mfrac" and len(parts) == 2:
        return f"{group(_math(parts[0]))}/{group(_math(parts[1]))}"
    if tag == "msqrt":
        return f"√({''.join(_math(p) for p in parts)})"
    if tag == "mroot" and len(parts) == 2:
        return f"{group(_math(parts[1]))}√({_math(parts[0])})"
    return "".join(_math(p) for p in parts) if parts else node.text()


def _script(parts: list[Node], sub: int | None, sup: int | None) -> str:
    text = _math(parts[0]).strip()
    for index, mark in ((sub, "_"), (sup, "^")):
        if index is not None and index < len(parts):
            text += mark + group(tight(_math(parts[index])))
    return f"{text} " if parts[0].text().strip() in _LARGE_OPERATORS else text


# ----------------------------------------------------------------------------
# Noise and main content


def is_noise(node: Node) -> bool:
    """An element that is not the author's text, by tag, role or class words."""
    if node.tag in DROPPED or node.tag == "footer":
        return True
    if node.tag == "header" and not (_in_article(node) or _has_title(node)):
        return True
    if _tokens(node, "role") & NOISE_ROLES or "hidden" in node.attrs:
        return True
    if node.attrs.get("aria-hidden") == "true":
        return True
    return bool(node.words() & NOISE_WORDS)


def _has_title(header: Node) -> bool:
    """A page header holding the document's title (pandoc's title block), not
    a site's name as a link."""
    for node in header.elements():
        if node.tag in HEADINGS and _letters(node.text()) > _link_letters(node):
            return True
    return False


def _link_letters(node: Node) -> int:
    return sum(_letters(n.text()) for n in node.elements() if n.tag == "a")


def _in_article(node: Node) -> bool:
    current = node.parent
    while current is not None:
        if current.tag in ("article", "main") or "main" in _tokens(current, "role"):
            return True
        current = current.parent
    return False


def mostly_links(node: Node, minimum: int = 2) -> bool:
    """Navigation: two links or more, and hardly a letter outside them.

    >>> root, _ = parse_html('<p><a href="a">Prev</a> | <a href="b">Next</a></p>')
    >>> mostly_links(root)
    True
    """
    links = [n for n in node.elements() if n.tag == "a" and n.attrs.get("href")]
    if len(links) < minimum:
        return False
    inside = sum(_letters(link.text()) for link in links)
    return _letters(node.text()) - inside < 0.25 * inside


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def main_content(root: Node) -> Node:
    """``main`` (or ``role="main"``), a single ``article``, else the body."""
    nodes = list(root.elements())
    for node in nodes:
        if node.tag == "main" or "main" in _tokens(node, "role"):
            return node
    articles = [n for n in nodes if n.tag == "article"]
    if len(articles) == 1:
        return articles[0]
    return next((n for n in nodes if n.tag == "body"), root)


# ----------------------------------------------------------------------------
# Blocks

_LEAF_CONTAINERS = frozenset("ul ol dl table p div section td li".split())
_STRUCTURE = frozenset("p h1 h2 h3 h4 h5 h6 pre blockquote".split())
_OWN_BLOCKS = frozenset("ul ol pre table dl".split())  # never part of an item
_ADMONITIONS = frozenset("tip note warning caution important".split())


@dataclass
class _Emitter:
    """Walks the main content and yields its blocks in reading order."""

    notes: Notes
    inline: list[str] = field(default_factory=list)  # text waiting for a block
    link_density: bool = True  # off in a note: a note may be just a reference

    def walk(self, node: Node) -> Iterator[TypedBlock]:
        for child in node.children:
            if isinstance(child, str):
                self.inline.append(_SPACES.sub(" ", child))
            elif child in self.notes.labels:
                yield from self.flush()
                yield from self.note(child)
            elif self.dropped(child):
                continue
            elif child.tag in BLOCKS:
                yield from self.flush()
                yield from self.block(child)
                yield from self.flush()
            else:
                self.inline.append(self.text(child))
        yield from self.flush()

    def dropped(self, node: Node) -> bool:
        if is_notes_container(node):
            return False  # docutils puts its notes in an ``aside``
        if node in self.notes.skipped or is_noise(node):
            return True
        if not self.link_density or node.tag not in _LEAF_CONTAINERS:
            return False
        if node.tag in ("td", "li"):
            return False
        if any(n.tag in _STRUCTURE for n in node.elements() if n is not node):
            return False
        # a sentence may cite two sources by their titles; a menu has more
        return mostly_links(node, minimum=3 if node.tag == "p" else 2)

    def flush(self, kind: str = PARAGRAPH) -> Iterator[TypedBlock]:
        lines = _lines("".join(self.inline))
        self.inline = []
        if lines:
            yield TypedBlock(kind=kind, lines=lines)

    def block(self, node: Node) -> Iterator[TypedBlock]:
        tag = node.tag
        if tag in HEADINGS:
            yield from self.leaf(node, HEADING, level=int(tag[1]))
        elif tag == "p" and _is_caption(node) or tag in ("figcaption", "caption"):
            yield from self.leaf(node, CAPTION)
        elif tag == "pre":
            yield from _pre(node, self)
        elif tag in ("ul", "ol", "menu"):
            yield from self.items(node)
        elif tag == "li":
            yield from self.item(node)
        elif tag == "dt":
            yield from self.leaf(node, LIST_ITEM)
        elif tag == "table" and not _is_layout_table(node):
            yield from self.table(node)
        elif tag == "tr" and _is_question_row(node):
            # a FAQ's question row ("3.1." | the question) titles its answer
            yield from self.leaf(node, HEADING, level=6)
        else:
            yield from self.walk(node)  # p, div, section, dd, blockquote, cells…

    def leaf(self, node: Node, kind: str, level: int = 0) -> Iterator[TypedBlock]:
        lines = _lines(self.text(node))
        if lines:
            yield TypedBlock(kind=kind, lines=lines, level=level)

    def items(self, node: Node) -> Iterator[TypedBlock]:
        for child in node.children:
            if isinstance(child, Node) and child in self.notes.labels:
                yield from self.note(child)
            elif isinstance(child, Node) and not self.dropped(child):
                yield from (
                    self.item(child) if child.tag == "li" else self.block(child)
                )

    def item(self, node: Node) -> Iterator[TypedBlock]:
        """One list item: its text and paragraphs are one block; a nested
        list, ``pre`` or table follows as blocks of their own."""
        later: list[Node] = []
        for child in node.children:
            if isinstance(child, str):
                self.inline.append(_SPACES.sub(" ", child))
            elif self.dropped(child):
                continue
            elif child.tag in _OWN_BLOCKS or (
                child.tag in BLOCKS
                and any(n.tag in _OWN_BLOCKS for n in child.elements())
            ):
                later.append(child)
            else:
                self.inline.append(
                    f"\n{self.text(child)}\n"
                    if child.tag in BLOCKS
                    else self.text(child)
                )
        yield from self.flush(LIST_ITEM)
        for child in later:
            yield from self.block(child)

    def table(self, node: Node) -> Iterator[TypedBlock]:
        rows = []
        for row in _rows(node):
            cells = [" ".join(_lines(self.text(cell))) for cell in _cells(row)]
            if any(cells):
                rows.append(" | ".join(cells))
        for caption in (
            c for c in node.children if isinstance(c, Node) and c.tag == "caption"
        ):
            yield from self.leaf(caption, CAPTION)
        if rows:
            yield TypedBlock(kind=TABLE, lines=tuple(rows))

    def note(self, node: Node) -> Iterator[TypedBlock]:
        if node in self.notes.emitted:
            return
        self.notes.emitted.add(node)
        inner = _Emitter(self.notes, link_density=False)
        lines = tuple(line for block in inner.walk(node) for line in block.lines)
        if lines:
            label = self.notes.labels[node]
            yield TypedBlock(kind=FOOTNOTE, lines=lines, label=label)

    def text(self, node: Node) -> str:
        """An element's displayed text: ``br`` as a line break, noise out."""
        if node.tag == "br":
            return "\n"
        if node.tag == "math":
            return math_text(node)
        if self.dropped(node) and node.tag not in ("td", "th"):
            return ""
        parts = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(_SPACES.sub(" ", child))
            else:
                parts.append(self.text(child))
        return "".join(parts)


def _lines(text: str) -> tuple[str, ...]:
    """Lines as a browser shows them: spaces collapsed, blank lines gone.

    >>> _lines(" One  two \\n\\n three\\u00a0four ")
    ('One two', 'three\\xa0four')
    """
    lines = (re.sub(" +", " ", line).strip(" ") for line in text.split("\n"))
    return tuple(line for line in lines if line.strip())


def _pre(node: Node, emitter: _Emitter) -> Iterator[TypedBlock]:
    """Preformatted text exactly as printed, one block."""
    text = _raw_text(node, emitter)
    lines = text.removeprefix("\n").rstrip().split("\n")
    if any(line.strip() for line in lines):
        yield TypedBlock(
            kind=PARAGRAPH,
            lines=tuple(line.rstrip() for line in lines),
            preformatted=True,
        )


def _raw_text(node: Node, emitter: _Emitter) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif child not in emitter.notes.skipped:
            parts.append(_raw_text(child, emitter))
    return "".join(parts)


def _rows(table: Node) -> Iterator[Node]:
    for child in table.children:
        if isinstance(child, Node) and child.tag == "tr":
            yield child
        elif isinstance(child, Node) and child.tag in ("thead", "tbody", "tfoot"):
            yield from _rows(child)


def _is_layout_table(table: Node) -> bool:
    """A table that lays a page out (an admonition box, a navigation bar)
    rather than holding data: its cells hold headings or tables, or most of
    its rows are a single cell."""
    if "presentation" in _tokens(table, "role"):
        return True
    if table.attrs.get("summary", "").lower() in _ADMONITIONS | _LAID_OUT:
        return True
    if any(_is_question_row(row) for row in _rows(table)):
        return True
    if any(_blocks_in(cell) >= 2 for row in _rows(table) for cell in _cells(row)):
        return True  # a cell of several paragraphs is text laid out, not data
    inner = [n for n in table.elements() if n is not table]
    if any(n.tag in HEADINGS or n.tag == "table" for n in inner):
        return True
    widths = [len(_cells(row)) for row in _rows(table)]
    return bool(widths) and 2 * sum(1 for w in widths if w < 2) >= len(widths)


_LAID_OUT = frozenset({"block quote", "q and a set"})  # DocBook XSL summaries
_CELL_BLOCKS = frozenset("p div pre ul ol dl blockquote table".split())


def _blocks_in(cell: Node) -> int:
    """How many block elements a table cell holds as its own children."""
    return sum(
        1 for c in cell.children if isinstance(c, Node) and c.tag in _CELL_BLOCKS
    )


def _is_question_row(row: Node) -> bool:
    """DocBook XSL writes a ``qandaset`` as a table whose rows say what they
    are: ``<tr class="question">`` then ``<tr class="answer">``."""
    return row.tag == "tr" and "question" in _tokens(row, "class")


def _cells(row: Node) -> list[Node]:
    return [c for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")]


def _is_caption(node: Node) -> bool:
    """DocBook's ``<p class="title">`` over a table, figure or example."""
    parent = node.parent
    return (
        "title" in _tokens(node, "class")
        and parent is not None
        and bool(
            _tokens(parent, "class") & {"table", "figure", "example", "informaltable"}
        )
    )


def read_html(data: bytes, name: str) -> Layout:
    """A page's main content as typed blocks, or ``ExtractionError``."""
    root, flattened = parse_html(decode_html(data, name))
    return layout_of([root], name, flattened)


def layout_of(documents: list[Node], name: str, flattened: int = 0) -> Layout:
    """The typed blocks of parsed pages read in order (an EPUB's spine comes
    here too: a note may live in another document than its marker)."""
    notes = Notes.find(_bind(documents))
    mains = [main_content(document) for document in documents]
    emitter = _Emitter(notes)
    blocks = [block for main in mains for block in emitter.walk(main)]
    for note in notes.labels:  # notes outside the main content (or in a
        blocks.extend(emitter.note(note))  # footer) go last; a marker led here
    if not blocks:
        raise ExtractionError(
            f"{name}: the file has no text (only markup or navigation)"
        )
    warnings = [f"{flattened} elements nested too deep were read flat"]
    return Layout(
        blocks=blocks,
        source_format="html",
        warnings=warnings if flattened else [],
        repairs=False,
        markers_resolved=True,
    )


def _bind(documents: list[Node]) -> Node:
    """One tree over several documents, so links between them resolve."""
    if len(documents) == 1:
        return documents[0]
    book = Node("#book", children=list(documents))
    for document in documents:
        document.parent = book
    return book
