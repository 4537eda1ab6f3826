"""Input/expected pairs: real fragments of the seeds and the records they give.

Each ``tests/data/ingestion/NAME.txt`` is a verbatim excerpt of a seed; its
``NAME.expected.json`` lists the records (kind, text, language, page, section)
a researcher would accept. The excerpts cover one defect class each:

* pdf_mac_roman_page_break: Mac-Roman mojibake, hard wraps, a footnote and a
  lone page number between two pages (002);
* pdf_footnote_zone: a paragraph cut by a footnote zone and resumed on the next
  page, plain-number footnotes and markers, numbered headings (002);
* markdown_footnote: markdown emphasis, a ``<sup>1</sup>`` note under ``---``,
  a sentence resumed after it (000);
* pdf_hyphenation: line-break hyphens ("pre-/pared", "out-/spoken") and a
  one-space page-start indent (004);
* web_boilerplate: "blue square" image text and the Disqus/AddThis footer (003);
* french_conclusion: the French conclusion, its "(french version)" title (004).

The other fragments come from documents the stages were never tuned on (PDF
vignettes, Debian manuals in French and Spanish, a pandoc text dump, a
markdown file); ``tests/data/ingestion/README.md`` names each source, how the
text was made and its licence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.ingestion.pipeline import process

DATA = Path(__file__).resolve().parents[2] / "data" / "ingestion"
CASES = sorted(p.stem for p in DATA.glob("*.txt"))


def test_every_fragment_has_its_expectation() -> None:
    assert CASES, "no fragments found"
    for name in CASES:
        assert (DATA / f"{name}.expected.json").exists(), name


@pytest.mark.parametrize("name", CASES)
def test_fragment_becomes_expected_records(name: str) -> None:
    raw = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))

    records = [
        {
            "kind": p.kind,
            "label": p.label,
            "lang": p.lang,
            "page": p.page,
            "section": p.section,
            "text": p.text,
        }
        for p in process(raw).paragraphs
    ]

    assert [r["text"] for r in records] == [e["text"] for e in expected]
    assert records == expected
