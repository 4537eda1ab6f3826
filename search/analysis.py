"""Text analysis for search: tokens, accent folding and Snowball stemming.

Engine-neutral on purpose (no Whoosh here): ``whoosh_backend`` wraps these
functions in Whoosh filters, and another backend could reuse them so that both
index the same terms.

Choice: **one text field per language** (``text_en``, ``text_fr``, and
``text_xx`` for every other language) rather than one field whose analyzer
dispatches on the record's language. The language of a *query* is unknown, so
a dispatching analyzer would still have to stem each query word both ways; with
per-language fields every query word is analysed once per field, French words
meet French stems only, and each language keeps its own term statistics (a
French word's rarity is measured among French records, which BM25's idf needs).

Order matters in ``normalise``: accents are folded *before* stemming, so a
query typed without accents stems exactly like the accented text
(``sécurité`` and ``securite`` both give ``securit``; stemming first gives
``secur`` for one and ``securit`` for the other).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

import Stemmer

# Words: runs of letters/digits, with inner dots kept (U.S., 9.11) like
# Whoosh's default tokenizer, so abbreviations stay one token.
TOKEN_PATTERN = r"\w+(?:\.?\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)

# Record language -> Snowball algorithm. Records in other languages go to the
# unstemmed ``xx`` field: folding still applies, stemming rules would not.
STEMMED_LANGUAGES = {"en": "english", "fr": "french"}
OTHER_LANGUAGE = "xx"
LANGUAGES = (*STEMMED_LANGUAGES, OTHER_LANGUAGE)

# Letters that NFKD does not decompose into a base letter plus accents.
_EXTRA_FOLDS = str.maketrans(
    {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
)


def field_language(lang: str) -> str:
    """The analysis language for a record's ``lang`` code.

    >>> field_language("fr"), field_language("en-GB"), field_language("es")
    ('fr', 'en', 'xx')
    """
    base = (lang or "").split("-")[0].lower()
    return base if base in STEMMED_LANGUAGES else OTHER_LANGUAGE


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercase and strip accents (NFKD, combining marks dropped).

    >>> fold("Domínguez"), fold("souveraineté"), fold("Œuvre"), fold("ﬁnal")
    ('dominguez', 'souverainete', 'oeuvre', 'final')
    """
    lowered = word.lower().translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=len(STEMMED_LANGUAGES))
def stemmer(lang: str) -> Callable[[str], str]:
    """The Snowball stemmer of a stemmed language, for folded words:
    ``normalise(word, lang) == stemmer(lang)(fold(word))``.

    >>> stemmer("en")(fold("Cooperating")) == normalise("cooperation", "en")
    True
    """
    return Stemmer.Stemmer(STEMMED_LANGUAGES[lang]).stemWord


@lru_cache(maxsize=400_000)
def normalise(word: str, lang: str) -> str:
    """The indexed form of ``word`` in a field of language ``lang``.

    >>> normalise("cooperating", "en") == normalise("Cooperation", "en")
    True
    >>> normalise("souveraineté", "fr") == normalise("souverainete", "fr")
    True
    >>> normalise("Domínguez", "xx")
    'dominguez'
    """
    folded = fold(word)
    if lang not in STEMMED_LANGUAGES:
        return folded
    return stemmer(lang)(folded)


def words(text: str) -> Iterator[str]:
    """The raw words of ``text``, as the index tokenizes them.

    >>> list(words("North America’s U.S.-Mexico border"))
    ['North', 'America', 's', 'U.S', 'Mexico', 'border']
    """
    return (match.group(0) for match in TOKEN_RE.finditer(text))
