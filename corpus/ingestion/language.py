"""The language of each record, with py3langid (its model ships in the package).

Short texts ("Conclusion", "Ibid.", a name) carry too little evidence: a record
whose identification is not confident takes the language of its context, the
nearest confident paragraph (the following one for a heading, which belongs
to the text under it; the preceding one otherwise).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

# The languages a research corpus here is expected to hold; restricting the
# model keeps it from answering "la" or "nn" for a short English title.
CANDIDATE_LANGUAGES = ["en", "fr", "es", "de", "it", "pt", "nl"]
MIN_LETTERS = 40
# A record lends its language to uncertain neighbours only when its own words
# (names set aside) are this many letters: an affiliation is mostly names.
MIN_DONOR_LETTERS = 100
MIN_CONFIDENCE = 0.9


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


@lru_cache(maxsize=1)
def _identifier() -> _Identifier:
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True, langs=CANDIDATE_LANGUAGES)


def identify(text: str) -> str | None:
    """The language code when the evidence is clear, else ``None``.

    >>> identify("La nouvelle menace à la sécurité dans les Amériques est grande.")
    'fr'
    >>> identify("Conclusion") is None
    True
    """
    return _identify(text, without_names(text))


def _identify(text: str, evidence: str) -> str | None:
    """``identify``, given the text's ``without_names``."""
    if not _has_letters(evidence, MIN_LETTERS):
        evidence = text
    if not _has_letters(evidence, MIN_LETTERS):
        return None
    language, confidence = _identifier().classify(evidence)
    return str(language) if confidence >= MIN_CONFIDENCE else None


_NAMES = r"\([^)]*\)|“[^”]*”|\"[^\"]*\"|\b[A-ZÀ-Ý][\w’'-]*"
_MAIL, _WEB = r"\S+@\S+", r"\S*www\.\S+"
_NAMES_AND_QUOTES = re.compile(f"{_NAMES}|{_MAIL}|{_WEB}")
# The same without the alternatives that need an "@" or a "www.", by which
# of the two a text has: those two try every run of non-spaces backwards,
# and an alternative that cannot match anywhere in a text changes no match.
_NAMES_FOR = {
    (mail, web): re.compile("|".join([_NAMES] + [_MAIL] * mail + [_WEB] * web))
    for mail in (False, True)
    for web in (False, True)
}


def without_names(text: str) -> str:
    """The text without capitalised words, quotations and parentheses.

    Names and quoted titles ("Centro de Investigaciones", "Atlas de la
    seguridad") say nothing of the language a paragraph is written in; its
    function words do.

    >>> without_names("Raúl Benítez is a researcher at (Centro de Estudios).")
    '  is a researcher at .'
    """
    return _NAMES_FOR["@" in text, "www." in text].sub("", text)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _has_letters(text: str, count: int) -> bool:
    """``_letters(text) >= count``, counting only as far as needed (a
    paragraph has its first forty letters in its first sentence).

    >>> _has_letters("a1b2c", 3), _has_letters("a1b2c", 4), _has_letters("", 0)
    (True, False, True)
    """
    start = 0
    while count > 0 and start < len(text):
        chunk = text[start : start + 2 * count]  # most characters are letters
        count -= sum(map(str.isalpha, chunk))
        start += len(chunk)
    return count <= 0


def assign_languages(
    texts: list[str], *, looks_ahead: list[bool], borrows: list[bool]
) -> list[str]:
    """One language per text; uncertain ones borrow from their neighbours.

    ``borrows`` marks texts that always take their context's language: a
    byline or a bio is full of names, which mislead identification.

    >>> assign_languages(
    ...     ["Conclusion", "Nous devons reconnaître que des progrès ont été accomplis.",
    ...      "Ibid."],
    ...     looks_ahead=[True, False, False],
    ...     borrows=[False, False, False],
    ... )
    ['fr', 'fr', 'fr']
    """
    evidence = [
        "" if borrow else without_names(t)
        for t, borrow in zip(texts, borrows, strict=True)
    ]
    found = [
        None if borrow else _identify(t, e)
        for t, e, borrow in zip(texts, evidence, borrows, strict=True)
    ]
    fallback = _majority(found) or "en"
    donors = [
        lang if lang and _has_letters(e, MIN_DONOR_LETTERS) else None
        for e, lang in zip(evidence, found, strict=True)
    ]
    result = []
    for i, language in enumerate(found):
        if language is None:
            order = (_after, _before) if looks_ahead[i] else (_before, _after)
            language = order[0](donors, i) or order[1](donors, i) or fallback
        result.append(language)
    return result


def _before(found: list[str | None], i: int) -> str | None:
    return next((lang for lang in reversed(found[:i]) if lang), None)


def _after(found: list[str | None], i: int) -> str | None:
    return next((lang for lang in found[i + 1 :] if lang), None)


def _majority(found: list[str | None]) -> str | None:
    counts: dict[str, int] = {}
    for language in found:
        if language:
            counts[language] = counts.get(language, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None
