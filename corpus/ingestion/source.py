"""What every extractor shares: the refusal it raises and the text decoding rules.

Kept apart from ``extract`` (the dispatcher) so that the format modules can use
them without importing the module that imports them.
"""

from __future__ import annotations

_SNIFF = 8192


class ExtractionError(Exception):
    """A source file that cannot become text; the message is shown to the user."""


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; never a guess.

    Guessing a legacy encoding silently would put mojibake into every record;
    a clear refusal lets the person re-save the file as UTF-8.

    >>> decode("é".encode(), "a.txt")
    'é'
    >>> decode(b"\\xff\\xfeh\\x00i\\x00", "a.txt")
    'hi'
    >>> decode(b"caf\\xe9", "a.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    corpus.ingestion.source.ExtractionError: a.txt: not UTF-8 text ...
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:_SNIFF] or _control_share(data[:_SNIFF]) > 0.1:
        raise ExtractionError(f"{name}: a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} "
            f"at position {exc.start}); save it as UTF-8 and try again"
        ) from exc


def _control_share(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1)
