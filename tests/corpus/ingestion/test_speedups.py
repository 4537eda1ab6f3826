"""The ingestion speed-ups change no output: each fast form against the plain
form it replaced, on random texts made of the characters the patterns read.

The plain forms are written out here (as they were before): a speed-up that
drifts from them fails with the first text that tells the two apart.
"""

from __future__ import annotations

import random
import re

import pytest

from corpus.ingestion import clean, language, lexicon, notes, segment

# Letters (ASCII, accented, capitals), digits, the marks the patterns read,
# spaces, superscripts, markup characters.
ALPHABET = (
    list("abcdeiltvxyzéàAZÉ") * 3
    + list("0123456789") * 3
    + list(" " * 12)
    + list(".,;:!?”\"’)(…-_'`´*#<>[]^{}\\@/\t")
    + list("⁰¹²ⁱᵛˣ\u00a0\u00ad\u200b")
    + ["www.", "](", "<sup>", "</sup>", ". . .", "  ", "://", "a@b", "))"]
)
SEEDS = range(400)


def texts(length: int = 60) -> list[str]:
    rng = random.Random(9)
    return ["".join(rng.choices(ALPHABET, k=rng.randint(0, length))) for _ in SEEDS]


# The patterns as they were: a lookbehind first.
OLD_NOTES = {
    "_GLUED_TO_WORD": r"(?<=[^\W\d_]{2})(\d{1,3})(?=[\s.,;:)”\"’]|$)",
    "_AFTER_PUNCT": r"(?<=[.,;!?”\"’)])(\d{1,3})(?=\s|$)",
    "_GLUED_TO_NUMBER": r"(?<=\d,\d{3})(\d{1,3})(?=\s|$)",
    "_SPACED": r"(?:(?<=[^\W\d_][.,;:”\"’)…])|(?<=[^\W\d_][.!?…][”\"’)])) (\d{1,3})"
    r"(?=\s*$|\s+[A-Z“\"(])"
    r"|(?<=[A-Z][a-z]{2}) (\d{1,3})(?= [a-z])"
    r"|(?<=\d\)\)) (\d{1,3})(?=[.,;:](?:\s|$))",
}


def _matches(pattern: re.Pattern[str], text: str) -> list[object]:
    return [(m.span(), m.lastindex, m.groups()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(OLD_NOTES))
def test_note_marker_patterns_match_where_the_old_ones_did(name: str) -> None:
    old, new = re.compile(OLD_NOTES[name]), getattr(notes, name)
    for text in texts() + ["Table 310,00010 a", "the region1. Up", "so.” 3 The"]:
        assert _matches(new, text) == _matches(old, text), text


def test_names_with_digits_are_found_as_before() -> None:
    old = re.compile(r"[^\W\d_]+\d+")
    for text in texts() + ["Python3 and x2 ab_c4 é9"]:
        assert notes._NAME_WITH_DIGITS.findall(text) == old.findall(text), text


def test_compounds_are_found_as_before() -> None:
    old = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
    for text in texts() + ["force-support and pre-war 1a-b _x-y"]:
        assert lexicon.COMPOUND_RE.findall(text) == old.findall(text), text


@pytest.mark.parametrize("pattern", [clean._WORD_END, clean._HYPHEN_END])
def test_end_word_is_the_whole_text_search(pattern: re.Pattern[str]) -> None:
    # Long texts (past the tail window), with runs of letters at the end.
    rng = random.Random(3)
    ends = ["".join(rng.choices("abcé-1 ’", k=rng.randint(0, 300))) for _ in SEEDS]
    runs = ["x" * 250, " " + "b" * 250 + "-", "é" * 199 + "-", "1" + "a" * 200]
    for text in [t + end for t, end in zip(texts(400), ends, strict=True)] + runs:
        whole = pattern.search(text)
        assert clean.end_word(pattern, text) == (whole.group(1) if whole else None)


def test_ends_sentence_as_before() -> None:
    def old(text: str) -> bool:
        text = segment._TRAILING_MARKER.sub("", text.rstrip())
        return text.endswith(tuple(segment.TERMINAL))

    for text in texts() + ["in 2003.3", "(2007)", "1234", ".123", "a.1234"]:
        assert segment.ends_sentence(text) == old(text), text


def _old_strip_markdown(text: str) -> str:
    text = clean._MD_HEADING.sub("", text)
    text = clean._MD_LINK.sub(lambda m: m.group(1), text)
    text = clean._MD_AUTOLINK.sub(r"\1", text)
    text = clean._MD_EMPHASIS.sub(r"\2", text)
    text = clean._MD_ESCAPE.sub(r"\1", text)
    text = clean._HTML_TAG.sub("", text)
    return clean._STRAY_STAR.sub("", text)


def _old_tidy_spaces(text: str) -> str:
    text = clean._MULTI_SPACE.sub(" ", text)
    parts = clean._SPACED_ELLIPSIS.split(text)
    tidy = [
        p if i % 2 else clean._SPACE_BEFORE_PUNCT.sub(r"\1", p)
        for i, p in enumerate(parts)
    ]
    return "".join(tidy).strip()


@pytest.mark.parametrize(
    ("fast", "plain"),
    [
        (clean.strip_markdown, _old_strip_markdown),
        (clean.remove_symbol_markers, lambda t: clean._SYMBOL_MARKER.sub("", t)),
        (clean.fix_acute_apostrophe, lambda t: clean._ACUTE_APOSTROPHE.sub("’", t)),
        (clean.tidy_spaces, _old_tidy_spaces),
        (
            clean.normalize_characters,
            lambda t: (
                clean.unicodedata.normalize("NFC", t)
                .translate(clean.INVISIBLE)
                .translate(clean.SPACES)
            ),
        ),
        (clean.fix_t1_controls, clean.fix_t1_controls),  # (runs: no error)
        (language.without_names, lambda t: language._NAMES_AND_QUOTES.sub("", t)),
    ],
)
def test_guarded_stages_as_before(fast, plain) -> None:  # type: ignore[no-untyped-def]
    extra = ["## **a** [b](c) <em>d</em> \\*e x* y", "areAtlas de", "a . . . b ,"]
    for text in texts() + extra:
        assert fast(text) == plain(text), text


def test_split_glued_words_as_before() -> None:
    def old(text: str) -> str:
        def split(match: re.Match[str]) -> str:
            head, tail = match.groups()
            if lexicon.zipf(head) >= 5.5 and lexicon.zipf(tail) > 0:
                return f"{head} {tail}"
            return match.group(0)

        return clean._CAMEL.sub(split, text)

    for text in [*texts(), "His latest books areAtlas de la", "deltaMethod() xY"]:
        assert clean.split_glued_words(text) == old(text), text


def test_letters_counted_only_as_far_as_needed() -> None:
    for text in texts(200):
        for count in (0, 1, 5, 40, 100):
            assert language._has_letters(text, count) == (
                language._letters(text) >= count
            )


def test_repair_split_words_as_before() -> None:
    def old(text: str, lex: lexicon.Lexicon) -> str:
        words = list(clean._WHOLE_WORD.finditer(text))
        pieces, cursor, i = [], 0, 0
        while i < len(words) - 1:
            left, right = words[i], words[i + 1]
            adjacent = text[left.end() : right.start()] == " "
            if adjacent and lex.should_glue(left.group(), right.group()):
                pieces.append(text[cursor : left.end()])
                cursor = right.start()
                i += 2
            else:
                i += 1
        pieces.append(text[cursor:])
        return "".join(pieces)

    rng = random.Random(5)
    pieces = "secur ity t he f ive in to a part W e i llicit Amer ica pr ".split()
    samples = [
        " ".join(rng.choices(pieces + ["x", "1", ",", "the"], k=rng.randint(0, 30)))
        for _ in SEEDS
    ]
    lex = lexicon.Lexicon("security America the")
    for text in samples + texts():
        assert clean.repair_split_words(text, lex) == old(text, lex), text


def test_cached_word_evidence_answers_as_asked() -> None:
    lex = lexicon.Lexicon("que el de los la " * 20 + "secur ity")
    words = ["leer", "ity", "he", "t", "a", "Secur", "leer"]
    assert lex.real_words(words) == [lex._is_real_word(w) for w in words]
    assert [lex.is_real_word(w) for w in words] == lex.real_words(words)


def test_lexicon_counts_by_pieces_as_over_the_whole_text() -> None:
    text = ("\n".join(texts()) + "\nforce-support pre-\nwar l’Hémisphère\n") * 20
    pieces = lexicon.line_pieces(text)
    assert "".join(pieces) == text and len(pieces) > 2
    whole = lexicon.Lexicon(text)
    words = lexicon.WORD_RE.findall(text)
    compounds = lexicon.COMPOUND_RE.findall(text)
    assert whole.counts == lexicon.Counter(w.lower() for w in words)
    assert whole.compounds == lexicon.Counter(c.lower() for c in compounds)


def test_the_zipf_lookup_answers_as_wordfreq_does() -> None:
    """The shortcut for unlisted lowercase ASCII words gives wordfreq's own
    answer for listed words, joins of two, fragments, capitals, accents,
    apostrophes and digits alike."""
    import wordfreq

    rng = random.Random(3)
    words = {"Security", "SECURITY", "été", "Été", "l'état", "x2", "straße", "ﬁn"}
    for lang in lexicon.LANGUAGES:
        listed = sorted(wordfreq.get_frequency_dict(lang, "best"))
        for _ in range(400):
            a, b = rng.choice(listed), rng.choice(listed)
            words |= {a, a + b, a[: rng.randint(1, len(a))] + b[:2], a.title()}
    for _ in range(400):
        words.add("".join(rng.choices("abcdefghijklmnopqrstuvwxyzéA", k=6)))
    for word in sorted(words):
        for lang in lexicon.LANGUAGES:
            assert lexicon.zipf_frequency(word, lang) == wordfreq.zipf_frequency(
                word, lang
            ), (word, lang)
