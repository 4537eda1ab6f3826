"""Writing files so that nobody ever reads half of one.

Exports and inspection dumps go to a temporary sibling first, are flushed to
disk, then renamed over the target: a reader sees the old file or the whole
new one, and a failure leaves no partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_write(
    path: Path, *, binary: bool = False, newline: str | None = None
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through a temporary sibling and a rename.

    Raises ``FileNotFoundError`` when the folder does not exist.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as out:
    ...     _ = out.write("whole")
    >>> target.read_text()
    'whole'
    """
    directory = path.resolve().parent
    if not directory.is_dir():
        raise FileNotFoundError(f"{path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        mode, encoding = ("wb", None) if binary else ("w", "utf-8")
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
