"""JSON Lines: one JSON object per excerpt, the CSV's fields (lists as lists)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from annotations.exports.fields import flat
from annotations.exports.selection import ExportRow


def chunks(rows: Iterable[ExportRow]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(flat(row), ensure_ascii=False) + "\n"


def write(rows: Iterable[ExportRow], out: TextIO) -> None:
    for chunk in chunks(rows):
        out.write(chunk)
