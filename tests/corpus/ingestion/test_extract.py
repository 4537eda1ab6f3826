"""extract.read_text: what a person may hand to ``ingest``, and the refusals."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from corpus.ingestion.extract import ExtractionError, read_layout, read_text
from corpus.ingestion.pipeline import process

DOCX_XML = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body>"
    '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
    "<w:r><w:t>Souveraineté</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>La sécurité nord-américaine </w:t></w:r>"
    "<w:r><w:t>demeure un but difficile à atteindre.</w:t></w:r></w:p>"
    "</w:body></w:document>"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # plain UTF-8, the common case
        ("a.txt", "Café society.".encode(), "Café society."),
        # a byte-order mark is not text
        ("a.txt", b"\xef\xbb\xbfCaf\xc3\xa9.", "Café."),
        # UTF-16 is only accepted with its byte-order mark
        ("a.txt", "Café.".encode("utf-16"), "Café."),
        # markdown is read as it is; markup is cleaned record by record
        ("a.md", b"## Title\n\n*Big Idea*", "## Title\n\n*Big Idea*"),
    ],
)
def test_text_files_are_read(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    assert read_text(write(tmp_path, name, data)) == expected


def test_html_keeps_blocks_and_drops_scripts(tmp_path: Path) -> None:
    html = (
        b"<html><head><title>x</title><style>p{}</style></head><body>"
        b"<nav>Home | About</nav><h1>Obstacles</h1><p>First &amp; <em>only</em>.</p>"
        b"<ul><li>One</li><li>Two</li></ul><script>alert(1)</script></body></html>"
    )
    path = write(tmp_path, "page.html", html)
    blocks = read_layout(path).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Obstacles"),
        ("paragraph", "First & only."),
        ("list_item", "One"),
        ("list_item", "Two"),
    ]
    assert read_text(path) == "Obstacles\n\nFirst & only.\n\nOne\n\nTwo"


def test_docx_paragraphs_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "paper.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", DOCX_XML)
    layout = read_layout(path)
    assert [(b.kind, b.level, b.text) for b in layout.blocks] == [
        ("heading", 1, "Souveraineté"),
        (
            "paragraph",
            0,
            "La sécurité nord-américaine demeure un but difficile à atteindre.",
        ),
    ]
    records = process(layout).paragraphs
    # a document that opens on a heading: that heading is its title
    assert [(r.kind, r.lang) for r in records] == [
        ("meta", "fr"),
        ("paragraph", "fr"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b" \n\t\n", "the file is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
        ("latin1.txt", "Café".encode("latin-1"), "not UTF-8 text"),
        ("broken.docx", b"PK not really a zip", "not a readable Word (.docx) file"),
        # HTML that declares no charset is UTF-8, as everywhere else
        ("latin1.html", "<p>Café</p>".encode("latin-1"), "not UTF-8 text"),
        ("empty.html", b"<html><script>x()</script></html>", "the file has no text"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ExtractionError, match=re.escape(message)):
        read_text(write(tmp_path, name, data))


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="no such file"):
        read_text(tmp_path / "absent.txt")
    with pytest.raises(ExtractionError, match="is a folder"):
        read_text(tmp_path)
