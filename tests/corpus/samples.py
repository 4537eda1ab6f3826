"""Small source files for the upload tests: text, and a real .docx package."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

TEXT = (
    "Security Cooperation in North America\n\n"
    "Border security became a shared concern after 2001.\n\n"
    "Canada and Mexico each negotiated with the United States alone.\n"
)


def docx_bytes(*paragraphs: tuple[str, str]) -> bytes:
    """A minimal Word package; each paragraph is ``(style, text)`` ("" = body)."""
    body = "".join(_paragraph(style, text) for style, text in paragraphs)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}">'
    xml += f"<w:body>{body}</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", xml)
    return buffer.getvalue()


def _paragraph(style: str, text: str) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}<w:r><w:t>{escape(text)}</w:t></w:r></w:p>"


DOCX = docx_bytes(
    ("Title", "Trilateral Relations"),
    ("Heading1", "Introduction"),
    ("", "Trilateral meetings were rare and brief."),
    ("", "Each country kept its own agenda at the border."),
)
