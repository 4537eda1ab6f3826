"""DOCX excerpt book, written as plain OOXML with ``zipfile`` (no dependency).

Same content as the Markdown book: a Heading 1 per theme, its memos (a
byline, then the memo's paragraphs), each excerpt a "Quote" paragraph, then
its citation and annotator, then the note. Word,
LibreOffice and Google Docs open it; the styles are defined in the package.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from typing import BinaryIO
from xml.sax.saxutils import escape

from annotations.exports.book import Entry, chapters, memo_byline, theme_memos
from annotations.exports.selection import ExportRow, MemoInfo

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>
<w:pPr><w:spacing w:after="120"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>
<w:basedOn w:val="Normal"/><w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
<w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="360"/>
<w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/>
<w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="720"/></w:pPr>
<w:rPr><w:i/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="MemoTitle"><w:name w:val="Memo Title"/>
<w:basedOn w:val="Normal"/><w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
</w:styles>"""


def write(rows: Iterable[ExportRow], out: BinaryIO) -> None:
    body = [_paragraph("Excerpts", "Title")]
    memos = theme_memos(rows)
    for theme, entries in chapters(rows):
        body.append(_paragraph(theme.name, "Heading1"))
        for memo in memos.get(theme.guid, ()):
            body.extend(_memo(memo))
        for entry in entries:
            body.extend(_entry(entry))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        archive.writestr("word/styles.xml", STYLES)
        archive.writestr("word/document.xml", _document(body))


def _entry(entry: Entry) -> list[str]:
    parts = [
        _paragraph(f"“{entry.quote}”", "Quote"),
        _paragraph(f"— {entry.citation}. Tagged by {entry.author}."),
    ]
    if entry.note:
        parts.append(_paragraph(f"Note: {' '.join(entry.note.split())}"))
    return parts


def _memo(memo: MemoInfo) -> list[str]:
    lines = [line for line in memo.text.strip().splitlines() if line.strip()]
    return [_paragraph(memo_byline(memo) + ":", "MemoTitle")] + [
        _paragraph(line) for line in lines
    ]


def _paragraph(text: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    run = f'<w:r><w:t xml:space="preserve">{escape(_xml_safe(text))}</w:t></w:r>'
    return f"<w:p>{props}{run}</w:p>"


def _document(body: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W}"><w:body>{"".join(body)}</w:body></w:document>'
    )


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
