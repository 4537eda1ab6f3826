"""CSV: one row per excerpt, UTF-8 with a byte-order mark.

The BOM is what makes Excel read the file as UTF-8 (accents intact); every
field is quoted and line breaks inside fields are kept, which spreadsheet
programs read back. Lines are produced one at a time (``chunks``), so a
download streams.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run as a formula by a spreadsheet (CSV injection, OWASP): such
cells get a leading apostrophe, which spreadsheets read as "this is text".
JSON Lines and the other exports carry the exact text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from annotations.exports.fields import FIELDS, flat
from annotations.exports.selection import ExportRow

BOM = "\ufeff"


def chunks(rows: Iterable[ExportRow]) -> Iterator[str]:
    """The BOM and header line, then one CSV line per excerpt."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(FIELDS)
    yield BOM + _take(buffer)
    for row in rows:
        values = flat(row)
        writer.writerow([_cell(values[name]) for name in FIELDS])
        yield _take(buffer)


def write(rows: Iterable[ExportRow], out: TextIO) -> None:
    for chunk in chunks(rows):
        out.write(chunk)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)  # offsets and years: numbers, never formulas
    if isinstance(value, list):
        return defuse("; ".join(str(item) for item in value))
    return defuse(str(value))


def defuse(text: str) -> str:
    """Text a spreadsheet will not evaluate.

    >>> defuse("=HYPERLINK(1)"), defuse("-2 + 3"), defuse("A = B")
    ("'=HYPERLINK(1)", "'-2 + 3", 'A = B')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
