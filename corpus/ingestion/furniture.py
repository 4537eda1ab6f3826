"""Page furniture of paged text: running headers, footers and page counters.

``pdftotext`` (and any converter of a paged format) ends every page with a form
feed ``\\f``. The lines at a page's top and bottom edges that recur on many
pages, once their digits are set aside ("2   A Study of Things", "A Study of
Things   3", "12 / 22"), are the printer's, not the author's: repetition across
pages with a varying page number is the evidence, never the wording of one
file. The page numbers they carry anchor every page's printed number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# How many non-blank lines at each edge of a page may be furniture (plain
# pdftotext may put a section number between the header and the counter).
EDGE_DEPTH = 3
MAX_FURNITURE_CHARS = 160
# A running line must recur on this share of the pages (alternating even/odd
# headers each recur on about half of them), and on two pages at least.
MIN_SHARE = 0.2
_DIGITS = re.compile(r"\d+")
# A front-matter page number in roman figures at either end of a running line.
_EDGE_ROMAN = re.compile(r"^[ivxlc]{1,6}\b|\b[ivxlc]{1,6}$")
# A page counter alone on its line: "3", "- 3 -", "12 / 22", "Page 3 of 20".
_COUNTER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:page|p\.|seite|página|pagina)\s+)?(\d{1,4})"
    r"(?:\s*(?:/|of|de|sur|von)\s*\d{1,4})?(?:\s*[-–—])?$",
    re.IGNORECASE,
)


@dataclass
class Furniture:
    """What was found: lines to drop per page, printed numbers per page."""

    dropped: set[tuple[int, int]] = field(default_factory=set)
    numbers: dict[int, int] = field(default_factory=dict)


def furniture_key(line: str) -> str:
    """A line with its digits set aside, so page 2's header matches page 4's.

    >>> furniture_key("2   A Study of  Things"), furniture_key("A Study of Things 13")
    ('# a study of things', 'a study of things #')
    >>> furniture_key("A Study of Things   xiv")
    'a study of things #'
    """
    key = " ".join(_DIGITS.sub("#", line).split()).casefold()
    return _EDGE_ROMAN.sub("#", key) if len(key) > 8 else key


def edge_lines(lines: list[str], depth: int = EDGE_DEPTH) -> list[int]:
    """Indices of the first and last ``depth`` non-blank lines of a page.

    >>> edge_lines(["", "head", "a", "b", "c", "foot", ""], depth=1)
    [1, 5]
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:depth] + filled[-depth:]))


def page_counter(line: str) -> int | None:
    """The page number of a line that is nothing but a page counter.

    >>> page_counter("12 / 22"), page_counter("- 3 -"), page_counter("Page 4 of 9")
    (12, 3, 4)
    >>> page_counter("1995 Mexican") is None, page_counter("0.8") is None
    (True, True)
    """
    match = _COUNTER.match(line.strip())
    return int(match.group(1)) if match else None


_END_COUNTER = re.compile(r"(?:^|\s)(\d{1,4})\s*(?:/|of|de|sur|von)\s*\d{1,4}$", re.I)


def _header_number(line: str) -> int | None:
    """The page number in a running line: a counter at its end ("… 3 / 20"),
    or its only digit run at either end.

    >>> _header_number("Guide   3 / 20"), _header_number("2   A Study of 4 Things")
    (3, None)
    """
    stripped = line.strip()
    counter = _END_COUNTER.search(stripped)
    if counter:
        return int(counter.group(1))
    found = _DIGITS.findall(stripped)
    if len(found) != 1 or len(found[0]) > 4:
        return None
    if not (stripped.startswith(found[0]) or stripped.endswith(found[0])):
        return None
    return int(found[0])


def find_furniture(pages: list[list[str]]) -> Furniture:
    """Running lines and page counters at the pages' edges, with page numbers.

    >>> pages = [["Title", "Body one."], ["2   Study", "Body two.", "2 / 3"],
    ...          ["3   Study", "Body three.", "3 / 3"]]
    >>> found = find_furniture(pages)
    >>> sorted(found.dropped), found.numbers
    ([(1, 0), (1, 2), (2, 0), (2, 2)], {1: 2, 2: 3})
    """
    if len(pages) < 2:
        return Furniture()
    edges = [
        (p, i, pages[p][i]) for p in range(len(pages)) for i in edge_lines(pages[p])
    ]
    running = _running_keys(edges, len(pages))
    candidates: list[tuple[int, int, int | None]] = []
    for p, i, line in edges:
        number = page_counter(line)
        if number is not None:
            candidates.append((p, i, number))
        elif furniture_key(line) in running:
            candidates.append((p, i, _header_number(line)))
    found = _consistent(candidates)
    _drop_title_headers(pages, found)
    return found


# The first page's opening lines hold the title and the byline, which a
# running header repeats in part ("A Study of Things", "Lee and Diaz").
TITLE_MATTER_LINES = 8
_WORD = re.compile(r"[^\W\d_]+")


def echoes_title(line: str, title_words: set[str]) -> bool:
    """Whether a short line is made only of words of the title matter.

    >>> words = {"a", "study", "of", "things", "ann", "lee", "carl", "diaz"}
    >>> echoes_title("A Study of Things", words), echoes_title("Ann Lee, C Diaz", words)
    (True, False)
    >>> echoes_title("Things", words), echoes_title("A study of other things", words)
    (False, False)
    """
    words = [w.casefold() for w in _WORD.findall(line)]
    if not 2 <= len(words) <= 12 or line.rstrip().endswith((".", ":", ";")):
        return False
    return all(w in title_words for w in words)


def _drop_title_headers(pages: list[list[str]], found: Furniture) -> None:
    """On a page whose printed number was found at its top, a line beside it
    that repeats the title or the authors is the running header, even in a
    text too short for it to recur."""
    opening = [x for x in pages[0] if x.strip()][:TITLE_MATTER_LINES]
    title_words = {w.casefold() for x in opening for w in _WORD.findall(x)}
    for p in range(1, len(pages)):
        top = edge_lines(pages[p])[:EDGE_DEPTH]
        if not any((p, i) in found.dropped for i in top[:1]):
            continue  # the number is not at the top: no header beside it
        for i in top[1:]:
            if (p, i) not in found.dropped and echoes_title(pages[p][i], title_words):
                found.dropped.add((p, i))


def _running_keys(edges: list[tuple[int, int, str]], page_count: int) -> set[str]:
    """Keys of edge lines that recur on enough pages and carry words."""
    pages_per_key: dict[str, set[int]] = {}
    for p, _, line in edges:
        key = furniture_key(line)
        if len(key) <= MAX_FURNITURE_CHARS and re.search(r"[^\W\d_]{2}", key):
            pages_per_key.setdefault(key, set()).add(p)
    least = max(2, MIN_SHARE * page_count)
    return {key for key, found in pages_per_key.items() if len(found) >= least}


def _consistent(candidates: list[tuple[int, int, int | None]]) -> Furniture:
    """Keep numbered lines whose number runs with the page index (one offset
    for the whole document: a table cell "2" at a page's top does not)."""
    offsets = Counter(n - p for p, _, n in candidates if n is not None)
    offset, seen = offsets.most_common(1)[0] if offsets else (None, 0)
    result = Furniture()
    for p, i, number in candidates:
        if number is None:
            result.dropped.add((p, i))  # a running line without a number
        elif number - p == offset and seen >= 2:
            result.dropped.add((p, i))
            result.numbers[p] = number
    return result


def strip_furniture(text: str) -> tuple[list[list[str]], dict[int, int]]:
    """Pages of lines (split at form feeds) without their furniture, and the
    printed page number of each page that shows one."""
    pages = [page.split("\n") for page in text.split("\f")]
    found = find_furniture(pages)
    kept = [
        [line for i, line in enumerate(lines) if (p, i) not in found.dropped]
        for p, lines in enumerate(pages)
    ]
    return kept, found.numbers
