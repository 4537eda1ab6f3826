"""Small pure text stages: the whole document first, then each record.

Document stages run before segmentation and must keep the layout signals that
segmentation reads (leading spaces, blank lines). Record stages run on one
record's text once its lines are joined. Each stage is ``str -> str`` (the
word-repair stages also take the document's ``Lexicon``).
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

from corpus.ingestion.lexicon import WORD_RE, Lexicon, zipf
from corpus.ingestion.texttables import unframe_text_tables

# -- document stages ----------------------------------------------------------


def normalize_newlines(text: str) -> str:
    r"""
    >>> normalize_newlines("a\r\nb\rc")
    'a\nb\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def fix_utf8_mojibake(text: str) -> str:
    """UTF-8 read as Latin-1/Windows-1252 ("Ã©" for "é"), via ftfy.

    Quotes stay curly and line breaks stay as they are: both carry meaning here.

    >>> fix_utf8_mojibake("SÃ©curitÃ© â€œnationaleâ€\x9d")
    'Sécurité “nationale”'
    """
    return ftfy.fix_text(
        text,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_character_width=False,
        normalization="NFC",
    )


# “ ” ’ read through the wrong table; any English text of length has them.
_MAC_ROMAN_QUOTES = "ÒÓÕ"
_MIN_SUSPECTS = 1


def fix_mac_roman_mojibake(text: str) -> str:
    """Mac-Roman bytes read as Windows-1252 ("AmericaÕs", "ÒwarÓ", "MŽrida").

    ftfy does not cover this direction. The whole text is re-read as Mac-Roman
    and kept only if its non-ASCII words then look like real words, so a
    correct French text ("sécurité") is left alone.

    >>> fix_mac_roman_mojibake("the ÒwarÓ in North AmericaÕs MŽrida Initiative")
    'the “war” in North America’s Mérida Initiative'
    >>> fix_mac_roman_mojibake("la sécurité « nationale »")
    'la sécurité « nationale »'
    """
    if sum(text.count(ch) for ch in _MAC_ROMAN_QUOTES) < _MIN_SUSPECTS:
        return text  # no Mac-Roman quotes or apostrophes: nothing to weigh
    try:
        candidate = text.encode("cp1252").decode("mac_roman")
    except UnicodeError:
        return text
    if _plausibility(candidate) > _plausibility(text) + 0.2:
        return candidate
    return text


def _plausibility(text: str) -> float:
    """Share of the words with non-ASCII letters that are real words."""
    tokens = [t for t in text.split() if not t.isascii()]
    if not tokens:
        return 1.0
    good = sum(
        1 for token in tokens if all(zipf(w) > 0 for w in WORD_RE.findall(token))
    )
    return good / len(tokens)


# TeX's T1 (Cork) font encoding puts ligatures, dashes and quotes in the
# control range; a PDF without a glyph map hands those codes to pdftotext.
_T1_CONTROLS = {
    "\x10": "“",
    "\x11": "”",
    "\x15": "–",
    "\x16": "—",
    "\x1b": "ff",
    "\x1c": "fi",
    "\x1d": "fl",
    "\x1e": "ffi",
    "\x1f": "ffl",
}
_T1_LIGATURE_WORD = re.compile(r"[^\W\d_]*[\x1b-\x1f][^\W\d_]*")
_T1_LIGATURE_CODE = re.compile(r"[\x1b-\x1f]")


def fix_t1_controls(text: str) -> str:
    """Ligatures and dashes of a TeX T1 font read as control characters.

    Kept only when the ligature codes then spell real words ("Coe\x1ecients"
    becomes "Coefficients"), the evidence that the font was T1.

    >>> fix_t1_controls("Coe\x1ecients di\x1berent, 65\x1585%, \x10wins\x11")
    'Coefficients different, 65–85%, “wins”'
    >>> fix_t1_controls("x\\x1cq zz\\x1eq")  # no word comes out: not T1
    'x\\x1cq zz\\x1eq'
    """
    if not _T1_LIGATURE_CODE.search(text):
        return text  # (cheap) no ligature code: the word search finds nothing
    words = _T1_LIGATURE_WORD.findall(text)
    if not words:
        return text
    table = str.maketrans(_T1_CONTROLS)
    known = sum(1 for word in words if zipf(word.translate(table)) > 0)
    return text.translate(table) if known >= 0.5 * len(words) else text


INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u2002\u2003\t"), " ")
_REPLACEMENTS = [(chr(k), v or "") for k, v in {**INVISIBLE, **SPACES}.items()]


def normalize_characters(text: str) -> str:
    """NFC; soft hyphens and zero-width characters out; odd spaces to spaces.

    >>> normalize_characters("co\u00adoperation\u00a0now")
    'cooperation now'
    """
    text = unicodedata.normalize("NFC", text)
    # str.replace per character the text has: translate looks every
    # character up in the table, several times slower on a long text. The
    # replacements are in neither table, so the order does not matter.
    for char, replacement in _REPLACEMENTS:
        if char in text:
            text = text.replace(char, replacement)
    return text


_IMAGE_ALT = re.compile(
    r"(?<=[.!?”\"])[ \t]*(?:(?:blue|red|green|black|white|grey|gray|orange|yellow)"
    r" (?:square|circle|arrow|bullet|dot)|image|icon|logo)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def strip_image_alt(text: str) -> str:
    r"""Alternative text of a decorative image glued to a paragraph's end.

    >>> strip_image_alt("Mexico-Canada programs.blue square\nNext")
    'Mexico-Canada programs.\nNext'
    """
    return _IMAGE_ALT.sub("", text)


# lynx -dump numbers every link ("[12]Guide") and lists the targets at the end
# under "References" ("  12. http://…"): the list is the evidence for both.
_LINK_LIST = re.compile(
    r"^References\n\n((?:[ \t]*\d{1,4}\. [a-z][a-z0-9+.-]*:\S*\n?)+)\s*\Z",
    re.MULTILINE,
)
# The page's <link> elements, which lynx prints first: "#[1]Contents [2]Up".
_LINK_TOOLBAR = re.compile(r"\A\s*#\[\d{1,4}\][^\n]*(?:\n[^\n]+)*\n")
_LINK_MARK = re.compile(r"\[(\d{1,4})\] ?(?=\S)")


def strip_link_references(text: str) -> str:
    r"""A text dump's numbered links: the target list and the "[n]" marks.

    Only when the dump ends with the list of targets, and only the numbers it
    lists: "[12]" in a text without that list is a citation and stays.

    >>> strip_link_references("See [1]the guide [2] now.\n\nReferences\n\n"
    ...                       "   1. http://a.org/\n   2. file:///b.html\n")
    'See the guide now.\n\n'
    >>> strip_link_references("   #[1]Home [2]Up\n\nText.\n\nReferences\n\n   1. a:b\n")
    '\nText.\n\n'
    >>> strip_link_references("As shown in [1] and [2].")
    'As shown in [1] and [2].'
    """
    found = _LINK_LIST.search(text)
    if not found:
        return text
    listed = set(re.findall(r"(\d{1,4})\. ", found.group(1)))
    body = _LINK_TOOLBAR.sub("", text[: found.start()])
    return _LINK_MARK.sub(lambda m: "" if m.group(1) in listed else m.group(0), body)


DOCUMENT_STAGES = (
    normalize_newlines,
    fix_t1_controls,  # before ftfy, which drops control characters
    fix_utf8_mojibake,  # before the Mac-Roman check: it must see real letters
    fix_mac_roman_mojibake,
    normalize_characters,
    strip_link_references,
    strip_image_alt,  # per line, before segmentation reads where lines end
    unframe_text_tables,  # after the characters are normal: it reads columns
)


def clean_document(text: str) -> str:
    """Run the document stages in order (order matters: see the comments)."""
    for stage in DOCUMENT_STAGES:
        text = stage(text)
    return text


# -- joining a record's lines ---------------------------------------------------

_HYPHEN_END = re.compile(r"([^\W\d_]+)-$")
_WORD_START = re.compile(r"^([^\W\d_]+)(?![\w'’])")
# The rest of a word that goes on as an identifier ("symme-" / "try_test").
_IDENTIFIER_START = re.compile(r"^([^\W\d_]+)(?=_\w)")
_WORD_END = re.compile(r"(?<![\w'’])([^\W\d_]+)$")


# A line that ends on a URL's scheme ("en http://") broke the URL there.
_URL_SCHEME_END = re.compile(r"(?<![\w.+-])[a-z][a-z0-9+.-]*://$", re.IGNORECASE)
# Nor is a host of one label and a dot ("http://www.") a whole address: a
# sentence ending on a URL ends on a whole host ("http://www.r-project.org.").
_URL_HOST_LABEL_END = re.compile(
    r"(?<![\w.+-])(?:https?|ftp)://[a-z0-9-]+\.$", re.IGNORECASE
)
# What may go on a host: a label, a dot, another label ("biometrical-journal.com").
_HOST_REST = re.compile(r"^[a-z0-9-]+\.[a-z]", re.IGNORECASE)


def join_lines(lines: list[str], lexicon: Lexicon) -> str:
    """Join hard-wrapped lines, mending words that the wrap broke.

    >>> lex = Lexicon("")
    >>> join_lines(["had to be pre-", "pared to act"], lex)
    'had to be prepared to act'
    >>> join_lines(["maritime force-", "support, and"], lex)
    'maritime force-support, and'
    >>> join_lines(["the U.S.-", "Mexican border"], lex)
    'the U.S.-Mexican border'
    >>> join_lines(["la rela", "tion de travail"], lex)
    'la relation de travail'
    >>> join_lines(["la sécurité de", "l’Hémisphère"], lex)
    'la sécurité de l’Hémisphère'
    >>> join_lines(["the functions independence_test and symme-", "try_test"], lex)
    'the functions independence_test and symmetry_test'
    >>> join_lines(["documentation (TLDP) en http://", "tldp.org/ et"], lex)
    'documentation (TLDP) en http://tldp.org/ et'
    >>> join_lines(["available online http://www.", "biometrical-journal.com."], lex)
    'available online http://www.biometrical-journal.com.'
    >>> join_lines(["see http://www.r-project.org.", "example.com is another."], lex)
    'see http://www.r-project.org. example.com is another.'
    """
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        text = _join_two(text, line, lexicon) if text else line
    return text


# How much of a joined text's end the end-anchored patterns look at first.
_TAIL_WINDOW = 64


def end_word(pattern: re.Pattern[str], text: str) -> str | None:
    """Group 1 of ``pattern.search(text)``, for a pattern anchored at the end
    (``$``) whose match is a run of letters (after a lookbehind, or before a
    final hyphen): searched in the text's tail first, since a search of the
    whole text tries every position and a paragraph is joined one line at a
    time (quadratic in its length).

    A match in the tail that does not start at the tail's first character is
    the text's match too (the character before it, which the lookbehind or
    the run's start reads, is the same); one that does may go on further
    left, so the whole text decides then. No match in the tail means none in
    the text: a match starting further left would cover the whole tail, and
    so match at its start.

    >>> end_word(_WORD_END, "x " * 300 + "secur"), len(end_word(_WORD_END, "x" * 300))
    ('secur', 300)
    >>> end_word(_WORD_END, "x " * 300 + "9"), end_word(_HYPHEN_END, "a " * 99 + "pre-")
    (None, 'pre')
    """
    tail = text[-_TAIL_WINDOW:]
    found = pattern.search(tail)
    if found is not None and found.start() == 0 and len(text) > len(tail):
        found = pattern.search(text)
    return found.group(1) if found else None


def _join_two(left: str, right: str, lexicon: Lexicon) -> str:
    if (
        left.endswith("://")
        and _URL_SCHEME_END.search(left)
        and not right[:1].isspace()
    ):
        return left + right  # "http://" alone is no address: the rest follows
    if (
        left.endswith(".")
        and _URL_HOST_LABEL_END.search(left[-_TAIL_WINDOW:])
        and _HOST_REST.match(right)
    ):
        return left + right  # "http://www." / "biometrical-journal.com."
    if left.endswith("-") and not left.endswith("--"):
        head = end_word(_HYPHEN_END, left)
        tail = _WORD_START.search(right) or _IDENTIFIER_START.search(right)
        if head and tail and lexicon.should_drop_hyphen(head, tail.group(1)):
            return left[:-1] + right
        if left[-2:-1].isalnum() or left[-2:-1] in ".)":
            return left + right  # a compound split at its hyphen: "force-support"
    head, tail = end_word(_WORD_END, left), _WORD_START.search(right)
    if head and tail and lexicon.should_glue(head, tail.group(1)):
        return left + right
    return f"{left} {right}"


# -- record stages --------------------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
_MD_ESCAPE = re.compile(r"\\+([\\`*_{}\[\]()#+\-.!$<>])")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
# A star left over from markup: glued after a word ("Hristoulas*") or alone
# between spaces, but not one spaced between two operands ("x * y", "lm(y) * w"),
# which is a product in code or a formula.
_STRAY_STAR = re.compile(
    r"(?<=\w)\*+(?=\W|$)|(?<=\s)(?<![\w)\]] )\*+(?=\s)|(?<=\s)\*+(?=\s(?![\w(]))"
)
# Inline HTML that markdown extractions keep; "<app>" in prose is not a tag.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|cite|code|em|font|i|mark|small|span|strong|sub|sup|u)"
    r"(?:\s[^>]{0,80})?/?>",
    re.IGNORECASE,
)


def strip_markdown(text: str) -> str:
    r"""Markdown and HTML markup out, the words in.

    >>> strip_markdown("## ***Obstacles for Security***")
    'Obstacles for Security'
    >>> strip_markdown(r"invest \$200 billion in *Big Idea* and **more**")
    'invest $200 billion in Big Idea and more'
    >>> strip_markdown(r"[http://a.org/rss\\_viewer](http://a.org/rss_viewer) (2012)")
    'http://a.org/rss_viewer (2012)'
    >>> strip_markdown("Athanasios Hristoulas* <http://x.org/a>")
    'Athanasios Hristoulas http://x.org/a'
    >>> strip_markdown("<em>Writes</em> live in <app>/services.py<br/>")
    'Writes live in <app>/services.py'
    >>> strip_markdown("so$cov.unscaled * as.vector(n) and 2 * x")
    'so$cov.unscaled * as.vector(n) and 2 * x'
    >>> strip_markdown("a list: * one").split()  # no operand after it: markup
    ['a', 'list:', 'one']
    """
    # Each pattern needs a character that most text has none of: looking for
    # it in the current text first is much cheaper than a search (a pattern
    # opening with a lookbehind is tried at every place), and changes nothing.
    if text.startswith("#"):
        text = _MD_HEADING.sub("", text)
    if "](" in text:
        text = _MD_LINK.sub(lambda m: m.group(1), text)
    if "<" in text:
        text = _MD_AUTOLINK.sub(r"\1", text)
    if "*" in text:
        text = _MD_EMPHASIS.sub(r"\2", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    return _STRAY_STAR.sub("", text) if "*" in text else text


_LIST_MARKER = re.compile(r"^(?:[-*+•▪◦●])\s+")


def strip_list_marker(text: str) -> str:
    """
    >>> strip_list_marker("• Create smart borders.")
    'Create smart borders.'
    """
    return _LIST_MARKER.sub("", text)


# A superscript is a marker only after a word or punctuation and before a
# space, punctuation or the end: "B(¹)" or "¹̂" (a misread Greek letter, a
# combining hat) are symbols of a formula.
# A caret over a roman numeral is a marker ("Canada^v has", "(IBETS)^{xix}").
# Over digits it is one after a word or a sentence's mark ("Smith^2 says",
# "borders.^{12}"); after a digit, a bracket or a one-letter name it raises a
# power ("I(dy1^2)", "R^2", "f(x)^{2}"), which stays.
_CARET_AFTER = r"(?:(?<=[^\W\d_]{2})|(?<=[.,;:!?”\"’]))"
_SYMBOL_MARKER = re.compile(
    r"<sup>[^<]{1,8}</sup>|\^\{[ivxlc]{1,8}\}|\^[ivxlc]{1,8}\b"
    rf"|{_CARET_AFTER}\^\{{[^}}]{{1,8}}\}}"
    r"|\s?\^\(?\[\d{1,3}\]\)?"
    rf"|{_CARET_AFTER}\^\d{{1,3}}(?=[\s.,;:!?”\"’]|$)"
    r"|(?<=[\w.,;:!?”\"’)])[⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵛˣ]+(?![\w\u0300-\u036f(\[])"
)

# Every marker above has one of these: "<sup>", "^", a superscript.
_SYMBOL_MARKER_CHARS = "<^⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵛˣ"


def remove_symbol_markers(text: str) -> str:
    """Footnote markers written as superscripts or markup leave the text.

    >>> remove_symbol_markers("authorities.<sup>1</sup> In the")
    'authorities. In the'
    >>> remove_symbol_markers("the world.”ⁱⁱ What")
    'the world.” What'
    >>> remove_symbol_markers("Board of Canada^v has argued “smart” borders.^{vi}")
    'Board of Canada has argued “smart” borders.'
    >>> remove_symbol_markers("le paquet .tar.gz ^([4]) et Charte.^([5])")
    'le paquet .tar.gz et Charte.'
    >>> remove_symbol_markers("S(¹) = B(¹) and ¹̂ is normal")
    'S(¹) = B(¹) and ¹̂ is normal'
    >>> remove_symbol_markers("var.model <- ~ I(dy1^2) + x^2, R^2 and f(x)^{2}")
    'var.model <- ~ I(dy1^2) + x^2, R^2 and f(x)^{2}'
    >>> remove_symbol_markers("Teams (IBETS)^{xix} - as Smith^2 says")
    'Teams (IBETS) - as Smith says'
    """
    if not any(ch in text for ch in _SYMBOL_MARKER_CHARS):
        return text  # (cheap) no character any marker needs
    return _SYMBOL_MARKER.sub("", text)


# A whole word: not the tail of "Mexico’s" nor the head of "l’Hémisphère".
_WHOLE_WORD = re.compile(r"(?<![\w'’])[^\W\d_]+(?![\w'’])")


def repair_split_words(text: str, lexicon: Lexicon) -> str:
    """Glue words that extraction split with a stray space.

    >>> lex = Lexicon("")
    >>> repair_split_words("national secur ity pr iorities of North Amer ica", lex)
    'national security priorities of North America'
    >>> repair_split_words("“…t he United States and f ive drug traff icking", lex)
    '“…the United States and five drug trafficking'
    >>> repair_split_words("a part of it, in to the", lex)
    'a part of it, in to the'
    >>> repair_split_words("Mexico’s elections and Canada’s and “It’s an", lex)
    'Mexico’s elections and Canada’s and “It’s an'
    >>> repair_split_words("a slope of f(x) and of g(y)", lex)
    'a slope of f(x) and of g(y)'
    """
    found = list(_WHOLE_WORD.finditer(text))
    words = [match.group() for match in found]
    pieces, cursor, glued = [], 0, -1
    # Word by word, a pair is glued or the next pair is looked at; glued, the
    # pair after it. Two real words are never glued, so only the pairs with
    # a fragment need asking, in order, each unless its left word was glued.
    for i in _pairs_with_a_fragment(lexicon.real_words(words)):
        left, right = found[i], found[i + 1]
        if i == glued or text[left.end() : right.start()] != " ":
            continue
        if text[right.end() : right.end() + 1] == "(":
            continue  # "of f(x)": a function applied, a formula's name, no fragment
        if lexicon.should_glue(words[i], words[i + 1]):
            pieces.append(text[cursor : left.end()])
            cursor, glued = right.start(), i + 1
    pieces.append(text[cursor:])
    return "".join(pieces)


def _pairs_with_a_fragment(real: list[bool]) -> list[int]:
    """The pairs (by their left word) of which a word is not a real word.

    >>> _pairs_with_a_fragment([True, False, True, True, False])
    [0, 1, 3]
    """
    fragments = [i for i, is_word in enumerate(real) if not is_word]
    pairs = {p for i in fragments for p in (i - 1, i) if 0 <= p < len(real) - 1}
    return sorted(pairs)


# Not an identifier: "deltaMethod()", "x.myValue", "$camelCase" are code.
_CAMEL = re.compile(r"(?<![\w.$@])([a-z]{2,})([A-Z][a-z]{2,})\b(?![(_.\w])")
_LOWER_UPPER = re.compile(r"[a-z][A-Z]")


def split_glued_words(text: str) -> str:
    """Insert the space that markup removal swallowed ("areAtlas").

    >>> split_glued_words("His latest books areAtlas de la seguridad")
    'His latest books are Atlas de la seguridad'
    >>> split_glued_words("iPhone and eBay")
    'iPhone and eBay'
    >>> split_glued_words("from deltaMethod() and x.linearModel")
    'from deltaMethod() and x.linearModel'
    """

    def split(match: re.Match[str]) -> str:
        head, tail = match.groups()
        if zipf(head) >= 5.5 and zipf(tail) > 0:  # "are", not "club" (clubSandwich)
            return f"{head} {tail}"
        return match.group(0)

    if not _LOWER_UPPER.search(text):
        return text  # (cheaper) no "aB" anywhere: nothing to split
    return _CAMEL.sub(split, text)


_ACUTE_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[´`](?=[^\W\d_])")


def fix_acute_apostrophe(text: str) -> str:
    """An acute accent or backtick used as an apostrophe ("nation´s").

    >>> fix_acute_apostrophe("the nation´s border")
    'the nation’s border'
    """
    if "´" not in text and "`" not in text:
        return text
    return _ACUTE_APOSTROPHE.sub("’", text)


# Not before ; : ! ? » — French typography sets a space there ("Note :").
# Not before "...": "function(obj, ...)", "wait ..." are spaced by their authors.
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?!\.\.\.)([,.)\]”’])(?=\s|$|[,.;:)”’])")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")
_SPACED_ELLIPSIS = re.compile(r"( ?(?:\. ){2,}\.(?: (?=[,;:)\]]))?)")


def tidy_spaces(text: str) -> str:
    """
    >>> tidy_spaces("committed  . A basic  premise ”")
    'committed. A basic premise”'
    >>> tidy_spaces("« Source » : voir ceci ; et cela ! Vraiment ?")
    '« Source » : voir ceci ; et cela ! Vraiment ?'
    >>> tidy_spaces("for i = 1, . . . , n be"), tidy_spaces("(a test, . . . )")
    ('for i = 1, . . . , n be', '(a test, . . . )')
    >>> tidy_spaces("bread.lm <- function(obj, ...)")
    'bread.lm <- function(obj, ...)'
    """
    if "  " in text or "\t" in text:  # (cheap) what _MULTI_SPACE needs
        text = _MULTI_SPACE.sub(" ", text)
    if ". ." not in text:  # (cheap) no spaced ellipsis
        return _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip()
    # A spaced ellipsis (". . .", LaTeX's \ldots) is the author's: keep it.
    parts = _SPACED_ELLIPSIS.split(text)
    tidy = [
        p if i % 2 else _SPACE_BEFORE_PUNCT.sub(r"\1", p) for i, p in enumerate(parts)
    ]
    return "".join(tidy).strip()


def clean_record(text: str, lexicon: Lexicon, *, repairs: bool = True) -> str:
    """Run the record stages in order.

    ``repairs=False`` is for formats whose characters are the author's own
    (DOCX, HTML): markup and split words are extraction damage of text and PDF
    sources, so there is no evidence for those repairs and none is made.
    """
    if not repairs:
        return unicodedata.normalize("NFC", _MULTI_SPACE.sub(" ", text).strip())
    text = strip_markdown(text)
    text = remove_symbol_markers(text)
    text = strip_list_marker(text)
    text = fix_acute_apostrophe(text)
    text = split_glued_words(text)
    text = repair_split_words(text, lexicon)
    return unicodedata.normalize("NFC", tidy_spaces(text))
