"""Read a PDF's text layer into pages of lines with geometry (pdfminer.six).

The only module that imports pdfminer. It says what is printed where and
decides nothing about structure: each printed line comes out as one or more
``Line`` runs (a run ends where the font size changes, so a superscript note
marker is a run of its own, smaller and raised), with positions in points from
the page's top-left corner, font size and weight. ``geometry.to_blocks`` turns
those pages into typed blocks; it is format-independent and never sees a PDF.

Characters are made readable, not reinterpreted: typographic ligatures become
their letters, glyph pieces in private-use code points go, and glyphs whose
font maps them to nothing ("(cid:N)") are read as TeX's T1 ligatures only
when that makes known words of the words they break; the rest are left out
and counted in a warning.

Every failure is an ``ExtractionError`` whose message says what to do: a
password, OCR for a scan, a fresh copy of a damaged file.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from io import BytesIO
from itertools import islice

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import (
    LAParams,
    LTChar,
    LTContainer,
    LTFigure,
    LTImage,
    LTItem,
    LTPage,
    LTTextLineHorizontal,
)
from pdfminer.pdfdocument import (
    PDFDocument,
    PDFEncryptionError,
    PDFNoPageLabels,
    PDFPasswordIncorrect,
)
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from corpus.ingestion.layout import Layout, Line, Page
from corpus.ingestion.lexicon import KNOWN_WORD_ZIPF, zipf
from corpus.ingestion.source import ExtractionError

MAX_PAGES = 2000
# A page with an image and fewer characters than this has no usable text layer.
_SCAN_CHARS = 20
# Font names of bold faces: "Times-Bold", "Helvetica-BoldOblique", TeX's
# CMBX/CMB (Computer Modern bold), cm-super's SFBX, "…Semibold", "…Black".
_BOLD = re.compile(r"bold|black|heavy|demi|semibold|^cmbx?\d|^sfbx?\d", re.I)
# Monospace faces: "Courier", "LiberationMono", "LMMono10", TeX's CMTT/CMSLTT,
# cm-super's SFTT, "Inconsolata", "DejaVuSansMono", "SourceCodePro".
_MONO = re.compile(
    r"mono|courier|typewriter|inconsolata|consola|menlo|sourcecode"
    r"|^cm(?:sl|i)?tt\d|^sf(?:tt|st|it)\d|^lmtt|^ectt",
    re.I,
)
# boxes_flow=None: geometry orders lines itself, so pdfminer's costly
# hierarchical box ordering would be wasted work.
_LAPARAMS = LAParams(boxes_flow=None)
# Typographic ligatures as their letters: "ﬁtted" must be found as "fitted".
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)

# Private-use code points are glyph pieces (a tall bracket's parts), no text.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# pdfminer writes a glyph that its font maps to no character as "(cid:N)".
_CID = re.compile(r"\(cid:(\d+)\)")
_CID_WORD = re.compile(r"\w*(?:\(cid:\d+\)\w*)+")
# TeX's T1 (Cork) codes for ligatures, quotes and dashes: what "(cid:N)" most
# often is in LaTeX PDFs whose Type 3 fonts name no glyphs. Used only when the
# ligature codes make known words of this document's broken words.
_T1 = {27: "ff", 28: "fi", 29: "fl", 30: "ffi", 31: "ffl"}
_T1_PUNCTUATION = {16: "“", 17: "”", 21: "–", 22: "—"}


def read_pdf(data: bytes, name: str) -> Layout:
    """A PDF's pages as lines with geometry, or ``ExtractionError`` saying why not."""
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError(f"{name}: not a PDF file (it has no PDF header)")
    if b"%%EOF" not in data[-4096:]:
        raise ExtractionError(
            f"{name}: the PDF is truncated (it does not end like a PDF); "
            "download or export it again"
        )
    document = _open(data, name)
    try:
        labels = _labels(document)
        pages = list(_read_pages(document, labels, name))
    except ExtractionError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise _damaged(name) from exc
    return _checked(pages, name)


def _open(data: bytes, name: str) -> PDFDocument:
    """The parsed document; an empty user password opens "encrypted" files."""
    try:
        return PDFDocument(PDFParser(BytesIO(data)), password="")
    except PDFPasswordIncorrect as exc:
        raise ExtractionError(
            f"{name}: the PDF is protected by a password; open it with the "
            "password, save a copy without one, and upload that"
        ) from exc
    except PDFEncryptionError as exc:
        raise ExtractionError(
            f"{name}: the PDF uses an encryption this reader does not support "
            f"({exc}); save an unencrypted copy and upload that"
        ) from exc
    except Exception as exc:  # PDFSyntaxError, PSEOF, KeyError…: all "damaged"
        raise _damaged(name) from exc


def _damaged(name: str) -> ExtractionError:
    return ExtractionError(
        f"{name}: the PDF is damaged and cannot be read; download or export "
        "it again (or repair it, e.g. with qpdf)"
    )


def _labels(document: PDFDocument) -> list[str]:
    """The printed page labels ("i", "ii", "1", …), ``[]`` when the PDF has none."""
    count = _page_count(document)
    if count > MAX_PAGES:
        raise ExtractionError(
            f"{count} pages is over the {MAX_PAGES:,}-page limit for one file; "
            "split it (e.g. qpdf --split-pages) and upload the parts"
        )
    try:
        return list(islice(document.get_page_labels(), count))
    except PDFNoPageLabels:
        return []


def _page_count(document: PDFDocument) -> int:
    pages = resolve1(document.catalog.get("Pages"))
    count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    return count if isinstance(count, int) else 0


def _read_pages(
    document: PDFDocument, labels: list[str], name: str
) -> Iterator[tuple[Page, bool]]:
    """Each page and whether it looks scanned (an image, next to no text)."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=_LAPARAMS)
    interpreter = PDFPageInterpreter(manager, device)
    for index, pdf_page in enumerate(PDFPage.create_pages(document)):
        if index >= MAX_PAGES:
            raise ExtractionError(
                f"{name}: over the {MAX_PAGES:,}-page limit for one file; "
                "split it (e.g. qpdf --split-pages) and upload the parts"
            )
        interpreter.process_page(pdf_page)
        result = device.get_result()
        label = labels[index] if index < len(labels) else ""
        yield _page(result, label), _scanned(result)


def _checked(read: list[tuple[Page, bool]], name: str) -> Layout:
    """Refuse a PDF without text; warn about scanned pages inside a text PDF."""
    pages = [page for page, _ in read]
    scanned = [i + 1 for i, (_, is_scan) in enumerate(read) if is_scan]
    if not any(line.text.strip() for page in pages for line in page.lines):
        if scanned:
            raise ExtractionError(
                f"{name}: the PDF has no text layer (scanned?); run OCR, "
                "e.g. ocrmypdf, and upload the result"
            )
        raise ExtractionError(f"{name}: the PDF has no text")
    pages, warnings = _decode_cids(pages, name)
    if scanned:
        listed = ", ".join(str(i) for i in scanned[:10])
        warnings.append(
            f"page(s) {listed} have no text layer (scanned?) and were skipped; "
            "run OCR, e.g. ocrmypdf, to include them"
        )
    return Layout(pages=pages, source_format="pdf", warnings=warnings)


def _decode_cids(pages: list[Page], name: str) -> tuple[list[Page], list[str]]:
    """Glyphs without a character: T1 ligatures where words confirm them, the
    rest left out with a warning (a PDF made mostly of them is refused)."""
    text = "\n".join(line.text for page in pages for line in page.lines)
    codes = _CID.findall(text)
    if not codes:
        return pages, []
    if len(codes) * 4 > len(text):  # "(cid:12)" is 8 characters for one glyph
        raise _undecodable(name)
    table = {**_T1, **_T1_PUNCTUATION} if _t1_confirmed(text) else {}

    def decoded(line: Line) -> Line:
        mapped = _CID.sub(lambda m: table.get(int(m.group(1)), ""), line.text)
        return replace(line, text=mapped)

    pages = [replace(p, lines=[decoded(ln) for ln in p.lines]) for p in pages]
    left = sum(1 for code in codes if int(code) not in table)
    warnings = (
        [f"{left} character(s) without a text mapping were left out"] if left else []
    )
    return pages, warnings


def _undecodable(name: str) -> ExtractionError:
    return ExtractionError(
        f"{name}: the PDF's fonts map their glyphs to no characters, so its "
        "text cannot be read; run OCR, e.g. ocrmypdf --force-ocr, and upload "
        "the result"
    )


def _t1_confirmed(text: str) -> bool:
    """Whether reading the ligature codes as T1 makes known words of most of
    the words they break ("di(cid:27)erent" → "different").

    >>> _t1_confirmed("a di(cid:27)erent (cid:28)rst coe(cid:30)cient")
    True
    >>> _t1_confirmed("x(cid:27)q (cid:28)zz")
    False
    """
    words = [
        w for w in _CID_WORD.findall(text) if set(map(int, _CID.findall(w))) & set(_T1)
    ]
    if not words:
        return False
    known = sum(
        zipf(_CID.sub(lambda m: _T1.get(int(m.group(1)), "?"), w)) >= KNOWN_WORD_ZIPF
        for w in words
    )
    return known * 3 >= len(words) * 2


def _page(result: LTPage, label: str) -> Page:
    """One page's text lines, top to bottom (columns are geometry's business)."""
    height = result.height
    runs = [run for line in _text_lines(result) for run in _runs(line, height)]
    runs.sort(key=lambda run: (round(run.top or 0.0), run.x0 or 0.0))
    return Page(
        lines=runs,
        label=label,
        width=result.width,
        height=height,
        figures=list(_figure_boxes(result, height)),
    )


def _figure_boxes(
    result: LTPage, height: float
) -> Iterator[tuple[float, float, float, float]]:
    """The boxes of the page's figures and images (a plot drawn as a Form
    XObject, an embedded bitmap), top-down: where text is a plot's labels.
    A box covering most of the page (a page-sized background) says nothing."""
    for item in result:
        if not isinstance(item, (LTFigure, LTImage)):
            continue
        if item.width * item.height > 0.6 * result.width * height:
            continue
        if item.width < 20 or item.height < 20:
            continue  # a logo, a bullet drawn as an image
        yield (
            round(item.x0, 2),
            round(height - item.y1, 2),
            round(item.x1, 2),
            round(height - item.y0, 2),
        )


def _text_lines(item: LTItem) -> Iterator[LTTextLineHorizontal]:
    """Horizontal text lines anywhere in the page tree (boxes, figures)."""
    if isinstance(item, LTTextLineHorizontal):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _text_lines(child)


def _runs(line: LTTextLineHorizontal, height: float) -> Iterator[Line]:
    """A printed line as runs of one font size and spacing: a superscript is
    its own run, and so is a word set in a monospace face (inline code)."""
    run: list[LTItem] = []
    size: float | None = None
    mono: bool | None = None
    for item in line:
        if isinstance(item, LTChar) and item.get_text().strip():
            is_mono = _is_mono(item.fontname)
            if size is not None and (abs(item.size - size) > 0.5 or is_mono != mono):
                yield from _run(run, height)
                run = []
            size, mono = item.size, is_mono
        run.append(item)
    yield from _run(run, height)


def _run(items: list[LTItem], height: float) -> Iterator[Line]:
    chars = [item for item in items if isinstance(item, LTChar)]
    text = _PRIVATE_USE.sub("", _composed_text(items).replace("\n", ""))
    text = text.translate(_LIGATURES)
    if not chars or not text.strip():
        return
    yield Line(
        text=text,
        x0=round(min(c.x0 for c in chars), 2),
        x1=round(max(c.x1 for c in chars), 2),
        top=round(height - max(c.y1 for c in chars), 2),
        bottom=round(height - min(c.y0 for c in chars), 2),
        size=round(_dominant(c.size for c in chars), 2),
        bold=sum(_is_bold(c.fontname) for c in chars) * 2 > len(chars),
        mono=sum(_is_mono(c.fontname) for c in chars) * 2 > len(chars),
    )


# Spacing accents that TeX (OT1 fonts) prints as a glyph of their own over the
# letter, with the combining mark each stands for.
_ACCENTS = {
    "\u00a8": "\u0308",  # ¨ diaeresis
    "\u00b4": "\u0301",  # ´ acute
    "`": "\u0300",  # grave
    "\u02c6": "\u0302",  # ˆ circumflex
    "\u02dc": "\u0303",  # ˜ tilde
    "\u00b8": "\u0327",  # ¸ cedilla
    "\u02c7": "\u030c",  # ˇ caron
    "\u02d8": "\u0306",  # ˘ breve
    "\u02da": "\u030a",  # ˚ ring
    "\u00af": "\u0304",  # ¯ macron
    "\u02dd": "\u030b",  # ˝ double acute
    "\u02d9": "\u0307",  # ˙ dot above
    "\u02db": "\u0328",  # ˛ ogonek
}


def _composed_text(items: list[LTItem]) -> str:
    """The run's text, each accent printed over a letter composed with it.

    The evidence is the page's own geometry: the accent glyph's middle lies
    within the letter's box (pdfminer gives "f¨ur" for the "für" TeX prints).
    A spacing accent beside a letter (a real "´" or "`") is kept as it is.
    """
    texts = [item.get_text() if hasattr(item, "get_text") else "" for item in items]
    for i, item in enumerate(items):
        mark = _ACCENTS.get(texts[i])
        if mark is None or not isinstance(item, LTChar):
            continue
        for j in (i + 1, i - 1):
            if _accent_over(item, items, j, texts) and _composes(texts[j], mark):
                texts[j] = unicodedata.normalize("NFC", texts[j] + mark)
                texts[i] = ""
                break
    return "".join(texts)


def _accent_over(accent: LTChar, items: list[LTItem], j: int, texts: list[str]) -> bool:
    letter = items[j] if 0 <= j < len(items) else None
    if not isinstance(letter, LTChar):
        return False
    middle = (accent.x0 + accent.x1) / 2
    return texts[j].isalpha() and letter.x0 <= middle <= letter.x1


def _composes(letter: str, mark: str) -> bool:
    """
    >>> _composes("u", "\u0308"), _composes("q", "\u0308")
    (True, False)
    """
    return len(unicodedata.normalize("NFC", letter + mark)) == 1


def _dominant(sizes: Iterable[float]) -> float:
    return Counter(round(size, 1) for size in sizes).most_common(1)[0][0]


def _is_bold(fontname: str) -> bool:
    """Whether a font name names a bold face; a subset prefix ("ABCDEF+") aside.

    >>> _is_bold("ABCDEF+CMBX12"), _is_bold("Times-Bold"), _is_bold("CMR10")
    (True, True, False)
    """
    return bool(_BOLD.search(fontname.split("+")[-1]))


def _is_mono(fontname: str) -> bool:
    """Whether a font name names a monospace face.

    >>> _is_mono("ABCDEF+CMTT10"), _is_mono("LMMono9-Regular"), _is_mono("CMR10")
    (True, True, False)
    """
    return bool(_MONO.search(fontname.split("+")[-1]))


def _scanned(result: LTPage) -> bool:
    return _has_image(result) and _char_count(result) < _SCAN_CHARS


def _has_image(item: LTItem) -> bool:
    if isinstance(item, LTImage):
        return True
    return isinstance(item, LTContainer) and any(_has_image(c) for c in item)


def _char_count(item: LTItem) -> int:
    if isinstance(item, LTChar):
        return 0 if item.get_text().isspace() else 1
    return sum(_char_count(c) for c in item) if isinstance(item, LTContainer) else 0
