"""Score paragraph records against the development set's hand-written checks.

Pure functions, no Django: ``load_checks`` reads ``checks.json``; ``evaluate``
gives one check's verdict on a document's records; ``naive_records`` is the
baseline every figure is compared with (the extracted text split on blank
lines, nothing cleaned); ``reference_text`` is that extracted text, read
without Gloss (the tests also use it to prove every phrase is in its source).

A record is any object with ``kind``, ``text``, ``page``, ``lang`` and
``section`` attributes; a document is any object with ``paragraphs`` and
``title`` (``corpus.ingestion.pipeline.DocumentDraft`` or a ``Draft`` here).

Matching rules, the same for every class:

* texts are compared after NFC, with NBSP, U+2007, U+2009 and U+202F read as a
  plain space and every run of white space (line breaks too) as one space;
* a phrase matches only at word boundaries: when its first (last) character
  is a letter or digit, the text just before (after) it must not be one, so
  "R 4" is found in "in R 4 and" but not in "in R 42";
* "the record holding a phrase" means exactly one record contains it: none
  (lost or mangled) and several (duplicated, or also left in a table of
  contents or running header) both fail.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol
from xml.etree import ElementTree

KINDS = frozenset({"heading", "paragraph", "footnote", "reference", "meta"})

# Each class with its required fields (beyond "class"), then its optional ones.
CLASSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "whole": (("phrase",), ()),
    "separate": (("first", "second"), ()),
    "unchanged": (("phrase",), ()),
    "dropped": (("phrase",), ()),
    "kind": (("phrase", "kind"), ()),
    "footnote": (("phrase",), ("marker_context",)),
    "lang": (("phrase", "lang"), ()),
    "page": (("phrase", "page"), ()),
    "section": (("phrase", "section"), ()),
    "title": (("title",), ()),
}
OPTIONAL_ALWAYS = ("note",)  # why the check is there, for a reader

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


class Record(Protocol):
    kind: str
    text: str
    page: int | None
    lang: str
    section: str


class Document(Protocol):
    @property
    def paragraphs(self) -> Sequence[Record]: ...

    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class Rec:
    """A record for the baseline and for tests."""

    kind: str
    text: str
    page: int | None = None
    lang: str = ""
    section: str = ""


@dataclass(frozen=True)
class Draft:
    """A document for the baseline and for tests."""

    paragraphs: list[Rec] = field(default_factory=list)
    title: str = ""


@dataclass(frozen=True)
class Check:
    """One hand-written expectation about one document's records."""

    doc: str
    cls: str
    fields: dict[str, Any]
    index: int  # position in the document's list, for reports

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.fields.items() if k != "note")
        return f"{self.doc}#{self.index} {self.cls}: {shown}"


@dataclass(frozen=True)
class Verdict:
    check: Check
    passed: bool
    found: str  # what the records show: the record found or why none fits


def squash(text: str) -> str:
    """Text as compared: NFC, odd spaces plain, white space runs single.

    >>> squash("a\\u202f:\\n  b\\u00a0c ")
    'a : b c'
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def occurs(phrase: str, text: str) -> bool:
    """Whether ``phrase`` is in ``text`` at word boundaries (both squashed).

    >>> occurs("R 4.2", "written for R 4.2.1 and")
    True
    >>> occurs("R 4", "in R 42")
    False
    >>> occurs("Smith.", "as shown by Smith.12")
    True
    >>> occurs("line one two", "line\\none   two")
    True
    """
    needle, hay = squash(phrase), squash(text)
    if not needle:
        return False
    start = hay.find(needle)
    while start != -1:
        end = start + len(needle)
        before_ok = not (needle[0].isalnum() and start and hay[start - 1].isalnum())
        after_ok = not (needle[-1].isalnum() and end < len(hay) and hay[end].isalnum())
        if before_ok and after_ok:
            return True
        start = hay.find(needle, start + 1)
    return False


def holders(records: Sequence[Record], phrase: str) -> list[int]:
    """Indexes of the records that contain ``phrase``."""
    return [i for i, record in enumerate(records) if occurs(phrase, record.text)]


def show(records: Sequence[Record], index: int, width: int = 160) -> str:
    """One record as a report line: its fields, then the start of its text."""
    r = records[index]
    text = squash(r.text)
    text = text if len(text) <= width else text[: width - 1] + "…"
    return (
        f"record {index} [kind={r.kind} page={r.page} lang={r.lang!r} "
        f"section={squash(r.section)[:40]!r}] {text!r}"
    )


def _unique(records: Sequence[Record], phrase: str) -> tuple[int | None, str]:
    """The one record holding ``phrase``, or None and why not."""
    found = holders(records, phrase)
    if len(found) == 1:
        return found[0], show(records, found[0])
    if not found:
        return None, "in no record"
    listed = "; ".join(show(records, i, 60) for i in found[:3])
    return None, f"in {len(found)} records: {listed}"


def _attribute_check(
    records: Sequence[Record], phrase: str, name: str, expected: object
) -> tuple[bool, str]:
    index, found = _unique(records, phrase)
    if index is None:
        return False, found
    actual = getattr(records[index], name)
    if name == "section":
        return squash(str(actual)) == squash(str(expected)), found
    return actual == expected, found


def _whole(records: Sequence[Record], f: dict[str, Any]) -> tuple[bool, str]:
    index, found = _unique(records, f["phrase"])
    return index is not None and records[index].kind == "paragraph", found


def _unchanged(records: Sequence[Record], f: dict[str, Any]) -> tuple[bool, str]:
    index, found = _unique(records, f["phrase"])
    return index is not None, found


def _dropped(records: Sequence[Record], f: dict[str, Any]) -> tuple[bool, str]:
    found = [i for i in holders(records, f["phrase"]) if records[i].kind != "meta"]
    if not found:
        return True, "in no non-meta record"
    return False, "still in " + "; ".join(show(records, i, 80) for i in found[:3])


def _separate(records: Sequence[Record], f: dict[str, Any]) -> tuple[bool, str]:
    firsts, seconds = holders(records, f["first"]), holders(records, f["second"])
    if not firsts or not seconds:
        missing = "first" if not firsts else "second"
        return False, f"{missing} phrase in no record"
    both = sorted(set(firsts) & set(seconds))
    if both:
        return False, "both in " + show(records, both[0])
    ordered = min(firsts) < max(seconds)
    return ordered, f"first in record {firsts[0]}, second in record {seconds[0]}"


def _footnote(records: Sequence[Record], f: dict[str, Any]) -> tuple[bool, str]:
    index, found = _unique(records, f["phrase"])
    if index is None or records[index].kind != "footnote":
        return False, found
    context = f.get("marker_context")
    if context:
        body = [
            i
            for i in holders(records, context)
            if records[i].kind not in ("footnote", "meta")
        ]
        if not body:
            return False, f"note ok ({found}); marker context in no body record"
    return True, found


def _title(document: Document, f: dict[str, Any]) -> tuple[bool, str]:
    return squash(document.title) == squash(f["title"]), f"title {document.title!r}"


def evaluate(check: Check, document: Document) -> Verdict:
    """The verdict of one check on one document's records.

    >>> doc = Draft([Rec("heading", "1 Intro"), Rec("paragraph", "A long\\nline.")])
    >>> evaluate(Check("d", "whole", {"phrase": "A long line."}, 0), doc).passed
    True
    >>> evaluate(Check("d", "kind", {"phrase": "Intro", "kind": "meta"}, 1), doc).found
    "record 0 [kind=heading page=None lang='' section=''] '1 Intro'"
    """
    records = list(document.paragraphs)
    f = check.fields
    if check.cls == "title":
        passed, found = _title(document, f)
    elif check.cls in ("kind", "lang", "page", "section"):
        passed, found = _attribute_check(records, f["phrase"], check.cls, f[check.cls])
    else:
        passed, found = _EVALUATORS[check.cls](records, f)
    return Verdict(check, passed, found)


_EVALUATORS = {
    "whole": _whole,
    "unchanged": _unchanged,
    "dropped": _dropped,
    "separate": _separate,
    "footnote": _footnote,
}


def problems(checks_by_doc: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What is wrong with the checks' shape (unknown class, missing field...).

    >>> for line in problems({"a.txt": [{"class": "whole"}, {"class": "odd"},
    ...                        {"class": "kind", "phrase": "x", "kind": "title"}]}):
    ...     print(line)
    a.txt#0: whole lacks 'phrase'
    a.txt#1: unknown class 'odd'
    a.txt#2: unknown kind 'title'
    """
    found = []
    for doc, checks in checks_by_doc.items():
        for index, raw in enumerate(checks):
            where = f"{doc}#{index}"
            cls = raw.get("class")
            if cls not in CLASSES:
                found.append(f"{where}: unknown class {cls!r}")
                continue
            required, optional = CLASSES[cls]
            allowed = {"class", *required, *optional, *OPTIONAL_ALWAYS}
            found += [f"{where}: {cls} lacks {n!r}" for n in required if n not in raw]
            found += [f"{where}: unknown field {n!r}" for n in raw if n not in allowed]
            found += _value_problems(where, raw)
    return found


def _value_problems(where: str, raw: dict[str, Any]) -> list[str]:
    found = []
    if "kind" in raw and raw["kind"] not in KINDS:
        found.append(f"{where}: unknown kind {raw['kind']!r}")
    if "page" in raw and not (isinstance(raw["page"], int) or raw["page"] is None):
        found.append(f"{where}: page must be an integer or null")
    if "lang" in raw and not re.fullmatch(r"[a-z]{2}", str(raw["lang"])):
        found.append(f"{where}: lang must be an ISO 639-1 code")
    for name in ("phrase", "first", "second", "title", "section", "marker_context"):
        if name in raw and not (isinstance(raw[name], str) and raw[name].strip()):
            found.append(f"{where}: {name} must be a non-empty string")
    return found


def load_checks(path: Path) -> dict[str, list[Check]]:
    """The checks of ``checks.json``, by document file name, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    documents: dict[str, list[dict[str, Any]]] = data["documents"]
    errors = problems(documents)
    if errors:
        raise ValueError("malformed checks: " + "; ".join(errors[:5]))
    return {
        doc: [
            Check(doc, raw["class"], {k: v for k, v in raw.items() if k != "class"}, i)
            for i, raw in enumerate(checks)
        ]
        for doc, checks in documents.items()
    }


def naive_records(text: str) -> Draft:
    """The baseline: blocks between blank lines, nothing cleaned or typed.

    The title is the first line, as a reader skimming the text would take it.

    >>> draft = naive_records("Title\\n\\nOne\\nline.\\n \\nTwo.")
    >>> [r.text for r in draft.paragraphs], draft.title
    (['Title', 'One\\nline.', 'Two.'], 'Title')
    """
    blocks = [b.strip() for b in re.split(r"\n[ \t\f\r]*\n", text.replace("\r", ""))]
    records = [Rec("paragraph", block) for block in blocks if block]
    title = records[0].text.splitlines()[0] if records else ""
    return Draft(records, title)


# --- the extracted text, read without Gloss ---------------------------------


def reference_text(path: Path) -> str | None:
    """The document's text as a plain reader gets it; None if it cannot.

    PDF: ``pdftotext`` output (None when the binary is absent); DOCX: the body
    and footnote paragraphs with their equations' characters; HTML: every text
    node but scripts and styles, blocks on their own lines; text: decoded.
    """
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdftotext(path)
    data = path.read_bytes()
    if suffix == ".docx":
        return docx_text(data)
    text = decode_bytes(data)
    return html_text(text) if suffix in (".html", ".htm", ".xhtml") else text


def decode_bytes(data: bytes) -> str:
    """UTF-16 when a BOM says so, or when every other byte is NUL (UTF-16
    without a BOM, as ``iconv -t UTF-16LE`` writes it); else UTF-8; CRLF as LF.

    >>> decode_bytes("é\\r\\n".encode("utf-16"))
    'é\\n'
    >>> decode_bytes("ab\\r\\n".encode("utf-16-le"))
    'ab\\n'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif len(data) >= 2 and data[1::2].count(0) > 0.9 * (len(data) // 2):
        text = data.decode("utf-16-le")
    elif len(data) >= 2 and data[0::2].count(0) > 0.9 * (len(data) // 2):
        text = data.decode("utf-16-be")
    else:
        text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n")


def pdftotext(path: Path, *args: str) -> str | None:
    """``pdftotext [args] PATH -`` output, or None without the binary."""
    binary = shutil.which("pdftotext")
    if binary is None:
        return None
    result = subprocess.run(
        [binary, *args, str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"


def docx_text(data: bytes) -> str:
    """Body then footnote paragraphs of a DOCX, blank-line separated."""
    paragraphs = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in ("word/document.xml", "word/footnotes.xml"):
            if part not in archive.namelist():
                continue
            root = ElementTree.fromstring(archive.read(part))
            for paragraph in root.iter(f"{_W}p"):
                text = "".join(
                    node.text or ""
                    for node in paragraph.iter()
                    if node.tag in (f"{_W}t", f"{_M}t")
                )
                if text.strip():
                    paragraphs.append(text)
    return "\n\n".join(paragraphs)


class _AllText(HTMLParser):
    BLOCKS = frozenset(
        "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table pre blockquote "
        "section header footer nav br hr title".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """Every text node of an HTML page but scripts and styles.

    >>> html_text("<p>a <b>b</b></p><script>x</script><p>c</p>").split()
    ['a', 'b', 'c']
    """
    parser = _AllText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# --- does a phrase occur in the source? (typos in checks) -------------------

_NEAR = 3000
_MARKER = r"(?:\^?\[\d{1,3}\]|\d{1,3}|[*†‡§])?"


def _fold(text: str) -> str:
    """Source and phrase alike: no white space, no hyphen at a line end."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(?<=\w)[-\u00ad][ \t]*\r?\n\s*(?=\w)", "", text)
    text = text.replace("\u00ad", "")
    return _SPACES.sub("", text)


def in_source(
    phrase: str, source: str, *, marker: bool = False, interrupted: bool = False
) -> bool:
    """Whether ``phrase`` is in ``source`` modulo spaces, line breaks and
    hyphens; with ``marker``, a note marker may sit anywhere in it; with
    ``interrupted``, it may be cut once and its second part be found near the
    first (3,000 characters before or after), as where a page footer or a code
    block cuts a sentence, or a reader put the next column's text first.

    >>> in_source("the nullhypothesis is", "the null-\\nhypothesis is")
    True
    >>> in_source("Multitasking-Betriebssystem", "MultitaskingBetriebssystem")
    True
    >>> in_source("shown by Smith. Later", "shown by Smith.12 Later", marker=True)
    True
    >>> in_source("shown by Smith. Later", "shown by Smith.12 Later")
    False
    >>> in_source("cut by a page", "cut by\\n\\f12 Header\\na page", interrupted=True)
    True
    """
    needle, hay = _fold(phrase), _fold(source)
    if needle in hay or needle.replace("-", "") in hay.replace("-", ""):
        return True  # hyphens aside: a reader may drop one a compound needs
    if marker:
        pattern = _MARKER.join(re.escape(ch) for ch in needle)
        return re.search(pattern, hay) is not None
    if interrupted:
        needle, hay = needle.replace("-", ""), hay.replace("-", "")
        return any(_cut_at(needle, hay, i) for i in range(1, len(needle)))
    return False


def _cut_at(needle: str, hay: str, cut: int) -> bool:
    head, tail = needle[:cut], needle[cut:]
    start = hay.find(head)
    while start != -1:
        after = start + len(head)
        if tail in hay[max(0, start - _NEAR) : after + _NEAR]:
            return True
        start = hay.find(head, start + 1)
    return False


def source_phrases(check: Check) -> Iterable[tuple[str, dict[str, bool]]]:
    """The strings of a check that must be in its source, each with the
    ``in_source`` options it is checked with: a note marker may sit in a marker
    context; page furniture may cut a ``whole`` phrase (that is its point)."""
    for name in ("phrase", "first", "second", "title"):
        if name in check.fields:
            yield check.fields[name], {"interrupted": check.cls == "whole"}
    if check.cls == "section":
        yield check.fields["section"], {}
    if "marker_context" in check.fields:
        yield check.fields["marker_context"], {"marker": True}
