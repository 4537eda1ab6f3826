"""Decide whether text fragments are words: the evidence behind every join.

PDF extraction breaks words in three ways: a hyphen at a line end
("pre-/pared"), a line break without a hyphen ("rela/tion") and a stray space
("secur ity"). Whether to glue the pieces back is a question about words, so it
is answered from two sources together: the document's own vocabulary (its
names and jargon) and a general word-frequency list (wordfreq) for English,
French and Spanish, the languages of the corpora Gloss is built for.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from wordfreq import get_frequency_dict
from wordfreq import zipf_frequency as _wordfreq_zipf

LANGUAGES = ("en", "fr", "es")
# Whether a fragment stands alone is judged in the corpus' own languages only:
# Spanish lists rate fragments such as "ica" as words.
STANDALONE_LANGUAGES = ("en", "fr")
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A compound starts where a word does: a search from inside a word would
# fail as the search from its start did, only after reading the word again
# (the lookbehind changes no match and keeps the search linear).
COMPOUND_RE = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?:-[^\W\d_]+)+")
SINGLE_LETTER_WORDS = frozenset({"a", "i", "à", "y", "o", "e", "á"})


def zipf_frequency(word: str, lang: str) -> float:
    """wordfreq's Zipf frequency of ``word``, without its tokenizer where the
    answer is known to be 0: a word of lowercase ASCII letters only is its own
    single token (nothing to normalise, fold or split), so when the list lacks
    it wordfreq finds nothing. Unseen words (names, jargon, every candidate
    join of a split word) are most of what is asked, and the tokenizer costs
    ~50 µs a call: a 50 MB file asks millions of times.

    >>> zipf_frequency("security", "en") == _wordfreq_zipf("security", "en")
    True
    >>> zipf_frequency("securityity", "en"), zipf_frequency("Été", "fr") > 3
    (0.0, True)
    """
    if _unlisted(word, (lang,)):
        return 0.0
    return _wordfreq_zipf(word, lang)


def _unlisted(word: str, languages: tuple[str, ...]) -> bool:
    """Whether wordfreq surely rates ``word`` 0 in every one of ``languages``."""
    return (
        word.isascii()
        and word.isalpha()
        and word.islower()
        and all(word not in get_frequency_dict(lang, "best") for lang in languages)
    )


# Zipf 3 is about once per million words: common enough that a fragment with
# this frequency is a real word, not an extraction accident ("ity", "ica").
REAL_WORD_ZIPF = 3.0
# A lone letter glued onto a word must make a very common word ("t he").
COMMON_WORD_ZIPF = 5.0
# A joined form only needs to exist: rare but real words ("interdependence").
KNOWN_WORD_ZIPF = 2.0


@lru_cache(maxsize=200_000)
def standalone_zipf(word: str) -> float:
    """
    >>> standalone_zipf("ica") < 3
    True
    """
    lowered = word.lower()
    return max(zipf_frequency(lowered, lang) for lang in STANDALONE_LANGUAGES)


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Highest Zipf frequency of ``word`` in the supported languages.

    >>> zipf("security") > 5
    True
    >>> zipf("iorities")
    0.0
    """
    lowered = word.lower()
    if _unlisted(lowered, LANGUAGES):
        return 0.0  # one look per list, not one call per language
    return max(zipf_frequency(lowered, lang) for lang in LANGUAGES)


# Words only Spanish uses this often: a document with many is Spanish, and
# Spanish words then count as words standing alone.
_SPANISH_MARKS = ("el", "los", "las", "del", "que", "por", "una", "para", "con")
SPANISH_SHARE = 0.04


def line_pieces(text: str, size: int = 1 << 16) -> list[str]:
    r"""``text`` cut after line breaks into pieces of about ``size`` characters.

    >>> line_pieces("ab\ncd\nef", 3), "".join(line_pieces("x" * 10, 4))
    (['ab\n', 'cd\n', 'ef'], 'xxxxxxxxxx')
    """
    pieces, start = [], 0
    while start < len(text):
        cut = text.find("\n", start + size - 1)
        end = len(text) if cut < 0 else cut + 1
        pieces.append(text[start:end])
        start = end
    return pieces


class Lexicon:
    """Word evidence for one document: its own token counts plus wordfreq."""

    def __init__(self, text: str) -> None:
        self.counts: Counter[str] = Counter()
        self.compounds: Counter[str] = Counter()
        # By pieces of lines (no word or compound crosses a line break): one
        # search of a 50 MB text held the interpreter ~20 s, and the ingest
        # job's heartbeat thread, starved meanwhile, let the job look dead.
        for piece in line_pieces(text):
            self.counts.update(map(str.lower, WORD_RE.findall(piece)))
            self.compounds.update(map(str.lower, COMPOUND_RE.findall(piece)))
        total = sum(self.counts.values())
        spanish = sum(self.counts[w] for w in _SPANISH_MARKS)
        self.spanish = total > 0 and spanish >= SPANISH_SHARE * total
        # is_real_word's answers: asked about every pair of words in the
        # text, it meets the same words over and over (and its answer for a
        # fragment never changes: the counts are fixed).
        self._real_words: dict[str, bool] = {}

    def is_real_word(self, fragment: str) -> bool:
        """A fragment that can stand alone as a word ("he", "a"; not "ity", "f").

        In a Spanish document Spanish words stand alone too ("leer la").

        >>> lex = Lexicon("")
        >>> lex.is_real_word("he"), lex.is_real_word("ity"), lex.is_real_word("t")
        (True, False, False)
        >>> Lexicon("que el de los la " * 20).is_real_word("leer")
        True
        """
        known = self._real_words.get(fragment)
        if known is None:
            known = self._real_words[fragment] = self._is_real_word(fragment)
        return known

    def real_words(self, fragments: list[str]) -> list[bool]:
        """``is_real_word`` of each fragment.

        >>> Lexicon("").real_words(["secur", "ity", "in", "to"])
        [False, False, True, True]
        """
        known, ask = self._real_words, self.is_real_word
        return [known[f] if f in known else ask(f) for f in fragments]

    def _is_real_word(self, fragment: str) -> bool:
        lowered = fragment.lower()
        if len(lowered) == 1:
            return lowered in SINGLE_LETTER_WORDS
        if self.spanish and zipf_frequency(lowered, "es") >= REAL_WORD_ZIPF:
            return True
        return standalone_zipf(lowered) >= REAL_WORD_ZIPF

    def is_known(self, word: str, *, in_document: int = 1) -> bool:
        """A joined form that exists: in the general lists or in this document."""
        lowered = word.lower()
        return zipf(lowered) >= KNOWN_WORD_ZIPF or self.counts[lowered] >= in_document

    def should_glue(self, left: str, right: str) -> bool:
        """Whether two alphabetic pieces are one word broken in two.

        Both pieces being words ("in to", "a part") is never glued: the
        evidence must show that at least one piece is not a word on its own.

        >>> lex = Lexicon("")
        >>> lex.should_glue("secur", "ity"), lex.should_glue("t", "he")
        (True, True)
        >>> lex.should_glue("in", "to"), lex.should_glue("Kandahar", "region")
        (False, False)
        >>> lex.should_glue("a", "U"), lex.should_glue("Ley", "de")
        (False, False)
        >>> lex.should_glue("R", "and"), lex.should_glue("C", "for")
        (False, False)
        >>> lex.should_glue("a", "p"), lex.should_glue("g", "is")
        (False, False)
        >>> lex.should_glue("W", "e"), lex.should_glue("i", "llicit")
        (True, True)
        """
        joined = left + right
        if not joined.isalpha():
            return False  # "¹" (a misread symbol) is a letter only to \w
        if right[:1].isupper() and not left[:1].isupper():
            return False  # "a U.S. view": a capital starts a new word
        if self.is_real_word(left) and self.is_real_word(right):
            return False  # "in to", "a part", "y es": two words already
        other = max(left, right, key=len)
        if min(len(left), len(right)) == 1 and (
            len(other) == 1 or self.is_real_word(other)
        ):
            # "t he", "W e" are "the", "We"; "a p value", "R and", "g is" in a
            # formula stay apart: a lone letter joins a word (or another lone
            # letter) only into a common word. "l iberty", "i llicit" (the
            # rest no word) are judged as any split.
            return zipf(joined) >= COMMON_WORD_ZIPF
        if self.is_real_word(right) and (self.is_real_word(left) or left[0].isupper()):
            return False  # "in to", "a part", "Ley de": two words already
        if right[:1].isupper() and not left[:1].isupper():
            return False  # "a U.S. view": a capital starts a new word
        if right[:1].isupper() and not joined.isupper() and len(left) > 1:
            return False
        return zipf(joined) >= REAL_WORD_ZIPF or self.counts[joined.lower()] >= 1

    def should_drop_hyphen(self, left: str, right: str) -> bool:
        """Whether "left-" at a line end and "right" form one unhyphenated word.

        The document's own spelling wins; otherwise the word lists decide, and
        a compound that only exists with its hyphen keeps it.

        >>> lex = Lexicon("")
        >>> lex.should_drop_hyphen("pre", "pared")
        True
        >>> lex.should_drop_hyphen("force", "support")
        False
        >>> lex.should_drop_hyphen("Inter", "American")
        False
        """
        if right[:1].isupper():
            return False
        hyphenated = f"{left}-{right}".lower()
        joined = (left + right).lower()
        if self.counts[joined] > self.compounds[hyphenated]:
            return True
        if self.compounds[hyphenated]:
            return False
        if not self.is_real_word(left) and not self.is_real_word(right):
            return True  # "restric-/tionist": neither half is a word on its own
        return zipf(joined) >= KNOWN_WORD_ZIPF
