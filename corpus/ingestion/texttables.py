"""Tables a text dump draws around laid-out text, taken apart.

pandoc's plain writer (``pandoc -t plain``) draws an HTML layout table, such as
a DocBook admonition (icon | label | text) or a figure, as a grid table
(``+----+`` borders, ``|`` between cells) or a simple table (runs of dashes
over and under the rows). Read line by line, the text in the cells is cut by
the borders and interleaved with the next cell's. The frame is the evidence:
its ``+`` and dash runs give the columns, so each cell's text is read whole.
A table whose cells hold prose (a sentence of many words) lays text out: its
cells become paragraphs of their own, an image's bracketed alt text (pandoc
writes an image as ``[alt]``) is dropped, and a frame around nothing but an
image goes. A table of short cells holds data and is left as it is.
"""

from __future__ import annotations

import re

_GRID_BORDER = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")
_GRID_ROW = re.compile(r"^\s*\|.*\|\s*$")
_DASH_RULE = re.compile(r"^\s*-{3,}(?: +-{3,})*\s*$")
_IMAGE_ALT = re.compile(r"^\[.*\]$")
# A cell with a sentence this long is prose laid out, not a datum.
PROSE_WORDS = 10
# A simple table's closing rule is this many lines after its opening at most.
MAX_TABLE_LINES = 40


def _spans(rule: str, mark: str) -> list[tuple[int, int]]:
    """Column spans of a border: between ``+`` signs, or dash runs.

    >>> _spans("+--+---+", "+"), _spans("  --- --", "-")
    ([(1, 3), (4, 7)], [(2, 5), (6, 8)])
    """
    if mark == "+":
        cuts = [i for i, ch in enumerate(rule) if ch == "+"]
        return [(a + 1, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    return [m.span() for m in re.finditer(r"-+", rule)]


def _cells(rows: list[list[str]], spans: list[tuple[int, int]]) -> list[list[str]]:
    """Each cell's paragraphs, row by row: its slices joined, blank slices
    splitting paragraphs. The last column runs to the end of its lines."""
    cells = []
    for row in rows:
        for c, (start, end) in enumerate(spans):
            stop = None if c == len(spans) - 1 else end
            paragraphs, words = [], []
            for line in row:
                piece = line[start:stop].strip().strip("|").strip()
                if piece:
                    words.append(piece)
                elif words:
                    paragraphs.append(" ".join(words))
                    words = []
            if words:
                paragraphs.append(" ".join(words))
            cells.append(paragraphs)
    return cells


def _laid_out(cells: list[list[str]]) -> list[str] | None:
    """The paragraphs of a layout table's cells, or None for a data table.

    >>> _laid_out([["[[Note]]"], ["Note"], ["One two three four five six seven "
    ...            "eight nine ten."]])
    ['Note', 'One two three four five six seven eight nine ten.']
    >>> _laid_out([["[[figure 1]]"]])
    []
    >>> _laid_out([["name"], ["size"], ["gloss"], ["12 kB"]]) is None
    True
    """
    paragraphs = [p for cell in cells for p in cell]
    text = [p for p in paragraphs if not _IMAGE_ALT.match(p)]
    if not text:
        return [] if paragraphs else None  # a frame around an image only
    if max(len(p.split()) for p in text) < PROSE_WORDS:
        return None
    return text


def _grid_end(lines: list[str], start: int) -> int:
    end = start + 1
    while end < len(lines) and (
        _GRID_BORDER.match(lines[end]) or _GRID_ROW.match(lines[end])
    ):
        end += 1
    return end


def _grid(lines: list[str]) -> list[str] | None:
    """A grid table's paragraphs (see ``_laid_out``) or None."""
    if len(lines) < 3 or not _GRID_BORDER.match(lines[-1]):
        return None
    spans = _spans(lines[0], "+")
    rows: list[list[str]] = [[]]
    for line in lines[1:]:
        if _GRID_BORDER.match(line):
            rows.append([])
        else:
            rows[-1].append(line)
    return _laid_out(_cells([r for r in rows if r], spans))


def _simple_end(lines: list[str], start: int) -> int | None:
    """The closing rule of a simple table opened at ``start``: the same rule
    again, with only text rows between."""
    for end in range(start + 2, min(len(lines), start + MAX_TABLE_LINES)):
        if lines[end].rstrip() == lines[start].rstrip():
            return end
        if _DASH_RULE.match(lines[end]):
            return None
    return None


def unframe_text_tables(text: str) -> str:
    """Take a text dump's layout tables apart; leave data tables alone.

    >>> grid = ("+-----------+------------------------------+\\n"
    ...         "| [[Aviso]] | Los mecanismos de seguridad  |\\n"
    ...         "|           | de apt son casi perfectos,   |\\n"
    ...         "|           | pero no del todo, dicen.     |\\n"
    ...         "+-----------+------------------------------+\\n")
    >>> print(unframe_text_tables("Antes.\\n\\n" + grid + "\\nDespués."))
    Antes.
    <BLANKLINE>
    Los mecanismos de seguridad de apt son casi perfectos, pero no del todo, dicen.
    <BLANKLINE>
    Después.
    >>> figure = "  ------------\\n  [[a figure]]\\n  ------------\\n"
    >>> unframe_text_tables("Text.\\n\\n" + figure + "\\nMore.")
    'Text.\\n\\n\\nMore.'
    >>> data = "  ---- ----\\n  name size\\n  gloss 12\\n  ---- ----\\n"
    >>> unframe_text_tables(data) == data
    True
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        end: int | None = None
        paragraphs = None
        if _GRID_BORDER.match(lines[i]):
            end = _grid_end(lines, i)
            paragraphs = _grid(lines[i:end])
        elif _DASH_RULE.match(lines[i]):
            close = _simple_end(lines, i)
            if close is not None:
                end = close + 1
                spans = _spans(lines[i], "-")
                paragraphs = _laid_out(_cells([lines[i + 1 : close]], spans))
        if end is None or paragraphs is None:
            out.append(lines[i])
            i += 1
            continue
        out.extend("\n\n".join(paragraphs).split("\n") if paragraphs else [])
        i = end
    return "\n".join(out)
