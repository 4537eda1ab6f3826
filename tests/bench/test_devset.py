"""The development set's checks are well-formed and the scorer judges right.

Three parts: ``checks.json`` itself (shape, documents present, every phrase
really in its source text, so a typo cannot make a check fail forever), the
scorer's verdicts on small hand-made record lists (one passing and one failing
case per class), and the doctests of ``bench/devset/scoring.py`` (run from here,
since pytest's doctest collection does not cover ``bench/``).
"""

from __future__ import annotations

import doctest
import json
import shutil
from pathlib import Path

import pytest

from bench.devset import scoring
from bench.devset.scoring import Check, Draft, Rec

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "devset"
CHECKS_FILE = DEVSET / "checks.json"
DOCS = DEVSET / "docs"
RAW = json.loads(CHECKS_FILE.read_text(encoding="utf-8"))["documents"]
CHECKS = scoring.load_checks(CHECKS_FILE)


def test_scoring_doctests() -> None:
    result = doctest.testmod(scoring, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_checks_are_well_formed() -> None:
    assert scoring.problems(RAW) == []


def test_every_document_with_checks_exists_and_every_document_has_checks() -> None:
    assert sorted(p.name for p in DOCS.iterdir() if p.is_file()) == sorted(RAW)


def test_each_document_has_12_to_30_checks() -> None:
    counts = {doc: len(checks) for doc, checks in RAW.items()}
    assert all(12 <= n <= 30 for n in counts.values()), counts


def test_every_class_is_used() -> None:
    used = {check.cls for checks in CHECKS.values() for check in checks}
    assert used == set(scoring.CLASSES)


def test_the_set_stays_small() -> None:
    size = sum(p.stat().st_size for p in DEVSET.rglob("*") if p.is_file())
    assert size < 6 * 1024 * 1024


@pytest.mark.parametrize("doc", sorted(CHECKS))
def test_every_phrase_is_in_its_source(doc: str) -> None:
    path = DOCS / doc
    if path.suffix == ".pdf" and shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    source = scoring.reference_text(path)
    assert source is not None
    missing = [
        f"{check.describe()} :: {text!r}"
        for check in CHECKS[doc]
        for text, options in scoring.source_phrases(check)
        if not scoring.in_source(text, source, **options)
    ]
    assert missing == []


# --- the scorer on hand-made records ----------------------------------------

DOC = Draft(
    [
        Rec("meta", "A Title\nBy Someone", page=1, lang="en"),
        Rec("heading", "1 Introduction", page=1, lang="en"),
        Rec(
            "paragraph",
            "A sentence cut by a\npage break. Uses R 4.2 here.",
            page=1,
            lang="en",
            section="1 Introduction",
        ),
        Rec(
            "paragraph",
            "Next one starts here.",
            page=2,
            lang="en",
            section="1 Introduction",
        ),
        Rec("footnote", "A note's text.", page=2, lang="en", section="1 Introduction"),
        Rec("reference", "Smith, J. 2001. A book.", page=3, lang="en"),
        Rec("paragraph", "Texte en français : oui.", page=3, lang="fr"),
        Rec("paragraph", "Duplicated words. Duplicated words.", page=3),
        Rec("paragraph", "Duplicated words again", page=3),
    ],
    title="A Title",
)

# (class, fields, expected verdict), one comment per row.
CASES = [
    # whole: across a line break, in one paragraph
    ("whole", {"phrase": "A sentence cut by a page break."}, True),
    # whole: the phrase is in a footnote, not a paragraph
    ("whole", {"phrase": "A note's text."}, False),
    # whole: in two records
    ("whole", {"phrase": "Duplicated words"}, False),
    # separate: consecutive paragraphs kept apart
    ("separate", {"first": "Uses R 4.2 here.", "second": "Next one starts"}, True),
    # separate: both in one record
    ("separate", {"first": "A sentence", "second": "Uses R 4.2"}, False),
    # separate: the second is missing
    ("separate", {"first": "A sentence", "second": "Nowhere"}, False),
    # unchanged: a version number at word boundaries
    ("unchanged", {"phrase": "R 4.2"}, True),
    # unchanged: "R 42" is not "R 4.2" (no fuzzy matching)
    ("unchanged", {"phrase": "R 42"}, False),
    # unchanged: the French space is compared as a plain space
    ("unchanged", {"phrase": "français : oui."}, True),
    # dropped: furniture absent
    ("dropped", {"phrase": "Page 12 of 20"}, True),
    # dropped: text kept in meta records is allowed
    ("dropped", {"phrase": "By Someone"}, True),
    # dropped: still in a paragraph
    ("dropped", {"phrase": "Next one"}, False),
    # kind: a heading
    ("kind", {"phrase": "Introduction", "kind": "heading"}, True),
    # kind: a reference taken for a paragraph
    ("kind", {"phrase": "Smith, J. 2001.", "kind": "paragraph"}, False),
    # footnote: the note and the body text around its marker
    (
        "footnote",
        {"phrase": "A note's text.", "marker_context": "Next one starts"},
        True,
    ),
    # footnote: a paragraph is not a note
    ("footnote", {"phrase": "Next one starts"}, False),
    # footnote: the marker context is only in the note itself
    ("footnote", {"phrase": "A note's", "marker_context": "note's text"}, False),
    # lang
    ("lang", {"phrase": "Texte en français", "lang": "fr"}, True),
    ("lang", {"phrase": "Texte en français", "lang": "en"}, False),
    # page
    ("page", {"phrase": "Next one starts", "page": 2}, True),
    ("page", {"phrase": "Next one starts", "page": 1}, False),
    # page: null expected where the record has none
    ("page", {"phrase": "Duplicated words again", "page": None}, False),
    # section: whitespace does not matter
    ("section", {"phrase": "Next one", "section": "1  Introduction"}, True),
    ("section", {"phrase": "Smith, J.", "section": "1 Introduction"}, False),
    # title
    ("title", {"title": "A  Title"}, True),
    ("title", {"title": "By Someone"}, False),
]


@pytest.mark.parametrize(("cls", "fields", "expected"), CASES)
def test_verdicts(cls: str, fields: dict[str, object], expected: bool) -> None:
    verdict = scoring.evaluate(Check("doc", cls, fields, 0), DOC)
    assert verdict.passed is expected, verdict.found


def test_page_null_passes_where_a_record_has_no_page() -> None:
    doc = Draft([Rec("paragraph", "Web text.")])
    check = Check("doc", "page", {"phrase": "Web text.", "page": None}, 0)
    assert scoring.evaluate(check, doc).passed


def test_a_failed_verdict_shows_the_record_found() -> None:
    check = Check("doc", "kind", {"phrase": "Smith, J.", "kind": "heading"}, 0)
    found = scoring.evaluate(check, DOC).found
    assert "kind=reference" in found and "Smith, J. 2001." in found


def test_naive_baseline_splits_on_blank_lines_only() -> None:
    draft = scoring.naive_records("Title\n\nPara one\ncontinues.\n\f\nPage 2\n")
    assert [(r.kind, r.text) for r in draft.paragraphs] == [
        ("paragraph", "Title"),
        ("paragraph", "Para one\ncontinues."),
        ("paragraph", "Page 2"),
    ]
    assert {r.page for r in draft.paragraphs} == {None}


def test_load_checks_refuses_malformed_files(tmp_path: Path) -> None:
    bad = tmp_path / "checks.json"
    bad.write_text(json.dumps({"documents": {"a.txt": [{"class": "whole"}]}}))
    with pytest.raises(ValueError, match="whole lacks 'phrase'"):
        scoring.load_checks(bad)
