"""CSV: one row per excerpt, UTF-8 with a byte-order mark.

The BOM is what makes Excel read the file as UTF-8 (accents intact); every
field is quoted and line breaks inside fields are kept, which spreadsheet
programs read back. Lines are produced one at a time (``chunks``), so a
download streams.
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


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
