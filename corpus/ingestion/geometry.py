"""Pages of positioned lines into typed blocks: the geometry stage.

Format-independent: it reads ``Line`` runs (text, box, font size, weight) as
any paged format with geometry gives them (``pdf.read_pdf`` today) and asserts
block kinds only where the geometry is evidence. The steps, in order:

1. **runs → fragments**: runs on one baseline that touch become one fragment;
   a smaller, raised run inside it is a superscript (a note marker, maybe);
2. **furniture**: fragments in the top or bottom band of a page that repeat on
   other pages (digits aside) or sit with a lone page number are running
   headers and footers; the page number they print becomes the record's page;
3. **columns**: a gutter that no fragment crosses splits a page in two; the
   left column is read before the right one, full-width lines stay in place;
4. **notes**: smaller lines at the foot of a column that start with a mark are
   footnotes; a superscript in the body that names one of them is its marker
   and comes out of the text (``markers_resolved``);
5. **blocks**: headings by size and weight, paragraphs split by gaps, first
   line indents and short last lines; tables and captions kept apart, pure
   figure residue (numbers scattered in a plot) dropped.

Line-end hyphens stay as printed: the pipeline decides them with its lexicon.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from corpus.ingestion.layout import (
    CAPTION,
    FOOTNOTE,
    HEADING,
    LIST_ITEM,
    META,
    PARAGRAPH,
    TABLE,
    Layout,
    Line,
    Page,
    TypedBlock,
)

# Top and bottom bands of a page where running headers and footers live
# (generous: only repetition or a page number beside makes a line furniture).
_BAND = 0.15
# A run this much smaller than its neighbours and raised is a superscript.
_SUPER_RATIO = 0.85
# A line this much larger than the body text is a heading.
_HEADING_RATIO = 1.12
_CODE = "code"  # a row set in a monospace face: a listing's line
_NOTE_MARK = re.compile(r"^\s*(\d{1,3}|[*†‡§¶]{1,3})(?:[.)]\s*|\s+)(?=\S)")
_BULLET = re.compile(r"^[•◦▪●‣∙·–—-]\s+(?=\S)")
# Code and formulas set in bold are not headings.
_NOT_TITLE = re.compile(r"[{};=<>]|[,;:]$")
_CAPTION = re.compile(
    r"^(?:Figure|Fig\.|Table|Tableau|Figura|Tabla|Abbildung|Tabelle)\s+"
    r"[\dIVX]+[.:]?(?:\s|$)"
)
# A front matter's page number as printed: "iv", "xii" (lower case only).
_ROMAN_NUMBER = re.compile(
    r"^(?=[ivxlc])m{0,3}(?:c[md]|d?c{0,3})(?:x[cl]|l?x{0,3})"
    r"(?:i[xv]|v?i{0,3})$"
)
# A contents line: a title, a dot leader (". . ." or "....") and its page.
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$", re.I)
_CONTENTS_TITLE = re.compile(
    r"^(?:(?:table of )?contents|table des mati[èe]res|sommaire|[íi]ndice"
    r"(?: general)?|contenidos?|inhalt(?:sverzeichnis)?)$",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+|p\.\s*|[-–—]\s*)?(\d{1,4})(?:\s*(?:of|/|–|-|sur|de)\s*\d{1,4})?"
    r"(?:\s*[-–—])?$",
    re.I,
)


@dataclass(frozen=True)
class Part:
    """A run's text inside a fragment; ``superscript`` on size and position."""

    text: str
    superscript: bool = False


@dataclass
class Fragment:
    """Runs glued on one baseline: a printed line, or a cell of one."""

    parts: list[Part]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    column: int = 0  # 0 full width or single column, 1 left, 2 right
    mono: bool = False  # set in a monospace face: code

    @property
    def text(self) -> str:
        return _squash("".join(part.text for part in self.parts))


@dataclass
class Row:
    """Fragments side by side at one height within a column."""

    fragments: list[Fragment]
    page_index: int
    column: int = 0
    note: bool = False

    @property
    def text(self) -> str:
        return "\t".join(f.text for f in self.fragments)

    @property
    def x0(self) -> float:
        return self.fragments[0].x0

    @property
    def x1(self) -> float:
        return self.fragments[-1].x1

    @property
    def top(self) -> float:
        return min(f.top for f in self.fragments)

    @property
    def bottom(self) -> float:
        return max(f.bottom for f in self.fragments)

    @property
    def size(self) -> float:
        return max(f.size for f in self.fragments)

    @property
    def bold(self) -> bool:
        return all(f.bold for f in self.fragments)

    @property
    def mono(self) -> bool:
        return all(f.mono for f in self.fragments)


@dataclass
class _Block:
    kind: str
    rows: list[Row] = field(default_factory=list)
    label: str = ""


def _squash(text: str) -> str:
    """Runs of blanks as one space.

    >>> _squash(" a  b\\u00a0 c ")
    'a b c'
    """
    return " ".join(text.split())


def to_blocks(layout: Layout) -> Layout:
    """A layout of positioned pages as typed blocks; pages without geometry
    (or a layout already in blocks) come back unchanged."""
    if layout.blocks or not layout.has_geometry:
        return layout
    pages = [fragments(page.lines) for page in layout.pages]
    body = body_size(pages)
    numbers = page_numbers(layout.pages, pages, body)
    pages = drop_furniture(pages, [p.height or 0.0 for p in layout.pages], body)
    ordered, resolved = _rows_with_notes(layout.pages, pages, body)
    ordered = [drop_contents(rows) for rows in ordered]
    spacing = line_spacing(ordered, body)
    blocks = [
        _typed(block, numbers[index], index)
        for index, rows in enumerate(ordered)
        for block in group(rows, body, spacing)
    ]
    blocks = assign_levels(blocks, body)
    # repairs=False: the characters and spaces are the PDF's own, so no markup
    # to strip or split words to glue; line-end hyphens are still decided.
    return replace(
        layout,
        pages=[],
        blocks=blocks,
        repairs=False,
        markers_resolved=resolved,
        wrapped_lines=True,
    )


def _rows_with_notes(
    pages: list[Page], frags: list[list[Fragment]], body: float
) -> tuple[list[list[Row]], bool]:
    """Each page's rows in reading order, notes marked and markers out; and
    whether any marker came out. Order matters: a page's notes may continue
    the notes of the page before."""
    resolved = carried = False
    ordered: list[list[Row]] = []
    for index, (page, page_frags) in enumerate(zip(pages, frags, strict=True)):
        rows = reading_order(page_frags, page.width or 0.0, index)
        rows, found = resolve_markers(mark_notes(rows, body, carried))
        resolved = resolved or found
        carried = any(row.note for row in rows)
        ordered.append(rows)
    return ordered, resolved


# --- 1. runs into fragments -------------------------------------------------


def fragments(lines: list[Line]) -> list[Fragment]:
    """Runs that touch on one baseline as fragments, top to bottom.

    >>> runs = [Line("Body", 10, 30, 100, 110, 10), Line("2", 30, 34, 97, 104, 7),
    ...         Line(" text", 34, 60, 100, 110, 10)]
    >>> [(f.text, [p.superscript for p in f.parts]) for f in fragments(runs)]
    [('Body2 text', [False, True, False])]
    """
    built: list[list[Line]] = []
    for run in sorted(_positioned(lines), key=lambda r: r.x0 or 0.0):
        host = _host(built, run)
        if host is None:
            built.append([run])
        else:
            host.append(run)
    result = [_fragment(runs) for runs in built]
    return sorted(result, key=lambda f: (round(f.bottom), f.x0))


def _positioned(lines: list[Line]) -> list[Line]:
    return [
        line
        for line in lines
        if line.text.strip() and None not in (line.x0, line.x1, line.top, line.bottom)
    ]


def _host(built: list[list[Line]], run: Line) -> list[Line] | None:
    """The fragment ``run`` continues: its centre inside the fragment's main
    band and the horizontal gap less than a character or two."""
    centre, size = _centre(run), run.size or 10.0
    best, best_gap = None, 1.2 * size
    for runs in built:
        main = max(runs, key=lambda r: r.size or 0.0)
        last = runs[-1]
        gap = (run.x0 or 0.0) - (last.x1 or 0.0)
        inside = _within(centre, main) or _within(_centre(main), run)
        if inside and -1.0 <= gap < best_gap:
            best, best_gap = runs, gap
    return best


def _within(y: float, line: Line) -> bool:
    """Whether height ``y`` falls in the line's band: a superscript's centre
    in its line's band, or a line's centre in a larger run's band."""
    slack = 0.25 * (line.size or 10.0)  # math glyphs sit a little off the band
    return (line.top or 0.0) - slack <= y <= (line.bottom or 0.0) + slack


def _centre(line: Line) -> float:
    return ((line.top or 0.0) + (line.bottom or 0.0)) / 2


def _fragment(runs: list[Line]) -> Fragment:
    main = max(runs, key=lambda r: (r.size or 0.0, len(r.text)))
    size = main.size or 10.0
    parts: list[Part] = []
    for previous, run in zip([None, *runs], runs, strict=False):
        text = run.text
        if previous is not None and _needs_space(previous, run):
            text = " " + text
        parts.append(Part(text, _is_superscript(run, main)))
    weight = sum(len(r.text) for r in runs if r.bold) * 2
    mono = sum(len(r.text.strip()) for r in runs if r.mono) * 10
    return Fragment(
        parts=parts,
        x0=runs[0].x0 or 0.0,
        x1=runs[-1].x1 or 0.0,
        top=main.top or 0.0,
        bottom=main.bottom or 0.0,
        size=size,
        bold=weight > sum(len(r.text) for r in runs),
        mono=mono >= 9 * sum(len(r.text.strip()) for r in runs),
    )


def _needs_space(previous: Line, run: Line) -> bool:
    """A visible gap between runs that carry no space of their own."""
    gap = (run.x0 or 0.0) - (previous.x1 or 0.0)
    spaced = previous.text.endswith(" ") or run.text.startswith(" ")
    return not spaced and gap > 0.15 * (run.size or 10.0)


def _is_superscript(run: Line, main: Line) -> bool:
    """Smaller than the line's main run and raised above its centre."""
    small = (run.size or 0.0) < _SUPER_RATIO * (main.size or 0.0)
    raised = _centre(run) < _centre(main) - 0.12 * (main.size or 0.0)
    return small and raised


def body_size(pages: list[list[Fragment]]) -> float:
    """The font size most characters are set in.

    >>> body_size([[Fragment([Part("x" * 50)], 0, 1, 0, 1, 10.0, False),
    ...             Fragment([Part("Title")], 0, 1, 0, 1, 17.0, True)]])
    10.0
    """
    sizes: Counter[float] = Counter()
    for page in pages:
        for fragment in page:
            sizes[round(fragment.size, 1)] += len(fragment.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


# --- 2. running headers, footers and page numbers ---------------------------


def _in_band(fragment: Fragment, height: float) -> bool:
    return fragment.top < _BAND * height or fragment.bottom > (1 - _BAND) * height


def _shape(text: str) -> str:
    """A furniture line's text with its digits aside, to compare across pages.

    >>> _shape("Page 3 of 20") == _shape("Page 12 of 20")
    True
    >>> _shape("2 | https://cran.r-project.org"), _shape("Vignette | 1–8")
    ('https://cran.r-project.org', 'vignette')
    """
    text = re.sub(r"\d+(?:\s*(?:–|-|/|of)\s*\d+)?", "#", _squash(text).lower())
    return text.strip("#|·•–- ")


def _wordy(shape: str) -> bool:
    """A repeated line worth calling a header has words ("}" repeats in code).

    >>> _wordy("a study of things"), _wordy("}"), _wordy("#")
    (True, False, False)
    """
    return sum(c.isalpha() for c in shape) >= 3


def _is_page_number(text: str) -> bool:
    """A lone page number as printed.

    >>> [_is_page_number(t) for t in ["12", "- 4 -", "Page 3 of 20", "12 / 22", "2022"]]
    [True, True, True, True, False]
    """
    match = _PAGE_NUMBER.match(_squash(text))
    return match is not None and int(match.group(1)) < 2000


def drop_furniture(
    pages: list[list[Fragment]], heights: list[float], body: float
) -> list[list[Fragment]]:
    """Each page without its running headers, footers and page numbers."""
    seen: Counter[str] = Counter()
    for page, height in zip(pages, heights, strict=True):
        seen.update({_shape(f.text) for f in page if _in_band(f, height)})
    result = []
    for page, height in zip(pages, heights, strict=True):
        furniture = _furniture(page, height, seen, body)
        result.append([f for f in page if id(f) not in furniture])
    return result


# A running header is set at the text's size or smaller; the title it repeats
# is set larger on the first page, and stays.
_DISPLAY_SIZE = 1.2


def _furniture(
    page: list[Fragment], height: float, seen: Counter[str], body: float
) -> set[int]:
    """Band fragments that repeat (unless set as display type), or share
    their height with a page number."""
    band = [f for f in page if _in_band(f, height)]
    marked = {
        id(f)
        for f in band
        if _is_page_number(f.text)
        or _ROMAN_NUMBER.match(_squash(f.text))
        or (
            _wordy(_shape(f.text))
            and seen[_shape(f.text)] > 1
            and not (body and f.size > _DISPLAY_SIZE * body)
        )
    }
    for fragment in band:  # "Achim Zeileis ……… 5": a header beside its number
        if any(_same_height(fragment, o) for o in band if id(o) in marked):
            marked.add(id(fragment))
    return marked


def _same_height(a: Fragment, b: Fragment) -> bool:
    return abs(a.bottom - b.bottom) < 0.5 * max(a.size, b.size)


def page_numbers(
    pages: list[Page], frags: list[list[Fragment]], body: float
) -> list[int | None]:
    """Each page's printed number: its label when it is a number, else the
    number its header or footer prints (the offset from the page index that
    most pages agree on), else the page's position. Roman labels: ``None``."""
    if any(page.label for page in pages):
        return [_label_number(page.label) for page in pages]
    printed = [
        _printed_number(page_frags, page.height or 0.0)
        for page, page_frags in zip(pages, frags, strict=True)
    ]
    return fill_numbers(printed)


def fill_numbers(printed: list[int | None]) -> list[int | None]:
    """Pages that print no number count on from the page before (or back from
    the page after); a document that prints none counts from 1.

    >>> fill_numbers([None, 2, 5, None]), fill_numbers([None, None])
    ([1, 2, 5, 6], [1, 2])
    """
    result = list(printed)
    for i in range(1, len(result)):
        previous = result[i - 1]
        if result[i] is None and previous is not None:
            result[i] = previous + 1
    for i in range(len(result) - 2, -1, -1):
        following = result[i + 1]
        if result[i] is None and following is not None:
            result[i] = max(following - 1, 1)
    return [n if n is not None else i + 1 for i, n in enumerate(result)]


def _label_number(label: str) -> int | None:
    """A numeric page label as a number; roman or empty labels as ``None``.

    >>> _label_number("12"), _label_number("iv"), _label_number("")
    (12, None, None)
    """
    return int(label) if label.isdigit() else None


def _printed_number(page: list[Fragment], height: float) -> int | None:
    for fragment in page:
        text = _squash(fragment.text)
        tail = re.search(r"(?:^|\|\s*)(\d{1,4}(?:\s*(?:–|/|of)\s*\d{1,4})?)$", text)
        candidate = tail.group(1) if tail else text
        if _in_band(fragment, height) and _is_page_number(candidate):
            match = _PAGE_NUMBER.match(candidate)
            return int(match.group(1)) if match else None
    return None


# --- 3. columns and reading order -------------------------------------------


def gutter(frags: list[Fragment], width: float) -> float | None:
    """The x of a gutter between two columns, or ``None`` for one column:
    near the middle, crossed by few fragments, with text on both sides.

    >>> def col(x0, x1):
    ...     return [Fragment([Part("a")], x0, x1, y, y + 10, 10, False)
    ...             for y in range(0, 300, 12)]
    >>> left, right = col(50, 290), col(310, 560)
    >>> gutter(left + right, 612)
    300.0
    >>> gutter(left, 612) is None
    True
    """
    if width <= 0 or len(frags) < 10:
        return None
    best: tuple[int, float] | None = None
    for step in range(int(width * 0.35), int(width * 0.65), 2):
        x = float(step)
        crossing = sum(1 for f in frags if f.x0 < x < f.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
    if best is None:
        return None
    crossing, x = best
    left = sum(1 for f in frags if f.x1 <= x and f.x1 > x - width * 0.25)
    right = sum(1 for f in frags if f.x0 >= x and f.x0 < x + width * 0.1)
    if left < 5 or right < 5 or crossing > 0.2 * len(frags):
        return None
    return _centred(frags, x)


def _centred(frags: list[Fragment], x: float) -> float:
    """The middle of the empty strip around ``x``."""
    left = max((f.x1 for f in frags if f.x1 <= x), default=x)
    right = min((f.x0 for f in frags if f.x0 >= x), default=x)
    return round((left + right) / 2, 1)


def reading_order(frags: list[Fragment], width: float, index: int) -> list[Row]:
    """Rows in reading order: between full-width lines, the left column's rows,
    then the right column's."""
    x = gutter(frags, width)
    for fragment in frags:
        fragment.column = _column(fragment, x)
    ordered: list[Row] = []
    band: list[Fragment] = []
    for fragment in frags:
        if fragment.column == 0 and x is not None:
            ordered.extend(_band_rows(band, index))
            ordered.extend(rows([fragment], index))
            band = []
        else:
            band.append(fragment)
    ordered.extend(_band_rows(band, index))
    return ordered


def _column(fragment: Fragment, x: float | None) -> int:
    if x is None or fragment.x0 < x < fragment.x1:
        return 0
    return 1 if fragment.x1 <= x else 2


def _band_rows(band: list[Fragment], index: int) -> list[Row]:
    return [
        row
        for column in (0, 1, 2)
        for row in rows([f for f in band if f.column == column], index)
    ]


def rows(frags: list[Fragment], index: int) -> list[Row]:
    """Fragments at one height as one row (table cells, scattered math)."""
    result: list[Row] = []
    for fragment in sorted(frags, key=lambda f: (f.bottom, f.x0)):
        last = result[-1] if result else None
        if last is not None and _same_height(last.fragments[-1], fragment):
            last.fragments.append(fragment)
            last.fragments.sort(key=lambda f: f.x0)
        else:
            result.append(Row([fragment], index, fragment.column))
    return result


# --- 3b. tables of contents ----------------------------------------------


def drop_contents(page_rows: list[Row]) -> list[Row]:
    """A page's rows without its table of contents: lines with a dot leader
    and a page number, runs of titles whose page numbers stand apart at one
    right edge, and the "Contents" title over them."""
    contents = {id(row) for row in page_rows if _leader_line(row)}
    contents |= _aligned_entries(page_rows)
    if not contents:
        return page_rows
    return [
        row
        for row in page_rows
        if id(row) not in contents and not _CONTENTS_TITLE.match(row.text.strip())
    ]


def _leader_line(row: Row) -> bool:
    """A title, a dot leader and a page number ("1.1 Imports . . . . 3").

    >>> f = Fragment([Part("1.1 Imports . . . . . . . 3")], 0, 9, 0, 9, 9, False)
    >>> g = replace(f, parts=[Part("It ends...")])
    >>> _leader_line(Row([f], 0)), _leader_line(Row([g], 0))
    (True, False)
    """
    return not row.note and bool(_DOT_LEADER.search(row.text.replace("\t", " ")))


def _aligned_entries(page_rows: list[Row]) -> set[int]:
    """Three or more rows in a row, each a title then a page number set
    apart at one right edge, the numbers never going down: contents without
    leaders (a table's numbers have no words before them, or go both ways)."""
    found: set[int] = set()
    run: list[Row] = []
    for row in [*page_rows, None]:
        if row is not None and _entry(row) and (not run or _next_entry(run[-1], row)):
            run.append(row)
            continue
        if len(run) >= 3:
            found |= {id(r) for r in run}
        run = [row] if row is not None and _entry(row) else []
    return found


def _entry(row: Row) -> bool:
    title, number = row.fragments[0].text, row.fragments[-1].text
    return (
        len(row.fragments) == 2
        and number.isdigit()
        and len(number) <= 4
        and sum(c.isalpha() for c in title) >= 3
        and not row.note
    )


def _next_entry(previous: Row, row: Row) -> bool:
    aligned = abs(previous.x1 - row.x1) < 0.5 * row.size
    rising = int(row.fragments[-1].text) >= int(previous.fragments[-1].text)
    return aligned and rising


# --- 4. footnotes and their markers -----------------------------------------


def mark_notes(page_rows: list[Row], body: float, carried: bool) -> list[Row]:
    """Smaller rows at the foot of each column are notes when their first row
    starts with a mark, or (``carried``: the page before had notes) when a gap
    sets them off: a note carried over."""
    for column in {row.column for row in page_rows}:
        mine = [row for row in page_rows if row.column == column]
        zone: list[Row] = []
        for row in reversed(mine):
            if row.size >= body * 0.93 or _CAPTION.match(row.text):
                break
            zone.insert(0, row)
        if zone and (
            _note_label(zone[0]) or (carried and _gap_above(mine, zone[0], body))
        ):
            for row in zone:
                row.note = True
    return page_rows


def _gap_above(mine: list[Row], first: Row, body: float) -> bool:
    """A clear gap between the body and the zone: a note carried over."""
    index = mine.index(first)
    return index > 0 and first.top - mine[index - 1].bottom > 0.8 * body


def _note_label(row: Row) -> str:
    """A note's mark: a leading superscript or "12." / "12 " / "*".

    >>> f = Fragment([Part("1", True), Part("Due to the use")], 0, 9, 0, 9, 9, False)
    >>> _note_label(Row([f], 0))
    '1'
    """
    first = row.fragments[0]
    if first.parts[0].superscript and first.parts[0].text.strip():
        return first.parts[0].text.strip()
    match = _NOTE_MARK.match(first.text)
    return match.group(1) if match else ""


def resolve_markers(page_rows: list[Row]) -> tuple[list[Row], bool]:
    """Body superscripts that name a note of this page come out of the text."""
    labels = {_note_label(row) for row in page_rows if row.note} - {""}
    found = False
    for row in page_rows:
        if row.note:
            continue
        for fragment in row.fragments:
            kept = [_unmarked(p, labels) for p in fragment.parts]
            found = found or kept != fragment.parts
            fragment.parts = kept
    return page_rows, found


def _unmarked(part: Part, labels: set[str]) -> Part:
    """A marker's part as the blank it carried ("model² lmobj" → "model lmobj")."""
    if not _is_marker(part, labels):
        return part
    return Part(" " if part.text != part.text.strip() else "")


def _is_marker(part: Part, labels: set[str]) -> bool:
    """A superscript listing note marks of this page ("3", "4,5")."""
    marks = [m for m in re.split(r"[,\s]+", part.text.strip()) if m]
    return part.superscript and bool(marks) and all(m in labels for m in marks)


# --- 5. blocks -------------------------------------------------------------


def line_spacing(pages: list[list[Row]], body: float) -> float:
    """The body text's baseline-to-baseline distance, in font sizes: the
    smaller steps between consecutive rows of a column (a low percentile, as
    a manual of short paragraphs and spaced lists has more gaps than lines).

    >>> rows = [Row([Fragment([Part("a")], 0, 9, y, y + 10, 10, False)], 0)
    ...         for y in (0, 12, 24, 36, 60)]
    >>> line_spacing([rows], 10.0)
    1.2
    """
    steps = [
        (row.bottom - previous.bottom) / body
        for rows in pages
        for previous, row in zip(rows, rows[1:], strict=False)
        if row.column == previous.column and abs(row.size - body) < 0.5
    ]
    steps = sorted(step for step in steps if 0.5 < step < 3)
    return round(steps[len(steps) * 3 // 10], 3) if steps else 1.2


@dataclass(frozen=True)
class _Page:
    """What paragraph breaks are measured against on one page."""

    body: float  # the body text's font size
    spacing: float  # baseline to baseline, in font sizes
    margins: dict[int, tuple[float, float]]  # column → (left, right) edge


def group(page_rows: list[Row], body: float, spacing: float = 1.2) -> list[_Block]:
    """Rows into blocks; a new block where the kind changes or the geometry
    shows a paragraph break."""
    page = _Page(body, spacing, _margins(page_rows))
    blocks: list[_Block] = []
    previous: Row | None = None
    for index, row in enumerate(page_rows):
        kind = _row_kind(row, body)
        if kind == _CODE and _runs_into(previous, row, blocks, page):
            kind = PARAGRAPH
        if kind == "residue":
            continue
        last = blocks[-1] if blocks else None
        following = page_rows[index + 1] if index + 1 < len(page_rows) else None
        if (
            last is None
            or previous is None
            or _starts_block(last, previous, row, kind, page, following)
        ):
            label = _note_label(row) if kind == FOOTNOTE else ""
            blocks.append(_Block(kind, [row], label))
        else:
            last.rows.append(row)
        previous = row
    return [_keywords(_centred_title(_bold_title(b), page)) for b in blocks]


# A paper's keyword line, its metadata (the text stages read it too).
KEYWORDS = re.compile(
    r"^(?:key\s?words|index terms|mots[- ]cl[ée]s|palabras clave|palavras-chave"
    r"|schl(?:ü|ue)sselw(?:ö|oe)rter|jel classification)\s*[:.—–]",
    re.IGNORECASE,
)


def _keywords(block: _Block) -> _Block:
    """ "Keywords: structural change, CUSUM": the paper's metadata."""
    if block.kind in (PARAGRAPH, "") and KEYWORDS.match(block.rows[0].text):
        block.kind = META
    return block


def _runs_into(
    previous: Row | None, row: Row, blocks: list[_Block], page: _Page
) -> bool:
    """A monospace line that a sentence runs into ("… is set to" / "x^2."):
    inline code, where a listing would be set off by space or a colon."""
    return (
        previous is not None
        and bool(blocks)
        and blocks[-1].kind == PARAGRAPH
        and _tight(previous, row, page)
        and not _short(previous, page)
        and not previous.text.rstrip().endswith(":")
    )


def _bold_title(block: _Block) -> _Block:
    """A short block of one or two bold lines is a heading (a bold abstract of
    ten lines is not, nor is bold code)."""
    text = " ".join(row.text for row in block.rows)
    if (
        block.kind == PARAGRAPH
        and len(block.rows) <= 2
        and all(row.bold for row in block.rows)
        and len(text) < 120
        and not _NOT_TITLE.search(text)
    ):
        block.kind = HEADING
    return block


def _centred_title(block: _Block, page: _Page) -> _Block:
    """A short line centred in its column, set apart from the text, may be a
    section title in small capitals: ``""`` lets the pipeline's shape rules
    decide, as the geometry alone cannot tell it from a centred name."""
    row = block.rows[0]
    left, right = page.margins.get(row.column, (row.x0, row.x1))
    centred = abs((row.x0 + row.x1) - (left + right)) < row.size
    short = row.x1 - row.x0 < 0.6 * (right - left)
    if block.kind == PARAGRAPH and len(block.rows) == 1 and centred and short:
        block.kind = ""
    return block


def _margins(page_rows: list[Row]) -> dict[int, tuple[float, float]]:
    """Each column's left and right text edge (the most common x0, a high x1)."""
    result = {}
    for column in {row.column for row in page_rows}:
        mine = [r for r in page_rows if r.column == column and not r.note]
        if not mine:
            continue
        left = _left_edge([r.x0 for r in mine])
        right = sorted(r.x1 for r in mine)[int(len(mine) * 0.8)]
        result[column] = (float(left), right)
    return result


def _left_edge(starts: list[float]) -> float:
    """The leftmost x that two or more lines start at (a list indented on
    every line must not move the margin; one stray line must not either).

    >>> _left_edge([72, 72, 72, 56.7, 56.9, 40])
    57.0
    """
    counts = Counter(round(x) for x in starts)
    shared = [x for x, n in counts.items() if n > 1]
    return float(min(shared) if shared else min(counts))


def _row_kind(row: Row, body: float) -> str:
    """What a row is on its own: note, heading, caption, table, residue, prose."""
    text = row.text
    if row.note:
        return FOOTNOTE
    if _CAPTION.match(text):
        return CAPTION
    if row.mono:
        return _CODE
    if len(row.fragments) >= 3 or (len(row.fragments) == 2 and _numeric(text)):
        return "residue" if _numeric(text) else TABLE
    if _numeric(text) and len(text) < 12:
        return "residue"  # an axis tick or a plotted value
    if row.size >= body * _HEADING_RATIO and len(text) < 200:
        return HEADING
    if is_minor_heading(text, row.size, body):
        return HEADING
    if _BULLET.match(text):
        return LIST_ITEM
    return PARAGRAPH


# A lower level's title is often only a little larger than the text (12 pt
# italic over 10.9 pt); then only a short line of words will do.
_MINOR_HEADING_RATIO = 1.06
_MINOR_HEADING_WORDS = 8
_WORDS_ONLY = re.compile(r"[^\W\d_][\w’'\-]*(?: [\w’'\-():]+)*")


def is_minor_heading(text: str, size: float, body: float) -> bool:
    """A short line of words set a little larger than the text: a title.

    >>> is_minor_heading("Estimating functions", 12.0, 10.9)
    True
    >>> is_minor_heading("Estimating functions", 10.9, 10.9)  # text size
    False
    >>> is_minor_heading("M̂ = Σ È(yi, xi) (10)", 12.0, 10.9)  # a formula's row
    False
    >>> is_minor_heading("This is a sentence that ends.", 12.0, 10.9)
    False
    """
    if size < body * _MINOR_HEADING_RATIO or len(text.split()) > _MINOR_HEADING_WORDS:
        return False
    return _WORDS_ONLY.fullmatch(text.strip()) is not None


def _numeric(text: str) -> bool:
    """Only numbers and signs: figure residue.

    >>> _numeric("0.0 0.5\t1.0"), _numeric("Table 3")
    (True, False)
    """
    return bool(re.fullmatch(r"[\d\s.,:%()+\-−–=<>/|]+", text))


def _starts_block(
    last: _Block,
    previous: Row,
    row: Row,
    kind: str,
    page: _Page,
    following: Row | None = None,
) -> bool:
    """Whether ``row`` starts a new block after ``last`` (ending in ``previous``)."""
    if last.kind in (CAPTION, LIST_ITEM) and kind == PARAGRAPH:
        hanging = row.x0 >= last.rows[0].x0 + 0.5 * row.size or last.kind == CAPTION
        return not (_tight(previous, row, page) and hanging)
    if kind != last.kind or kind in (LIST_ITEM, CAPTION):
        return True
    if kind == FOOTNOTE:
        return bool(_note_label(row))
    if kind == _CODE:  # a blank line or two inside code is still the listing
        step = row.bottom - previous.bottom
        return not 0 < step <= 2.6 * page.spacing * max(row.size, previous.size)
    if kind == HEADING:
        return abs(row.size - previous.size) > 0.5 or not _tight(previous, row, page)
    if row.bold != previous.bold and _short(row if row.bold else previous, page):
        return True  # a bold title line over its text, or after it
    if row.column != previous.column:  # a paragraph goes on in the next column
        return _indented(row, page.margins.get(row.column, (row.x0, 0.0))[0])
    return (
        not _tight(previous, row, page)
        or (
            _indented(row, previous.x0)
            and not _hanging(last, previous, page, row, following)
        )
        or _short_end(previous, row, page)
    )


def _hanging(
    last: _Block, previous: Row, page: _Page, row: Row, following: Row | None
) -> bool:
    """A full first line that the next line starts right of: a hanging indent
    (a list item whose mark was lost), not the first line of a new paragraph,
    whose third line goes back to the margin the first line started at."""
    if len(last.rows) != 1 or _short(previous, page):
        return False
    back = (
        following is not None
        and following.column == row.column
        and abs(following.x0 - previous.x0) < 0.5 * row.size
        and _tight(row, following, page)
    )
    return not back


def _tight(previous: Row, row: Row, page: _Page) -> bool:
    """Consecutive lines of one paragraph: baselines no further apart than
    the body's line spacing (scaled to the font) and a little slack."""
    step = row.bottom - previous.bottom
    return 0 < step <= 1.3 * page.spacing * max(row.size, previous.size)


def _indented(row: Row, left: float) -> bool:
    """A first-line indent: the line starts a little right of ``left`` (the
    line above, or the column's margin after a column break); measured from
    the line above, a narrower block such as an abstract is no indent."""
    return 0.8 * row.size < row.x0 - left < 6 * row.size


def _short(row: Row, page: _Page) -> bool:
    """A line that stops well before the column's right edge."""
    return row.x1 < page.margins.get(row.column, (row.x0, row.x1))[1] - 3 * row.size


def _short_end(previous: Row, row: Row, page: _Page) -> bool:
    """A short line that ends a sentence, then a capital at the left margin."""
    left = page.margins.get(row.column, (row.x0, row.x1))[0]
    at_margin = abs(row.x0 - left) < 0.5 * row.size
    ends = previous.text.rstrip().endswith((".", "!", "?", ":", ".”", ".)"))
    return _short(previous, page) and at_margin and ends and row.text[:1].isupper()


def _typed(block: _Block, page: int | None, index: int) -> TypedBlock:
    if block.kind == _CODE:
        return TypedBlock(
            kind=PARAGRAPH,
            lines=_code_lines(block.rows),
            page=page,
            page_index=index,
            preformatted=True,
        )
    lines = tuple(row.text.replace("\t", " ") for row in block.rows)
    if block.kind == TABLE:
        lines = tuple(row.text for row in block.rows)
    if block.kind == LIST_ITEM:
        lines = (_BULLET.sub("", lines[0]), *lines[1:])
    if block.kind == FOOTNOTE and block.label:
        lines = (_without_label(block.rows[0], block.label), *lines[1:])
    return TypedBlock(
        kind=block.kind,
        lines=lines,
        level=round(block.rows[0].size * 10) if block.kind == HEADING else 0,
        label=block.label,
        page=page,
        page_index=index,
    )


def _code_lines(block_rows: list[Row]) -> tuple[str, ...]:
    """A listing's lines, indented as printed: a monospace character's width
    measures how far a line starts right of the listing's leftmost line.

    >>> def row(text, x0):
    ...     return Row([Fragment([Part(text)], x0, x0 + 6 * len(text), 0, 9, 10,
    ...                          False, mono=True)], 0)
    >>> _code_lines([row("f <- function(x) {", 72), row("x + 1", 84), row("}", 72)])
    ('f <- function(x) {', '  x + 1', '}')
    """
    widths = sorted(
        (f.x1 - f.x0) / len(f.text)
        for row in block_rows
        for f in row.fragments
        if len(f.text) >= 3
    )
    width = widths[len(widths) // 2] if widths else 6.0
    left = min(row.x0 for row in block_rows)
    lines = []
    for row in block_rows:
        text = " " * round((row.x0 - left) / width)
        for previous, fragment in zip(
            [None, *row.fragments], row.fragments, strict=False
        ):
            if previous is not None:
                text += " " * max(1, round((fragment.x0 - previous.x1) / width))
            text += "".join(p.text for p in fragment.parts).strip()
        lines.append(text.rstrip())
    return tuple(lines)


def _without_label(row: Row, label: str) -> str:
    """A note's first line without its mark.

    >>> f = Fragment([Part("12. See the"), Part(" appendix")], 0, 9, 0, 9, 9, False)
    >>> _without_label(Row([f], 0), "12")
    'See the appendix'
    """
    first = row.fragments[0]
    if first.parts[0].superscript:
        text = "".join(p.text for p in first.parts[1:])
    else:
        mark = _NOTE_MARK.match(first.text)
        text = first.text[mark.end() :] if mark else first.text
    rest = [f.text for f in row.fragments[1:]]
    return _squash(" ".join([text, *rest]))


def assign_levels(blocks: list[TypedBlock], body: float) -> list[TypedBlock]:
    """Heading levels by size rank: the largest size is level 1. ``_typed``
    parked ten times the size in ``level`` until every size was known."""
    sizes = sorted({b.level for b in blocks if b.kind == HEADING}, reverse=True)
    rank = {size: i + 1 for i, size in enumerate(sizes)}
    return [
        replace(b, level=min(rank[b.level], 6)) if b.kind == HEADING else b
        for b in blocks
    ]
