"""EPUB books: the spine's XHTML documents, in reading order, read as HTML.

The package document (OPF, named by ``META-INF/container.xml``) lists the
documents and their order; each one goes through the HTML extractor. Notes
often live in another document than their markers (``notes.xhtml#n3``), so
ids and links are first made book-wide (``chapter1.xhtml#n3``) and the notes
are found across the whole book. The navigation document is not text.
"""

from __future__ import annotations

import posixpath
import zipfile
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from corpus.ingestion.html import Node, decode_html, layout_of, parse_html
from corpus.ingestion.layout import Layout
from corpus.ingestion.package import open_package, parse_xml, read_part
from corpus.ingestion.source import ExtractionError

KIND = "EPUB (.epub)"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})


def read_epub(data: bytes, name: str) -> Layout:
    """An EPUB's text as typed blocks, or ``ExtractionError``."""
    with open_package(data, name, KIND) as archive:
        documents, flattened = [], 0
        for path in spine(archive, name):
            content = read_part(archive, path, name)
            if content is None:
                continue
            root, deep = parse_html(decode_html(content, f"{name}: {path}"))
            documents.append(book_wide(root, path))
            flattened += deep
    if not documents:
        raise ExtractionError(f"{name}: the book has no readable documents")
    layout = layout_of(documents, name, flattened)
    layout.source_format = "epub"
    return layout


def spine(archive: zipfile.ZipFile, name: str) -> list[str]:
    """The paths of the spine's documents in reading order (navigation out)."""
    container = read_part(archive, "META-INF/container.xml", name)
    if container is None:
        raise ExtractionError(f"{name}: not an EPUB (no META-INF/container.xml)")
    rootfile = parse_xml(container, name, "container.xml").find(
        f".//{_CONTAINER}rootfile"
    )
    opf_path = rootfile.get("full-path", "") if rootfile is not None else ""
    opf = read_part(archive, opf_path, name) if opf_path else None
    if opf is None:
        raise ExtractionError(f"{name}: the EPUB names no package document")
    return _documents(parse_xml(opf, name, opf_path), posixpath.dirname(opf_path))


def _documents(opf: Element, folder: str) -> list[str]:
    items = {item.get("id", ""): item for item in opf.iter(f"{_OPF}item")}
    paths = []
    for ref in opf.iter(f"{_OPF}itemref"):
        item = items.get(ref.get("idref", ""))
        if item is None or ref.get("linear") == "no":
            continue
        if item.get("media-type") not in _XHTML_TYPES:
            continue
        if "nav" in item.get("properties", "").split():
            continue
        href = unquote(item.get("href", ""))
        paths.append(posixpath.normpath(posixpath.join(folder, href)))
    return paths


def book_wide(root: Node, path: str) -> Node:
    """Ids and in-book links rewritten as ``path#id``, so that a link from one
    document to a note in another resolves like a link within a page.

    >>> doc, _ = parse_html('<p id="a"><a href="notes.xhtml#n1">1</a></p>')
    >>> doc = book_wide(doc, "text/ch1.xhtml")
    >>> [(n.attrs.get("id"), n.attrs.get("href")) for n in doc.elements()][1:]
    [('text/ch1.xhtml#a', None), (None, '#text/notes.xhtml#n1')]
    """
    folder = posixpath.dirname(path)
    for node in root.elements():
        for key in ("id", "name") if node.tag == "a" else ("id",):
            if node.attrs.get(key):
                node.attrs[key] = f"{path}#{node.attrs[key]}"
        href = node.attrs.get("href")
        if href is not None and node.tag == "a":
            node.attrs["href"] = _book_link(href, path, folder)
    return root


def _book_link(href: str, path: str, folder: str) -> str:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.fragment:
        return href
    target = path
    if parts.path:
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
    return f"#{target}#{parts.fragment}"
