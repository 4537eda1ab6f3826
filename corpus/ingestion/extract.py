"""Read a source file into raw text. The only module that knows file formats."""

from __future__ import annotations

from pathlib import Path


class ExtractionError(Exception):
    """A source file that cannot become text; the message is shown to the user."""


def read_text(path: Path) -> str:
    """Placeholder: decode UTF-8 (replaced by the real extractor)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not data.strip():
        raise ExtractionError(f"{path}: file is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{path}: not valid UTF-8 text") from exc
