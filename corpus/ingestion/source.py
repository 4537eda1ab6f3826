"""What every extractor shares: the refusal it raises and the text decoding rules.

Kept apart from ``extract`` (the dispatcher) so that the format modules can use
them without importing the module that imports them.
"""

from __future__ import annotations

_SNIFF = 8192


class ExtractionError(Exception):
    """A source file that cannot become text; the message is shown to the user."""


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (with a BOM, or without one where
    the bytes show it); never a guess.

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
    unmarked = _unmarked_utf16(data)
    if unmarked is not None:
        return unmarked
    if b"\x00" in data[:_SNIFF] or _control_share(data[:_SNIFF]) > 0.1:
        raise ExtractionError(f"{name}: a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} "
            f"at position {exc.start}); save it as UTF-8 and try again"
        ) from exc


def _unmarked_utf16(data: bytes) -> str | None:
    """The text of UTF-16 written without a BOM (``iconv -t UTF-16LE`` does
    that), or None. The evidence: an even length, NUL bytes in one byte
    position of the pairs and never in the other (text has no U+0000, and a
    binary file has NULs at both), a strict decoding, and no control codes.

    >>> _unmarked_utf16("Préface\\r\\n".encode("utf-16-le"))
    'Préface\\r\\n'
    >>> _unmarked_utf16("Préface".encode("utf-16-be"))
    'Préface'
    >>> _unmarked_utf16("plain".encode()) is None
    True
    >>> _unmarked_utf16(b"\\x00\\x01\\x00\\x00\\x02\\x00") is None  # NULs both ways
    True
    >>> _unmarked_utf16("a\\x01\\x02\\x03b".encode("utf-16-le")) is None  # controls
    True
    """
    sample = data[: _SNIFF * 2]
    if len(data) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even and odd:
        return None
    codec = "utf-16-le" if odd else "utf-16-be"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text[:_SNIFF] if ord(ch) < 32 and ch not in "\t\n\f\r")
    return text if controls == 0 else None


def _control_share(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1)
