"""Office Math (OMML, ``m:oMath``) as readable linear text.

Word stores an equation as a tree of structures (fraction, script, radical,
n-ary operator, delimiters); dropping it would leave a hole in the sentence,
so each structure is written the way one types it in plain text:
``x^2 + y_i``, ``(a + b)/2``, ``√(x)``, ``∑_(i=1)^n x_i``. Letters, Greek
and operator characters are kept as Word stores them.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Operators written with a space on each side, as a person types them.
SPACED = frozenset("=+−±∓×÷<>≤≥≠≈≡∼→←↔⇒⇔∈∉⊂⊆∪∩")
_FUNCTION_APPLY = "\u2061"  # Word's invisible "function application" character


def math_text(element: Element) -> str:
    """An ``m:oMath`` or ``m:oMathPara`` element as one line of text.

    >>> from xml.etree.ElementTree import fromstring
    >>> ns = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    >>> math_text(fromstring(f'<m:oMath {ns}><m:sSup><m:e><m:r><m:t>x</m:t></m:r>'
    ...     '</m:e><m:sup><m:r><m:t>2</m:t></m:r></m:sup></m:sSup><m:r><m:t>+1</m:t>'
    ...     '</m:r></m:oMath>'))
    'x^2 + 1'
    """
    return " ".join(_linear(element).replace(_FUNCTION_APPLY, "").split())


def _linear(element: Element) -> str:
    """The linear text of one math element (structures by their writer)."""
    name = element.tag[len(M) :] if element.tag.startswith(M) else ""
    writer = _WRITERS.get(name)
    if writer is not None:
        return writer(element)
    if name.endswith("Pr") or element.tag == f"{_W}rPr":
        return ""  # properties: how it looks, not what it says
    return "".join(_linear(child) for child in element)


def _run(element: Element) -> str:
    text = "".join(t.text or "" for t in element.iter(f"{M}t"))
    return spaced(text)


def spaced(text: str) -> str:
    """Operators get a space on each side: ``a+b`` → ``a + b``."""
    return "".join(f" {c} " if c in SPACED else c for c in text)


def _part(element: Element, name: str) -> str:
    child = element.find(f"{M}{name}")
    return "" if child is None else _linear(child).strip()


def group(text: str) -> str:
    """Parenthesise what is more than one symbol or number.

    >>> group("2"), group("10"), group("n+1"), group("(a)")
    ('2', '10', '(n+1)', '(a)')
    """
    text = text.strip()
    if len(text) <= 1 or text.isdigit():
        return text
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        return text
    return f"({text})"


def _scripts(base: str, sub: str, sup: str) -> str:
    text = group(base) if " " in base.strip() else base.strip()
    if sub:
        text += f"_{group(tight(sub))}"
    if sup:
        text += f"^{group(tight(sup))}"
    return text


def tight(script: str) -> str:
    """A script is written without spaces: ``x_(i=1)``, ``e^(n+1)``."""
    return "".join(script.split())


def _fraction(e: Element) -> str:
    return f"{group(_part(e, 'num'))}/{group(_part(e, 'den'))}"


def _radical(e: Element) -> str:
    degree = _part(e, "deg")
    return f"{group(degree) if degree else ''}√({_part(e, 'e')})"


def _property(e: Element, props: str, name: str, default: str) -> str:
    node = e.find(f"{M}{props}/{M}{name}")
    if node is None:
        return default
    return node.get(f"{M}val", "")


def _delimiters(e: Element) -> str:
    begin = _property(e, "dPr", "begChr", "(")
    end = _property(e, "dPr", "endChr", ")")
    separator = _property(e, "dPr", "sepChr", "|")
    inner = f" {separator} " if separator == "|" else f"{separator} "
    return begin + inner.join(_linear(x).strip() for x in e.findall(f"{M}e")) + end


def _nary(e: Element) -> str:
    operator = _property(e, "naryPr", "chr", "∫")
    limits = _scripts(operator, _part(e, "sub"), _part(e, "sup"))
    return f"{limits} {_part(e, 'e')}"


def _function(e: Element) -> str:
    argument = _part(e, "e")
    if not argument.startswith("("):
        argument = f" {argument}" if len(argument) == 1 else f"({argument})"
    return _part(e, "fName") + argument


def _accent(e: Element) -> str:
    base, mark = _part(e, "e"), _property(e, "accPr", "chr", "\u0302")
    return base + mark if len(base) == 1 else f"{group(base)}{mark}"


def _matrix(e: Element) -> str:
    rows = [
        ", ".join(_linear(cell).strip() for cell in row.findall(f"{M}e"))
        for row in e.findall(f"{M}mr")
    ]
    return "[" + "; ".join(rows) + "]"


def _lines(e: Element) -> str:
    return "; ".join(_linear(x).strip() for x in e.findall(f"{M}e"))


def _paragraph(e: Element) -> str:
    return "  ".join(_linear(x) for x in e if x.tag == f"{M}oMath")


_WRITERS: dict[str, Callable[[Element], str]] = {
    "r": _run,
    "f": _fraction,
    "sSup": lambda e: _scripts(_part(e, "e"), "", _part(e, "sup")),
    "sSub": lambda e: _scripts(_part(e, "e"), _part(e, "sub"), ""),
    "sSubSup": lambda e: _scripts(_part(e, "e"), _part(e, "sub"), _part(e, "sup")),
    "sPre": lambda e: _scripts("", _part(e, "sub"), _part(e, "sup")) + _part(e, "e"),
    "rad": _radical,
    "d": _delimiters,
    "nary": _nary,
    "func": _function,
    "acc": _accent,
    "bar": lambda e: f"{group(_part(e, 'e'))}\u0305",
    "limLow": lambda e: _scripts(_part(e, "e"), _part(e, "lim"), ""),
    "limUpp": lambda e: _scripts(_part(e, "e"), "", _part(e, "lim")),
    "groupChr": lambda e: _part(e, "e"),
    "m": _matrix,
    "eqArr": _lines,
    "oMathPara": _paragraph,
}
