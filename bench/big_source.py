"""Make a large, realistic source file from the bundled corpus (a script).

The five bundled papers are messy PDF and web extractions: headings, footnote
markers and notes, hard-wrapped lines, mojibake, a French part. A big file for
timing ingestion should be as messy, so this one is built from them: the
papers in a rotating order, each copy a "chapter" with its own heading, some
words varied per copy (so the copies are not identical paragraphs, and the
vocabulary grows as a long book's does), and the hard-wrapped papers laid out
in pages as ``pdftotext`` prints them: a form feed, a running header and a
page number every so many lines. Deterministic for a given size and seed.

    .venv/bin/python bench/big_source.py OUT.txt [--mb 50] [--seed 9]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "corpus" / "sources"
PAGE_LINES = 46  # a printed page's lines, as in the hard-wrapped papers
# Words to vary per copy, each with spellings that keep the text readable.
VARIANTS = {
    "security": ("security", "safety", "defence"),
    "cooperation": ("cooperation", "co-operation", "collaboration"),
    "region": ("region", "area", "continent"),
    "policy": ("policy", "strategy", "doctrine"),
    "border": ("border", "frontier", "boundary"),
    "government": ("government", "administration", "cabinet"),
    "agreement": ("agreement", "accord", "treaty"),
    "relationship": ("relationship", "partnership", "relation"),
    "important": ("important", "significant", "central"),
    "countries": ("countries", "nations", "states"),
}
_WORD = re.compile(r"\b(" + "|".join(VARIANTS) + r")\b")
_NUMBER = re.compile(r"\b(19[5-9]\d|20[01]\d)\b")


def big_source(megabytes: float, seed: int = 9) -> str:
    """About ``megabytes`` MB (UTF-8) of paper-like text made from the corpus."""
    rng = random.Random(seed)
    papers = [p.read_text(encoding="utf-8") for p in _papers()]
    target, size, parts, copy = int(megabytes * 1_000_000), 0, [], 0
    page = 1
    while size < target:
        paper = papers[copy % len(papers)]
        text, page = _copy(paper, copy, rng, page)
        parts.append(text)
        size += len(text.encode("utf-8"))
        copy += 1
    return "\n".join(parts)


def _papers() -> list[Path]:
    """The bundled papers but the web page: its site footer ends a document
    (everything after it is dropped as boilerplate), so it comes only once."""
    return [p for p in sorted(SOURCES.glob("*.txt")) if not p.name.startswith("003")]


def _copy(paper: str, copy: int, rng: random.Random, page: int) -> tuple[str, int]:
    """One chapter: a heading, the paper with varied words (and years), laid
    out in pages when its lines are hard-wrapped."""
    choice = {word: rng.choice(spellings) for word, spellings in VARIANTS.items()}
    shift = rng.randint(-3, 3)
    text = _WORD.sub(lambda m: choice[m.group(1)], paper)
    text = _NUMBER.sub(lambda m: str(int(m.group(1)) + shift), text)
    heading = f"Chapter {copy + 1}. Essays on North America, part {copy // 5 + 1}"
    lines = text.splitlines()
    if _hard_wrapped(lines):
        return _paged(heading, lines, page)
    return f"\n## {heading}\n\n{text}\n", page


def _hard_wrapped(lines: list[str]) -> bool:
    long = [line for line in lines if line.strip()]
    return bool(long) and sum(len(x) < 100 for x in long) > 0.8 * len(long)


def _paged(heading: str, lines: list[str], page: int) -> tuple[str, int]:
    """Lines cut into pages: a form feed, the running header, the lines, the
    page number at the foot (as ``pdftotext -layout`` leaves them)."""
    out = [f"{heading}", ""]
    for start in range(0, len(lines), PAGE_LINES):
        out += ["North American Security Review", ""]
        out += lines[start : start + PAGE_LINES]
        out += ["", f"{page}", "\f"]
        page += 1
    return "\n".join(out) + "\n", page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    args.out.write_text(big_source(args.mb, args.seed), encoding="utf-8")
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
