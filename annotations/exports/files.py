"""Write an export to a file atomically (temporary sibling, then rename), so
nobody ever reads half an export."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from annotations.exports import Format
from annotations.exports.selection import ExportRows


def write_file(exporter: Format, rows: ExportRows, path: Path) -> None:
    """Raise ``FileNotFoundError`` when the folder does not exist."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise FileNotFoundError(f"{path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        mode = "wb" if exporter.binary else "w"
        encoding = None if exporter.binary else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None) as out:
            exporter.module.write(rows, out)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
