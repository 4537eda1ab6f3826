"""Write an export to a file atomically (temporary sibling, then rename), so
nobody ever reads half an export."""

from __future__ import annotations

from pathlib import Path

from annotations.exports import Format
from annotations.exports.selection import ExportRows
from corpus.files import atomic_write


def write_file(exporter: Format, rows: ExportRows, path: Path) -> None:
    """Raise ``FileNotFoundError`` when the folder does not exist."""
    with atomic_write(path, binary=exporter.binary) as out:
        exporter.module.write(rows, out)
